"""Anti-entropy: the Yjs sync exchange with every peer, at start-up and then every interval.

This node sends its state vector (which, with one Yjs client per node and clocks equal to
origin sequence numbers, is exactly its per-origin watermark); the peer answers with
`update_since(state_vector)`, every operation it holds beyond it, and nothing else. What the
relay could not deliver (a partition, a crash, a refused batch) arrives this way. A restarted
node catches up like this before it reports healthy.
"""

import asyncio
import contextlib
import logging
import time
from collections.abc import Callable
from typing import Any

from crdt_core import DiffError

from .durable import DurableReplica
from .errors import DatabaseUnavailableError
from .events import event, iso
from .settings import NODE_NAMES
from .transport import PeerUnreachable, Transport

log = logging.getLogger(__name__)


class AntiEntropy:
    """The start-up catch-up, then the periodic exchange."""

    def __init__(
        self,
        durable: DurableReplica,
        transport: Transport,
        *,
        wall_clock: Callable[[], float] = time.time,
    ) -> None:
        self.durable = durable
        self.transport = transport
        self.wall_clock = wall_clock
        self.settings = durable.settings
        self.ready = asyncio.Event()
        self.catch_up: dict[str, Any] = {
            "state": "catching_up",
            "ops": 0,
            "bytes": 0,
            "duration_ms": None,
            "from": {},
            "finished_at": None,
        }
        """The start-up catch-up, for the cluster view: how many operations (and bytes of
        Yjs updates), from whom, how long."""
        self._refreshing: asyncio.Future[None] | None = None

    async def refresh(self) -> None:
        """Exchange with every peer at once (a session waiting for operations this node
        lacks); concurrent callers share one round."""
        if self._refreshing is None or self._refreshing.done():
            self._refreshing = asyncio.ensure_future(self._exchange_all())
        await asyncio.shield(self._refreshing)

    async def _exchange_all(self) -> None:
        async def one(peer: int) -> None:
            with contextlib.suppress(PeerUnreachable, DatabaseUnavailableError):
                await self.exchange(peer)

        await asyncio.gather(*(one(peer) for peer in self.settings.peer_urls))

    async def exchange(self, peer: int) -> tuple[int, int]:
        """One sync exchange with `peer`: (operations it brought, bytes received)."""
        update = await self.transport.sync(peer, self.durable.replica.opset.state_vector())
        try:
            return await self.durable.receive([update]), len(update)
        except DiffError as exc:  # a broken peer must not stop the exchange with the others
            raise PeerUnreachable(
                f"узел {NODE_NAMES[peer]} прислал испорченное обновление"
            ) from exc

    async def run(self) -> None:
        """Catch up from every peer (for at most `catch_up_timeout_s` with those that do not
        answer), report it, then exchange with each peer every interval."""
        started = time.monotonic()
        deadline = started + self.settings.catch_up_timeout_s
        pending = set(self.settings.peer_urls)
        catch_up = self.catch_up
        while pending:
            for peer in sorted(pending):
                with contextlib.suppress(PeerUnreachable, DatabaseUnavailableError):
                    ops, size = await self.exchange(peer)
                    catch_up["from"][NODE_NAMES[peer]] = ops
                    catch_up["ops"] += ops
                    catch_up["bytes"] += size
                    pending.discard(peer)
            if not pending or time.monotonic() >= deadline:
                break
            await asyncio.sleep(0.2)
        duration_ms = round((time.monotonic() - started) * 1000)
        now = int(self.wall_clock() * 1000)
        catch_up.update(state="done", duration_ms=duration_ms, finished_at=iso(now))
        self.ready.set()
        await self.durable.outbox.add_events(
            [
                event(
                    "node_recovered",
                    event_id=f"node_recovered:{self.settings.name}:{now}",
                    ts_ms=now,
                    version=self.durable.view.version,
                    node=self.settings.name,
                    caught_up_ops=catch_up["ops"],
                    duration_ms=duration_ms,
                    from_peers=catch_up["from"],
                    unreachable_peers=[NODE_NAMES[p] for p in sorted(pending)],
                )
            ]
        )
        while True:
            await asyncio.sleep(self.settings.anti_entropy_interval_s)
            for peer in self.settings.peer_urls:
                try:
                    await self.exchange(peer)
                except (PeerUnreachable, DatabaseUnavailableError) as exc:
                    log.debug("anti-entropy with %s skipped: %s", NODE_NAMES[peer], exc)
