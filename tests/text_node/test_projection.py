"""The fold → rows projection on its own, without PostgreSQL: what each kind of change makes
the tables write (the database test, test_store.py, checks the tables end up right)."""

import pytest

from crdt_core import Op, Replica, write_update
from text_node import projection

CHECKPOINT_EVERY = 3


def replica(node: int = 0, now: int = 1_000) -> Replica:
    return Replica(node, lambda: now)


def test_a_new_document_rewrites_every_version_and_keeps_texts_of_checkpoints_only() -> None:
    a = replica()
    start = projection.before(a.opset)
    ops = [a.init_document(edit_id="i", document_id="d", topic="т", text="Начало.")]
    ops += [a.accept_edit(edit_id=f"e{n}", position="end", text=f" {n}.") for n in range(4)]

    rows = projection.project(a.opset, start, ops, swapped=False, checkpoint_every=3)

    assert rows.rebuild
    assert rows.document_id == "d"
    versions = {row["version"] for row in rows.versions} | {row["version"] for row in rows.texts}
    assert versions == {1, 2, 3, 4, 5}
    texts = {row["version"]: row["text"] for row in rows.texts}
    assert texts == {1: None, 2: None, 3: a.fold.text_at(3), 4: None, 5: None}
    assert {row["version"] for row in rows.versions} == set(), "every row is rewritten"
    assert [row["status"] for row in rows.edits] == ["accepted"] * 4
    assert rows.total_tokens == 0


def test_one_edit_writes_one_row_without_a_text() -> None:
    a = replica()
    a.init_document(edit_id="i", document_id="d", topic="т", text="Начало.")
    a.accept_edit(edit_id="e0", position="end", text=" 0.")
    start = projection.before(a.opset)
    op = a.accept_edit(edit_id="e1", position="end", text=" 1.", tokens_used=7)

    rows = projection.project(a.opset, start, [op], swapped=False, checkpoint_every=10)

    assert not rows.rebuild
    assert [(row["version"], row["edit_id"]) for row in rows.versions] == [(3, "e1")]
    assert rows.texts == [], "the head's text is served from memory, not written"
    assert [(row["edit_id"], row["tokens_used"]) for row in rows.edits] == [("e1", 7)]
    assert rows.total_tokens == 7


def late_arrival(*, checkpoint_every: int) -> tuple[Replica, Op, projection.Rows]:
    """Node a with e0, e1, e2 receiving b's edit stamped between e0 and e1: (a, that edit,
    the rows its arrival writes)."""
    a = replica(0, now=2_000)
    init = a.init_document(edit_id="i", document_id="d", topic="т", text="Начало.")
    b = replica(1, now=1_500)
    b.receive_update(write_update([init]))
    late = b.accept_edit(edit_id="late", position="end", text=" поздно.")
    for n in range(3):
        a.accept_edit(edit_id=f"e{n}", position="end", text=f" {n}.")
    start = projection.before(a.opset)
    a.receive_update(write_update([late]))
    rows = projection.project(
        a.opset, start, [late], swapped=False, checkpoint_every=checkpoint_every
    )
    return a, late, rows


def test_a_late_operation_below_the_head_renumbers_later_versions() -> None:
    a, late, rows = late_arrival(checkpoint_every=100)

    assert a.fold.version_of_key(late.key) == 3  # after e0 (same ms, lower node), before e1
    renumbered = {row["version_key"]: row["version"] for row in rows.texts}
    assert renumbered[late.key] == 3
    assert sorted(renumbered.values()) == [3, 4, 5], "every version from the late one on"


def test_a_stale_read_is_a_rejected_row_and_no_version() -> None:
    a = replica()
    a.init_document(edit_id="i", document_id="d", topic="т", text="Начало.")
    first = a.accept_edit(edit_id="e0", position="0:6", text="Исток", base_version=1)
    start = projection.before(a.opset)
    stale = a.accept_edit(edit_id="e1", position="0:3", text="Ист", base_version=1)

    rows = projection.project(a.opset, start, [stale], swapped=False, checkpoint_every=10)

    assert first.kind != stale.kind
    assert [(row["edit_id"], row["status"]) for row in rows.edits] == [("e1", "rejected")]
    assert rows.versions == rows.texts == []
    assert projection.outcome(a.opset, stale, new=True).status == "rejected"


def test_an_edit_landing_on_a_checkpoint_writes_that_versions_text() -> None:
    a = replica()
    a.init_document(edit_id="i", document_id="d", topic="т", text="Начало.")
    a.accept_edit(edit_id="e0", position="end", text=" 0.")
    start = projection.before(a.opset)
    ops = [a.accept_edit(edit_id=f"e{n}", position="end", text=f" {n}.") for n in (1, 2)]

    rows = projection.project(a.opset, start, ops, swapped=False, checkpoint_every=3)

    assert [row["version"] for row in rows.versions] == [4]
    assert [(row["version"], row["text"]) for row in rows.texts] == [(3, "Начало. 0. 1.")]


def test_a_late_operation_moves_the_checkpoint_text_to_its_new_number() -> None:
    a, _, rows = late_arrival(checkpoint_every=4)

    texts = {row["version"]: row["text"] for row in rows.texts}
    assert texts == {3: None, 4: a.fold.text_at(4), 5: None}, "e1's old checkpoint text goes"
    assert a.fold.text_at(4) == "Начало. 0. поздно. 1."


def test_checkpoints_of_a_long_document_are_further_apart(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(projection, "CHECKPOINT_CHARS", 10)  # "Начало. 0." is one step
    a = replica()
    a.init_document(edit_id="i", document_id="d", topic="т", text="Начало.")
    start = projection.before(a.opset)
    ops = [a.accept_edit(edit_id=f"e{n}", position="end", text=f" {n}.") for n in range(8)]

    rows = projection.project(a.opset, start, ops, swapped=False, checkpoint_every=2)

    assert a.fold.length == 31  # 3 steps of 10 characters: every 2 × 4 = 8th version
    texts = {row["version"]: row["text"] for row in rows.texts}
    assert texts == {8: a.fold.text_at(8)}
    assert len(rows.versions) == 7
