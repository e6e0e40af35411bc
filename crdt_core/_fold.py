"""The fold: a document is its operations applied in total-order-key order.

The fold is incremental. Each applied operation leaves an undo record (characters inserted,
characters killed, operations superseded), so an operation that arrives with a key below the
newest applied one rewinds the tail, slots in, and the tail is replayed: the result is always
exactly the fold from scratch of the same set.

Rules, per operation in key order:
- init inserts the initial text; append inserts at the very end;
- replace/delete kill the live characters between `first` and `last`; replace then inserts its
  text right after `left` (the character before the range at the base version);
- timestamp last-write-wins: a replacement kills the text of every earlier *concurrent*
  replacement whose range overlaps its own, and marks it superseded;
- an operation whose anchors have not arrived is pending (a no-op) until a rewind replays it.

The init is the root of its document and always version 1, even where the copy held has a key
above some edits (a client's retry of the init that reached a second node): its place in the
key list is a sentinel below every real key.
"""

import hashlib
from bisect import bisect_left, bisect_right
from collections import Counter
from dataclasses import dataclass, field
from enum import StrEnum

from ._errors import EditConflict, InvalidPosition
from ._ops import CharRef, Op, OpKind
from ._position import EditTarget, parse_position
from ._sequence import ID_SHIFT, Sequence

_K_MASK = (1 << ID_SHIFT) - 1


def _required(ref: CharRef | None) -> CharRef:
    if ref is None:
        raise ValueError("a ranged replacement without its range")
    return ref


_INIT_SLOT = -1  # sort key of the init: before every real key


class EditStatus(StrEnum):
    """Fate of an operation in the fold."""

    ACCEPTED = "accepted"
    SUPERSEDED = "superseded"  # accepted, but its text was overwritten by a later concurrent write
    PENDING = "pending"  # an anchor has not arrived yet


@dataclass(frozen=True, slots=True)
class VersionInfo:
    """One entry of the version history."""

    version: int
    version_key: int
    edit_id: str
    sha256: str


@dataclass(frozen=True, slots=True)
class Authored:
    """A run `[start, end)` of the text whose characters edit `edit_id` (version `version`)
    inserted."""

    start: int
    end: int
    edit_id: str
    version: int


@dataclass(slots=True)
class _Effect:
    handle: int
    pending: bool = False
    inserted: int = 0
    killed: list[int] = field(default_factory=list)
    superseded: list[int] = field(default_factory=list)


class Fold:
    """One document folded from its operations."""

    def __init__(self, init: Op) -> None:
        if init.kind != OpKind.INIT:
            raise ValueError("a fold starts from an init operation")
        self.document_id = init.document_id
        self.topic = init.topic
        self._seq = Sequence()
        self._ops: list[Op] = []
        self._keys: list[int] = []  # sort keys: the init's is _INIT_SLOT, the others' their key
        self._init_key = init.key
        self._key_of: dict[str, int] = {}  # edit_id -> key of the copy folded
        self._effects: list[_Effect] = []  # undo records of the applied prefix of _ops
        self._effect_of: dict[int, _Effect] = {}
        self._handles: dict[str, int] = {}
        self._edit_ids: list[str] = []
        self._superseded: Counter[int] = Counter()
        self._pending: dict[int, None] = {}  # handles of pending effects, in _effects order
        # Ranged replacements per origin, sorted by sequence number: the LWW candidates.
        self._replaces: dict[int, tuple[list[int], list[Op]]] = {}
        self.add(init)

    # -- reading -----------------------------------------------------------------------
    @property
    def text(self) -> str:
        return self._seq.text()

    @property
    def length(self) -> int:
        """Characters in the text (without joining it)."""
        return self._seq.live_length

    def text_parts(self) -> tuple[str, ...]:
        """The text in pieces that later changes leave alone (`"".join` them)."""
        return self._seq.text_parts()

    @property
    def version(self) -> int:
        """Dense version of the head: the number of operations folded."""
        return len(self._ops)

    @property
    def head_key(self) -> int:
        return self._ops[-1].key

    @property
    def init_key(self) -> int:
        return self._init_key

    def ops(self, since: int = 0) -> list[Op]:
        """Operations in key order after version `since`; the i-th is version since + i + 1."""
        return self._ops[since:]

    def op_at(self, version: int) -> Op:
        self._check_version(version, "version")
        return self._ops[version - 1]

    def key_at(self, version: int) -> int:
        self._check_version(version, "version")
        return self._ops[version - 1].key

    def version_of_key(self, key: int) -> int | None:
        """Dense version of the operation with this key, if it is in the fold."""
        if key == self._init_key:
            return 1
        index = bisect_left(self._keys, key)
        if index < len(self._keys) and self._keys[index] == key:
            return index + 1
        return None

    def status(self, edit_id: str) -> EditStatus | None:
        """Accepted, superseded or pending; None if the edit is not in this fold."""
        handle = self._handles.get(edit_id)
        effect = None if handle is None else self._effect_of.get(handle)
        if handle is None or effect is None:
            return None
        if effect.pending:
            return EditStatus.PENDING
        if self._superseded[handle]:
            return EditStatus.SUPERSEDED
        return EditStatus.ACCEPTED

    def superseded(self) -> set[str]:
        """Edits whose text a later concurrent replacement overwrote."""
        return {self._edit_ids[handle] for handle in self._superseded}

    def pending(self) -> list[str]:
        return [self._edit_ids[handle] for handle in self._pending]

    def is_alive(self, ref: CharRef) -> bool:
        """Whether a character exists and is not a tombstone."""
        char_id = self._id(ref)
        return char_id in self._seq and self._seq.is_alive(char_id)

    def position(self, ref: CharRef) -> tuple[int, int]:
        """A sortable position of an existing character, tombstones included."""
        return self._seq.order(self._id(ref))

    def kills(self) -> dict[str, set[str]]:
        """For every folded edit, the edits whose characters it turned into tombstones."""
        return {
            self._edit_ids[e.handle]: {self._edit_ids[c >> ID_SHIFT] for c in e.killed}
            for e in self._effects
        }

    def text_at(self, version: int) -> str:
        """Text right after `version` was applied."""
        return self.texts_at([version])[version]

    def texts_at(self, versions: list[int]) -> dict[int, str]:
        """The text right after each of `versions` was applied, with one rewind and one
        replay (none for the head)."""
        for version in versions:
            self._check_version(version, "version")
        wanted = sorted(set(versions))
        if not wanted:
            return {}
        self._rewind(wanted[0])
        try:
            texts = {}
            for version in wanted:
                while len(self._effects) < version:
                    self._apply_next()
                texts[version] = self._seq.text()
            return texts
        finally:
            self._replay()

    def authorship(self, version: int | None = None) -> list[Authored]:
        """The text of `version` (default: the head) as runs of characters inserted by one
        edit, in document order; the runs' texts concatenate to that version's text."""
        if version is not None:
            self._check_version(version, "version")
            self._rewind(version)
        try:
            runs, start = [], 0
            for handle, length in self._seq.live_runs():
                edit_id = self._edit_ids[handle]
                key = self._key_of.get(edit_id, self._init_key)
                runs.append(Authored(start, start + length, edit_id, self.version_of_key(key) or 1))
                start += length
            return runs
        finally:
            self._replay()

    def history(self) -> list[VersionInfo]:
        """Every version with its key, edit and the sha256 of its text (replays the fold)."""
        self._rewind(0)
        history = []
        for index, op in enumerate(self._ops):
            self._apply_next()
            digest = hashlib.sha256(self._seq.text().encode()).hexdigest()
            history.append(VersionInfo(index + 1, op.key, op.edit_id, digest))
        return history

    # -- accepting an edit -------------------------------------------------------------
    def target_for(self, position: str, text: str, base_version: int | None = None) -> EditTarget:
        """Map an agent's `position` on `base_version` to character ids, or refuse it.

        Raises `InvalidPosition` for a malformed or out-of-range position and `EditConflict`
        when an operation newer than the base version touched the target (spec FR 9).
        """
        head = self.version
        base = head if base_version is None else base_version
        if not 1 <= base <= head:
            raise InvalidPosition("base_version", f"должна быть от 1 до {head}, получено {base}")
        span = parse_position(position)
        if span is None:
            if not text:
                raise InvalidPosition(
                    "proposed_text", "для добавления в конец нужен непустой текст"
                )
            return EditTarget(OpKind.APPEND, base)
        start, end = span
        if start == end and not text:
            raise InvalidPosition(
                "proposed_text", "пустой текст на пустом диапазоне ничего не меняет"
            )
        self._rewind(base)
        try:
            length = self._seq.live_length
            if end > length:
                message = f"диапазон {start}:{end} выходит за версию {base} ({length} симв.)"
                if base < head:
                    # Versions are ranks in key order: a late operation from a peer can move
                    # what "version N" names. The reader saw another text: a stale read.
                    raise EditConflict(message + "; перечитайте документ", conflicting_edit_id="")
                raise InvalidPosition("position", message)
            left = self._seq.id_at(start - 1) if start > 0 else None
            targeted = self._seq.live_ids(start, end)
            right = self._seq.id_at(end) if end < length else None
        finally:
            self._replay()
        self._check_conflict(base, start, end, targeted, {left, right} - {None})
        kind = OpKind.REPLACE if text else OpKind.DELETE
        first = self._ref(targeted[0]) if targeted else None
        last = self._ref(targeted[-1]) if targeted else None
        return EditTarget(kind, base, self._ref(left) if text else None, first, last)

    def _check_conflict(
        self, base: int, start: int, end: int, targeted: list[int], neighbours: set[int | None]
    ) -> None:
        watched = set(targeted) if targeted else neighbours
        span = (self._seq.order(targeted[0]), self._seq.order(targeted[-1])) if targeted else None
        for index in range(base, self.version):
            effect = self._effects[index]
            if effect.pending:
                continue
            touched = any(char_id in watched for char_id in effect.killed)
            if not touched and span and effect.inserted:
                inserted_at = self._seq.order(effect.handle << ID_SHIFT)
                touched = span[0] < inserted_at < span[1]
            if touched:
                op = self._ops[index]
                raise EditConflict(
                    f"фрагмент {start}:{end} версии {base} уже изменила правка {op.edit_id} "
                    f"(версия {index + 1}); перечитайте документ",
                    conflicting_edit_id=op.edit_id,
                )

    # -- changing the set --------------------------------------------------------------
    def add(self, op: Op) -> bool:
        """Fold in an operation of this document; False if its key is already here."""
        return self.add_many([op]) == 1

    def add_many(self, ops: list[Op]) -> int:
        """Fold in several operations with one rewind and one replay; return how many were new."""
        added = 0
        lowest = len(self._ops)
        for op in ops:
            if op.document_id != self.document_id:
                raise ValueError(f"op of document {op.document_id} added to {self.document_id}")
            if self._key_of.get(op.edit_id) == op.key:
                continue
            if op.edit_id in self._key_of:
                raise ValueError(f"edit {op.edit_id} is already folded under another key")
            sort_key = _INIT_SLOT if op.kind == OpKind.INIT else op.key
            index = bisect_left(self._keys, sort_key)
            if index < lowest:
                self._rewind(index)
                lowest = index
            self._ops.insert(index, op)
            self._keys.insert(index, sort_key)
            self._key_of[op.edit_id] = op.key
            if op.kind == OpKind.REPLACE and op.has_range:
                seqs, same_origin = self._replaces.setdefault(op.origin, ([], []))
                at = bisect_left(seqs, op.seq)
                seqs.insert(at, op.seq)
                same_origin.insert(at, op)
            added += 1
        self._replay()
        return added

    def remove(self, key: int) -> Op:
        """Take an operation out of the fold (a duplicate copy of an edit losing to another)."""
        index = bisect_left(self._keys, key)
        if index == len(self._keys) or self._keys[index] != key or index == 0:
            raise KeyError(key)
        self._rewind(index)
        op = self._ops.pop(index)
        self._keys.pop(index)
        del self._key_of[op.edit_id]
        if op.kind == OpKind.REPLACE and op.has_range:
            seqs, ops = self._replaces[op.origin]
            at = ops.index(op)
            del seqs[at], ops[at]
        self._replay()
        return op

    # -- the fold itself ---------------------------------------------------------------
    def _rewind(self, applied: int) -> None:
        while len(self._effects) > applied:
            self._undo(self._effects.pop())

    def _replay(self) -> None:
        while len(self._effects) < len(self._ops):
            self._apply_next()

    def _apply_next(self) -> None:
        effect = self._apply(self._ops[len(self._effects)])
        self._effects.append(effect)
        self._effect_of[effect.handle] = effect
        if effect.pending:
            self._pending[effect.handle] = None

    def _apply(self, op: Op) -> _Effect:
        handle = self._handle(op.edit_id)
        effect = _Effect(handle)
        base_id = handle << ID_SHIFT
        seq = self._seq
        if op.kind == OpKind.INIT:
            seq.insert_after(None, base_id, op.text)
            effect.inserted = len(op.text)
            return effect
        if op.kind == OpKind.APPEND:
            seq.append(base_id, op.text)
            effect.inserted = len(op.text)
            return effect
        left = self._char(op.left)
        first = self._char(op.first)
        last = self._char(op.last)
        if any(char_id not in seq for char_id in (left, first, last) if char_id is not None):
            effect.pending = True
            return effect
        if first is not None and last is not None:
            effect.killed = seq.kill_between(first, last)
            if op.kind == OpKind.REPLACE:
                self._supersede_concurrent(op, first, last, effect)
        if op.kind == OpKind.REPLACE:
            seq.insert_after(left, base_id, op.text)
            effect.inserted = len(op.text)
        return effect

    def _supersede_concurrent(self, op: Op, first: int, last: int, effect: _Effect) -> None:
        """Last-write-wins: kill the text of earlier concurrent replacements of this range."""
        seq = self._seq
        lo, hi = seq.order(first), seq.order(last)
        for origin, (seqs, ops) in self._replaces.items():
            if origin == op.origin:
                continue
            for other in ops[bisect_right(seqs, op.seen_seq(origin)) :]:
                if other.key >= op.key:
                    continue
                handle = self._handles[other.edit_id]
                other_effect = self._effect_of.get(handle)
                if other_effect is None or other_effect.pending:
                    continue
                other_lo = seq.order(self._id(_required(other.first)))
                other_hi = seq.order(self._id(_required(other.last)))
                if other_lo > hi or lo > other_hi:
                    continue
                base_id = handle << ID_SHIFT
                effect.killed += seq.kill(list(range(base_id, base_id + other_effect.inserted)))
                effect.superseded.append(handle)
                self._superseded[handle] += 1

    def _undo(self, effect: _Effect) -> None:
        del self._effect_of[effect.handle]
        self._pending.pop(effect.handle, None)
        if effect.inserted:
            self._seq.remove_run(effect.handle << ID_SHIFT, effect.inserted)
        self._seq.revive(effect.killed)
        for handle in effect.superseded:
            self._superseded[handle] -= 1
            if not self._superseded[handle]:
                del self._superseded[handle]

    # -- ids ---------------------------------------------------------------------------
    def _handle(self, edit_id: str) -> int:
        handle = self._handles.get(edit_id)
        if handle is None:
            handle = self._handles[edit_id] = len(self._edit_ids)
            self._edit_ids.append(edit_id)
        return handle

    def _char(self, ref: CharRef | None) -> int | None:
        return None if ref is None else self._id(ref)

    def _id(self, ref: CharRef) -> int:
        return self._handle(ref.edit_id) << ID_SHIFT | ref.k

    def _ref(self, char_id: int | None) -> CharRef | None:
        if char_id is None:
            return None
        return CharRef(self._edit_ids[char_id >> ID_SHIFT], char_id & _K_MASK)

    def _check_version(self, version: int, field_name: str) -> None:
        if not 1 <= version <= self.version:
            raise InvalidPosition(field_name, f"должна быть от 1 до {self.version}")
