"""One node: the replica in memory, its database, and the rules that keep them together.

Every change (a local edit, an init, operations from a peer) is made under the node's lock:
the replica takes it in memory, everything derived from it is written in one PostgreSQL
transaction, and only after the commit is the new state published to readers. If the
transaction fails, the replica is rebuilt from the database, so memory never holds an
operation the database lost. Readers see `view`, the last committed state.
"""

import asyncio
import contextlib
import time
import uuid
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from crdt_core import (
    Added,
    EditStatus,
    Fold,
    InvalidPosition,
    Op,
    OpKind,
    Replica,
    encode_diff,
)

from . import store
from .db import Database
from .errors import DatabaseUnavailableError, TextNodeError
from .events import event, iso
from .settings import OPERATOR, NodeSettings

ANALYTICS = "analytics"
BUDGET_LIMIT_TTL_S = 1.0


def peer_destination(index: int) -> str:
    return f"peer-{index}"


class BudgetExceeded(TextNodeError):
    """Accepting the edit would take the token budget over its limit (answered 429)."""

    def __init__(self, *, used: int, limit: int, requested: int) -> None:
        super().__init__(
            f"бюджет токенов исчерпан: израсходовано {used} из {limit}, "
            f"правке нужно ещё {requested}"
        )
        self.used, self.limit, self.requested = used, limit, requested


class DocumentMismatch(TextNodeError):
    """The edit was made for a document that is no longer the current one (answered 409)."""


class NoDocument(TextNodeError):
    """No document has been initialised yet (answered 409)."""


@dataclass(frozen=True, slots=True)
class View:
    """The committed state readers see."""

    document_id: str | None
    topic: str
    version: int
    version_key: int
    text: str
    timestamp: str


@dataclass(frozen=True, slots=True)
class Outcome:
    """What became of an edit: its op (or reject record) and its status now."""

    op: Op
    status: str
    version: int
    new: bool


@dataclass(frozen=True, slots=True)
class _QueuedEdit:
    """An agent's edit waiting for the next group commit."""

    edit_id: str
    agent_id: str
    position: str
    text: str
    tokens_used: int
    base_version: int | None
    base_version_key: int | None
    document_id: str | None
    arrived: float
    """`time.monotonic()` when the request reached the node: its `request_ms` starts here."""
    cycle_ms: int | None
    """The agent's time for the edit before sending it, if it said."""
    result: "asyncio.Future[tuple[Op, bool]]"
    """(its op, whether it is new), or the error that refused it."""


@dataclass(frozen=True, slots=True)
class _Before:
    document_id: str | None
    head_key: int
    superseded: frozenset[str]
    pending: frozenset[str]


class TextNode:
    """State and transactions of one Text Service node."""

    def __init__(self, settings: NodeSettings, db: Database, *, now_ms: Callable[[], int]) -> None:
        self.settings = settings
        self.db = db
        self.now_ms = now_ms
        self.replica = Replica(settings.node, now_ms)
        self.lock = asyncio.Lock()
        """Taken through `locked()`: every change, and every read of the whole op set."""
        self._loaded = False
        self.view = View(None, "", 0, 0, "", iso(now_ms()))
        self.committed: Callable[[list[store.OutboxRow]], None] = lambda rows: None
        """The replicator's hand-over: the outbox rows a commit just queued."""
        self._limit: tuple[float, int] | None = None  # (monotonic time read, limit)
        self._queued: list[_QueuedEdit] = []  # edits waiting for the next group commit
        self._arrived: dict[str, _QueuedEdit] = {}  # the batch being written, by edit_id

    # -- loading -----------------------------------------------------------------------
    async def load(self) -> None:
        """Rebuild the replica (and its HLC) from the ops table."""
        async with self.db.transaction() as conn:
            await store.ensure_budget(conn, limit=self.settings.budget_limit)
            held = await store.load_ops(conn)
        replica = Replica(self.settings.node, self.now_ms)
        replica.receive(held)
        self.replica = replica
        self._loaded = True
        self._publish()

    @asynccontextmanager
    async def locked(self) -> AsyncIterator[None]:
        """The node lock, with the replica first rebuilt from the database if a failed
        transaction could not reload it (DatabaseUnavailableError while it still cannot)."""
        async with self.lock:
            if not self._loaded:
                await self.load()
            yield

    # -- reading -----------------------------------------------------------------------
    async def budget(self) -> tuple[int, int | None]:
        """(tokens used, limit) for readers. The limit is changed by hand in the database, so
        it is re-read at most once a second, and not at all while edits keep reading it (each
        accepted edit reads it under lock); while the database is down, the last one read."""
        now = time.monotonic()
        if self._limit is None or now - self._limit[0] >= BUDGET_LIMIT_TTL_S:
            try:
                async with self.db.connection() as conn:
                    changed = self._note_limit(await store.budget_limit(conn, lock=False))
                if changed:
                    await self._record_budget_changed()
            except DatabaseUnavailableError:
                pass
        return self.replica.opset.tokens_used, self._limit[1] if self._limit else None

    def _note_limit(self, limit: int) -> bool:
        """Keep the limit just read; True when it differs from the one read before."""
        before = self._limit[1] if self._limit else None
        self._limit = (time.monotonic(), limit)
        return before is not None and before != limit

    async def _record_budget_changed(self) -> None:
        """Tell analytics the limit was changed by hand (a scenario restoring it, an operator),
        so that its budget state follows the limit, not the last refusal."""
        if not self.settings.analytics_url or self._limit is None:
            return
        used, limit, now = self.replica.opset.tokens_used, self._limit[1], self.now_ms()
        payload = event(
            "budget_changed",
            event_id=f"budget_changed:{self.settings.name}:{now}",
            ts_ms=now,
            node=self.settings.name,
            budget_used=used,
            budget_limit=limit,
            exceeded=used >= limit,
        )
        await self.enqueue([{"destination": ANALYTICS, "payload": payload}])

    def fold(self) -> Fold:
        fold = self.replica.opset.fold
        if fold is None:
            raise NoDocument("документа ещё нет: создайте его (POST /api/document/init)")
        return fold

    def outcome(self, op: Op, *, new: bool) -> Outcome:
        fold = self.replica.opset.fold
        version = fold.version if fold else 0
        if op.kind == OpKind.REJECT:
            return Outcome(op, "rejected", version, new)
        status = EditStatus.ACCEPTED
        if fold is not None and fold.document_id == op.document_id:
            status = fold.status(op.edit_id) or EditStatus.ACCEPTED
            version = fold.version_of_key(op.key) or version
        return Outcome(op, status.value, version, new)

    # -- changes -----------------------------------------------------------------------
    async def init_document(self, *, topic: str, text: str, edit_id: str | None = None) -> Op:
        """Start a new document on every node: a replicated, totally ordered operation."""
        edit_id = edit_id or str(uuid.uuid4())
        async with self.locked():
            held = self.replica.opset.held(edit_id)
            if held is not None:
                return held

            def change(limit: int | None) -> list[tuple[Op, Added]]:
                op = self.replica.init_document(
                    edit_id=edit_id, document_id=edit_id, topic=topic, text=text
                )
                return [(op, Added.NEW)]

            [op] = await self._transaction(change, local=True)
        return op

    async def accept_edit(
        self,
        *,
        edit_id: str,
        agent_id: str,
        position: str,
        text: str,
        tokens_used: int,
        base_version: int | None,
        document_id: str | None,
        base_version_key: int | None = None,
        cycle_ms: int | None = None,
    ) -> Outcome:
        """Accept, reject (stale read) or refuse (budget, wrong document) an agent's edit.

        Group commit: the edit joins the queue, and whoever takes the lock next accepts every
        queued edit, in arrival order, each as if alone, in one transaction. Under load that
        is one commit for many edits; alone, an edit is its own batch.
        """
        held = self.replica.opset.held(edit_id)
        if held is not None:
            return self.outcome(held, new=False)
        edit = _QueuedEdit(
            edit_id=edit_id,
            agent_id=agent_id,
            position=position,
            text=text,
            tokens_used=tokens_used,
            base_version=base_version,
            base_version_key=base_version_key,
            document_id=document_id,
            arrived=time.monotonic(),
            cycle_ms=cycle_ms,
            result=asyncio.get_running_loop().create_future(),
        )
        self._queued.append(edit)
        try:
            async with self.locked():
                if self._queued:  # else an earlier holder of the lock took this edit along
                    batch, self._queued = self._queued, []
                    await self._accept_batch(batch)
        except BaseException:
            if edit in self._queued:  # never tried: a 503 here means "not applied"
                self._queued.remove(edit)
            raise
        op, new = await edit.result
        return self.outcome(op, new=new)

    async def _accept_batch(self, batch: list["_QueuedEdit"]) -> None:
        """Accept `batch` in one transaction; every edit's future gets its op or its error."""
        outcomes: list[tuple[Op, bool] | Exception] = []  # per edit: (op, new), or why not

        def change(limit: int | None) -> list[tuple[Op, Added]]:
            for edit in batch:
                try:
                    outcomes.append(self._accept_one(edit, limit))
                except (TextNodeError, InvalidPosition) as error:
                    outcomes.append(error)
            return [(o[0], Added.NEW) for o in outcomes if isinstance(o, tuple) and o[1]]

        self._arrived = {edit.edit_id: edit for edit in batch}
        try:
            await self._transaction(
                change, local=True, read_limit=any(edit.tokens_used for edit in batch)
            )
        except Exception as error:
            for edit in batch:
                edit.result.set_exception(error)
            return
        except BaseException:
            for edit in batch:
                edit.result.set_exception(DatabaseUnavailableError("the edit was interrupted"))
            raise
        for edit, outcome in zip(batch, outcomes, strict=True):
            if isinstance(outcome, BudgetExceeded):
                with contextlib.suppress(DatabaseUnavailableError):
                    await self._record_budget_exceeded(edit.agent_id, outcome)
            if isinstance(outcome, Exception):
                edit.result.set_exception(outcome)
            else:
                edit.result.set_result(outcome)

    def _accept_one(self, edit: "_QueuedEdit", limit: int | None) -> tuple[Op, bool]:
        """One edit of a batch on the replica: (its op, whether it is new)."""
        held = self.replica.opset.held(edit.edit_id)
        if held is not None:
            return held, False
        fold = self.fold()
        if edit.document_id is not None and edit.document_id != fold.document_id:
            raise DocumentMismatch(
                f"документ {edit.document_id} уже заменён (текущий {fold.document_id}): "
                "перечитайте документ"
            )
        used = self.replica.opset.tokens_used
        if edit.tokens_used and limit is not None and used + edit.tokens_used > limit:
            raise BudgetExceeded(used=used, limit=limit, requested=edit.tokens_used)
        op = self.replica.accept_edit(
            edit_id=edit.edit_id,
            position=edit.position,
            text=edit.text,
            agent_id=edit.agent_id,
            tokens_used=edit.tokens_used,
            base_version=edit.base_version,
            base_version_key=edit.base_version_key,
        )
        return op, True

    async def apply_remote(self, ops: list[Op]) -> int:
        """Take operations from a peer (idempotent); return how many were new."""
        if all(op.key in self.replica.opset for op in ops):
            return 0
        async with self.locked():
            fresh = [op for op in ops if op.key not in self.replica.opset]
            if fresh:
                await self._transaction(
                    lambda _: list(zip(fresh, self.replica.receive(fresh), strict=True)),
                    local=False,
                )
        return len(fresh)

    async def enqueue(self, rows: list[dict[str, Any]]) -> None:
        """Add outbox rows in their own transaction (events that are not part of a change)."""
        if not self.settings.analytics_url:
            rows = [row for row in rows if row["destination"] != ANALYTICS]
        if not rows:
            return
        async with self.db.connection() as conn:
            await store.settle_outbox(conn, add=rows)

    # -- the transaction ---------------------------------------------------------------
    async def _transaction(
        self,
        change: Callable[[int | None], list[tuple[Op, Added]]],
        *,
        local: bool,
        read_limit: bool = False,
    ) -> list[Op]:
        """Run `change` on the replica and persist what it did, atomically; lock held.

        With `read_limit`, the budget row is locked first, in a transaction around the
        write, and `change` gets the limit. Without, the write is one statement, atomic on
        its own: a peer's operations cost the peer a single round trip to its database."""
        before = self._before()
        changed = False
        try:
            async with (
                self.db.connection() as conn,
                conn.transaction() if read_limit else contextlib.nullcontext(),
            ):
                limit = await store.budget_limit(conn) if read_limit else None
                limit_changed = limit is not None and self._note_limit(limit)
                changed = True
                results = change(limit)
                new_ops = [op for op, added in results if added != Added.DUPLICATE]
                swapped = any(added == Added.SWAPPED for _, added in results)
                queued = await store.write_change(
                    conn, change=self._change(before, new_ops, swapped=swapped, local=local)
                )
        except BaseException:
            if changed:  # memory must not keep what was not committed
                try:
                    await asyncio.shield(self.load())
                except DatabaseUnavailableError:
                    # Nor serve it until the database answers again: an empty replica holds
                    # no edit (a retry is not told "accepted", a peer is sent nothing), and
                    # `locked()` rebuilds it first. Readers keep the last committed view.
                    self.replica = Replica(self.settings.node, self.now_ms)
                    self._loaded = False
            raise
        self._publish()
        if queued:
            self.committed(queued)
        if limit_changed:
            with contextlib.suppress(DatabaseUnavailableError):
                await self._record_budget_changed()
        return new_ops

    def _before(self) -> _Before:
        fold = self.replica.opset.fold
        if fold is None:
            return _Before(None, 0, frozenset(), frozenset())
        return _Before(
            fold.document_id,
            fold.head_key,
            frozenset(fold.superseded()),
            frozenset(fold.pending()),
        )

    def _change(
        self, before: _Before, new_ops: list[Op], *, swapped: bool, local: bool
    ) -> store.Change:
        """What the database must write to follow the replica from `before` to now."""
        opset = self.replica.opset
        edits: dict[tuple[str, str], dict[str, Any]] = {}
        for op in new_ops:
            if op.kind == OpKind.INIT:
                continue
            if op.kind != OpKind.REJECT and opset.winner(op.edit_id, op.document_id) is not op:
                continue  # a higher-key copy of an edit held twice counts once
            row = self._edit_row(op)
            held = edits.get((op.edit_id, op.document_id))
            if held is None or (held["status"] == "rejected" and row["status"] != "rejected"):
                edits[(op.edit_id, op.document_id)] = row
        fold = opset.fold
        statuses: dict[str, str] = {}
        versions: list[dict[str, Any]] = []
        texts: list[dict[str, Any]] = []
        if fold is not None:
            if before.document_id == fold.document_id:
                carried = {e for (e, d), row in edits.items() if row["status"] != "rejected"}
                statuses = {
                    e: s for e, s in self._status_changes(before, fold).items() if e not in carried
                }
            versions, texts = self._version_rows(before, fold, new_ops, swapped=swapped)
        return store.Change(
            ops=new_ops,
            edits=list(edits.values()),
            statuses=statuses,
            total_tokens=opset.tokens_used,
            document_id=fold.document_id if fold else None,
            rebuild=fold is not None and self._rebuilds(before, fold, swapped=swapped),
            versions=versions,
            texts=texts,
            outbox=self._outbox_rows(new_ops) if local else [],
        )

    @staticmethod
    def _status_changes(before: _Before, fold: Fold) -> dict[str, str]:
        """Edits whose status the change moved: newly superseded or pending, or back."""
        superseded, pending = fold.superseded(), set(fold.pending())
        statuses = {e: EditStatus.SUPERSEDED.value for e in superseded - before.superseded}
        statuses |= {e: EditStatus.PENDING.value for e in pending - before.pending}
        for edit_id in (before.superseded - superseded) | (before.pending - pending):
            statuses.setdefault(edit_id, (fold.status(edit_id) or EditStatus.ACCEPTED).value)
        return statuses

    @staticmethod
    def _rebuilds(before: _Before, fold: Fold, *, swapped: bool) -> bool:
        """Whether `documents` is rewritten whole: for a new document, or when a lower-key
        copy of an edit replaced the folded one."""
        return swapped or before.document_id != fold.document_id

    def _version_rows(
        self, before: _Before, fold: Fold, new_ops: list[Op], *, swapped: bool
    ) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
        """How `documents` follows the fold: (rows keeping their text, rows with a text).
        Only the head and every `checkpoint_every`-th version keep a text; the rest is
        replayed from the op set."""
        cleared: list[Op] = []
        if self._rebuilds(before, fold, swapped=swapped):
            moved = fold.ops()
        else:
            moved = [op for op in new_ops if fold.version_of_key(op.key) is not None]
            lowest = min((op.key for op in moved), default=None)
            if lowest is not None and lowest < before.head_key:
                # a late operation moved every later version up: renumber them, drop texts
                first = fold.version_of_key(lowest) or 1
                cleared, moved = fold.ops()[first - 1 :], []
        previous = fold.version_of_key(before.head_key)
        if previous is not None and previous % self.settings.checkpoint_every:
            cleared.append(fold.op_at(previous))  # the previous head is no checkpoint
        texts = {op.key: self._version_row(fold, op) | {"text": None} for op in cleared}
        head = fold.op_at(fold.version)
        texts[head.key] = self._version_row(fold, head) | {"text": fold.text}
        kept = [self._version_row(fold, op) for op in moved if op.key not in texts]
        return kept, list(texts.values())

    def _version_row(self, fold: Fold, op: Op) -> dict[str, Any]:
        return {
            "version_key": op.key,
            "version": fold.version_of_key(op.key),
            "edit_id": op.edit_id,
            "timestamp": datetime.fromtimestamp(op.ts / 1000, UTC),
        }

    def _edit_row(self, op: Op) -> dict[str, Any]:
        outcome = self.outcome(op, new=True)
        return {
            "edit_id": op.edit_id,
            "document_id": op.document_id,
            "agent_id": op.agent_id,
            "proposed_text": op.text,
            "position": op.position,
            "tokens_used": op.tokens_used,
            "status": outcome.status,
            "created_at": datetime.fromtimestamp(op.ts / 1000, UTC),
            "node": op.origin,
            "version_key": op.key,
            "base_version": op.base_version,
            "reason": op.reason,
        }

    def _outbox_rows(self, new_ops: list[Op]) -> list[dict[str, Any]]:
        rows: list[dict[str, Any]] = []
        for op in new_ops:
            rows += [
                {"destination": peer_destination(peer), "version_key": op.key}
                for peer in self.settings.peer_urls
            ]
            payload = self._edit_event(op) if self.settings.analytics_url else None
            if payload is not None:
                rows.append({"destination": ANALYTICS, "payload": payload})
        return rows

    def _edit_event(self, op: Op) -> dict[str, Any] | None:
        node = self.settings.name
        if op.kind == OpKind.INIT:
            return event(
                "document_initialised",
                event_id=f"document_initialised:{op.document_id}",
                ts_ms=op.ts,
                agent_id=op.agent_id or OPERATOR,
                version=1,
                node=node,
                document_id=op.document_id,
                topic=op.topic,
            )
        if op.kind == OpKind.REJECT:
            return event(
                "edit_rejected",
                event_id=f"edit_rejected:{op.edit_id}:{op.key}",
                ts_ms=op.ts,
                agent_id=op.agent_id,
                version=op.base_version,
                tokens=op.tokens_used,
                edit_id=op.edit_id,
                node=node,
                reason="conflict",
                message=op.reason,
            )
        queued = self._arrived.get(op.edit_id)
        request_ms = round((time.monotonic() - queued.arrived) * 1000, 1) if queued else 0.0
        timing = {"cycle_ms": queued.cycle_ms} if queued and queued.cycle_ms is not None else {}
        return event(
            "edit_applied",
            event_id=f"edit_applied:{op.document_id}:{op.edit_id}",
            ts_ms=op.ts,
            agent_id=op.agent_id,
            version=self.outcome(op, new=True).version,
            tokens=op.tokens_used,
            edit_id=op.edit_id,
            node=node,
            latency_ms=request_ms,
            request_ms=request_ms,
            **timing,
            budget_used=self.replica.opset.tokens_used,
            budget_limit=self._limit[1] if self._limit else self.settings.budget_limit,
        )

    async def _record_budget_exceeded(self, agent_id: str, exceeded: BudgetExceeded) -> None:
        now = self.now_ms()
        await self.enqueue(
            [
                {
                    "destination": ANALYTICS,
                    "payload": event(
                        "budget_exceeded",
                        event_id=f"budget_exceeded:{self.settings.name}:{now}:{agent_id}",
                        ts_ms=now,
                        agent_id=agent_id,
                        tokens=exceeded.requested,
                        node=self.settings.name,
                        budget_limit=exceeded.limit,
                        budget_used=exceeded.used,
                    ),
                }
            ]
        )

    def _publish(self) -> None:
        fold = self.replica.opset.fold
        if fold is None:
            self.view = View(None, "", 0, 0, "", iso(self.now_ms()))
            return
        head = fold.op_at(fold.version)
        self.view = View(
            fold.document_id, fold.topic, fold.version, fold.head_key, fold.text, iso(head.ts)
        )

    def diff_entry(self, op: Op) -> dict[str, Any]:
        """A catch-up entry: the op's dense version (None outside the current document)."""
        fold = self.replica.opset.fold
        version = fold.version_of_key(op.key) if fold else None
        return {
            "version": version,
            "version_key": op.key,
            "edit_id": op.edit_id,
            "timestamp": iso(op.ts),
            "diff": encode_diff(op),
        }
