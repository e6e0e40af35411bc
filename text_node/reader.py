"""`python -m text_node.reader HOST PORT NODE`: reads of the current text, apart from the
node's event loop.

Under a heavy write load a node's event loop always has work queued, and a read waits its turn
behind it however small the read is (50 writers on a 1 MB document: 25 ms p95 for the node's
own `/health`). This process answers the one read everybody makes, `GET
/api/document/current`, from a mirror of the node's last committed view; a read with a session
token only once that view holds everything the session has seen, as the node would. The node
starts it as its child and feeds it over the child's stdin (`reader_feed`): after every commit
the text groups that changed, and twice a second the budget. nginx sends reads of the current
text here, and everything else (edits, versions, lists) to the node.

It answers only while the feed is fresh and its node's view is worth reading: a node that is
frozen, or too busy to say anything for `STALE_AFTER_S`, still catching up after a start, or
without an answer from its database (its view stands still while the peers go on), has its
reads answered 503 so that nginx asks another node. When its node dies the feed ends, and so
does this process.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
import sys
import time
from collections.abc import Callable
from typing import Any

import orjson
import uvicorn
from starlette.types import Receive, Scope, Send

from crdt_core import SESSION_HEADER, InvalidSession, SessionToken

from .reader_feed import FRAME

PATH = "/api/document/current"
STALE_AFTER_S = 2.0
"""No word from the node for this long: it is frozen or stuck, its reads go elsewhere."""
SESSION_WAIT_S = 0.25
"""A session read this reader's view does not cover yet waits this long for the feed to bring
what it lacks (replication takes tens of ms), then gets 503 session_unavailable: nginx tries
another reader, and with every reader out, the nodes, which pull what they lack at once."""
BIND_WAIT_S = 10.0
"""How long to retry the port while the previous reader of a restarted node still holds it."""

_JSON = (b"content-type", b"application/json")
_SESSION = SESSION_HEADER.lower().encode("ascii")


class Mirror:
    """The node's last committed view, as the feed told it, and the answer made of it.

    A message always carries `budget` ([used, limit]) and `unready` (why the node's view
    should not be read now, or None); one sent after a commit also carries
    `head` (the version's fields), `session` (the node's token), `count` (how many text
    groups there are now) and `parts` ([index, text] of each group that changed)."""

    def __init__(self, node: str, *, clock: Callable[[], float] = time.monotonic) -> None:
        self.node = node
        self.clock = clock
        self.parts: list[bytes] = []
        """The text's groups, each JSON-escaped."""
        self.head: dict[str, Any] | None = None
        self.token = SessionToken()
        """The node's session token for the view: what the view holds, per origin."""
        self.advanced = asyncio.Event()
        """Set, and replaced, each time a new view arrives."""
        self.budget: list[int | None] = [None, None]
        self.unready: str | None = None
        self.heard = clock()
        self._body: bytes | None = None

    def apply(self, message: dict[str, Any]) -> None:
        self.heard = self.clock()
        self.budget = message["budget"]
        self.unready = message["unready"]
        if "head" in message:
            count = message["count"]
            del self.parts[count:]
            self.parts += [b""] * (count - len(self.parts))
            for index, text in message["parts"]:
                self.parts[index] = orjson.dumps(text)[1:-1]
            self.head = message["head"]
            self.token = SessionToken.parse(message["session"])
            self.advanced.set()
            self.advanced = asyncio.Event()
        self._body = None

    @property
    def fresh(self) -> bool:
        return self.clock() - self.heard < STALE_AFTER_S

    def body(self) -> bytes:
        """`DocumentResponse` of the view, byte for byte what the node answers. Each group is
        kept JSON-escaped (escaping is per character, so the escaped groups joined are the
        escaped text): a read copies the text once, and encodes only what changed."""
        if self._body is None:
            head = self.head or {}
            rest = {
                "timestamp": head.get("timestamp", ""),
                "document_id": head.get("document_id"),
                "version_key": head.get("version_key", 0),
                "topic": head.get("topic", ""),
                "node": self.node,
                "budget_used": self.budget[0],
                "budget_limit": self.budget[1],
            }
            start = b'{"version":%d,"text":"' % head.get("version", 0)
            self._body = b"".join((start, *self.parts, b'",', orjson.dumps(rest)[1:]))
        return self._body


class Feed(asyncio.Protocol):
    """Reads the node's messages from the pipe into `mirror`; `ended` when the node is gone."""

    def __init__(self, mirror: Mirror, ended: asyncio.Event) -> None:
        self.mirror = mirror
        self.ended = ended
        self._buffer = bytearray()

    def data_received(self, data: bytes) -> None:
        buffer = self._buffer
        buffer += data
        start = 0
        while len(buffer) - start >= FRAME.size:
            (length,) = FRAME.unpack_from(buffer, start)
            end = start + FRAME.size + length
            if len(buffer) < end:
                break
            self.mirror.apply(orjson.loads(memoryview(buffer)[start + FRAME.size : end]))
            start = end
        del buffer[:start]

    def connection_lost(self, exc: Exception | None) -> None:
        self.ended.set()


def _error(code: str, message: str) -> bytes:
    return orjson.dumps({"error": code, "message": message})


def _unavailable(
    message: str, *, code: str = "node_unavailable"
) -> tuple[int, bytes, list[tuple[bytes, bytes]]]:
    return 503, _error(code, message), [(b"retry-after", b"1")]


class ReaderApp:
    """The ASGI app: `GET /api/document/current` and `/health`; the feed read at start-up."""

    def __init__(self, mirror: Mirror, *, feed: Any = None) -> None:
        self.mirror = mirror
        self.ended = asyncio.Event()
        self.feed = feed if feed is not None else sys.stdin.buffer

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await self._lifespan(receive, send)
            return
        if scope["type"] != "http":
            return
        session = dict(scope["headers"]).get(_SESSION)
        status, body, headers = await self.answer(
            scope["method"], scope["path"], None if session is None else session.decode("latin-1")
        )
        length = (b"content-length", str(len(body)).encode("ascii"))
        await send(
            {"type": "http.response.start", "status": status, "headers": [_JSON, length, *headers]}
        )
        if scope["method"] == "HEAD":
            body = b""
        await send({"type": "http.response.body", "body": body})

    async def answer(
        self, method: str, path: str, session: str | None = None
    ) -> tuple[int, bytes, list[tuple[bytes, bytes]]]:
        """(status, body, extra headers) for a request, with `session` its session token."""
        node = self.mirror.node
        if path not in (PATH, "/health"):
            return 404, _error("not_found", f"читатель узла {node} отвечает только на {PATH}"), []
        if method not in ("GET", "HEAD"):
            return 405, _error("method_not_allowed", f"{path}: только GET"), []
        if self.mirror.head is None:
            return _unavailable(f"узел {node} ещё не передал текст читателю")
        if not self.mirror.fresh:
            return _unavailable(f"узел {node} молчит дольше {STALE_AFTER_S:g} с")
        if self.mirror.unready is not None:
            return _unavailable(f"узел {node} {self.mirror.unready}")
        if path == "/health":
            health = {"status": "ok", "service": "text-node-reader", "node": node}
            return 200, orjson.dumps(health), []
        if session is not None:
            try:
                token = SessionToken.parse(session)
            except InvalidSession as exc:
                invalid = {
                    "error": "validation_error",
                    "message": str(exc),
                    "field": SESSION_HEADER,
                }
                return 422, orjson.dumps(invalid), []
            if not await self._covers(token):
                return _unavailable(
                    f"узел {node} ещё не получил всё, что видел ваш сеанс (сеанс {token}, у узла "
                    f"{self.mirror.token}): повторите на другом узле",
                    code="session_unavailable",
                )
        return 200, self.mirror.body(), [(_SESSION, str(self.mirror.token).encode("ascii"))]

    async def _covers(self, token: SessionToken) -> bool:
        """Whether the view holds all `token` has seen, waiting up to `SESSION_WAIT_S` for it."""
        deadline = time.monotonic() + SESSION_WAIT_S
        while not token.covered_by(self.mirror.token.vector):
            left = deadline - time.monotonic()
            if left <= 0:
                return False
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.mirror.advanced.wait(), left)
        return True

    async def _lifespan(self, receive: Receive, send: Send) -> None:
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                loop = asyncio.get_running_loop()
                await loop.connect_read_pipe(lambda: Feed(self.mirror, self.ended), self.feed)
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                await send({"type": "lifespan.shutdown.complete"})
                return


def bound(host: str, port: int, *, wait_s: float = BIND_WAIT_S) -> socket.socket:
    """A listening socket on `host:port`, retried while a reader of the node's previous life
    (killed with it a moment ago, not yet gone) still holds the port."""
    deadline = time.monotonic() + wait_s
    while True:
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError:
            sock.close()
            if time.monotonic() >= deadline:
                raise
            time.sleep(0.1)
            continue
        return sock


def main(argv: list[str]) -> int:
    if len(argv) != 3 or not argv[1].isdigit():
        print("usage: python -m text_node.reader HOST PORT NODE", file=sys.stderr)
        return 2
    host, port, node = argv[0], int(argv[1]), argv[2]
    app = ReaderApp(Mirror(node))
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="on"))

    async def serve() -> None:
        sock = bound(host, port)
        serving = asyncio.ensure_future(server.serve(sockets=[sock]))
        ended = asyncio.ensure_future(app.ended.wait())
        await asyncio.wait([serving, ended], return_when=asyncio.FIRST_COMPLETED)
        server.should_exit = True
        await serving

    with asyncio.Runner(loop_factory=server.config.get_loop_factory()) as runner:
        runner.run(serve())
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
