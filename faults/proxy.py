"""A TCP fault proxy per directed link: pass, cut (refuse or blackhole), delay with jitter.

Each `LinkProxy` listens on a loopback port and forwards every connection to one target port.
Its mode decides what a link does:

- `PASS`: bytes go through, each chunk held for the link's one-way delay (plus jitter). Chunks
  keep their order: a chunk is never delivered before the one read before it, so jitter
  stretches gaps but never reorders a TCP stream.
- `REFUSE`: like a host that answers with a reset: new connections are closed at once and the
  open ones are aborted, so the client sees a connection error immediately.
- `BLACKHOLE`: like a partition that drops packets: connections (old and new) stay open but
  nothing is forwarded, so the client waits for its own timeout. When the link heals, the
  connections that lost bytes are aborted (their streams have holes) and new ones work again.

`ProxyNet` runs any number of them on one event loop in a background thread, so synchronous
code (the launcher, a benchmark) and an async test alike can steer them while their own loop
is busy with the workload.
"""

from __future__ import annotations

import asyncio
import contextlib
import random
import threading
import time
from collections.abc import Coroutine
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, TypeVar

_CHUNK = 65536
T = TypeVar("T")


class Mode(StrEnum):
    """What a link does with traffic."""

    PASS = "pass"
    REFUSE = "refuse"
    BLACKHOLE = "blackhole"


@dataclass(frozen=True, slots=True)
class Delay:
    """One-way delay of a link: `ms` plus a uniform jitter of ±`jitter_ms` (never below 0)."""

    ms: float = 0.0
    jitter_ms: float = 0.0

    def draw(self, rng: random.Random) -> float:
        """One chunk's delay in seconds."""
        if self.ms <= 0 and self.jitter_ms <= 0:
            return 0.0
        return max(0.0, self.ms + rng.uniform(-self.jitter_ms, self.jitter_ms)) / 1000


class _Connection:
    """One proxied connection: two pumps, each with its own FIFO of delayed chunks."""

    def __init__(
        self, proxy: LinkProxy, client: asyncio.StreamWriter, upstream: asyncio.StreamWriter
    ) -> None:
        self.proxy = proxy
        self.client = client
        self.upstream = upstream
        self.holed = False  # bytes were dropped: the stream is broken for good

    def abort(self) -> None:
        for writer in (self.client, self.upstream):
            writer.transport.abort()

    async def pump(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        """Copy one direction until EOF, delaying each chunk, dropping it while blackholed."""
        queue: asyncio.Queue[tuple[float, bytes] | None] = asyncio.Queue()
        sender = asyncio.create_task(self._send(queue, writer))
        last_due = 0.0
        try:
            while data := await reader.read(_CHUNK):
                if self.proxy.mode != Mode.PASS or self.holed:
                    self.holed = True
                    self.proxy.dropped_bytes += len(data)
                    continue
                last_due = max(last_due, time.monotonic() + self.proxy.delay.draw(self.proxy.rng))
                queue.put_nowait((last_due, data))
        except (ConnectionError, OSError):
            pass  # the peer went away or the link was aborted: the other pump ends too
        finally:
            queue.put_nowait(None)
            with contextlib.suppress(ConnectionError, OSError):
                await sender

    async def _send(
        self, queue: asyncio.Queue[tuple[float, bytes] | None], writer: asyncio.StreamWriter
    ) -> None:
        try:
            while (item := await queue.get()) is not None:
                due, data = item
                wait = due - time.monotonic()
                if wait > 0:
                    await asyncio.sleep(wait)
                if self.holed:
                    continue
                writer.write(data)
                await writer.drain()
                self.proxy.forwarded_bytes += len(data)
            if writer.can_write_eof():
                writer.write_eof()
        finally:
            if self.holed:
                writer.transport.abort()


class LinkProxy:
    """Forwards 127.0.0.1:`port` to 127.0.0.1:`target_port`; steer it with `mode`/`delay`.

    Runs on the loop that calls `start()`; change its mode with `set_mode` on that loop.
    """

    def __init__(self, name: str, target_port: int, *, seed: int = 0) -> None:
        self.name = name
        self.target_port = target_port
        self.mode = Mode.PASS
        self.delay = Delay()
        self.rng = random.Random(f"{seed}:{name}")
        self.forwarded_bytes = 0
        self.dropped_bytes = 0
        self.connections_total = 0
        self._server: asyncio.Server | None = None
        self._open: set[_Connection] = set()
        self._pending: set[asyncio.StreamWriter] = set()  # accepted while blackholed
        self._tasks: set[asyncio.Task[None]] = set()

    def __repr__(self) -> str:
        return f"LinkProxy({self.name!r}, :{self.port} -> :{self.target_port}, {self.mode})"

    @property
    def port(self) -> int:
        if self._server is None:
            raise RuntimeError(f"proxy {self.name} is not started")
        port: int = self._server.sockets[0].getsockname()[1]
        return port

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    async def start(self, port: int = 0) -> None:
        self._server = await asyncio.start_server(self._accept, "127.0.0.1", port)

    async def close(self) -> None:
        """Stop listening and reset every connection; their tasks end on their own."""
        if self._server is not None:
            self._server.close()
        self.mode = Mode.REFUSE
        self._drop_all()
        if self._tasks:
            await asyncio.wait(list(self._tasks), timeout=5)
        if self._server is not None:
            await self._server.wait_closed()

    def set_mode(self, mode: Mode) -> None:
        """Change the mode; aborts what the new mode (or the healing) must not keep."""
        previous, self.mode = self.mode, mode
        if mode == Mode.REFUSE:
            self._drop_all()
        elif mode == Mode.BLACKHOLE:
            for connection in self._open:
                connection.holed = True
        elif previous != Mode.PASS:  # healing: broken streams and held accepts are reset
            self._drop_all()

    def _drop_all(self) -> None:
        for connection in list(self._open):
            connection.abort()
        for writer in list(self._pending):
            writer.transport.abort()
        self._pending.clear()

    async def _accept(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._tasks.add(task)
        self.connections_total += 1
        try:
            await self._serve(reader, writer)
        finally:
            self._tasks.discard(task)

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        if self.mode == Mode.REFUSE:
            writer.transport.abort()
            return
        if self.mode == Mode.BLACKHOLE:
            self._pending.add(writer)
            with contextlib.suppress(ConnectionError, OSError):
                while data := await reader.read(_CHUNK):
                    self.dropped_bytes += len(data)  # swallowed: nothing reaches the target
            self._pending.discard(writer)
            writer.transport.abort()
            return
        try:
            up_reader, up_writer = await asyncio.open_connection("127.0.0.1", self.target_port)
        except OSError:
            writer.transport.abort()  # the target is down: the client sees a reset, as it would
            return
        connection = _Connection(self, writer, up_writer)
        self._open.add(connection)
        try:
            await asyncio.gather(
                connection.pump(reader, up_writer), connection.pump(up_reader, writer)
            )
        finally:
            self._open.discard(connection)
            connection.abort()


class ProxyNet:
    """Link proxies on an event loop of their own, in a daemon thread; thread-safe control.

    Use as a context manager (or `start()`/`close()`). Every method may be called from any
    thread, including from inside another event loop (it blocks for milliseconds).
    """

    def __init__(self, *, seed: int = 0) -> None:
        self.seed = seed
        self.links: dict[str, LinkProxy] = {}
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None

    def __enter__(self) -> ProxyNet:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def start(self) -> None:
        if self._thread is not None:
            return
        ready = threading.Event()

        def run() -> None:
            loop = asyncio.new_event_loop()
            self._loop = loop
            asyncio.set_event_loop(loop)
            ready.set()
            loop.run_forever()
            loop.close()

        self._thread = threading.Thread(target=run, name="fault-proxies", daemon=True)
        self._thread.start()
        ready.wait()

    def close(self) -> None:
        if self._loop is None or self._thread is None:
            return
        for link in list(self.links.values()):
            self._call(link.close())
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=10)
        self._loop = self._thread = None
        self.links.clear()

    def _call(self, coroutine: Coroutine[Any, Any, T]) -> T:
        if self._loop is None:
            coroutine.close()
            raise RuntimeError("ProxyNet is not started")
        return asyncio.run_coroutine_threadsafe(coroutine, self._loop).result(timeout=10)

    def add(self, name: str, target_port: int, *, port: int = 0) -> LinkProxy:
        """A new link `name` forwarding to `target_port`; started, on a free port by default."""
        if name in self.links:
            raise ValueError(f"link {name!r} exists already")
        link = LinkProxy(name, target_port, seed=self.seed)
        self._call(link.start(port))
        self.links[name] = link
        return link

    def set_mode(self, names: list[str] | tuple[str, ...], mode: Mode) -> None:
        """Put the links `names` into `mode` (all at once, on the proxies' loop)."""
        links = [self.links[name] for name in names]

        async def apply() -> None:
            for link in links:
                link.set_mode(mode)

        self._call(apply())

    def heal(self) -> None:
        """Every link back to PASS (delays are kept)."""
        self.set_mode(list(self.links), Mode.PASS)

    def set_delay(self, name: str, delay: Delay) -> None:
        self.links[name].delay = delay  # read per chunk: a plain attribute swap is enough

    def modes(self) -> dict[str, Mode]:
        return {name: link.mode for name, link in self.links.items()}
