"""Group commit of agents' edits: whoever takes the node's lock next accepts every queued
edit, in arrival order, each as if alone, in one transaction. Under load that is one commit
for many edits; alone, an edit is its own batch.

Each edit is accepted, rejected (a stale read, recorded and replicated like any operation) or
refused (budget, wrong document, bad position: nothing recorded, the error goes back to it).
"""

import asyncio
import contextlib
import time
from dataclasses import dataclass

from crdt_core import Added, InvalidOperation, InvalidPosition, Op

from . import projection
from .durable import DurableReplica
from .errors import (
    BudgetExceeded,
    CatchingUp,
    DatabaseUnavailableError,
    DocumentMismatch,
    NoDocument,
    TextNodeError,
)
from .events import budget_exceeded_event, op_event


@dataclass(frozen=True, slots=True)
class EditRequest:
    """An agent's edit as the node takes it."""

    edit_id: str
    agent_id: str
    position: str
    text: str
    tokens_used: int
    base_version: int | None
    base_version_key: int | None
    document_id: str | None
    cycle_ms: int | None
    """The agent's time for the edit before sending it, if it said."""


@dataclass(frozen=True, slots=True)
class _Queued:
    edit: EditRequest
    arrived: float
    """`time.monotonic()` when the request reached the node: its `request_ms` starts here."""
    result: "asyncio.Future[tuple[Op, bool]]"
    """(its op, whether it is new), or the error that refused it."""


class GroupCommit:
    """The queue of edits waiting for the node's lock."""

    def __init__(self, durable: DurableReplica) -> None:
        self.durable = durable
        self._queued: list[_Queued] = []

    async def submit(self, edit: EditRequest) -> projection.Outcome:
        """What became of `edit` once committed (idempotent on `edit_id`)."""
        opset = self.durable.replica.opset
        held = opset.held(edit.edit_id)
        if held is not None:
            return projection.outcome(opset, held, new=False)
        queued = _Queued(edit, time.monotonic(), asyncio.get_running_loop().create_future())
        self._queued.append(queued)
        try:
            async with self.durable.locked():
                if self._queued:  # else an earlier holder of the lock took this edit along
                    batch, self._queued = self._queued, []
                    await self._accept(batch)
        except BaseException:
            if queued in self._queued:  # never tried: a 503 here means "not applied"
                self._queued.remove(queued)
            raise
        op, new = await queued.result
        return projection.outcome(self.durable.replica.opset, op, new=new)

    async def _accept(self, batch: list[_Queued]) -> None:
        """Accept `batch` in one transaction; every edit's future gets its op or its error."""
        outcomes: list[tuple[Op, bool] | Exception] = []  # per edit: (op, new), or why not
        arrived = {queued.edit.edit_id: queued for queued in batch}

        def change(limit: int | None) -> list[tuple[Op, Added]]:
            for queued in batch:
                try:
                    outcomes.append(self._accept_one(queued.edit, limit))
                except (TextNodeError, InvalidPosition) as error:
                    outcomes.append(error)
            return [(o[0], Added.NEW) for o in outcomes if isinstance(o, tuple) and o[1]]

        def events(ops: list[Op]) -> list[dict[str, object]]:
            return [self._event(op, arrived.get(op.edit_id)) for op in ops]

        try:
            _, limit_changed = await self.durable.change(
                change, events=events, read_limit=any(q.edit.tokens_used for q in batch)
            )
        except Exception as error:
            for queued in batch:
                queued.result.set_exception(error)
            return
        except BaseException:
            for queued in batch:
                queued.result.set_exception(DatabaseUnavailableError("правка прервана"))
            raise
        if limit_changed:
            with contextlib.suppress(DatabaseUnavailableError):
                await self.durable.budget_changed()
        for queued, outcome in zip(batch, outcomes, strict=True):
            if isinstance(outcome, BudgetExceeded):
                with contextlib.suppress(DatabaseUnavailableError):
                    await self._budget_exceeded(queued.edit.agent_id, outcome)
            if isinstance(outcome, Exception):
                queued.result.set_exception(outcome)
            else:
                queued.result.set_result(outcome)

    def _accept_one(self, edit: EditRequest, limit: int | None) -> tuple[Op, bool]:
        """One edit of a batch on the replica: (its op, whether it is new)."""
        replica = self.durable.replica
        held = replica.opset.held(edit.edit_id)
        if held is not None:
            return held, False
        fold = replica.opset.fold
        if fold is None:
            raise NoDocument()
        if edit.document_id is not None and edit.document_id != fold.document_id:
            raise DocumentMismatch(
                f"документ {edit.document_id} уже заменён (текущий {fold.document_id}): "
                "перечитайте документ"
            )
        used = replica.opset.tokens_used
        if edit.tokens_used and limit is not None and used + edit.tokens_used > limit:
            raise BudgetExceeded(used=used, limit=limit, requested=edit.tokens_used)
        try:
            op = replica.accept_edit(
                edit_id=edit.edit_id,
                position=edit.position,
                text=edit.text,
                agent_id=edit.agent_id,
                tokens_used=edit.tokens_used,
                base_version=edit.base_version,
                base_version_key=edit.base_version_key,
            )
        except InvalidOperation as exc:
            raise CatchingUp(f"узел ещё догоняет свои прежние операции: {exc}") from exc
        return op, True

    def _event(self, op: Op, queued: _Queued | None) -> dict[str, object]:
        durable = self.durable
        request_ms = round((time.monotonic() - queued.arrived) * 1000, 1) if queued else 0.0
        return op_event(
            op,
            node=durable.settings.name,
            version=projection.outcome(durable.replica.opset, op, new=True).version,
            budget_used=durable.replica.opset.tokens_used,
            budget_limit=durable.limit[1] if durable.limit else durable.settings.budget_limit,
            request_ms=request_ms,
            cycle_ms=queued.edit.cycle_ms if queued else None,
        )

    async def _budget_exceeded(self, agent_id: str, exceeded: BudgetExceeded) -> None:
        payload = budget_exceeded_event(
            node=self.durable.settings.name,
            ts_ms=self.durable.now_ms(),
            agent_id=agent_id,
            tokens=exceeded.requested,
            used=exceeded.used,
            limit=exceeded.limit,
        )
        await self.durable.outbox.add_events([payload])
