"""An agent's edit as the node takes it: accepted, rejected (a stale read, recorded and
replicated like any operation) or refused (budget, wrong document, bad position: nothing
recorded, the error goes back to it). Each edit is judged as if alone, as one change of the
replica; `DurableReplica.change` commits the edits arriving together (and peers' batches) in
one transaction.
"""

import contextlib
import time
from dataclasses import dataclass

from crdt_core import Added, InvalidOperation, Op

from . import projection
from .durable import DurableReplica
from .errors import (
    BudgetExceeded,
    CatchingUp,
    DatabaseUnavailableError,
    DocumentMismatch,
    NoDocument,
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


class Edits:
    """Agents' edits on one node's durable replica."""

    def __init__(self, durable: DurableReplica) -> None:
        self.durable = durable

    async def submit(self, edit: EditRequest) -> projection.Outcome:
        """What became of `edit` once committed (idempotent on `edit_id`)."""
        held = self.durable.committed(edit.edit_id)
        if held is not None:
            return projection.outcome(self.durable.replica.opset, held, new=False)
        arrived = time.monotonic()  # the request reached the node: its `request_ms` starts
        taken: list[tuple[Op, bool]] = []  # (its op, whether it is new)

        def change(limit: int | None) -> list[tuple[Op, Added]]:
            op, new = self._accept_one(edit, limit)  # a refusal raises, changing nothing
            taken.append((op, new))
            return [(op, Added.NEW)] if new else []

        def events(ops: list[Op]) -> list[dict[str, object]]:
            return [self._event(op, edit, arrived) for op in ops]

        try:
            await self.durable.change(change, events=events, read_limit=edit.tokens_used > 0)
        except BudgetExceeded as exceeded:
            with contextlib.suppress(DatabaseUnavailableError):
                await self._budget_exceeded(edit.agent_id, exceeded)
            raise
        op, new = taken[0]
        return projection.outcome(self.durable.replica.opset, op, new=new)

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

    def _event(self, op: Op, edit: EditRequest, arrived: float) -> dict[str, object]:
        durable = self.durable
        return op_event(
            op,
            node=durable.settings.name,
            version=projection.outcome(durable.replica.opset, op, new=True).version,
            budget_used=durable.replica.opset.tokens_used,
            budget_limit=durable.limit[1] if durable.limit else durable.settings.budget_limit,
            request_ms=round((time.monotonic() - arrived) * 1000, 1),
            cycle_ms=edit.cycle_ms,
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
