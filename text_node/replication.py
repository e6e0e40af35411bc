"""Background replication of a node: the outbox relay and anti-entropy.

- The relay delivers outbox rows: operations to each peer (`POST /api/replication/batch`,
  idempotent at the receiver) and events to analytics. Delivered rows are deleted; failed ones
  are retried with exponential backoff. A peer's acknowledgement also releases the client
  waiting for it (an edit is answered after one peer acknowledged, or a short timeout).
- Anti-entropy pulls, every interval and at start-up, what each peer holds beyond this node's
  exact per-origin watermark. A restarted node catches up this way before it reports healthy.
"""

import asyncio
import contextlib
import json
import logging
import time
from collections import defaultdict, deque
from collections.abc import Callable
from types import TracebackType
from typing import Any, Protocol

import aiohttp

from crdt_core import DiffError, Op, decode_diff, encode_diff

from . import store
from .errors import DatabaseUnavailableError
from .events import event, iso
from .node import ANALYTICS, TextNode, peer_destination
from .settings import NODE_NAMES

log = logging.getLogger(__name__)
_BATCH = 200
_MAX_BACKOFF_S = 5.0
_RETRY_ROUND_S = 0.25
_ANALYTICS_ROUND_S = 0.5


class PeerUnreachable(Exception):
    """A peer or the analytics service did not answer, or answered with an error (retried).
    Its message is Russian: the cluster view and the desktop show it as the link's state."""


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


class EventsRejected(Exception):
    """Analytics refused events as invalid (4xx): retrying the same events cannot help."""


class Transport(Protocol):
    """How a node talks to its peers and to analytics (a seam for tests)."""

    async def push(self, peer: int, diffs: list[str]) -> None: ...
    async def pull(self, peer: int, watermark: dict[int, int]) -> list[Op]: ...
    async def send_events(self, events: list[dict[str, Any]]) -> None: ...


class HttpTransport:
    """The real transport: HTTP with the service token, on aiohttp.

    aiohttp rather than httpx (the client everywhere else): a push costs its sender 0.28 ms
    of CPU on aiohttp against 0.85 ms on httpx, measured on the 2-core benchmark machine, and
    every accepted edit makes two pushes and waits for one of them. Made inside the running
    event loop (the node's lifespan)."""

    _KEEPALIVE_S = 4.0
    """Below uvicorn's 5 s: a peer never closes a connection just as it is reused."""

    def __init__(
        self, *, peers: dict[int, str], analytics_url: str, token: str, timeout_s: float
    ) -> None:
        self.peers = peers
        self.analytics_url = analytics_url.rstrip("/")
        self.session = aiohttp.ClientSession(
            headers={"Authorization": f"Bearer {token}"},
            timeout=aiohttp.ClientTimeout(total=timeout_s, connect=min(timeout_s, 0.5)),
            connector=aiohttp.TCPConnector(keepalive_timeout=self._KEEPALIVE_S),
        )

    async def close(self) -> None:
        await self.session.close()

    async def _call(self, method: str, url: str, **kwargs: Any) -> tuple[int, bytes]:
        """(status, body) of one request; PeerUnreachable when there is no answer."""
        try:
            async with self.session.request(method, url, **kwargs) as response:
                return response.status, await response.read()
        except (aiohttp.ClientError, TimeoutError) as exc:
            raise _unreachable(url, exc) from exc

    async def _ok(self, method: str, url: str, **kwargs: Any) -> bytes:
        status, body = await self._call(method, url, **kwargs)
        if status >= 300:
            raise PeerUnreachable(
                f"{url}: ответ HTTP {status} {body[:200].decode(errors='replace')}"
            )
        return body

    async def push(self, peer: int, diffs: list[str]) -> None:
        await self._ok("POST", f"{self.peers[peer]}/api/replication/batch", json={"diffs": diffs})

    async def pull(self, peer: int, watermark: dict[int, int]) -> list[Op]:
        mark = ",".join(f"{origin}:{seq}" for origin, seq in sorted(watermark.items()))
        body = await self._ok(
            "GET", f"{self.peers[peer]}/api/replication/catch-up", params={"watermark": mark}
        )
        try:
            return [decode_diff(entry["diff"]) for entry in json.loads(body)["versions"]]
        except (DiffError, KeyError, TypeError, ValueError) as exc:
            raise PeerUnreachable(f"узел {peer} прислал испорченный ответ: {exc}") from exc

    async def send_events(self, events: list[dict[str, Any]]) -> None:
        if not self.analytics_url:
            raise PeerUnreachable("адрес аналитики не задан")
        url = f"{self.analytics_url}/api/analytics/events/batch"
        status, body = await self._call("POST", url, json={"events": events})
        if 400 <= status < 500 and status not in (401, 408, 429):
            raise EventsRejected(
                f"{url}: ответ HTTP {status} {body[:300].decode(errors='replace')}"
            )
        if status >= 300:
            raise PeerUnreachable(
                f"{url}: ответ HTTP {status} {body[:200].decode(errors='replace')}"
            )


def _percentile(ordered: list[int], q: int) -> float | None:
    """The q-th percentile of sorted values (nearest rank), None for none."""
    if not ordered:
        return None
    return float(ordered[min(len(ordered) - 1, int(q / 100 * len(ordered)))])


class Replicator:
    """Owns the relay and anti-entropy tasks of a node; use with `async with`."""

    def __init__(
        self,
        node: TextNode,
        transport: Transport,
        *,
        wall_clock: Callable[[], float] = time.time,
    ) -> None:
        self.node = node
        self.transport = transport
        self.wall_clock = wall_clock
        self.ready = asyncio.Event()
        self.catch_up: dict[str, Any] = {
            "state": "catching_up",
            "ops": 0,
            "duration_ms": None,
            "from": {},
            "finished_at": None,
        }
        """The start-up catch-up, for the cluster view: how many operations, from whom, how long."""
        self.peer_failures: dict[int, str] = {}  # peer -> last error while it is failing
        self.failing_since: dict[int, int] = {}  # peer -> wall-clock ms of its first failure
        self.last_ack_ms: dict[int, int] = {}
        self.peer_lag_ms: dict[int, deque[int]] = defaultdict(lambda: deque(maxlen=500))
        """Per peer, the latest lags (ms from acceptance to that peer's acknowledgement)."""
        self.lag_ms: deque[tuple[float, int]] = deque(maxlen=5000)
        """(monotonic time of the acknowledgement, ms from acceptance to it), the latest."""
        self._acks: dict[int, set[int]] = defaultdict(set)  # version_key -> peers that acked
        self._ack_events: dict[int, asyncio.Event] = {}
        self._tasks: list[asyncio.Task[None]] = []
        self.destinations = [peer_destination(peer) for peer in node.settings.peer_urls]
        if node.settings.analytics_url:
            self.destinations.append(ANALYTICS)
        self._wakes = {destination: asyncio.Event() for destination in self.destinations}
        self._fresh: dict[str, list[store.OutboxRow]] = {
            destination: [] for destination in self.destinations if destination != ANALYTICS
        }
        """Per peer: rows handed over by a commit, not yet sent."""
        node.committed = self._hand_over

    async def __aenter__(self) -> "Replicator":
        self._tasks = [
            asyncio.create_task(self._start_up(), name="catch-up-then-anti-entropy"),
            *(
                asyncio.create_task(self._relay_loop(d), name=f"outbox-relay-{d}")
                for d in self.destinations
            ),
        ]
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task

    # -- acknowledgements --------------------------------------------------------------
    async def wait_for_ack(self, key: int, timeout_s: float) -> list[int]:
        """Peers that acknowledged op `key` within `timeout_s` (waits for the first one).

        Where every peer is already known to be failing, nobody can acknowledge in time: the
        answer is at once (no peer: not replicated yet, the outbox keeps it), instead of every
        edit of a lone survivor waiting the whole timeout."""
        peers = self.node.settings.peer_urls
        if peers and all(peer in self.peer_failures for peer in peers):
            return sorted(self._acks.pop(key, set()))
        if not self._acks.get(key):
            flag = self._ack_events.setdefault(key, asyncio.Event())
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(timeout_s):
                    await flag.wait()
            self._ack_events.pop(key, None)
        return sorted(self._acks.pop(key, set()))

    def _acknowledged(self, peer: int, keys: list[int]) -> None:
        for key in keys:
            flag = self._ack_events.get(key)
            if flag is not None:
                self._acks[key].add(peer)
                flag.set()

    # -- relay -------------------------------------------------------------------------
    def _hand_over(self, rows: list[store.OutboxRow]) -> None:
        """Rows a commit just queued for a peer go out at once, without being read back from
        the database; a failing peer's wait for its retry round (with backoff), and events
        for analytics' next round."""
        for row in rows:
            fresh = self._fresh.get(row.destination)
            if fresh is not None and self._peer_of(row.destination) not in self.peer_failures:
                fresh.append(row)
                self._wakes[row.destination].set()

    async def _relay_loop(self, destination: str) -> None:
        """Deliver one destination's queue: a slow or unreachable destination (analytics, a
        partitioned peer) never holds back the others, nor the acknowledgements of edits.

        A peer gets each commit's rows as soon as they are handed over, and every
        `_RETRY_ROUND_S` whatever else is due (retries, rows of a node that restarted).
        Analytics gets its events every `_ANALYTICS_ROUND_S`, many to a request: they are
        for people watching, and sending them with every edit took CPU from the edits."""
        wake = self._wakes[destination]
        fresh = self._fresh.get(destination, [])
        every = _ANALYTICS_ROUND_S if destination == ANALYTICS else _RETRY_ROUND_S
        next_round = time.monotonic()
        while True:
            # asyncio.timeout, not wait_for: on Python 3.11, wait_for can swallow a
            # cancellation that lands as the event is set, and the loop would outlive the node
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(max(0.0, next_round - time.monotonic())):
                    await wake.wait()
            wake.clear()
            try:
                if fresh:
                    batch = fresh[:_BATCH]
                    del fresh[:_BATCH]
                    await self._settle(destination, batch)
                if time.monotonic() >= next_round:
                    while await self.relay_once(destination) == _BATCH:
                        pass
                    next_round = time.monotonic() + every
            except DatabaseUnavailableError as exc:
                log.warning("outbox relay to %s paused: %s", destination, exc)
                await asyncio.sleep(0.5)
            if fresh:
                wake.set()

    async def relay_once(self, destination: str) -> int:
        """Deliver `destination`'s due outbox rows once; return how many rows were due."""
        async with self.node.db.connection() as conn:
            due = await store.due_outbox(conn, destination=destination, limit=_BATCH)
        handed_over = {row.id for row in self._fresh.get(destination, [])}
        due = [row for row in due if row.id not in handed_over]  # those go out on their own
        if due:
            await self._settle(destination, due)
        return len(due)

    async def _settle(self, destination: str, rows: list[store.OutboxRow]) -> None:
        """Deliver `rows`, then, in one statement, drop them (or schedule their retry with
        backoff) and queue the events the delivery caused."""
        ok, events = await self._deliver(destination, rows)
        if ANALYTICS not in self.destinations:
            events = []  # no analytics configured: nothing to report to
        async with self.node.db.connection() as conn:
            await store.settle_outbox(
                conn,
                delivered=[row.id for row in rows] if ok else [],
                retry_after_s={}
                if ok
                else {row.id: min(_MAX_BACKOFF_S, 0.1 * 2**row.attempts) for row in rows},
                add=[{"destination": ANALYTICS, "payload": e} for e in events],
            )

    async def _deliver(
        self, destination: str, batch: list[store.OutboxRow]
    ) -> tuple[bool, list[dict[str, Any]]]:
        """Send one destination's rows; return whether it worked and the events it caused."""
        if destination == ANALYTICS:
            return await self._send_events(batch), []
        peer = self._peer_of(destination)
        ops = [self.node.replica.opset.get(row.version_key or 0) for row in batch]
        try:
            await self.transport.push(peer, [encode_diff(op) for op in ops if op is not None])
        except PeerUnreachable as exc:
            return False, self._failed(peer, str(exc))
        return True, self._delivered(peer, [op for op in ops if op is not None])

    async def _send_events(self, batch: list[store.OutboxRow]) -> bool:
        """Deliver events; a batch analytics refuses is retried one by one, and only the
        events refused on their own are dropped (logged), so one bad event blocks nothing."""
        try:
            await self.transport.send_events([row.payload or {} for row in batch])
        except PeerUnreachable as exc:
            log.info("analytics unreachable, %d events kept: %s", len(batch), exc)
            return False
        except EventsRejected as exc:
            if len(batch) == 1:
                log.error("analytics refused an event, dropped: %s %s", batch[0].payload, exc)
                return True
            results = [await self._send_events([row]) for row in batch]
            return all(results)
        return True

    @staticmethod
    def _peer_of(destination: str) -> int:
        return int(destination.removeprefix("peer-"))

    def _delivered(self, peer: int, ops: list[Op]) -> list[dict[str, Any]]:
        now = int(self.wall_clock() * 1000)
        self.last_ack_ms[peer] = now
        recovered = self._recovered(peer, now)
        self._acknowledged(peer, [op.key for op in ops])
        acked = time.monotonic()
        own = [max(0, now - op.ts) for op in ops if op.origin == self.node.replica.node]
        self.lag_ms.extend((acked, lag) for lag in own)
        self.peer_lag_ms[peer].extend(own)
        return recovered + [
            event(
                "replication_success",
                event_id=f"replication_success:{op.key}:{peer}",
                ts_ms=now,
                agent_id=op.agent_id,
                version=self.node.view.version,
                source_node=self.node.settings.name,
                target_node=NODE_NAMES[peer],
                edit_id=op.edit_id,
                latency_ms=max(0, now - op.ts),
            )
            for op in ops
        ]

    def _recovered(self, peer: int, now: int) -> list[dict[str, Any]]:
        """The event of a failing link working again (one per outage), or none."""
        if self.peer_failures.pop(peer, None) is None:
            return []
        since = self.failing_since.pop(peer, now)
        return [
            event(
                "replication_recovered",
                event_id=f"replication_recovered:{self.node.settings.name}:{peer}:{now}",
                ts_ms=now,
                source_node=self.node.settings.name,
                target_node=NODE_NAMES[peer],
                down_ms=max(0, now - since),
            )
        ]

    def _failed(self, peer: int, error: str) -> list[dict[str, Any]]:
        first_failure = peer not in self.peer_failures
        self.peer_failures[peer] = error
        if not first_failure:  # one event per outage, not one per retry
            return []
        now = int(self.wall_clock() * 1000)
        self.failing_since[peer] = now
        return [
            event(
                "replication_failed",
                event_id=f"replication_failed:{self.node.settings.name}:{peer}:{now}",
                ts_ms=now,
                source_node=self.node.settings.name,
                target_node=NODE_NAMES[peer],
                error_message=error,
            )
        ]

    # -- anti-entropy ------------------------------------------------------------------
    async def _start_up(self) -> None:
        started = time.monotonic()
        deadline = started + self.node.settings.catch_up_timeout_s
        pending = set(self.node.settings.peer_urls)
        catch_up = self.catch_up
        while pending:
            for peer in sorted(pending):
                with contextlib.suppress(PeerUnreachable, DatabaseUnavailableError):
                    pulled = await self.pull_from(peer)
                    catch_up["from"][NODE_NAMES[peer]] = pulled
                    catch_up["ops"] += pulled
                    pending.discard(peer)
            if not pending or time.monotonic() >= deadline:
                break
            await asyncio.sleep(0.2)
        duration_ms = round((time.monotonic() - started) * 1000)
        now = int(self.wall_clock() * 1000)
        catch_up.update(state="done", duration_ms=duration_ms, finished_at=iso(now))
        self.ready.set()
        await self.node.enqueue(
            [
                {
                    "destination": ANALYTICS,
                    "payload": event(
                        "node_recovered",
                        event_id=f"node_recovered:{self.node.settings.name}:{now}",
                        ts_ms=now,
                        version=self.node.view.version,
                        node=self.node.settings.name,
                        caught_up_ops=catch_up["ops"],
                        duration_ms=duration_ms,
                        from_peers=catch_up["from"],
                        unreachable_peers=[NODE_NAMES[p] for p in sorted(pending)],
                    ),
                }
            ]
        )
        await self._anti_entropy_loop()

    async def _anti_entropy_loop(self) -> None:
        while True:
            await asyncio.sleep(self.node.settings.anti_entropy_interval_s)
            for peer in self.node.settings.peer_urls:
                try:
                    await self.pull_from(peer)
                except (PeerUnreachable, DatabaseUnavailableError) as exc:
                    log.debug("anti-entropy with %s skipped: %s", NODE_NAMES[peer], exc)

    def link(self, peer: int) -> dict[str, Any]:
        """The state of the link to `peer`, for the cluster view."""
        failing = self.peer_failures.get(peer)
        since = self.failing_since.get(peer)
        lags = sorted(self.peer_lag_ms.get(peer, ()))
        return {
            "last_ack_ms": self.last_ack_ms.get(peer),
            "failing": failing,
            "state": "failing" if failing else "ok" if peer in self.last_ack_ms else "unknown",
            "since": iso(since) if failing and since else None,
            "lag_ms": {"p50": _percentile(lags, 50), "p95": _percentile(lags, 95)},
        }

    def lag_percentiles(self, window_s: float | None = None) -> dict[str, float | None]:
        """p50/p95/p99 of recent replication lags (ms), from acceptance to acknowledgement;
        with `window_s`, of the acknowledgements of the last `window_s` seconds only."""
        since = time.monotonic() - window_s if window_s is not None else float("-inf")
        lags = sorted(lag for acked, lag in self.lag_ms if acked >= since)
        if not lags:
            return {"p50": None, "p95": None, "p99": None, "count": 0}
        pick = {q: _percentile(lags, q) for q in (50, 95, 99)}
        return {"p50": pick[50], "p95": pick[95], "p99": pick[99], "count": len(lags)}

    async def pull_from(self, peer: int) -> int:
        """Fetch and apply what `peer` holds beyond this node's watermark."""
        missing = await self.transport.pull(peer, self.node.replica.opset.watermark())
        return await self.node.apply_remote(missing) if missing else 0
