"""A list model of the fold, and the stale-read decision (spec FR 9) stated on it.

The model replays a document's operations in key order over a plain list of characters and
keeps every version: the ids of all its characters in document order (tombstones included,
each id `(edit_id, k)` as in `CharRef`) and which of them are alive. It states DESIGN.md §3
directly, without the fold's undo records or blocks:

- init inserts its text; append inserts at the very end, after any tombstone;
- replace/delete kill the live characters from `first` to `last`; a replacement of a range
  also kills every character of each earlier concurrent ranged replacement whose range
  overlaps its own (last-write-wins); replace inserts its text right after `left` (at the very
  beginning without one);
- an operation whose anchors are not in the list yet changes nothing (pending).

The decision on an edit of `[start, end)` on version `base`, read from the versions alone:
its targets are the characters alive at `base` in `[start, end)`, its neighbours the alive
characters just before `start` and at `end`. It is rejected exactly when, between `base` and
the head, a target was deleted, or a character that `base` did not have appeared strictly
between the first and the last target; a pure insertion (no target) is rejected exactly when
a neighbour was deleted. An append is never rejected; a range beyond the text of an older
`base` is (on the head it is malformed, and refused before any decision). Accepted, the edit
kills its targets and inserts its text right after the left neighbour, at the head.
"""

from dataclasses import dataclass

from crdt_core import CharRef, Fold, Op, OpKind

Char = tuple[str, int]  # (edit_id, k): the k-th character `edit_id` inserted


@dataclass(frozen=True)
class Version:
    """A document version: every character in document order, and the live ones."""

    ids: tuple[Char, ...]
    alive: frozenset[Char]

    def live(self) -> list[Char]:
        return [char for char in self.ids if char in self.alive]


@dataclass(frozen=True)
class Decision:
    """What an edit on `base` must become: a reject, or an op with these anchors."""

    rejected: bool
    reason: str = ""
    left: Char | None = None
    first: Char | None = None
    last: Char | None = None


class ListFold:
    """The versions of one document, folded from its operations in key order."""

    def __init__(self, ops: list[Op]) -> None:
        self.chars: dict[Char, str] = {}
        self.versions: list[Version] = []
        self._applied: list[Op] = []  # ranged replacements applied so far (LWW candidates)
        ids: list[Char] = []
        alive: set[Char] = set()
        for op in sorted(ops, key=lambda o: -1 if o.kind == OpKind.INIT else o.key):
            self._apply(op, ids, alive)
            self.versions.append(Version(tuple(ids), frozenset(alive)))

    @property
    def head(self) -> int:
        return len(self.versions)

    def text(self, version: int) -> str:
        return "".join(self.chars[char] for char in self.versions[version - 1].live())

    def decide(self, base: int, start: int, end: int) -> Decision:
        """The decision on an edit of `[start, end)` on version `base` (see the module doc)."""
        then, now = self.versions[base - 1], self.versions[-1]
        live = then.live()
        if end > len(live):  # versions are ranks: a late op moved what "version base" names
            return Decision(rejected=True, reason="the range lies beyond the base version")
        targets = live[start:end]
        left = live[start - 1] if start > 0 else None
        right = live[end] if end < len(live) else None
        deleted = then.alive - now.alive
        inside = (
            now.ids[now.ids.index(targets[0]) + 1 : now.ids.index(targets[-1])] if targets else ()
        )
        existed = set(then.ids)
        if any(char in deleted for char in targets):
            return Decision(rejected=True, reason="a target was deleted")
        if any(char not in existed for char in inside):
            return Decision(rejected=True, reason="text was inserted inside the range")
        if not targets and (left in deleted or right in deleted):
            return Decision(rejected=True, reason="a neighbour of the insertion was deleted")
        first, last = (targets[0], targets[-1]) if targets else (None, None)
        return Decision(rejected=False, reason="accepted", left=left, first=first, last=last)

    def expected_text(self, decision: Decision, edit_id: str, text: str) -> str:
        """The head's text once an accepted edit (not an append) is applied to it."""
        ids, alive = list(self.versions[-1].ids), set(self.versions[-1].alive)
        if decision.first is not None and decision.last is not None:
            _kill_between(ids, alive, decision.first, decision.last)
        new = [(edit_id, k) for k in range(len(text))]
        at = 0 if decision.left is None else ids.index(decision.left) + 1
        ids[at:at] = new
        alive.update(new)
        chars = self.chars | dict(zip(new, text, strict=True))
        return "".join(chars[char] for char in ids if char in alive)

    def _apply(self, op: Op, ids: list[Char], alive: set[Char]) -> None:
        new = [(op.edit_id, k) for k in range(len(op.text))]
        if op.kind in (OpKind.INIT, OpKind.APPEND):
            self._insert(ids, alive, len(ids), new, op.text)
            return
        left, first, last = (char_of(ref) for ref in (op.left, op.first, op.last))
        if any(char is not None and char not in self.chars for char in (left, first, last)):
            return  # pending
        if first is not None and last is not None:
            _kill_between(ids, alive, first, last)
            if op.kind == OpKind.REPLACE:
                self._supersede(op, ids, alive, first, last)
                self._applied.append(op)
        if op.kind == OpKind.REPLACE:
            at = 0 if left is None else ids.index(left) + 1
            self._insert(ids, alive, at, new, op.text)

    def _supersede(
        self, op: Op, ids: list[Char], alive: set[Char], first: Char, last: Char
    ) -> None:
        lo, hi = ids.index(first), ids.index(last)
        for other in self._applied:
            concurrent = other.origin != op.origin and other.seq > op.seen_seq(other.origin)
            if not concurrent:
                continue
            other_lo = ids.index(_required(other.first))
            other_hi = ids.index(_required(other.last))
            if other_lo <= hi and lo <= other_hi:
                alive.difference_update((other.edit_id, k) for k in range(len(other.text)))

    def _insert(
        self, ids: list[Char], alive: set[Char], at: int, new: list[Char], text: str
    ) -> None:
        ids[at:at] = new
        alive.update(new)
        self.chars.update(zip(new, text, strict=True))


def char_of(ref: CharRef | None) -> Char | None:
    """A fold's character reference as a model character."""
    return None if ref is None else (ref.edit_id, ref.k)


def _required(ref: CharRef | None) -> Char:
    assert ref is not None, "a ranged replacement without its range"
    return (ref.edit_id, ref.k)


def _kill_between(ids: list[Char], alive: set[Char], first: Char, last: Char) -> None:
    alive.difference_update(ids[ids.index(first) : ids.index(last) + 1])


def model_of(fold: Fold) -> ListFold:
    """The list model of a fold's operations; its head must be the fold's text."""
    model = ListFold(fold.ops())
    assert model.head == fold.version
    assert model.text(model.head) == fold.text, "the fold's text is not its operations' fold"
    return model


def check_decision(
    model: ListFold, fold: Fold, op: Op, base: int, position: str, text: str
) -> Decision:
    """Assert that `op`, what the node made of an edit of `position` on `base`, is the model's
    decision, and that `fold`, the node's fold after it, shows the model's result; return the
    model's decision."""
    if position == "end":
        assert op.kind == OpKind.APPEND, f"an append became {op.kind}: {op.reason}"
        assert fold.text == model.text(model.head) + text
        return Decision(rejected=False, reason="appended")
    start, end = (int(part) for part in position.split(":"))
    decision = model.decide(base, start, end)
    edit = f"edit {op.edit_id} of {position} on version {base} (head {model.head})"
    if decision.rejected:
        assert op.kind == OpKind.REJECT, (
            f"{edit} was accepted; the model rejects it: {decision.reason}"
        )
        assert fold.version == model.head
        assert fold.text == model.text(model.head)
        return decision
    assert op.kind != OpKind.REJECT, f"{edit} was rejected ({op.reason}); the model accepts it"
    anchors = (char_of(op.left), char_of(op.first), char_of(op.last))
    assert anchors == (decision.left if text else None, decision.first, decision.last), edit
    assert fold.text == model.expected_text(decision, op.edit_id, text), edit
    return decision
