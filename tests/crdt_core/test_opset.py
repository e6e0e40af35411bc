"""The op set: copies of one edit, tokens, watermarks, catch-up and documents."""

from typing import Any

import pytest

from crdt_core import Added, CharRef, EditStatus, Op, OpKind, OpSet


def op(origin: int, seq: int, ts: int, **changes: Any) -> Op:
    fields: dict[str, Any] = {
        "edit_id": f"e{origin}.{seq}",
        "kind": OpKind.APPEND,
        "document_id": "doc",
        "origin": origin,
        "seq": seq,
        "ts": ts,
        "text": f"[{origin}.{seq}]",
        "tokens_used": 10,
    }
    fields.update(changes)
    return Op(**fields)


def init(origin: int = 0, seq: int = 1, ts: int = 1, **changes: Any) -> Op:
    fields: dict[str, Any] = {
        "edit_id": "init",
        "kind": OpKind.INIT,
        "text": "Привет",
        "topic": "тема",
        "tokens_used": 0,
    }
    fields.update(changes)
    return op(origin, seq, ts, **fields)


def keys(ops: list[Op]) -> list[int]:
    return [o.key for o in ops]


def test_an_empty_set() -> None:
    opset = OpSet()

    assert (len(opset), opset.tokens_used, opset.fold, opset.watermark()) == (0, 0, None, {})
    assert opset.since_version(0) == []
    assert opset.missing({}) == []
    assert opset.seen() == ()
    assert opset.next_seq(2) == 1
    assert opset.document is not None
    assert len(opset.document) == 0
    assert OpSet(keep_document=False).document is None


def test_new_and_duplicate() -> None:
    opset = OpSet()
    first = init()

    assert opset.add(first) == Added.NEW
    assert opset.add(first) == Added.DUPLICATE
    assert opset.add(op(1, 1, 5)) == Added.NEW
    assert opset.add_many([op(1, 1, 5), op(1, 2, 6)]) == [Added.DUPLICATE, Added.NEW]
    assert len(opset) == 3
    assert first.key in opset
    assert first.key + 1 not in opset
    assert opset.fold is not None
    assert opset.fold.text == "Привет[1.1][1.2]"
    assert opset.document is not None
    assert len(opset.document) == 3
    assert all(o.key in opset.document for o in opset.all_ops())


def test_a_copy_with_a_higher_key_is_shadowed() -> None:
    opset = OpSet()
    opset.add(init())
    lower = op(1, 1, 5, edit_id="retry", tokens_used=7)
    higher = op(2, 1, 6, edit_id="retry", tokens_used=7)

    assert opset.add(lower) == Added.NEW
    assert opset.add(higher) == Added.SHADOWED
    assert opset.winner("retry", "doc") == lower
    assert opset.tokens_used == 7  # counted once
    assert keys(opset.all_ops()) == [init().key, lower.key, higher.key]
    assert keys(opset.edits()) == [init().key, lower.key]
    assert opset.fold is not None
    assert opset.fold.text == "Привет[1.1]"
    assert opset.watermark() == {0: 1, 1: 1, 2: 1}  # the shadowed copy still counts here


def test_a_copy_with_a_lower_key_arriving_later_swaps() -> None:
    opset = OpSet()
    opset.add(init())
    opset.add(op(1, 1, 5))
    higher = op(2, 1, 9, edit_id="retry", tokens_used=7, text="!")
    lower = op(1, 2, 6, edit_id="retry", tokens_used=5, text="!")

    assert opset.add(higher) == Added.NEW
    assert opset.tokens_used == 17
    assert opset.add(lower) == Added.SWAPPED
    assert opset.winner("retry", "doc") == lower
    assert opset.tokens_used == 15  # the copy that counts now
    assert opset.fold is not None
    assert [o.key for o in opset.fold.ops()] == [init().key, op(1, 1, 5).key, lower.key]
    assert opset.fold.text == "Привет[1.1]!"


def test_both_copies_in_one_batch_fold_the_lower_one_only() -> None:
    opset = OpSet()
    opset.add(init())
    higher = op(2, 1, 9, edit_id="retry", text="!")
    lower = op(1, 1, 6, edit_id="retry", text="!")

    assert opset.add_many([higher, lower]) == [Added.NEW, Added.SWAPPED]
    assert opset.fold is not None
    assert [o.edit_id for o in opset.fold.ops()] == ["init", "retry"]
    assert opset.fold.op_at(2) == lower
    assert opset.fold.text == "Привет!"
    assert opset.tokens_used == 10


def test_copies_of_one_edit_in_two_documents_are_two_edits() -> None:
    opset = OpSet()
    opset.add(init())
    lower = op(0, 2, 5, edit_id="retry")  # accepted on the old document
    opset.add(init(1, 1, 20, edit_id="init-2", document_id="doc2", text="Новый"))
    higher = op(2, 1, 30, edit_id="retry", document_id="doc2")  # the retry, on the new one

    assert opset.add(higher) == Added.NEW
    assert opset.add(lower) == Added.NEW  # no swap: the new document keeps its copy
    assert opset.fold is not None
    assert opset.fold.text == "Новый[2.1]"
    assert opset.winner("retry", "doc") == lower
    assert opset.winner("retry", "doc2") == higher
    assert opset.held("retry") == higher  # a retry answers the current document's copy
    assert opset.tokens_used == 20


def test_a_lower_copy_of_the_current_init_restarts_the_document() -> None:
    opset = OpSet()
    higher = init(2, 1, 9)
    opset.add(higher)
    opset.add(op(2, 2, 10))
    lower = init(1, 1, 4)

    assert opset.add(lower) == Added.SWAPPED
    assert opset.fold is not None
    assert opset.fold.init_key == lower.key
    assert opset.fold.text == "Привет[2.2]"


def test_a_new_init_replaces_the_document_and_old_document_ops_are_ignored() -> None:
    opset = OpSet()
    opset.add(init())
    opset.add(op(1, 1, 5))
    second = init(1, 2, 20, edit_id="init-2", document_id="doc2", text="Новый текст")

    assert opset.add(second) == Added.NEW
    assert opset.fold is not None
    assert (opset.fold.document_id, opset.fold.topic, opset.fold.text) == (
        "doc2",
        "тема",
        "Новый текст",
    )
    assert opset.add(op(2, 1, 21)) == Added.NEW  # an edit aimed at the old document
    assert opset.fold.text == "Новый текст"
    assert opset.fold.version == 1
    assert opset.tokens_used == 20  # still held and counted
    assert opset.add(op(2, 2, 22, document_id="doc2")) == Added.NEW
    assert opset.fold.text == "Новый текст[2.2]"
    assert opset.since_version(0) == [(1, second), (2, op(2, 2, 22, document_id="doc2"))]


def test_an_older_init_arriving_late_does_not_replace_the_document() -> None:
    opset = OpSet()
    opset.add(init(1, 1, 20, edit_id="init-2", document_id="doc2", text="Новый"))
    opset.add(op(1, 2, 21, document_id="doc2"))

    assert opset.add(init()) == Added.NEW
    assert opset.fold is not None
    assert (opset.fold.document_id, opset.fold.text) == ("doc2", "Новый[1.2]")


def test_edits_arriving_before_their_init_are_folded_when_it_arrives() -> None:
    opset = OpSet()

    assert opset.add_many([op(1, 1, 5), op(1, 2, 6, document_id="other")]) == [Added.NEW] * 2
    assert opset.fold is None
    assert opset.since_version(0) == []
    opset.add(init())
    assert opset.fold is not None
    assert opset.fold.text == "Привет[1.1]"


def test_a_batch_with_a_new_init_starts_from_everything_held() -> None:
    opset = OpSet()
    opset.add(init())
    batch = [
        op(1, 1, 25, document_id="doc2"),  # arrives before its init
        op(1, 2, 26),  # the old document: dropped from the batch
        init(2, 1, 20, edit_id="init-2", document_id="doc2", text="Новый"),
        op(1, 3, 27, document_id="doc2"),
    ]

    assert opset.add_many(batch) == [Added.NEW] * 4
    assert opset.fold is not None
    assert opset.fold.init_key == batch[2].key
    assert opset.fold.text == "Новый[1.1][1.3]"


def test_watermark_with_gaps_and_next_seq() -> None:
    opset = OpSet()
    opset.add(init())
    opset.add_many([op(1, 1, 5), op(1, 2, 6), op(1, 4, 8), op(1, 6, 10)])

    assert opset.watermark() == {0: 1, 1: 2}
    assert opset.seen() == ((0, 1), (1, 2))
    assert opset.next_seq(0) == 2
    assert opset.next_seq(3) == 1
    opset.add(op(1, 3, 7))
    assert opset.watermark() == {0: 1, 1: 4}
    opset.add(op(1, 5, 9))
    assert opset.watermark() == {0: 1, 1: 6}
    assert opset.next_seq(1) == 7


def test_missing_answers_every_op_above_a_watermark_in_key_order() -> None:
    opset = OpSet()
    opset.add(init())
    ops = [op(1, 1, 5), op(2, 1, 4), op(1, 2, 7), op(2, 2, 6), op(2, 3, 8)]
    opset.add_many(ops)

    assert keys(opset.missing({})) == keys(sorted([init(), *ops], key=lambda o: o.key))
    assert keys(opset.missing({0: 1, 1: 1, 2: 2})) == [op(1, 2, 7).key, op(2, 3, 8).key]
    assert opset.missing({0: 1, 1: 2, 2: 3}) == []
    assert opset.missing({0: 5, 1: 9, 2: 9}) == []


def test_missing_includes_ops_held_beyond_a_gap() -> None:
    opset = OpSet()
    opset.add(init())
    opset.add_many([op(1, 1, 5), op(1, 2, 6), op(1, 4, 8), op(1, 5, 9)])

    assert keys(opset.missing({0: 1, 1: 1})) == keys([op(1, 2, 6), op(1, 4, 8), op(1, 5, 9)])


def test_since_version_is_dense_over_the_current_document() -> None:
    opset = OpSet()
    first = init()
    ops = [op(1, 1, 5), op(2, 1, 3), op(1, 2, 7)]
    opset.add(first)
    opset.add_many(ops)

    assert opset.since_version(0) == [(1, first), (2, ops[1]), (3, ops[0]), (4, ops[2])]
    assert opset.since_version(2) == [(3, ops[0]), (4, ops[2])]
    assert opset.since_version(4) == []
    assert opset.since_version(10) == []


def test_tokens_of_every_edit_held_counted_once() -> None:
    opset = OpSet()
    opset.add(init(tokens_used=3))
    opset.add_many(
        [
            op(1, 1, 5, tokens_used=100),
            op(2, 1, 6, tokens_used=0),
            op(1, 2, 7, edit_id="e2.1", tokens_used=0),  # a shadowed copy
            op(3, 1, 8, tokens_used=5, document_id="old"),  # another document still counts
        ]
    )

    assert opset.tokens_used == 108


def test_a_reject_record_is_held_replicated_and_never_folded() -> None:
    opset = OpSet()
    opset.add(init())
    reject = op(1, 1, 5, kind=OpKind.REJECT, reason="устарело", text="", tokens_used=50)
    lower = op(2, 1, 4, kind=OpKind.REJECT, reason="тоже", text="", edit_id="e1.1")

    assert opset.held("e1.1") is None
    assert opset.add(reject) == Added.NEW
    assert opset.add(reject) == Added.DUPLICATE
    assert opset.held("e1.1") == reject
    assert opset.rejections() == [reject]
    assert opset.tokens_used == 0
    assert opset.fold is not None
    assert opset.fold.version == 1
    assert opset.watermark() == {0: 1, 1: 1}
    assert opset.add(lower) == Added.NEW
    assert opset.held("e1.1") == lower  # the lowest key counts
    assert opset.rejections() == [lower]
    accepted = op(3, 1, 9, edit_id="e1.1")  # accepted elsewhere after all
    assert opset.add(accepted) == Added.NEW
    assert opset.held("e1.1") == accepted
    assert opset.rejections() == []
    assert opset.fold.text == "Привет[3.1]"


def test_get_finds_an_op_by_key() -> None:
    opset = OpSet()
    first = init()
    opset.add(first)

    assert opset.get(first.key) == first
    assert opset.get(first.key + 1) is None


def test_a_fold_of_ranged_edits_from_a_set() -> None:
    opset = OpSet(keep_document=False)
    opset.add(init())
    delete = op(
        1, 1, 5, kind=OpKind.DELETE, text="", first=CharRef("init", 0), last=CharRef("init", 1)
    )
    opset.add(delete)

    assert opset.fold is not None
    assert opset.fold.text == "ивет"
    assert opset.fold.status(delete.edit_id) == EditStatus.ACCEPTED


@pytest.mark.parametrize("keep_document", [True, False])
def test_the_op_document_mirrors_the_set(keep_document: bool) -> None:
    opset = OpSet(keep_document=keep_document)
    opset.add_many([init(), op(1, 1, 5), op(1, 1, 5)])

    if keep_document:
        assert opset.document is not None
        assert len(opset.document) == 2
    else:
        assert opset.document is None


def test_next_seq_never_reuses_a_held_sequence_number() -> None:
    opset = OpSet(keep_document=False)
    for seq in (1, 3):  # op 2 still in flight
        kind = OpKind.INIT if seq == 1 else OpKind.APPEND
        opset.add(
            Op(edit_id=f"s{seq}", kind=kind, document_id="d", origin=0, seq=seq, ts=seq, text="x")
        )
    assert opset.next_seq(0) == 4


def test_missing_returns_ops_held_beyond_a_gap() -> None:
    opset = OpSet(keep_document=False)
    for seq in (1, 2, 5):
        opset.add(
            Op(
                edit_id=f"s{seq}",
                kind=OpKind.APPEND,
                document_id="d",
                origin=1,
                seq=seq,
                ts=10 + seq,
                text="x",
            )
        )
    assert [op.seq for op in opset.missing({1: 3})] == [5]
