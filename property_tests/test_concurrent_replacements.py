"""Invariant 7: of concurrent replacements of one fragment only the latest survives.

Two or three replicas hold the same text. Each replaces a fragment before hearing from the
others; the fragments all cover one common character, so every pair overlaps. Then every
replica receives the others' operations in an order Hypothesis draws. The replacement with
the highest key must be the only one shown, the others superseded with none of their text
left, and every replica must show the same text — exactly the base text without the union of
the replaced ranges, with the winner's text where its range began.
"""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from crdt_core import CharRef, EditStatus, Op, OpKind, Replica

from .invariants import check_all

ALPHABET = "абвгдеёжзийклмнопрстуфхцчшщъыьэюя АБВЁЖЯ,.«»—!?😀👍🏽\n"
texts = st.text(alphabet=ALPHABET, min_size=1, max_size=8)


class WallClock:
    """A node's wall clock: the shared time plus the node's skew."""

    def __init__(self, now: list[int], skew: int) -> None:
        self.now = now
        self.skew = skew

    def __call__(self) -> int:
        return self.now[0] + self.skew


@pytest.mark.usefixtures("each_block_size")
@given(
    count=st.integers(2, 3),
    base=st.text(alphabet=ALPHABET, min_size=1, max_size=30),
    appended=st.none() | texts,
    skews=st.lists(st.integers(-3, 3), min_size=3, max_size=3),
    data=st.data(),
)
def test_only_the_latest_concurrent_replacement_survives(
    count: int, base: str, appended: str | None, skews: list[int], data: st.DataObject
) -> None:
    now = [1_000]
    replicas = [Replica(node, WallClock(now, skews[node])) for node in range(count)]
    history = [replicas[0].init_document(edit_id="init", document_id="doc", topic="", text=base)]
    if appended is not None:  # base characters from two edits of two origins
        other = replicas[-1]
        other.receive(history)
        now[0] += 1
        history.append(other.accept_edit(edit_id="app", position="end", text=appended))
    for replica in replicas:
        replica.receive(history)
    text = replicas[0].fold.text
    assert all(r.fold.text == text for r in replicas)

    common = data.draw(st.integers(0, len(text) - 1), label="common character")
    replacements: list[Op] = []
    spans: list[tuple[int, int]] = []
    for replica in replicas:
        now[0] += data.draw(st.integers(0, 2), label="ms")
        start = data.draw(st.integers(max(0, common - 4), common), label="start")
        end = data.draw(st.integers(common + 1, min(len(text), common + 5)), label="end")
        op = replica.accept_edit(
            edit_id=f"r{replica.node}",
            position=f"{start}:{end}",
            text=data.draw(texts, label="text"),
            base_version=replica.fold.version,
        )
        assert op.kind == OpKind.REPLACE
        replacements.append(op)
        spans.append((start, end))
    assert all(a.is_concurrent_with(b) for a in replacements for b in replacements if a != b)

    messages = [(r, op) for r in replicas for op in replacements if op.origin != r.node]
    for replica, op in data.draw(st.permutations(messages), label="delivery order"):
        replica.receive([op])

    winner = max(replacements, key=lambda op: op.key)
    losers = {op.edit_id for op in replacements if op is not winner}
    killed = {i for start, end in spans for i in range(start, end)}
    start = spans[replacements.index(winner)][0]
    expected = (
        "".join(c for i, c in enumerate(text[:start]) if i not in killed)
        + winner.text
        + "".join(c for i, c in enumerate(text) if i >= start and i not in killed)
    )
    for replica in replicas:
        fold = replica.fold
        assert fold.text == expected
        assert fold.status(winner.edit_id) == EditStatus.ACCEPTED
        assert fold.superseded() == losers
        for op in replacements:
            alive = [fold.is_alive(CharRef(op.edit_id, k)) for k in range(len(op.text))]
            assert all(alive) if op is winner else not any(alive)
    accepted = {(op.document_id, op.edit_id): op for op in [*history, *replacements]}
    check_all(replicas, accepted, set())
