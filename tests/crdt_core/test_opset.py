"""The op set: copies of one edit, tokens, watermarks, catch-up, documents, its Yjs side."""

from typing import Any

import pytest

from crdt_core import (
    Added,
    CharRef,
    DiffError,
    EditStatus,
    InvalidOperation,
    Op,
    OpKind,
    OpSet,
    read_state_vector,
    write_update,
)


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
    opset = OpSet(0)

    assert (len(opset), opset.tokens_used, opset.fold, opset.watermark()) == (0, 0, None, {})
    assert opset.since_version(0) == []
    assert opset.missing({}) == []
    assert opset.seen() == ()
    assert opset.next_seq(2) == 1
    assert len(opset.document) == 0
    assert opset.waiting() == []
    assert opset.drain_updates() == []


def test_new_and_duplicate() -> None:
    opset = OpSet(0)
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
    assert len(opset.document) == 3
    assert all(o.key in opset.document for o in opset.all_ops())


def test_a_copy_with_a_higher_key_is_shadowed() -> None:
    opset = OpSet(0)
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
    opset = OpSet(0)
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
    opset = OpSet(0)
    opset.add(init())
    higher = op(2, 1, 9, edit_id="retry", text="!")
    lower = op(1, 1, 6, edit_id="retry", text="!")

    # one update: its ops are held in key order, so the lower copy comes first
    assert opset.add_many([higher, lower]) == [Added.SHADOWED, Added.NEW]
    assert opset.fold is not None
    assert [o.edit_id for o in opset.fold.ops()] == ["init", "retry"]
    assert opset.fold.op_at(2) == lower
    assert opset.fold.text == "Привет!"
    assert opset.tokens_used == 10


def test_copies_of_one_edit_in_two_documents_are_two_edits() -> None:
    opset = OpSet(0)
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
    opset = OpSet(0)
    higher = init(2, 1, 9)
    opset.add(higher)
    opset.add(op(2, 2, 10))
    lower = init(1, 1, 4)

    assert opset.add(lower) == Added.SWAPPED
    assert opset.fold is not None
    assert opset.fold.init_key == lower.key
    assert opset.fold.text == "Привет[2.2]"


def test_a_new_init_replaces_the_document_and_old_document_ops_are_ignored() -> None:
    opset = OpSet(0)
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
    opset = OpSet(0)
    opset.add(init(1, 1, 20, edit_id="init-2", document_id="doc2", text="Новый"))
    opset.add(op(1, 2, 21, document_id="doc2"))

    assert opset.add(init()) == Added.NEW
    assert opset.fold is not None
    assert (opset.fold.document_id, opset.fold.text) == ("doc2", "Новый[1.2]")


def test_edits_arriving_before_their_init_are_folded_when_it_arrives() -> None:
    opset = OpSet(0)

    assert opset.add_many([op(1, 1, 5), op(1, 2, 6, document_id="other")]) == [Added.NEW] * 2
    assert opset.fold is None
    assert opset.since_version(0) == []
    opset.add(init())
    assert opset.fold is not None
    assert opset.fold.text == "Привет[1.1]"


def test_a_batch_with_a_new_init_starts_from_everything_held() -> None:
    opset = OpSet(0)
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


def test_ops_beyond_a_gap_wait_until_it_is_filled() -> None:
    opset = OpSet(0)
    opset.add(init())
    added = opset.add_many([op(1, 1, 5), op(1, 2, 6), op(1, 4, 8), op(1, 6, 10)])

    assert added == [Added.NEW, Added.NEW, Added.WAITING, Added.WAITING]
    assert opset.watermark() == {0: 1, 1: 2}
    assert opset.seen() == ((0, 1), (1, 2))
    assert opset.next_seq(0) == 2
    assert opset.next_seq(1) == 3
    assert opset.next_seq(3) == 1
    assert keys(opset.waiting()) == keys([op(1, 4, 8), op(1, 6, 10)])
    assert op(1, 4, 8).key not in opset
    assert op(1, 4, 8).key in opset.document  # in the Doc, not in the op set
    assert opset.fold is not None
    assert opset.fold.text == "Привет[1.1][1.2]"
    assert opset.add(op(1, 4, 8)) == Added.WAITING  # a duplicate of a waiting op still waits
    assert opset.add(op(1, 3, 7)) == Added.NEW
    assert opset.watermark() == {0: 1, 1: 4}
    assert op(1, 4, 8).key in opset
    assert opset.fold.text == "Привет[1.1][1.2][1.3][1.4]"
    assert opset.add(op(1, 5, 9)) == Added.NEW
    assert opset.watermark() == {0: 1, 1: 6}
    assert opset.waiting() == []
    assert opset.next_seq(1) == 7
    assert opset.watermark() == read_state_vector(opset.state_vector())


def test_missing_answers_every_op_above_a_watermark_in_key_order() -> None:
    opset = OpSet(0)
    opset.add(init())
    ops = [op(1, 1, 5), op(2, 1, 4), op(1, 2, 7), op(2, 2, 6), op(2, 3, 8)]
    opset.add_many(ops)

    assert keys(opset.missing({})) == keys(sorted([init(), *ops], key=lambda o: o.key))
    assert keys(opset.missing({0: 1, 1: 1, 2: 2})) == [op(1, 2, 7).key, op(2, 3, 8).key]
    assert opset.missing({0: 1, 1: 2, 2: 3}) == []
    assert opset.missing({0: 5, 1: 9, 2: 9}) == []


def test_missing_leaves_out_ops_waiting_beyond_a_gap_and_update_since_carries_them() -> None:
    opset = OpSet(0)
    opset.add(init())
    opset.add_many([op(1, 1, 5), op(1, 2, 6), op(1, 4, 8), op(1, 5, 9)])

    assert keys(opset.missing({0: 1, 1: 1})) == keys([op(1, 2, 6)])
    peer = OpSet(2)
    peer.add_many([init(), op(1, 1, 5)])
    peer.apply_update(opset.update_since(peer.state_vector()))
    assert peer.watermark() == {0: 1, 1: 2}
    assert keys(peer.waiting()) == keys([op(1, 4, 8), op(1, 5, 9)])


def test_since_version_is_dense_over_the_current_document() -> None:
    opset = OpSet(0)
    first = init()
    ops = [op(1, 1, 5), op(2, 1, 3), op(1, 2, 7)]
    opset.add(first)
    opset.add_many(ops)

    assert opset.since_version(0) == [(1, first), (2, ops[1]), (3, ops[0]), (4, ops[2])]
    assert opset.since_version(2) == [(3, ops[0]), (4, ops[2])]
    assert opset.since_version(4) == []
    assert opset.since_version(10) == []


def test_tokens_of_every_edit_held_counted_once() -> None:
    opset = OpSet(0)
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
    opset = OpSet(0)
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
    opset = OpSet(0)
    first = init()
    opset.add(first)

    assert opset.get(first.key) == first
    assert opset.get(first.key + 1) is None


def test_a_fold_of_ranged_edits_from_a_set() -> None:
    opset = OpSet(0)
    opset.add(init())
    delete = op(
        1, 1, 5, kind=OpKind.DELETE, text="", first=CharRef("init", 0), last=CharRef("init", 1)
    )
    opset.add(delete)

    assert opset.fold is not None
    assert opset.fold.text == "ивет"
    assert opset.fold.status(delete.edit_id) == EditStatus.ACCEPTED


def test_the_op_document_mirrors_the_set() -> None:
    opset = OpSet(0)
    opset.add_many([init(), op(1, 1, 5), op(1, 1, 5)])

    assert len(opset.document) == 2
    assert all(o.key in opset.document for o in opset.all_ops())


def test_a_node_holding_its_own_op_beyond_a_gap_writes_only_once_a_peer_fills_it() -> None:
    """Seq 3 of this node came back from a peer but seq 2 did not (a lost log): Yjs would
    write the next op after seq 3 and never fill the gap, so the write is refused."""
    opset = OpSet(0)
    made = [
        Op(edit_id=f"s{seq}", kind=kind, document_id="d", origin=0, seq=seq, ts=seq, text="x")
        for seq, kind in [(1, OpKind.INIT), (2, OpKind.APPEND), (3, OpKind.APPEND)]
    ]
    assert opset.add_many([made[0], made[2]]) == [Added.NEW, Added.WAITING]
    assert opset.next_seq(0) == 2

    with pytest.raises(InvalidOperation, match=r"holds its own seq 3 but not seq 2: catch up"):
        opset.write(made[1])
    assert opset.add(made[1]) == Added.NEW  # from a peer
    assert opset.next_seq(0) == 4
    assert keys(opset.all_ops()) == keys(made)
    opset.write(op(0, 4, 9))
    assert opset.watermark() == {0: 4}


@pytest.mark.parametrize(("origin", "seq"), [(1, 2), (0, 1), (0, 3)])
def test_a_write_must_be_the_next_op_of_this_node(origin: int, seq: int) -> None:
    opset = OpSet(0)
    opset.write(init())

    with pytest.raises(InvalidOperation, match=r"^seq: node 0 writes seq 2 next$"):
        opset.write(op(origin, seq, 9))
    assert len(opset) == 1
    assert opset.next_seq(0) == 2


# -- the Yjs side ------------------------------------------------------------------------
def test_the_sync_exchange_moves_only_what_the_other_lacks() -> None:
    left, right = OpSet(0), OpSet(1)
    left.write(init())
    left.add_many([op(2, 1, 5), op(2, 2, 6)])
    right.add_many([init(), op(2, 1, 5)])
    right.write(op(1, 1, 7))
    left.drain_updates()
    right.drain_updates()

    to_right = left.update_since(right.state_vector())
    assert op(2, 2, 6).to_json().encode() in to_right
    assert init().to_json().encode() not in to_right
    assert [(o.key, a) for o, a in right.apply_update(to_right)] == [(op(2, 2, 6).key, Added.NEW)]
    assert [(o.key, a) for o, a in left.apply_update(right.update_since(left.state_vector()))] == [
        (op(1, 1, 7).key, Added.NEW)
    ]
    for side in (left, right):
        assert side.watermark() == {0: 1, 1: 1, 2: 2}
        assert side.fold is not None
        assert side.fold.text == "Привет[2.1][2.2][1.1]"
        assert len(side.drain_updates()) == 1  # what the answer added
    assert right.apply_update(to_right) == []  # idempotent
    assert right.drain_updates() == []  # an update that added nothing is not logged
    assert left.snapshot() == right.snapshot()  # one content, one encoding


def test_drain_updates_logs_each_change_once_and_rebuilds_the_doc() -> None:
    opset = OpSet(0)
    opset.write(init())
    opset.add(op(1, 3, 7))  # waits for seq 1 and 2: nothing changed that the log needs
    log = opset.drain_updates()
    assert log == [write_update([init()])]
    opset.add(op(1, 1, 5))
    log += opset.drain_updates()
    assert len(log) == 2  # seq 1's update (Yjs adds what it holds beyond it: seq 3)
    opset.add(op(1, 2, 6))
    [filled] = opset.drain_updates()
    assert filled == write_update([op(1, 2, 6), op(1, 3, 7)])  # the gap and what waited on it

    rebuilt = OpSet(0)
    rebuilt.apply_updates([filled, *reversed(log)])
    assert rebuilt.snapshot() == opset.snapshot()
    assert keys(rebuilt.all_ops()) == keys(opset.all_ops())
    assert rebuilt.fold is not None
    assert rebuilt.fold.text == "Привет[1.1][1.2][1.3]"


def test_junk_changes_nothing() -> None:
    opset = OpSet(0)
    opset.write(init())
    opset.drain_updates()
    before = opset.snapshot()

    with pytest.raises(DiffError):
        opset.apply_update(b"\x01\x02\x03")
    with pytest.raises(DiffError):  # a good op after a bad one: all or nothing
        opset.apply_updates([write_update([op(1, 1, 5)]), b"\x00"])
    with pytest.raises(DiffError):
        opset.update_since(b"\x05\x01")
    assert opset.snapshot() == before
    assert (len(opset), opset.drain_updates(), opset.watermark()) == (1, [], {0: 1})
