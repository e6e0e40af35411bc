"""The outbox relay: delivers what a node owes, each destination on its own loop.

- Operations go to each peer as Yjs updates (`POST /api/replication/batch`, idempotent at the
  receiver); events go to analytics. Delivered rows are deleted; a destination that does not
  answer gets them again with exponential backoff.
- A peer that refuses a batch (a 4xx that cannot pass) gets it split until the refused rows
  are found; those are dropped and reported, not retried forever ahead of everything else.
  Nothing is lost by that: the operation stays in this node's op set, and the Yjs sync
  exchange of anti-entropy carries it once the peer can take it.
- A link's outage is reported once (`replication_failed`) and its end once
  (`replication_recovered`); a peer's acknowledgement also releases the client waiting for it.
"""

import asyncio
import contextlib
import logging
import time
from collections import defaultdict, deque
from collections.abc import Callable
from typing import Any

from crdt_core import Op, write_update

from . import store
from .durable import DurableReplica
from .errors import DatabaseUnavailableError
from .events import event, iso
from .outbox import ANALYTICS, Outbox, peer_of
from .settings import NODE_NAMES
from .transport import PeerUnreachable, Refused, Transport

log = logging.getLogger(__name__)
BATCH = 200
MAX_BACKOFF_S = 5.0
RETRY_ROUND_S = 0.25
ANALYTICS_ROUND_S = 0.5


def backoff_s(attempts: int) -> float:
    """How long a row waits after its `attempts`-th failed delivery."""
    return min(MAX_BACKOFF_S, 0.1 * 2.0**attempts)


def percentile(ordered: list[int], q: int) -> float | None:
    """The q-th percentile of sorted values (nearest rank), None for none."""
    if not ordered:
        return None
    return float(ordered[min(len(ordered) - 1, int(q / 100 * len(ordered)))])


class Relay:
    """Delivery loops of one node, its links' states, and acknowledgements of its edits."""

    def __init__(
        self,
        durable: DurableReplica,
        outbox: Outbox,
        transport: Transport,
        *,
        wall_clock: Callable[[], float] = time.time,
    ) -> None:
        self.durable = durable
        self.outbox = outbox
        self.transport = transport
        self.wall_clock = wall_clock
        self.name = durable.settings.name
        self.peer_failures: dict[int, str] = {}  # peer -> last error while it is failing
        self.failing_since: dict[int, int] = {}  # peer -> wall-clock ms of its first failure
        self.last_ack_ms: dict[int, int] = {}
        self.peer_lag_ms: dict[int, deque[int]] = defaultdict(lambda: deque(maxlen=500))
        """Per peer, the latest lags (ms from acceptance to that peer's acknowledgement)."""
        self.lag_ms: deque[tuple[float, int]] = deque(maxlen=5000)
        """(monotonic time of the acknowledgement, ms from acceptance to it), the latest."""
        self._acks: dict[int, set[int]] = defaultdict(set)  # version_key -> peers that acked
        self._ack_events: dict[int, asyncio.Event] = {}

    # -- acknowledgements --------------------------------------------------------------
    def all_failing(self) -> bool:
        """Whether every peer is known to be failing (none can acknowledge soon)."""
        peers = self.outbox.peers
        return bool(peers) and all(peer in self.peer_failures for peer in peers)

    async def acknowledgements(self, key: int, timeout_s: float) -> list[int]:
        """Peers that acknowledged op `key` within `timeout_s` (waits for the first one)."""
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

    # -- the loops -----------------------------------------------------------------------
    async def run(self, destination: str) -> None:
        """Deliver one destination's queue: a slow or unreachable destination (analytics, a
        partitioned peer) never holds back the others, nor the acknowledgements of edits.

        A peer gets each commit's rows as soon as they are handed over, and every
        `RETRY_ROUND_S` whatever else is due (retries, rows of a node that restarted).
        Analytics gets its events every `ANALYTICS_ROUND_S`, many to a request: they are
        for people watching, and sending them with every edit took CPU from the edits."""
        wake = self.outbox.wakes[destination]
        every = ANALYTICS_ROUND_S if destination == ANALYTICS else RETRY_ROUND_S
        next_round = time.monotonic()
        while True:
            # asyncio.timeout, not wait_for: on Python 3.11, wait_for can swallow a
            # cancellation that lands as the event is set, and the loop would outlive the node
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(max(0.0, next_round - time.monotonic())):
                    await wake.wait()
            wake.clear()
            try:
                if destination != ANALYTICS and peer_of(destination) in self.peer_failures:
                    self.outbox.drop_fresh(destination)  # a failing peer waits for its round
                fresh = self.outbox.take_fresh(destination, BATCH)
                if fresh:
                    await self.settle(destination, fresh)
                    wake.set()  # more may be waiting
                if time.monotonic() >= next_round:
                    while await self.relay_once(destination) == BATCH:
                        pass
                    next_round = time.monotonic() + every
            except DatabaseUnavailableError as exc:
                log.warning("outbox relay to %s paused: %s", destination, exc)
                await asyncio.sleep(0.5)

    async def relay_once(self, destination: str) -> int:
        """Deliver `destination`'s due outbox rows once; return how many rows were due."""
        due = await self.outbox.due(destination, BATCH)
        if due:
            await self.settle(destination, due)
        return len(due)

    async def settle(self, destination: str, rows: list[store.OutboxRow]) -> None:
        """Deliver `rows`, then, in one statement, drop the delivered and refused ones,
        schedule the others' retry with backoff, and queue the events the delivery caused."""
        if destination == ANALYTICS:
            delivered, events = await self._send_events(rows), list[dict[str, Any]]()
        else:
            delivered, events = await self._push(peer_of(destination), rows)
        await self.outbox.settle(
            delivered=[row.id for row in rows if row.id in delivered],
            retry_after_s={
                row.id: backoff_s(row.attempts) for row in rows if row.id not in delivered
            },
            events=events,
        )

    # -- peers ---------------------------------------------------------------------------
    async def _push(
        self, peer: int, rows: list[store.OutboxRow]
    ) -> tuple[set[int], list[dict[str, Any]]]:
        """Push `rows` to `peer`: the ids settled (delivered or refused), and the events."""
        opset = self.durable.replica.opset
        pending, settled = [rows], set[int]()
        events: list[dict[str, Any]] = []
        while pending:
            # a row whose op is not in memory (the replica is being rebuilt) waits for a retry
            held = [(row, op) for row in pending.pop() if (op := opset.get(row.version_key or 0))]
            if not held:
                continue
            try:
                await self.transport.push(peer, [write_update(op for _, op in held)])
            except Refused as exc:
                if len(held) > 1:  # find the refused rows; deliver the rest
                    half = len(held) // 2
                    pending += [[row for row, _ in held[half:]], [row for row, _ in held[:half]]]
                    continue
                log.error("%s refused %s, dropped (anti-entropy carries it)", peer, held[0][0])
                settled.add(held[0][0].id)
                events += self._failed(peer, str(exc))
                continue
            except PeerUnreachable as exc:
                events += self._failed(peer, str(exc))
                break
            settled |= {row.id for row, _ in held}
            events += self._delivered(peer, [op for _, op in held])
        return settled, events

    def _delivered(self, peer: int, ops: list[Op]) -> list[dict[str, Any]]:
        now = int(self.wall_clock() * 1000)
        self.last_ack_ms[peer] = now
        recovered = self._recovered(peer, now)
        self._acknowledged(peer, [op.key for op in ops])
        acked = time.monotonic()
        node = self.durable.settings.node
        own = [max(0, now - op.ts) for op in ops if op.origin == node]
        self.lag_ms.extend((acked, lag) for lag in own)
        self.peer_lag_ms[peer].extend(own)
        return recovered + [
            event(
                "replication_success",
                event_id=f"replication_success:{op.key}:{peer}",
                ts_ms=now,
                agent_id=op.agent_id,
                version=self.durable.view.version,
                source_node=self.name,
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
        return [self._link_event("replication_recovered", peer, now, down_ms=max(0, now - since))]

    def _failed(self, peer: int, error: str) -> list[dict[str, Any]]:
        """The event of a link starting to fail (one per outage), or none."""
        first_failure = peer not in self.peer_failures
        self.peer_failures[peer] = error
        if not first_failure:
            return []
        now = int(self.wall_clock() * 1000)
        self.failing_since[peer] = now
        return [self._link_event("replication_failed", peer, now, error_message=error)]

    def _link_event(self, kind: str, peer: int, now: int, **detail: Any) -> dict[str, Any]:
        return event(
            kind,
            event_id=f"{kind}:{self.name}:{peer}:{now}",
            ts_ms=now,
            source_node=self.name,
            target_node=NODE_NAMES[peer],
            **detail,
        )

    # -- analytics -----------------------------------------------------------------------
    async def _send_events(self, rows: list[store.OutboxRow]) -> set[int]:
        """Deliver events; a batch analytics refuses is split, and only the events refused
        on their own are dropped (logged), so one bad event blocks nothing. Returns the ids
        settled (delivered or dropped)."""
        try:
            await self.transport.send_events([row.payload or {} for row in rows])
        except Refused as exc:
            if len(rows) == 1:
                log.error("analytics refused an event, dropped: %s %s", rows[0].payload, exc)
                return {rows[0].id}
            half = len(rows) // 2
            return await self._send_events(rows[:half]) | await self._send_events(rows[half:])
        except PeerUnreachable as exc:
            log.info("analytics unreachable, %d events kept: %s", len(rows), exc)
            return set()
        return {row.id for row in rows}

    # -- for the cluster view -------------------------------------------------------------
    def link(self, peer: int) -> dict[str, Any]:
        """The state of the link to `peer`."""
        failing = self.peer_failures.get(peer)
        since = self.failing_since.get(peer)
        lags = sorted(self.peer_lag_ms.get(peer, ()))
        return {
            "last_ack_ms": self.last_ack_ms.get(peer),
            "failing": failing,
            "state": "failing" if failing else "ok" if peer in self.last_ack_ms else "unknown",
            "since": iso(since) if failing and since else None,
            "lag_ms": {"p50": percentile(lags, 50), "p95": percentile(lags, 95)},
        }

    def lag_percentiles(self, window_s: float | None = None) -> dict[str, float | None]:
        """p50/p95/p99 of recent replication lags (ms), from acceptance to acknowledgement;
        with `window_s`, of the acknowledgements of the last `window_s` seconds only."""
        since = time.monotonic() - window_s if window_s is not None else float("-inf")
        lags = sorted(lag for acked, lag in self.lag_ms if acked >= since)
        if not lags:
            return {"p50": None, "p95": None, "p99": None, "count": 0}
        pick = {q: percentile(lags, q) for q in (50, 95, 99)}
        return {"p50": pick[50], "p95": pick[95], "p99": pick[99], "count": len(lags)}
