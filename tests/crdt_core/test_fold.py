"""The fold: FR 9 conflict check, last-writer-wins, pending ops, rewinds, history."""

import dataclasses
import hashlib
from collections.abc import Callable

import pytest

from crdt_core import (
    CharRef,
    EditConflict,
    EditStatus,
    EditTarget,
    Fold,
    InvalidPosition,
    Op,
    OpKind,
    Replica,
    VersionInfo,
)

from .support import BASE_TEXT, Ticker, replicas

INIT = Op(edit_id="init", kind=OpKind.INIT, document_id="doc", origin=0, seq=1, ts=10, text="абв")


def ref(k: int) -> CharRef:
    return CharRef("init", k)


def sha(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def edit(replica: Replica, edit_id: str, position: str, text: str, base: int | None = None) -> Op:
    op = replica.accept_edit(edit_id=edit_id, position=position, text=text, base_version=base)
    assert op.kind != OpKind.REJECT, op.reason
    return op


# -- FR 9: the conflict check at the accepting node --------------------------------------
def test_target_on_the_head_maps_offsets_to_char_ids() -> None:
    [node] = replicas(1)

    assert node.fold.target_for("8:11", "свет") == EditTarget(
        OpKind.REPLACE, 1, left=ref(7), first=ref(8), last=ref(10)
    )
    assert node.fold.target_for("6:7", "") == EditTarget(
        OpKind.DELETE, 1, first=ref(6), last=ref(6)
    )
    assert node.fold.target_for("0:0", "Ой, ") == EditTarget(OpKind.REPLACE, 1)
    assert node.fold.target_for("12:12", "!!") == EditTarget(OpKind.REPLACE, 1, left=ref(11))
    assert node.fold.target_for("end", "!!") == EditTarget(OpKind.APPEND, 1)


def test_offsets_are_on_the_base_version_not_on_the_head() -> None:
    [node] = replicas(1)
    edit(node, "e1", "0:6", "Здравствуй")  # longer: head offsets moved by 4

    assert node.fold.text == "Здравствуй, мир!"
    assert node.fold.target_for("8:11", "свет", base_version=1) == EditTarget(
        OpKind.REPLACE, 1, left=ref(7), first=ref(8), last=ref(10)
    )
    assert node.fold.target_for("12:15", "свет") == EditTarget(
        OpKind.REPLACE, 2, left=ref(7), first=ref(8), last=ref(10)
    )


def test_offsets_count_code_points_not_bytes() -> None:
    [node] = replicas(1, "😀👍🏽 мир")  # 👍🏽 is two code points

    assert node.fold.target_for("4:7", "свет").first == ref(4)
    edit(node, "e1", "4:7", "свет")
    assert node.fold.text == "😀👍🏽 свет"


@pytest.mark.parametrize(
    ("position", "conflict"),
    [
        ("0:3", True),  # "При": killed by e1
        ("5:7", True),  # "т," overlaps the killed "Привет"
        ("6:12", False),  # ", мир!" untouched
        ("8:11", False),
        ("6:6", True),  # pure insertion whose left neighbour "т" was killed
        ("7:7", False),  # between ", " and "мир": both neighbours alive
        ("end", False),  # an append never conflicts
    ],
)
def test_a_range_killed_after_the_base_version_conflicts(position: str, conflict: bool) -> None:
    [node] = replicas(1)
    edit(node, "e1", "0:6", "Здравствуй")

    if not conflict:
        node.fold.target_for(position, "x", base_version=1)
        return
    with pytest.raises(EditConflict) as caught:
        node.fold.target_for(position, "x", base_version=1)
    assert caught.value.conflicting_edit_id == "e1"
    assert str(caught.value) == (
        f"фрагмент {position} версии 1 уже изменила правка e1 (версия 2); перечитайте документ"
    )


@pytest.mark.parametrize(
    ("position", "conflict"),
    [
        ("7:11", True),  # " мир" contains the insertion point
        ("8:11", True),  # "мир": "Х" went between "м" and "и"
        ("8:9", False),  # "м": nothing can be inside one character
        ("9:11", False),  # "ир": "Х" is right before the range, not inside
        ("6:9", False),  # ", м": "Х" is right after the range
        ("9:9", False),  # a pure insertion at the same place: both neighbours alive
        ("8:8", False),
    ],
)
def test_an_insertion_inside_the_range_conflicts(position: str, conflict: bool) -> None:
    [node] = replicas(1)
    edit(node, "e1", "9:9", "Х")
    assert node.fold.text == "Привет, мХир!"

    if not conflict:
        node.fold.target_for(position, "x", base_version=1)
        return
    with pytest.raises(EditConflict) as caught:
        node.fold.target_for(position, "", base_version=1)
    assert caught.value.conflicting_edit_id == "e1"


@pytest.mark.parametrize(
    ("position", "conflict"),
    [
        ("6:6", True),  # right neighbour "," was deleted
        ("7:7", True),  # left neighbour "," was deleted
        ("5:5", False),
        ("8:8", False),
        ("0:0", False),  # at the beginning: only the right neighbour "П" counts
        ("12:12", False),  # at the end: only the left neighbour "!" counts
    ],
)
def test_a_pure_insertion_next_to_a_deleted_neighbour_conflicts(
    position: str, conflict: bool
) -> None:
    [node] = replicas(1)
    edit(node, "e1", "6:7", "")
    assert node.fold.text == "Привет мир!"

    if conflict:
        with pytest.raises(EditConflict, match="уже изменила правка e1"):
            node.fold.target_for(position, "X", base_version=1)
    else:
        node.fold.target_for(position, "X", base_version=1)


def test_insertion_at_the_beginning_conflicts_when_the_first_char_was_deleted() -> None:
    [node] = replicas(1)
    edit(node, "e1", "0:1", "")

    with pytest.raises(EditConflict, match="уже изменила правка e1"):
        node.fold.target_for("0:0", "X", base_version=1)


def test_the_first_conflicting_edit_is_named() -> None:
    [node] = replicas(1)
    edit(node, "e1", "end", " Пока.")
    edit(node, "e2", "8:11", "свет")
    edit(node, "e3", "8:12", "")

    with pytest.raises(EditConflict) as caught:
        node.fold.target_for("8:11", "люди", base_version=1)
    assert caught.value.conflicting_edit_id == "e2"
    assert "(версия 3)" in str(caught.value)
    node.fold.target_for("0:6", "Ну", base_version=1)


def test_a_pending_op_after_the_base_version_does_not_conflict() -> None:
    a, b, c = replicas(3)
    c.receive([edit(a, "e1", "end", " Пока.")])
    later = edit(c, "e2", "12:18", "")  # deletes a's appended " Пока." on c
    b.receive([later])  # its anchors are missing on b (another origin's op: no Yjs gap)

    assert b.fold.status("e2") == EditStatus.PENDING
    assert b.fold.target_for("6:12", "", base_version=1).first == ref(6)


@pytest.mark.parametrize(
    ("position", "text", "base", "field", "message"),
    [
        ("end", "x", 0, "base_version", "должна быть от 1 до 2, получено 0"),
        ("end", "x", 3, "base_version", "должна быть от 1 до 2, получено 3"),
        ("end", "", None, "proposed_text", "для добавления в конец нужен непустой текст"),
        ("3:3", "", None, "proposed_text", "пустой текст на пустом диапазоне ничего не меняет"),
        ("5:20", "x", None, "position", "диапазон 5:20 выходит за версию 2 (17 симв.)"),
        (
            "3-4",
            "x",
            None,
            "position",
            'должна быть "end" или "<начало>:<конец>" в символах, получено \'3-4\'',
        ),
    ],
)
def test_invalid_targets_name_the_field(
    position: str, text: str, base: int | None, field: str, message: str
) -> None:
    [node] = replicas(1)
    edit(node, "e1", "end", " Пока")

    with pytest.raises(InvalidPosition) as caught:
        node.fold.target_for(position, text, base)
    assert (caught.value.field, caught.value.message) == (field, message)
    assert node.fold.text == "Привет, мир! Пока"  # the rewind was undone


def test_a_range_outside_an_older_base_version_is_a_stale_read() -> None:
    # Versions are ranks in key order: a late op can move what "version 1" names.
    [node] = replicas(1)
    edit(node, "e1", "end", " Пока")

    with pytest.raises(EditConflict) as caught:
        node.fold.target_for("13:13", "x", 1)
    assert str(caught.value) == (
        "диапазон 13:13 выходит за версию 1 (12 симв.); перечитайте документ"
    )
    assert caught.value.conflicting_edit_id == ""
    assert node.fold.text == "Привет, мир! Пока"


# -- last-writer-wins between concurrent replacements ------------------------------------
@pytest.mark.parametrize("first_writer", [0, 1])
def test_concurrent_replacements_of_one_fragment_keep_only_the_latest(first_writer: int) -> None:
    nodes = replicas(2)
    early = edit(nodes[first_writer], "early", "8:11", "свет")
    late = edit(nodes[1 - first_writer], "late", "8:11", "космос")
    assert early.key < late.key
    assert early.is_concurrent_with(late)
    assert late.is_concurrent_with(early)

    nodes[first_writer].receive([late])  # arrives after the local edit: plain append
    nodes[1 - first_writer].receive([early])  # arrives late: rewind and replay

    for node in nodes:
        assert node.fold.text == "Привет, космос!"
        assert node.fold.status("late") == EditStatus.ACCEPTED
        assert node.fold.status("early") == EditStatus.SUPERSEDED
        assert node.fold.superseded() == {"early"}
        assert node.fold.kills() == {"init": set(), "early": {"init"}, "late": {"early"}}
        assert not any(node.fold.is_alive(CharRef("early", k)) for k in range(4))
        assert all(node.fold.is_alive(CharRef("late", k)) for k in range(6))


def test_three_concurrent_replacements_overlapping_leave_the_latest() -> None:
    nodes = replicas(3)
    edit(nodes[0], "a", "8:11", "свет")
    edit(nodes[1], "b", "7:10", "-люди-")
    edit(nodes[2], "c", "9:12", "ОРЕ")
    ops = [op for node in nodes for op in node.opset.edits() if op.edit_id in "abc"]
    for node in nodes:
        node.receive(ops)

    for node in nodes:
        assert node.fold.text == "Привет,ОРЕ"
        assert [node.fold.status(e) for e in "abc"] == ["superseded", "superseded", "accepted"]
        assert node.fold.superseded() == {"a", "b"}


def test_a_replacement_that_saw_the_other_does_not_supersede_it() -> None:
    a, b = replicas(2)
    first = edit(a, "e1", "8:11", "свет")
    b.receive([first])
    second = edit(b, "e2", "8:12", "космос")  # replaces "свет" knowingly
    a.receive([second])

    assert not second.is_concurrent_with(first)
    for node in (a, b):
        assert node.fold.text == "Привет, космос!"
        assert node.fold.status("e1") == EditStatus.ACCEPTED
        assert node.fold.superseded() == set()
        assert node.fold.kills()["e2"] == {"e1"}


def test_concurrent_replacements_of_disjoint_fragments_both_stay() -> None:
    a, b = replicas(2)
    first = edit(a, "e1", "0:6", "Здравствуй")
    second = edit(b, "e2", "8:11", "свет")
    a.receive([second])
    b.receive([first])

    for node in (a, b):
        assert node.fold.text == "Здравствуй, свет!"
        assert node.fold.superseded() == set()


@pytest.mark.parametrize("delete_first", [True, False])
@pytest.mark.parametrize(
    ("deleted", "expected"), [("8:11", "Привет, свет!"), ("9:12", "Привет, свет")]
)
def test_delete_concurrent_with_replace_keeps_both_effects(
    delete_first: bool, deleted: str, expected: str
) -> None:
    a, b = replicas(2)
    if delete_first:
        removal = edit(b, "del", deleted, "")
        replacement = edit(a, "rep", "8:11", "свет")
    else:
        replacement = edit(a, "rep", "8:11", "свет")
        removal = edit(b, "del", deleted, "")
    a.receive([removal])
    b.receive([replacement])

    for node in (a, b):
        assert node.fold.text == expected
        assert node.fold.status("rep") == EditStatus.ACCEPTED
        assert node.fold.status("del") == EditStatus.ACCEPTED
        assert all(node.fold.is_alive(CharRef("rep", k)) for k in range(4))


@pytest.mark.parametrize("order", [(0, 1), (1, 0)])
def test_concurrent_pure_inserts_at_one_place_both_survive(order: tuple[int, int]) -> None:
    nodes = replicas(2)
    first = edit(nodes[order[0]], "A", "6:6", "А")
    second = edit(nodes[order[1]], "B", "6:6", "Б")
    nodes[order[0]].receive([second])
    nodes[order[1]].receive([first])

    for node in nodes:  # the higher key lands right after the anchor, before the lower one
        assert node.fold.text == "ПриветБА, мир!"
        assert node.fold.status("A") == node.fold.status("B") == EditStatus.ACCEPTED


def test_concurrent_append_and_replacement_both_survive() -> None:
    a, b = replicas(2)
    first = edit(a, "app", "end", " Пока!")
    second = edit(b, "rep", "11:12", "?")
    a.receive([second])
    b.receive([first])

    assert a.fold.text == b.fold.text == "Привет, мир? Пока!"


def test_supersede_ignores_a_pending_earlier_replacement() -> None:
    a, b, c, d = replicas(4)
    appended = edit(a, "app", "end", " Пока")
    d.receive([appended])
    lower = edit(d, "low", "13:17", "Ура")  # replaces a's appended text
    higher = edit(c, "high", "0:12", "Ой")  # concurrent, overlapping nothing of "Пока"
    b.receive([lower, higher])  # "low" is pending on b: "app" is missing

    assert b.fold.status("low") == EditStatus.PENDING
    assert b.fold.pending() == ["low"]
    assert b.fold.text == "Ой"
    b.receive([appended])
    assert b.fold.pending() == []
    assert b.fold.text == "Ой Ура"
    a.receive([lower, higher])
    assert a.fold.text == "Ой Ура"
    assert lower.key < higher.key


# -- pending ops, late ops, rewinds -------------------------------------------------------
def test_a_pending_op_is_applied_when_its_anchor_arrives_late() -> None:
    a, b, c = replicas(3)
    appended = edit(a, "e1", "end", " Как дела?")
    c.receive([appended])
    replaced = edit(c, "e2", "13:16", "Ваши")  # another origin: b holds it, not its anchor
    assert c.fold.text == "Привет, мир! Ваши дела?"

    b.receive([replaced])
    assert b.fold.status("e2") == EditStatus.PENDING
    assert b.fold.pending() == ["e2"]
    assert b.fold.text == BASE_TEXT
    assert b.fold.version == 2  # a pending op still has its version

    b.receive([appended])
    assert b.fold.pending() == []
    assert b.fold.status("e2") == EditStatus.ACCEPTED
    assert b.fold.text == "Привет, мир! Ваши дела?"
    assert [op.edit_id for op in b.fold.ops()] == ["init", "e1", "e2"]


def test_a_late_op_with_a_lower_key_rewinds_and_replays() -> None:
    ticker = Ticker()
    a, b = replicas(2, ticker=ticker)
    late = edit(a, "late", "0:0", "«")
    own = [edit(b, f"b{i}", "end", f" {i}") for i in range(3)]
    assert all(late.key < op.key for op in own)

    b.receive([late])
    assert b.fold.text == "«Привет, мир! 0 1 2"
    assert [op.edit_id for op in b.fold.ops()] == ["init", "late", "b0", "b1", "b2"]
    assert b.fold.version_of_key(late.key) == 2


def test_the_text_read_between_changes_is_the_text_folded_afresh() -> None:
    """The sequence keeps each block's live text until the block changes: every insertion,
    tombstone, revival and undone insertion (a rewind) must drop it."""
    ticker = Ticker()
    a, b = replicas(2, ticker=ticker)
    late_append = edit(a, "late-append", "end", "»")
    late_insert = edit(a, "late-insert", "0:0", "«")
    steps: list[Callable[[], object]] = [
        lambda: edit(b, "b0", "end", " раз"),
        lambda: b.receive([late_append]),  # a lower key: the appends undone and replayed
        lambda: edit(b, "b1", "0:3", "Ку"),
        lambda: b.accept_edit(edit_id="stale", position="0:3", text="x", base_version=1),
        lambda: edit(b, "b2", "end", " два"),
        lambda: b.receive([late_insert]),
        lambda: edit(b, "b3", "end", " три"),
        lambda: edit(b, "b4", "1:2", ""),
        lambda: edit(b, "b5", "end", "!"),
    ]
    for step in steps:
        step()
        fresh = Fold(b.fold.ops()[0])
        fresh.add_many(b.fold.ops()[1:])
        assert b.fold.text == fresh.text
    assert b.fold.status("stale") is None  # rejected: it changed no character
    assert b.fold.text == "К«вет, мир!» раз два три!"
    assert b.fold.pending() == []


def test_text_at_every_version_is_the_text_when_it_was_the_head() -> None:
    [node] = replicas(1)
    script = [
        ("end", " Как дела?"),
        ("0:6", "Здравствуй"),
        ("10:11", ""),
        ("0:0", "«"),
        ("end", "»"),
        ("17:20", "😀👍🏽"),
    ]
    seen = [node.fold.text]
    for i, (position, text) in enumerate(script):
        edit(node, f"e{i}", position, text)
        seen.append(node.fold.text)

    assert seen[-1] == "«Здравствуй мир! 😀👍🏽 дела?»"
    assert [node.fold.text_at(v) for v in range(1, node.fold.version + 1)] == seen
    assert node.fold.text == seen[-1]  # reading an old version leaves the head alone
    with pytest.raises(InvalidPosition, match=r"^version: должна быть от 1 до 7$"):
        node.fold.text_at(0)
    with pytest.raises(InvalidPosition, match=r"^version: должна быть от 1 до 7$"):
        node.fold.text_at(8)


def test_history_lists_versions_keys_edits_and_hashes() -> None:
    [node] = replicas(1)
    first = edit(node, "e1", "end", " Пока.")
    second = edit(node, "e2", "0:8", "")
    fold = node.fold

    assert fold.history() == [
        VersionInfo(1, fold.init_key, "init", sha("Привет, мир!")),
        VersionInfo(2, first.key, "e1", sha("Привет, мир! Пока.")),
        VersionInfo(3, second.key, "e2", sha("мир! Пока.")),
    ]
    assert fold.text == "мир! Пока."


def test_kills_name_whose_characters_each_edit_turned_into_tombstones() -> None:
    [node] = replicas(1)
    edit(node, "e1", "end", " Пока.")
    edit(node, "e2", "10:14", "")  # "р! П": chars of init and of e1
    edit(node, "e3", "0:2", "Ну")

    assert node.fold.text == "Нуивет, миока."
    assert node.fold.kills() == {
        "init": set(),
        "e1": set(),
        "e2": {"init", "e1"},
        "e3": {"init"},
    }


# -- reading and changing the fold --------------------------------------------------------
def test_reading_versions_and_keys() -> None:
    [node] = replicas(1)
    e1 = edit(node, "e1", "end", "!")
    fold = node.fold

    assert (fold.version, fold.document_id, fold.topic) == (2, "doc", "тема")
    assert fold.head_key == e1.key
    assert fold.init_key == fold.key_at(1) == fold.op_at(1).key
    assert fold.op_at(2) == e1
    assert fold.ops() == [fold.op_at(1), e1]
    assert fold.version_of_key(e1.key) == 2
    assert fold.version_of_key(e1.key + 1) is None
    assert fold.version_of_key(e1.key - 1) is None
    assert fold.status("unknown") is None
    assert fold.status("e1") == EditStatus.ACCEPTED
    assert fold.is_alive(ref(0))
    assert not fold.is_alive(CharRef("unknown", 0))
    assert fold.position(ref(0)) < fold.position(ref(11)) < fold.position(CharRef("e1", 0))
    with pytest.raises(InvalidPosition, match=r"^version: должна быть от 1 до 2$"):
        fold.op_at(3)
    with pytest.raises(InvalidPosition, match=r"^version: должна быть от 1 до 2$"):
        fold.key_at(0)


def test_fold_of_raw_operations() -> None:
    fold = Fold(INIT)
    delete = Op(
        edit_id="d",
        kind=OpKind.DELETE,
        document_id="doc",
        origin=1,
        seq=1,
        ts=11,
        first=CharRef("init", 1),
        last=CharRef("init", 1),
    )

    assert fold.add(delete) is True
    assert fold.add(delete) is False  # same key: already here
    assert fold.text == "ав"
    assert fold.add_many([delete, INIT]) == 0
    with pytest.raises(ValueError, match="a fold starts from an init operation"):
        Fold(delete)
    other = Op(
        edit_id="x", kind=OpKind.APPEND, document_id="other", origin=0, seq=2, ts=12, text="!"
    )
    with pytest.raises(ValueError, match="op of document other added to doc"):
        fold.add(other)


def test_remove_takes_an_op_out_and_refolds() -> None:
    [node] = replicas(1)
    edit(node, "e1", "8:11", "свет")
    e2 = edit(node, "e2", "end", " Пока.")
    e3 = edit(node, "e3", "0:0", "«")
    fold = node.fold

    assert fold.remove(e2.key) == e2
    assert fold.text == "«Привет, свет!"
    assert fold.status("e2") is None
    assert [op.edit_id for op in fold.ops()] == ["init", "e1", "e3"]
    e1 = fold.op_at(2)
    assert fold.remove(e1.key) == e1  # a ranged replacement
    assert fold.text == "«Привет, мир!"
    assert fold.remove(e3.key) == e3
    assert fold.text == BASE_TEXT
    with pytest.raises(KeyError):
        fold.remove(e3.key)
    with pytest.raises(KeyError):
        fold.remove(fold.init_key)  # the init is the document itself
    with pytest.raises(KeyError):
        fold.remove(fold.init_key + 10**9)


def test_remove_brings_back_what_a_superseding_replacement_killed() -> None:
    a, b = replicas(2)
    edit(a, "early", "8:11", "свет")
    late = edit(b, "late", "8:11", "космос")
    a.receive([late])
    assert a.fold.superseded() == {"early"}

    a.fold.remove(late.key)
    assert a.fold.text == "Привет, свет!"
    assert a.fold.status("early") == EditStatus.ACCEPTED
    assert a.fold.superseded() == set()


def test_a_second_copy_of_a_folded_edit_is_refused() -> None:
    [a] = replicas(1)
    op = edit(a, "e1", "0:1", "Б")
    copy = dataclasses.replace(op, origin=2, ts=op.ts + 5)
    with pytest.raises(ValueError, match=r"^edit e1 is already folded under another key$"):
        a.fold.add(copy)
    assert a.fold.text == "Бривет, мир!"


# -- authorship: who inserted every character ------------------------------------------
def assert_exact_authorship(fold: Fold) -> None:
    """At every version the runs tile the text, and each run is a piece of its edit's text."""
    for version in range(1, fold.version + 1):
        text = fold.text_at(version)
        runs = fold.authorship(version)
        assert "".join(text[r.start : r.end] for r in runs) == text
        assert [r.start for r in runs] == [0, *(r.end for r in runs[:-1])]
        assert runs[-1].end == len(text) if runs else text == ""
        for run in runs:
            op = fold.op_at(run.version)
            assert op.edit_id == run.edit_id
            assert run.version <= version
            assert text[run.start : run.end] in op.text
    assert fold.authorship() == fold.authorship(fold.version)


def test_authorship_names_the_edit_of_every_character() -> None:
    [node] = replicas(1)
    edit(node, "e1", "8:11", "свет")  # Привет, свет!
    edit(node, "e2", "end", " Ура.")
    edit(node, "e3", "0:2", "")  # ивет, свет! Ура.

    runs = [(r.start, r.end, r.edit_id, r.version) for r in node.fold.authorship()]

    assert node.fold.text == "ивет, свет! Ура."
    assert runs == [(0, 6, "init", 1), (6, 10, "e1", 2), (10, 11, "init", 1), (11, 16, "e2", 3)]
    assert [(r.edit_id, r.end) for r in node.fold.authorship(1)] == [("init", 12)]
    assert_exact_authorship(node.fold)


def test_authorship_is_identical_on_replicas_after_concurrent_edits_and_a_late_op() -> None:
    a, b, c = replicas(3)
    from_a = [edit(a, "a1", "0:6", "Здравствуй"), edit(a, "a2", "end", " Как дела?")]
    from_b = [edit(b, "b1", "8:11", "свет"), edit(b, "b2", "0:1", "п")]
    late = edit(c, "c1", "7:7", " дорогой")  # accepted before the others arrive anywhere
    a.receive([*from_b, late])
    b.receive([late, *from_a])
    c.receive([*from_a])
    c.receive([*from_b])  # c's own op is older than b's: b's ops slot in below and above it

    runs = [a.fold.authorship(), b.fold.authorship(), c.fold.authorship()]

    assert a.fold.text == b.fold.text == c.fold.text
    assert runs[0] == runs[1] == runs[2]
    assert {r.edit_id for r in runs[0]} >= {"a2", "b1", "b2", "c1"}
    assert "a1" not in {r.edit_id for r in runs[0]}  # b2 overwrote it: last writer wins
    assert a.fold.status("a1") == EditStatus.SUPERSEDED
    for replica in (a, b, c):
        assert_exact_authorship(replica.fold)
