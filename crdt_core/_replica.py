"""One node's replication state: its op set and hybrid logical clock.

This is everything a Text Service node decides, without the I/O: it turns an agent's edit
into an operation (or refuses it), takes peers' Yjs updates, and rebuilds itself from the
updates it persisted.
"""

from collections.abc import Callable
from typing import Any, Self

from ._clock import HybridLogicalClock
from ._errors import EditConflict, InvalidPosition
from ._fold import Fold
from ._ops import Op, OpKind
from ._opset import Added, OpSet


class Replica:
    """Op set + HLC of node `node`; `now_ms` is injected."""

    def __init__(self, node: int, now_ms: Callable[[], int]) -> None:
        self.node = node
        self.clock = HybridLogicalClock(node, now_ms)
        self.opset = OpSet(node)

    @classmethod
    def restore(cls, node: int, now_ms: Callable[[], int], updates: list[bytes]) -> Self:
        """Rebuild node `node` from its persisted log (a snapshot and updates, any order):
        nothing is left to drain, and the clock is past every timestamp held."""
        replica = cls(node, now_ms)
        for op, _ in replica.opset.apply_updates(updates):
            replica.clock.observe(op.ts)
        replica.opset.drain_updates()
        return replica

    @property
    def fold(self) -> Fold:
        if self.opset.fold is None:
            raise InvalidPosition("document", "документ ещё не создан")
        return self.opset.fold

    def init_document(self, *, edit_id: str, document_id: str, topic: str, text: str) -> Op:
        """Start a new document on every node: a replicated, totally ordered operation."""
        return self._record(
            edit_id=edit_id, kind=OpKind.INIT, document_id=document_id, text=text, topic=topic
        )

    def accept_edit(
        self,
        *,
        edit_id: str,
        position: str,
        text: str,
        agent_id: str = "",
        tokens_used: int = 0,
        base_version: int | None = None,
        base_version_key: int | None = None,
    ) -> Op:
        """Turn an agent's edit into a new local operation, or into a reject record.

        A stale read (spec FR 9) becomes a `REJECT` op carrying the reason: it is replicated
        like any op, so every node lists the same history. Malformed input raises
        `InvalidPosition` and records nothing. An edit id already held returns what is held
        for it (accepted copy first): retries are idempotent.
        """
        held = self.opset.held(edit_id)
        if held is not None:
            return held
        fold = self.fold
        common: dict[str, Any] = {
            "edit_id": edit_id,
            "document_id": fold.document_id,
            "agent_id": agent_id,
            "tokens_used": tokens_used,
            "text": text,
            "position": position,
        }
        try:
            if base_version_key is not None:
                base_version = fold.version_of_key(base_version_key)
                if base_version is None:
                    raise EditConflict(
                        f"версии с ключом {base_version_key} на этом узле ещё нет; "
                        "перечитайте документ",
                        conflicting_edit_id="",
                    )
            target = fold.target_for(position, text, base_version)
        except EditConflict as conflict:
            return self._record(
                kind=OpKind.REJECT, reason=str(conflict), base_version=base_version or 0, **common
            )
        return self._record(
            kind=target.kind,
            base_version=target.base_version,
            left=target.left,
            first=target.first,
            last=target.last,
            **common,
        )

    def _record(self, **fields: Any) -> Op:
        """A new operation of this node: next sequence number, HLC timestamp, watermark."""
        op = Op(
            origin=self.node,
            seq=self.opset.next_seq(self.node),
            ts=self.clock.tick(),
            seen=self.opset.seen(),
            **fields,
        )
        self.opset.write(op)
        return op

    def receive_update(self, update: bytes) -> list[tuple[Op, Added]]:
        """Merge a peer's Yjs update (a push or a sync answer; any order, duplicates welcome):
        the operations it made visible, in key order, their timestamps observed. `DiffError`,
        with nothing changed, for anything that is not an update of the op set."""
        return self.receive_updates([update])

    def receive_updates(self, updates: list[bytes]) -> list[tuple[Op, Added]]:
        """`receive_update` of several updates, all checked before any is merged, folded at
        once."""
        results = self.opset.apply_updates(updates)
        for op, _ in results:
            self.clock.observe(op.ts)
        return results

    def receive(self, ops: list[Op]) -> list[Added]:
        """Take operations as their origins wrote them (tests and tools; see `OpSet.add_many`)."""
        for op in ops:
            self.clock.observe(op.ts)
        return self.opset.add_many(ops)
