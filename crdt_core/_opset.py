"""The op set of one node: every operation it holds, and the fold of the current document.

The ops live in the node's CRDT document (`OpDocument`): the op set is folded from what the
Doc holds, and the Doc's state vector is the per-origin watermark. An op the Doc holds beyond
a gap in its origin's sequence waits (`waiting`) until the gap is filled, so that the op set
is always exactly what the persisted updates rebuild.

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
contiguous sequence number held is an exact watermark (the Doc's state vector), and a peer
answers with every operation above it. A dense version names different operations on nodes
that miss different ops.
"""

from collections.abc import Mapping
from enum import StrEnum

from ._document import OpDocument
from ._errors import InvalidOperation
from ._fold import Fold
from ._ops import Op, OpKind
from ._update import write_update


class Added(StrEnum):
    """What the op set did with an operation."""

    NEW = "new"  # a new operation, folded if it belongs to the current document
    DUPLICATE = "duplicate"  # this exact operation (same key) was already held
    SHADOWED = "shadowed"  # a copy of an edit already held with a lower key: kept, not folded
    SWAPPED = "swapped"  # a copy with a lower key than the one folded: it replaces it
    WAITING = "waiting"  # in the Doc beyond a gap of its origin: held once the gap is filled


class OpSet:
    """All operations node `origin` holds, in its CRDT document, with the current document
    folded."""

    def __init__(self, origin: int) -> None:
        self.origin = origin
        self.document = OpDocument(origin)
        self._ops: dict[int, Op] = {}
        # (document_id, edit_id) -> the copy with the lowest key, or the first reject record
        self._winner: dict[tuple[str, str], Op] = {}
        self._rejections: dict[tuple[str, str], Op] = {}
        self._documents_of: dict[str, set[str]] = {}  # edit_id -> documents holding a record
        self._by_origin: dict[int, list[Op]] = {}  # origin -> its ops, the one of seq s at s - 1
        self._waiting: dict[int, dict[int, Op]] = {}  # origin -> seq -> op beyond a gap
        self._tokens = 0
        self.fold: Fold | None = None

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

    def waiting(self) -> list[Op]:
        """Operations the Doc holds beyond a gap of their origin, in key order: not held yet."""
        return sorted((op for ops in self._waiting.values() for op in ops.values()), key=_key)

    def watermark(self) -> dict[int, int]:
        """Per origin, the highest sequence number up to which everything is held: the Doc's
        state vector."""
        return {origin: clock for origin, clock in self.document.state().items() if clock}

    def seen(self) -> tuple[tuple[int, int], ...]:
        """The watermark as stored in a new operation's `seen`."""
        return tuple(sorted(self.watermark().items()))

    def next_seq(self, origin: int) -> int:
        """Sequence number of `origin`'s next operation: its clock in the Doc + 1."""
        return self.document.clock(origin) + 1

    def missing(self, watermark: Mapping[int, int]) -> list[Op]:
        """Operations a peer with `watermark` lacks, in key order (ops waiting here left out:
        `update_since` carries those too)."""
        found: list[Op] = []
        for origin, ops in self._by_origin.items():
            found.extend(ops[max(watermark.get(origin, 0), 0) :])
        return sorted(found, key=_key)

    def since_version(self, version: int) -> list[tuple[int, Op]]:
        """Spec catch-up: `(dense version, op)` of the current document after `version`."""
        if self.fold is None:
            return []
        return list(enumerate(self.fold.ops(max(0, version)), max(0, version) + 1))

    # -- the Yjs side --------------------------------------------------------------------
    def state_vector(self) -> bytes:
        """The Doc's Yjs state vector: the first message of the sync exchange."""
        return self.document.state_vector()

    def update_since(self, state_vector: bytes) -> bytes:
        """The answer to a peer's state vector: a Yjs update with all it lacks. `DiffError`
        on a junk state vector."""
        return self.document.update_since(state_vector)

    def snapshot(self) -> bytes:
        """The whole Doc as one Yjs update (a compacted log)."""
        return self.document.snapshot()

    def drain_updates(self) -> list[bytes]:
        """The Yjs updates that changed the Doc since the last drain — a local op's update, a
        peer update that added anything — to append to the persisted log with the change."""
        return self.document.drain_updates()

    # -- changing ----------------------------------------------------------------------
    def write(self, op: Op) -> Added:
        """Write this node's next operation (origin = this node, seq = `next_seq`).

        Refused while the Doc holds an op of this node beyond a gap (its log lost ops that a
        peer gave back): Yjs would write after that op, never filling the gap. Catching up
        from the peers fills it first."""
        ahead = self._waiting.get(self.origin)
        if ahead:
            raise InvalidOperation(
                "seq",
                f"node {self.origin} holds its own seq {min(ahead)} but not seq "
                f"{self.next_seq(self.origin)}: catch up before writing",
            )
        [(_, added)] = self._take(self.document.write(op))
        return added

    def apply_update(self, update: bytes) -> list[tuple[Op, Added]]:
        """Merge a peer's Yjs update; return the operations it made visible, in key order
        (ops that waited for a gap it filled included). `DiffError`, with nothing changed,
        for anything that is not an update of the op set."""
        return self._take(self.document.apply(update))

    def apply_updates(self, updates: list[bytes]) -> list[tuple[Op, Added]]:
        """`apply_update` of several updates (a persisted log, any order), folded at once."""
        return self._take(self.document.apply_many(updates))

    def add(self, op: Op) -> Added:
        """Hold an operation as its origin wrote it (idempotent); see `add_many`."""
        return self.add_many([op])[0]

    def add_many(self, ops: list[Op]) -> list[Added]:
        """Hold operations as their origins wrote them, in one update (tests and tools: nodes
        exchange updates). What happened to each, in the order given."""
        visible = dict((op.key, added) for op, added in self.apply_update(write_update(ops)))
        waiting = {op.key for op in self.waiting()}
        results = []
        for op in ops:
            if op.key in visible:
                results.append(visible.pop(op.key))
            else:
                results.append(Added.WAITING if op.key in waiting else Added.DUPLICATE)
        return results

    def _take(self, arrived: list[Op]) -> list[tuple[Op, Added]]:
        """Hold what the Doc's state vector now covers of the ops arrived and waiting."""
        for op in arrived:
            if op.key not in self._ops:
                self._waiting.setdefault(op.origin, {})[op.seq] = op
        visible: list[Op] = []
        for origin, ahead in list(self._waiting.items()):
            held = self._by_origin.setdefault(origin, [])
            while len(held) < self.document.clock(origin):
                seq = len(held) + 1
                if seq not in ahead:
                    raise RuntimeError(f"the Doc never reported seq {seq} of origin {origin}")
                op = ahead.pop(seq)
                held.append(op)
                visible.append(op)
            if not ahead:
                del self._waiting[origin]
        visible.sort(key=_key)
        return list(zip(visible, self._hold(visible), strict=True))

    def _hold(self, ops: list[Op]) -> list[Added]:
        """Hold newly visible operations, folding them with a single rewind."""
        results = []
        batch: dict[int, Op] = {}  # key -> op still to fold into the current document
        for op in ops:
            self._ops[op.key] = op
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
                latest = max((o for o in self._winner.values() if o.kind == OpKind.INIT), key=_key)
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


def _key(op: Op) -> int:
    return op.key
