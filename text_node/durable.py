"""The replica in memory and its database, kept together.

Every change (agents' edits, an init, operations from a peer) is made under one lock, and
changes are committed in groups: whoever takes the lock next runs every change queued
meanwhile, in arrival order, and writes them in one PostgreSQL statement — what the replica
took in memory, everything derived from it (`projection.project`) and every delivery it owes
(`Outbox`). Only after the commit is the new state published to readers and the callers
answered. Under load that is one commit for many changes, edits and peers' batches alike;
alone, a change is its own group. If the write fails, the replica is rebuilt from the
database, so memory never holds an operation the database lost. Readers see `view`, the last
committed state.
"""

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from crdt_core import (
    Added,
    DiffError,
    InvalidPosition,
    Op,
    Replica,
    SessionToken,
    write_update,
)

from . import projection, store
from .db import Connection, Database
from .errors import DatabaseUnavailableError, TextNodeError
from .events import budget_changed_event, iso
from .outbox import Outbox
from .settings import NodeSettings

BUDGET_LIMIT_TTL_S = 1.0
COMPACT_AFTER_BYTES = 1_000_000
"""The update log is compacted into one snapshot update once the updates appended since the
last snapshot outweigh it, and this many bytes at least: every byte is rewritten a bounded
number of times, so compaction costs O(1) per edit however long the history grows, and a
restart reads at most about twice the snapshot."""


@dataclass(frozen=True)
class View:
    """The committed state readers see."""

    document_id: str | None
    topic: str
    version: int
    version_key: int
    text_parts: tuple[str, ...]
    """The text in immutable pieces: a commit publishes them without joining a long text
    that nobody may read before the next commit."""
    timestamp: str
    watermark: dict[int, int]
    """Per origin, the highest contiguous sequence committed: what this view reflects (the
    replica in memory runs ahead of it during a change, until the commit)."""

    @cached_property
    def text(self) -> str:
        return "".join(self.text_parts)

    @property
    def token(self) -> SessionToken:
        """The session token of what this view holds (`X-Chorus-Session`)."""
        return SessionToken(self.document_id or "", self.watermark)


Change = Callable[[int | None], list[tuple[Op, Added]]]
"""Changes the replica, given the budget limit when it was read; returns what it added. One
that refuses (`REFUSALS`) must do so before changing anything: its caller gets the error and
the rest of its group goes on. Any other error fails the whole group, and the replica is
rebuilt from the database."""
REFUSALS = (TextNodeError, DiffError, InvalidPosition)
"""What a change raises to refuse: a refused edit or init, junk from a peer, a bad position."""
Events = Callable[[list[Op]], list[dict[str, Any]]]


@dataclass(slots=True)
class _Queued:
    change: Change
    events: Events | None
    read_limit: bool
    done: "asyncio.Future[list[Op]]"


class DurableReplica:
    """The replica of one node and its tables; `change` is the only way to change either."""

    def __init__(
        self, settings: NodeSettings, db: Database, outbox: Outbox, *, now_ms: Callable[[], int]
    ) -> None:
        self.settings = settings
        self.db = db
        self.outbox = outbox
        self.now_ms = now_ms
        self.replica = Replica(settings.node, now_ms)
        self.lock = asyncio.Lock()
        """Taken through `locked()`: every change, and every read of the whole op set."""
        self._loaded = False
        self._queued: list[_Queued] = []
        self._snapshot_bytes = 0  # the log's first row, its snapshot
        self._appended = 0  # bytes of the updates appended since
        self.view = View(None, "", 0, 0, (), iso(now_ms()), {})
        self.limit: tuple[float, int] | None = None
        """(monotonic time read, the budget limit) — the limit is changed by hand in the
        database, so it is re-read (`note_limit`)."""
        self.on_publish: Callable[[View], None] | None = None
        """Told every view published (the reader process's feed)."""

    async def load(self) -> None:
        """Rebuild the replica (and its HLC) from the persisted Yjs update log, compacted
        into one snapshot on the way when it has grown."""
        async with self.db.transaction() as conn:
            await store.ensure_budget(conn, limit=self.settings.budget_limit)
            updates = await store.load_updates(conn)
            # operations of a database written before the Doc was persisted: adopted into
            # the snapshot below, which empties their table
            legacy = await store.load_legacy_ops(conn)
            if legacy:
                updates.append(write_update(legacy))
            replica = Replica.restore(self.settings.node, self.now_ms, updates)
            self._snapshot_bytes, self._appended = sum(map(len, updates)), 0
            if len(updates) > 1 or legacy:
                await self._compact(conn, replica)
        self.replica = replica
        self._loaded = True
        self._publish()

    def committed(self, edit_id: str) -> Op | None:
        """The op held for `edit_id`, if the last commit covers it: what a retry may be told
        at once, outside the lock. An op still being written is not (its write may fail, or
        the node die before it), so such a retry waits for the group after it."""
        held = self.replica.opset.held(edit_id)
        if held is None or self.view.watermark.get(held.origin, 0) < held.seq:
            return None
        return held

    async def receive(self, updates: list[bytes]) -> int:
        """Merge Yjs updates from a peer (idempotent); return how many operations were new.
        `DiffError` for junk, with nothing merged."""

        def merge(_: int | None) -> list[tuple[Op, Added]]:
            return self.replica.receive_updates(updates)

        return len(await self.change(merge))

    @asynccontextmanager
    async def locked(self) -> AsyncIterator[None]:
        """The lock, with the replica first rebuilt from the database if a failed write
        could not reload it (DatabaseUnavailableError while it still cannot)."""
        async with self.lock:
            if not self._loaded:
                await self.load()
            yield

    def note_limit(self, limit: int) -> bool:
        """Keep the limit just read; True when it differs from the one read before."""
        before = self.limit[1] if self.limit else None
        self.limit = (time.monotonic(), limit)
        return before is not None and before != limit

    async def budget(self) -> tuple[int, int | None]:
        """(tokens used, limit) for readers. The limit is changed by hand in the database, so
        it is re-read at most once a second, and not at all while edits keep reading it (each
        accepted edit reads it under lock); while the database is down, the last one read."""
        if self.limit is None or time.monotonic() - self.limit[0] >= BUDGET_LIMIT_TTL_S:
            try:
                async with self.db.connection() as conn:
                    changed = self.note_limit(await store.budget_limit(conn, lock=False))
                if changed:
                    await self.budget_changed()
            except DatabaseUnavailableError:
                pass
        return self.budget_held()

    def budget_held(self) -> tuple[int, int | None]:
        """(tokens used, limit) as held now, without re-reading the limit."""
        return self.replica.opset.tokens_used, self.limit[1] if self.limit else None

    async def budget_changed(self) -> None:
        """Tell analytics the limit just read differs from the one before."""
        if self.limit is not None:
            used = self.replica.opset.tokens_used
            payload = budget_changed_event(
                node=self.settings.name, ts_ms=self.now_ms(), used=used, limit=self.limit[1]
            )
            await self.outbox.add_events([payload])

    async def change(
        self, change: Change, *, events: Events | None = None, read_limit: bool = False
    ) -> list[Op]:
        """Run `change` on the replica and persist what it did, atomically, in a group with
        every change queued meanwhile; return the operations it added. Call without the lock.

        With `events` (a local change), the new operations are owed to every peer, and so
        are the analytics events `events` makes of them. With `read_limit`, the budget row is
        locked first, in a transaction around the write, and `change` gets the limit.
        Without, the write is one statement, atomic on its own: a peer's operations cost the
        peer a single round trip to its database."""
        queued = _Queued(change, events, read_limit, asyncio.get_running_loop().create_future())
        self._queued.append(queued)
        try:
            async with self.locked():
                if self._queued:  # else an earlier holder of the lock took this change along
                    group, self._queued = self._queued, []
                    await self._commit(group)
        except BaseException:
            if queued in self._queued:  # never tried: nothing of it was applied
                self._queued.remove(queued)
            raise
        return await queued.done

    async def _commit(self, group: list[_Queued]) -> None:
        """Apply `group` and write it in one transaction; each change's future gets its new
        operations or the error that stopped it."""
        start = projection.before(self.replica.opset)
        fresh: list[list[Op] | Exception] = []  # per change: the ops it added, or its refusal
        swapped = changed = False
        try:
            read_limit = any(queued.read_limit for queued in group)
            async with (
                self.db.connection() as conn,
                conn.transaction() if read_limit else contextlib.nullcontext(),
            ):
                limit = await store.budget_limit(conn) if read_limit else None
                limit_changed = limit is not None and self.note_limit(limit)
                changed = True
                for queued in group:
                    try:
                        added = queued.change(limit)
                    except REFUSALS as refused:  # nothing changed by it
                        fresh.append(refused)
                        continue
                    swapped = swapped or any(how == Added.SWAPPED for _, how in added)
                    fresh.append([op for op, how in added if how != Added.DUPLICATE])
                new_ops = [op for ops in fresh if isinstance(ops, list) for op in ops]
                updates = self.replica.opset.drain_updates()
                written: list[store.OutboxRow] = []
                if updates or new_ops:  # else nothing changed: nothing to write
                    rows = projection.project(
                        self.replica.opset,
                        start,
                        new_ops,
                        swapped=swapped,
                        checkpoint_every=self.settings.checkpoint_every,
                    )
                    owed = [  # a local change's ops, to every peer, and their events
                        row
                        for queued, ops in zip(group, fresh, strict=True)
                        if queued.events is not None and isinstance(ops, list)
                        for row in self.outbox.rows_for(ops, queued.events(ops))
                    ]
                    written = await store.write_change(
                        conn, change=store.Change(updates=updates, rows=rows, outbox=owed)
                    )
                    self._appended += sum(map(len, updates))
                if self._appended >= max(COMPACT_AFTER_BYTES, self._snapshot_bytes):
                    await self._compact(conn, self.replica)
        except Exception as error:
            if changed:  # memory must not keep what was not committed
                await self._forget()
            for queued in group:
                queued.done.set_exception(error)
            return
        except BaseException:
            if changed:
                await self._forget()
            for queued in group:
                queued.done.set_exception(DatabaseUnavailableError("изменение прервано"))
            raise
        self._publish()
        self.outbox.committed(written)
        for queued, ops in zip(group, fresh, strict=True):
            if isinstance(ops, Exception):
                queued.done.set_exception(ops)
            else:
                queued.done.set_result(ops)
        if limit_changed:
            with contextlib.suppress(DatabaseUnavailableError):
                await self.budget_changed()

    async def _compact(self, conn: Connection, replica: Replica) -> None:
        snapshot = replica.opset.snapshot()
        await store.compact_updates(conn, snapshot=snapshot)
        self._snapshot_bytes, self._appended = len(snapshot), 0

    async def _forget(self) -> None:
        try:
            await asyncio.shield(self.load())
        except DatabaseUnavailableError:
            # Nor serve it until the database answers again: an empty replica holds no edit
            # (a retry is not told "accepted", a peer is sent nothing), and `locked()`
            # rebuilds it first. Readers keep the last committed view.
            self.replica = Replica(self.settings.node, self.now_ms)
            self._loaded = False

    def _publish(self) -> None:
        fold, watermark = self.replica.opset.fold, self.replica.opset.watermark()
        if fold is None:
            self.view = View(None, "", 0, 0, (), iso(self.now_ms()), watermark)
        else:
            head = fold.op_at(fold.version)
            self.view = View(
                fold.document_id,
                fold.topic,
                fold.version,
                fold.head_key,
                fold.text_parts(),
                iso(head.ts),
                watermark,
            )
        if self.on_publish is not None:
            self.on_publish(self.view)
