"""How a node talks to its peers and to analytics: the replication HTTP protocol.

`Transport` speaks the protocol (URLs, bodies, what an answer means); the requests themselves
go through a `Send`, so the same protocol runs over aiohttp between processes
(`AiohttpSend`) or over ASGI between apps in one process (the in-process cluster tests, which
put a hostile network in between).
"""

import base64
import json
import logging
from collections.abc import Awaitable, Callable
from typing import Any

import aiohttp

log = logging.getLogger(__name__)

Send = Callable[..., Awaitable[tuple[int, bytes]]]
"""`send(method, url, *, json=..., params=...)` → (status, body); raises PeerUnreachable
when there is no answer."""

_RETRIED_4XX = (401, 408, 429)
"""Client errors that can pass: a token being rotated, a timeout, throttling."""


class PeerUnreachable(Exception):
    """A peer or the analytics service did not answer, or answered with an error that can
    pass (retried). Its message is Russian: the cluster view shows it as the link's state."""


class Refused(PeerUnreachable):
    """The destination refused the request itself (a 4xx other than `_RETRIED_4XX`):
    sending the same again cannot help."""


def _check(url: str, status: int, body: bytes) -> bytes:
    said = body[:200].decode(errors="replace")
    if 400 <= status < 500 and status not in _RETRIED_4XX:
        raise Refused(f"{url}: запрос отклонён, ответ HTTP {status} {said}")
    if status >= 300:
        raise PeerUnreachable(f"{url}: ответ HTTP {status} {said}")
    return body


class Transport:
    """The replication protocol towards every peer and analytics."""

    def __init__(
        self,
        *,
        peers: dict[int, str],
        analytics_url: str,
        send: Send,
        close: Callable[[], Awaitable[None]] | None = None,
    ) -> None:
        self.peers = peers
        self.analytics_url = analytics_url.rstrip("/")
        self.send = send
        self._close = close

    async def close(self) -> None:
        if self._close is not None:
            await self._close()

    async def _ok(self, method: str, url: str, **kwargs: Any) -> bytes:
        status, body = await self.send(method, url, **kwargs)
        return _check(url, status, body)

    async def push(self, peer: int, updates: list[bytes]) -> None:
        """Deliver Yjs updates to `peer` (idempotent at the receiver)."""
        diffs = [base64.b64encode(update).decode("ascii") for update in updates]
        url = f"{self.peers[peer]}/api/replication/batch"
        await self._ok("POST", url, json={"diffs": diffs})

    async def sync(self, peer: int, state_vector: bytes) -> bytes:
        """The Yjs sync exchange: send our state vector, get back the update with every
        operation `peer` holds beyond it."""
        url = f"{self.peers[peer]}/api/replication/catch-up"
        vector = base64.b64encode(state_vector).decode("ascii")
        body = await self._ok("GET", url, params={"state_vector": vector})
        try:
            [entry] = json.loads(body)["versions"]
            return base64.b64decode(entry["diff"], validate=True)
        except (KeyError, TypeError, ValueError) as exc:
            raise PeerUnreachable(f"узел {peer} прислал испорченный ответ: {exc}") from exc

    async def send_events(self, events: list[dict[str, Any]]) -> None:
        if not self.analytics_url:
            raise PeerUnreachable("адрес аналитики не задан")
        url = f"{self.analytics_url}/api/analytics/events/batch"
        await self._ok("POST", url, json={"events": events})


def _unreachable(url: str, exc: BaseException) -> PeerUnreachable:
    """A failed request, said in Russian (the exception's own class and text stay in the
    log, not on the screen)."""
    if isinstance(exc, TimeoutError | aiohttp.ServerTimeoutError):
        why = "нет ответа вовремя"
    elif isinstance(exc, aiohttp.ClientConnectorError):
        why = "соединение не установлено: узел остановлен или недоступен"
    elif isinstance(exc, aiohttp.ServerDisconnectedError | aiohttp.ClientOSError):
        why = "соединение оборвалось"
    else:
        why = "ошибка связи"
    log.debug("%s: %s %s", url, type(exc).__name__, exc)
    return PeerUnreachable(f"{url}: {why}")


class AiohttpSend:
    """Requests between processes: HTTP with the service token, on aiohttp.

    aiohttp rather than httpx (the client everywhere else): a push costs its sender 0.28 ms
    of CPU on aiohttp against 0.85 ms on httpx, measured on the 2-core benchmark machine, and
    every accepted edit makes two pushes and waits for one of them. Made inside the running
    event loop (the node's lifespan)."""

    _KEEPALIVE_S = 4.0
    """Below uvicorn's 5 s: a peer never closes a connection just as it is reused."""

    def __init__(self, *, token: str, timeout_s: float) -> None:
        self.session = aiohttp.ClientSession(
            headers={"Authorization": f"Bearer {token}"},
            timeout=aiohttp.ClientTimeout(total=timeout_s, connect=min(timeout_s, 0.5)),
            connector=aiohttp.TCPConnector(keepalive_timeout=self._KEEPALIVE_S),
        )

    async def __call__(self, method: str, url: str, **kwargs: Any) -> tuple[int, bytes]:
        try:
            async with self.session.request(method, url, **kwargs) as response:
                return response.status, await response.read()
        except (aiohttp.ClientError, TimeoutError) as exc:
            raise _unreachable(url, exc) from exc

    async def close(self) -> None:
        await self.session.close()


def http_transport(
    *, peers: dict[int, str], analytics_url: str, token: str, timeout_s: float
) -> Transport:
    """The transport between processes."""
    send = AiohttpSend(token=token, timeout_s=timeout_s)
    return Transport(peers=peers, analytics_url=analytics_url, send=send, close=send.close)
