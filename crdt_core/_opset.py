"""The op set of one node: every operation it holds, and the fold of the current document.

The set only grows. What a node shows is a pure function of it:
- the current document is the one started by the init with the highest key;
- an edit accepted on two nodes (a client retry that reached both) is held twice, and the
  copy with the lower key is the one folded, everywhere — the other is kept only so that
  watermarks stay contiguous. Copies are matched per document: a retry that landed after a
  new document started is an edit of that document (later edits may be anchored on its
  characters, so it must not lose to a copy in a document that is no longer shown);
- the budget is the sum of `tokens_used` over the counted copies of all edits held;
- a refused edit is held as a reject record, so every node lists the same edit history; an
  accepted copy of the same edit id (a retry that reached another node) takes precedence.

Catch-up is keyed by origin sequence numbers, never by dense versions: per origin, the highest
contiguous sequence number held is an exact watermark, and a peer answers with every operation
above it. A dense version names different operations on nodes that miss different ops.
"""

from collections.abc import Mapping
from enum import StrEnum

from ._diff import OpDocument, encode_diff
from ._fold import Fold
from ._ops import Op, OpKind


class Added(StrEnum):
    """What `OpSet.add` did with an operation."""

    NEW = "new"  # a new operation, folded if it belongs to the current document
    DUPLICATE = "duplicate"  # this exact operation (same key) was already held
    SHADOWED = "shadowed"  # a copy of an edit already held with a lower key: kept, not folded
    SWAPPED = "swapped"  # a copy with a lower key than the one folded: it replaces it


class OpSet:
    """All operations a node holds, with the current document folded."""

    def __init__(self, *, keep_document: bool = True) -> None:
        self._ops: dict[int, Op] = {}
        # (document_id, edit_id) -> the copy with the lowest key, or the first reject record
        self._winner: dict[tuple[str, str], Op] = {}
        self._rejections: dict[tuple[str, str], Op] = {}
        self._documents_of: dict[str, set[str]] = {}  # edit_id -> documents holding a record
        self._by_origin: dict[int, dict[int, Op]] = {}  # origin -> seq -> op
        self._max_seq: dict[int, int] = {}  # origin -> highest sequence number held
        self._contiguous: dict[int, int] = {}
        self._ahead: dict[int, set[int]] = {}
        self._tokens = 0
        self.fold: Fold | None = None
        self.document: OpDocument | None = OpDocument() if keep_document else None

    # -- reading -----------------------------------------------------------------------
    def __len__(self) -> int:
        return len(self._ops)

    def __contains__(self, key: int) -> bool:
        return key in self._ops

    def get(self, key: int) -> Op | None:
        """The operation with this total order key, if held."""
        return self._ops.get(key)

    @property
    def tokens_used(self) -> int:
        """Sum of `tokens_used` of every edit held, each edit counted once."""
        return self._tokens

    def winner(self, edit_id: str, document_id: str) -> Op | None:
        """The copy of an edit that counts in a document (lowest key), if held."""
        return self._winner.get((document_id, edit_id))

    def held(self, edit_id: str) -> Op | None:
        """What a retry of `edit_id` should answer: an accepted copy (the current document's
        first), else a reject record; None if nothing is held."""
        documents = self._documents_of.get(edit_id, set())
        current = self.fold.document_id if self.fold is not None else None
        for records in (self._winner, self._rejections):
            found = [records[(d, edit_id)] for d in documents if (d, edit_id) in records]
            if found:
                found.sort(key=lambda op: (op.document_id != current, op.key))
                return found[0]
        return None

    def rejections(self) -> list[Op]:
        """Reject records of edits that were not accepted in their document, in key order."""
        return sorted(
            (op for ref, op in self._rejections.items() if ref not in self._winner),
            key=lambda op: op.key,
        )

    def all_ops(self) -> list[Op]:
        """Every operation held, copies included, in key order."""
        return [self._ops[key] for key in sorted(self._ops)]

    def edits(self) -> list[Op]:
        """The copy that counts of every edit held, in key order."""
        return sorted(self._winner.values(), key=lambda op: op.key)

    def watermark(self) -> dict[int, int]:
        """Per origin, the highest sequence number up to which everything is held."""
        return dict(self._contiguous)

    def seen(self) -> tuple[tuple[int, int], ...]:
        """The watermark as stored in a new operation's `seen`."""
        return tuple(sorted(self._contiguous.items()))

    def next_seq(self, origin: int) -> int:
        """Sequence number for the next operation this node originates."""
        return self._max_seq.get(origin, 0) + 1

    def missing(self, watermark: Mapping[int, int]) -> list[Op]:
        """Operations a peer with `watermark` lacks (possibly some it holds beyond it)."""
        found: list[Op] = []
        for origin, by_seq in self._by_origin.items():
            above = watermark.get(origin, 0)
            # walk the gap, not the whole history: a peer is usually a few operations behind
            gap = range(above + 1, self._max_seq[origin] + 1)
            found.extend(by_seq[seq] for seq in gap if seq in by_seq)
        return sorted(found, key=lambda op: op.key)

    def since_version(self, version: int) -> list[tuple[int, Op]]:
        """Spec catch-up: `(dense version, op)` of the current document after `version`."""
        if self.fold is None:
            return []
        ops = self.fold.ops()
        return [(index + 1, op) for index, op in enumerate(ops) if index + 1 > version]

    # -- changing ----------------------------------------------------------------------
    def add(self, op: Op) -> Added:
        """Hold an operation (idempotent) and fold it if it counts for the current document."""
        return self.add_many([op])[0]

    def add_many(self, ops: list[Op]) -> list[Added]:
        """Hold several operations, folding them with a single rewind (catch-up batches)."""
        results = []
        batch: dict[int, Op] = {}  # key -> op still to fold into the current document
        for op in ops:
            if op.key in self._ops:
                results.append(Added.DUPLICATE)
                continue
            self._ops[op.key] = op
            self._by_origin.setdefault(op.origin, {})[op.seq] = op
            self._max_seq[op.origin] = max(op.seq, self._max_seq.get(op.origin, 0))
            self._advance_watermark(op.origin, op.seq)
            if self.document is not None:
                self.document.add(encode_diff(op))
            ref = (op.document_id, op.edit_id)
            self._documents_of.setdefault(op.edit_id, set()).add(op.document_id)
            if op.kind == OpKind.REJECT:
                held = self._rejections.get(ref)
                if held is None or op.key < held.key:
                    self._rejections[ref] = op
                results.append(Added.NEW)
                continue
            previous = self._winner.get(ref)
            if previous is not None and previous.key < op.key:
                results.append(Added.SHADOWED)
                continue
            self._winner[ref] = op
            self._tokens += op.tokens_used - (previous.tokens_used if previous else 0)
            results.append(Added.NEW if previous is None else Added.SWAPPED)
            if previous is not None and self.fold is not None:
                # The copy that counted so far loses to this one, which has the lower key.
                if previous.key in batch:
                    del batch[previous.key]
                elif previous.kind != OpKind.INIT and op.document_id == self.fold.document_id:
                    self.fold.remove(previous.key)
            if op.kind == OpKind.INIT:
                latest = max(
                    (o for o in self._winner.values() if o.kind == OpKind.INIT), key=lambda o: o.key
                )
                if self.fold is None or latest.key != self.fold.init_key:
                    batch.clear()  # the new fold takes every held edit of its document
                    self._start_document(latest)
                continue
            if self.fold is None or op.document_id != self.fold.document_id:
                continue
            batch[op.key] = op
        if self.fold is not None and batch:
            self.fold.add_many(list(batch.values()))
        return results

    def _start_document(self, init: Op) -> None:
        fold = Fold(init)
        for op in self.edits():
            if op.document_id == init.document_id and op.kind != OpKind.INIT:
                fold.add(op)
        self.fold = fold

    def _advance_watermark(self, origin: int, seq: int) -> None:
        ahead = self._ahead.setdefault(origin, set())
        ahead.add(seq)
        mark = self._contiguous.get(origin, 0)
        while mark + 1 in ahead:
            mark += 1
            ahead.remove(mark)
        self._contiguous[origin] = mark
