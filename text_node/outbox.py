"""The deliveries a node owes: rows of its `outbox` table, to each peer and to analytics.

A change writes its rows in its own transaction (`store.write_change`), so a delivery is owed
exactly when the change is durable. Rows a commit just queued for a peer are also handed to
the relay in memory (`committed`), which sends them at once instead of reading them back from
the database; everything else (retries, rows of a node that restarted) is read back when due.
"""

import asyncio
from typing import Any

from crdt_core import Op

from . import store
from .db import Database
from .settings import NodeSettings

ANALYTICS = "analytics"


def peer_destination(index: int) -> str:
    return f"peer-{index}"


def peer_of(destination: str) -> int:
    return int(destination.removeprefix("peer-"))


class Outbox:
    """The outbox table of one node, and the hand-over of fresh rows to its relay."""

    def __init__(self, settings: NodeSettings, db: Database) -> None:
        self.db = db
        self.peers = list(settings.peer_urls)
        self.analytics = bool(settings.analytics_url)
        self.destinations = [peer_destination(peer) for peer in self.peers]
        if self.analytics:
            self.destinations.append(ANALYTICS)
        self.wakes = {destination: asyncio.Event() for destination in self.destinations}
        """Set when a destination has fresh rows (its relay loop waits on it)."""
        self._fresh: dict[str, list[store.OutboxRow]] = {
            destination: [] for destination in self.destinations if destination != ANALYTICS
        }

    # -- what a change owes ----------------------------------------------------------------
    def rows_for(self, ops: list[Op], events: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """Outbox rows of a local change: each op to every peer, and its events."""
        rows: list[dict[str, Any]] = [
            {"destination": peer_destination(peer), "version_key": op.key}
            for op in ops
            for peer in self.peers
        ]
        return rows + self.events(events)

    def events(self, payloads: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """Rows for analytics events (none while no analytics service is configured)."""
        if not self.analytics:
            return []
        return [{"destination": ANALYTICS, "payload": payload} for payload in payloads]

    async def add_events(self, payloads: list[dict[str, Any]]) -> None:
        """Queue events that are not part of a change, in their own statement."""
        rows = self.events(payloads)
        if rows:
            async with self.db.connection() as conn:
                await store.settle_outbox(conn, add=rows)

    # -- the hand-over -----------------------------------------------------------------------
    def committed(self, rows: list[store.OutboxRow]) -> None:
        """Rows a commit just queued: a peer's go to its relay loop at once."""
        for row in rows:
            fresh = self._fresh.get(row.destination)
            if fresh is not None:
                fresh.append(row)
                self.wakes[row.destination].set()

    def take_fresh(self, destination: str, limit: int) -> list[store.OutboxRow]:
        """Up to `limit` of the rows handed over for `destination`, oldest first."""
        fresh = self._fresh.get(destination, [])
        taken = fresh[:limit]
        del fresh[:limit]
        return taken

    def drop_fresh(self, destination: str) -> None:
        """Forget the hand-over (the rows stay in the table and go out when due)."""
        self._fresh.get(destination, []).clear()

    def handed_over(self, destination: str) -> set[int]:
        return {row.id for row in self._fresh.get(destination, [])}

    # -- reading back and settling -------------------------------------------------------
    async def due(self, destination: str, limit: int) -> list[store.OutboxRow]:
        """Rows due for `destination` that are not waiting in the hand-over."""
        async with self.db.connection() as conn:
            due = await store.due_outbox(conn, destination=destination, limit=limit)
        waiting = self.handed_over(destination)
        return [row for row in due if row.id not in waiting]

    async def settle(
        self,
        *,
        delivered: list[int],
        retry_after_s: dict[int, float],
        events: list[dict[str, Any]],
    ) -> None:
        """Drop delivered rows, schedule retries and queue the events, in one statement."""
        async with self.db.connection() as conn:
            await store.settle_outbox(
                conn, delivered=delivered, retry_after_s=retry_after_s, add=self.events(events)
            )

    async def depth(self) -> dict[str, int]:
        async with self.db.connection() as conn:
            return await store.outbox_depth(conn)
