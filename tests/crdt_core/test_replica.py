"""A replica: agents' edits into operations, stale reads refused, peers' updates, restore."""

import gc

import pytest

from crdt_core import (
    Added,
    CharRef,
    DiffError,
    EditStatus,
    InvalidPosition,
    Op,
    OpKind,
    Replica,
    version_key,
    write_update,
)

from .support import BASE_TEXT, Ticker, replicas


def test_no_document_yet() -> None:
    replica = Replica(1, Ticker())

    with pytest.raises(InvalidPosition) as caught:
        replica.accept_edit(edit_id="e1", position="end", text="!")
    assert (caught.value.field, caught.value.message) == (
        "document",
        "документ ещё не создан",
    )
    with pytest.raises(InvalidPosition, match="документ ещё не создан"):
        _ = replica.fold
    assert len(replica.opset) == 0


def test_init_document_is_a_local_operation() -> None:
    replica = Replica(2, Ticker(5_000))
    op = replica.init_document(edit_id="init", document_id="doc", topic="тема", text=BASE_TEXT)

    assert op == Op(
        edit_id="init",
        kind=OpKind.INIT,
        document_id="doc",
        origin=2,
        seq=1,
        ts=5_001,
        text=BASE_TEXT,
        topic="тема",
    )
    assert op.key == version_key(5_001, 2)
    assert replica.fold.text == BASE_TEXT
    assert op.key in replica.opset.document  # written into the node's Doc
    assert replica.opset.watermark() == {2: 1}


def test_accept_edit_makes_an_operation_with_ids_and_the_watermark() -> None:
    a, b = replicas(2)
    remote = a.accept_edit(edit_id="a1", position="end", text=" Пока.")
    b.receive([remote])
    op = b.accept_edit(
        edit_id="b1",
        position="8:11",
        text="свет",
        agent_id="редактор",
        tokens_used=42,
        base_version=1,
    )

    assert op == Op(
        edit_id="b1",
        kind=OpKind.REPLACE,
        document_id="doc",
        origin=1,
        seq=1,
        ts=1_003,
        agent_id="редактор",
        tokens_used=42,
        text="свет",
        position="8:11",
        base_version=1,
        left=CharRef("init", 7),
        first=CharRef("init", 8),
        last=CharRef("init", 10),
        seen=((0, 2),),
    )
    assert b.fold.text == "Привет, свет! Пока."
    assert b.opset.tokens_used == 42
    second = b.accept_edit(edit_id="b2", position="0:8", text="")
    assert (second.kind, second.seq, second.base_version) == (OpKind.DELETE, 2, 3)
    assert (second.left, second.first, second.last) == (
        None,
        CharRef("init", 0),
        CharRef("init", 7),
    )
    third = b.accept_edit(edit_id="b3", position="end", text="!")
    assert (third.kind, third.seq, third.left, third.first) == (OpKind.APPEND, 3, None, None)
    assert b.fold.text == "свет! Пока.!"


def test_accept_edit_is_idempotent_by_edit_id() -> None:
    [node] = replicas(1)
    first = node.accept_edit(edit_id="e1", position="end", text="!", tokens_used=5)
    clock = node.clock.last_ts

    again = node.accept_edit(edit_id="e1", position="0:3", text="другое", tokens_used=9)
    assert again == first
    assert node.clock.last_ts == clock
    assert len(node.opset) == 2
    assert node.opset.tokens_used == 5
    assert node.fold.text == "Привет, мир!!"


def test_a_stale_read_becomes_a_replicated_reject_record() -> None:
    a, b = replicas(2)
    a.accept_edit(edit_id="e1", position="0:6", text="Здравствуй")
    reject = a.accept_edit(
        edit_id="e2", position="0:3", text="Ну", agent_id="агент", tokens_used=7, base_version=1
    )

    assert reject.kind == OpKind.REJECT
    assert reject.reason == (
        "фрагмент 0:3 версии 1 уже изменила правка e1 (версия 2); перечитайте документ"
    )
    assert (reject.seq, reject.base_version, reject.text, reject.tokens_used) == (3, 1, "Ну", 7)
    assert (reject.position, reject.agent_id) == ("0:3", "агент")
    assert a.fold.text == "Здравствуй, мир!"
    assert a.fold.status("e2") is None
    assert a.opset.held("e2") == reject
    assert a.opset.rejections() == [reject]
    assert a.opset.tokens_used == 0
    assert a.accept_edit(edit_id="e2", position="end", text="!") == reject  # a retry
    b.receive(a.opset.all_ops())
    assert b.opset.rejections() == [reject]
    assert b.fold.text == a.fold.text


def test_a_base_version_given_by_key() -> None:
    a, b = replicas(2)
    first = a.accept_edit(edit_id="e1", position="0:6", text="Здравствуй")
    init_key = a.fold.init_key

    by_key = a.accept_edit(edit_id="e2", position="8:11", text="свет", base_version_key=init_key)
    assert (by_key.kind, by_key.base_version, by_key.first) == (
        OpKind.REPLACE,
        1,
        CharRef("init", 8),
    )
    stale = a.accept_edit(edit_id="e3", position="0:3", text="Ну", base_version_key=init_key)
    assert stale.kind == OpKind.REJECT
    assert "уже изменила правка e1" in stale.reason
    unknown = b.accept_edit(edit_id="e4", position="end", text="!", base_version_key=first.key)
    assert unknown.kind == OpKind.REJECT
    assert unknown.reason == (
        f"версии с ключом {first.key} на этом узле ещё нет; перечитайте документ"
    )
    assert (unknown.base_version, unknown.position) == (0, "end")
    assert b.fold.text == BASE_TEXT
    assert a.fold.text == "Здравствуй, свет!"


def test_malformed_input_records_nothing() -> None:
    [node] = replicas(1)

    for position, text in [("end", ""), ("5:2", "x"), ("0:50", "x"), ("3:3", ""), ("x", "y")]:
        with pytest.raises(InvalidPosition):
            node.accept_edit(edit_id="bad", position=position, text=text)
    with pytest.raises(InvalidPosition, match="base_version: должна быть от 1 до 1, получено 2"):
        node.accept_edit(edit_id="bad", position="end", text="!", base_version=2)
    assert len(node.opset) == 1
    assert node.opset.next_seq(0) == 2
    assert node.accept_edit(edit_id="bad", position="end", text="!").seq == 2


def test_receive_advances_the_clock_past_remote_ops() -> None:
    ahead = Replica(1, Ticker(90_000))
    behind = Replica(0, Ticker(1_000))
    init = ahead.init_document(edit_id="init", document_id="doc", topic="", text="абв")

    assert behind.receive([init, init]) == [Added.NEW, Added.DUPLICATE]
    assert behind.clock.last_ts == 90_001
    local = behind.accept_edit(edit_id="e1", position="end", text="г")
    assert local.ts == 90_002
    assert local.key > init.key
    assert behind.fold.text == "абвг"


def test_receive_takes_any_order_and_duplicates() -> None:
    a, b = replicas(2)
    ops = [a.accept_edit(edit_id=f"e{i}", position="end", text=str(i)) for i in range(4)]
    ops.append(a.accept_edit(edit_id="cut", position="12:14", text=""))

    assert b.receive(list(reversed(ops))) == [Added.NEW] * 5
    assert b.receive(ops) == [Added.DUPLICATE] * 5
    assert b.fold.text == a.fold.text == "Привет, мир!23"
    assert b.fold.status("cut") == EditStatus.ACCEPTED
    assert [op.edit_id for op in b.fold.ops()] == ["init", "e0", "e1", "e2", "e3", "cut"]


def test_a_retry_accepted_on_two_nodes_collapses_to_one_edit() -> None:
    a, b = replicas(2)
    first = a.accept_edit(edit_id="retry", position="end", text=" Пока.", tokens_used=10)
    second = b.accept_edit(edit_id="retry", position="end", text=" Пока.", tokens_used=10)
    a.receive([second])
    b.receive([first])

    for node in (a, b):
        assert node.fold.text == "Привет, мир! Пока."
        assert node.opset.winner("retry", "doc") == first
        assert node.opset.held("retry") == first
        assert node.opset.tokens_used == 10
        assert len(node.opset) == 3


def test_the_init_is_version_one_even_when_a_retried_copy_has_a_higher_key() -> None:
    """A client retried the init on node b after node a accepted it and node c edited it."""
    a = Replica(0, Ticker(1_000))
    b = Replica(1, Ticker(1_100))
    c = Replica(2, Ticker(1_001))
    c.receive([a.init_document(edit_id="init", document_id="doc", topic="", text="Привет, мир!")])
    edit = c.accept_edit(edit_id="e", position="8:11", text="свет")
    retried = b.init_document(edit_id="init", document_id="doc", topic="", text="Привет, мир!")
    assert edit.key < retried.key
    b.receive([edit])  # without a's copy of the init
    assert b.fold.op_at(1).kind == OpKind.INIT
    assert b.fold.init_key == retried.key
    assert b.fold.text_at(1) == "Привет, мир!"
    assert b.fold.text == "Привет, свет!"


# -- Yjs updates and the persisted log ---------------------------------------------------
def test_receive_update_folds_what_became_visible_and_observes_timestamps() -> None:
    a = Replica(0, Ticker(50_000))
    b = Replica(1, Ticker(1_000))
    a.init_document(edit_id="init", document_id="doc", topic="", text="абв")
    a.accept_edit(edit_id="e1", position="end", text="г")
    init_update, edit_update = a.opset.drain_updates()

    assert b.receive_update(edit_update) == []  # waits for a's seq 1
    assert [op.key for op in b.opset.waiting()] == [a.opset.all_ops()[1].key]
    assert b.receive_update(init_update) == [(op, Added.NEW) for op in a.opset.all_ops()]
    assert b.receive_update(init_update) == []
    assert b.fold.text == "абвг"
    assert b.clock.last_ts == 50_002
    assert b.opset.watermark() == {0: 2}
    assert len(b.opset.drain_updates()) == 1


def test_receive_update_refuses_junk_and_changes_nothing() -> None:
    [a] = replicas(1)
    a.opset.drain_updates()
    before = a.opset.snapshot()

    for junk in (b"", b"\x01\x02\x03", b"\xff\xff\xff\xff\x0f", b"\x00\x00\x00"):
        with pytest.raises(DiffError):
            a.receive_update(junk)
    assert a.opset.snapshot() == before
    assert a.opset.drain_updates() == []
    assert a.fold.text == BASE_TEXT


def test_restore_from_the_log_in_any_order_equals_the_replica_that_never_crashed() -> None:
    ticker = Ticker()
    a, b = replicas(2, ticker=ticker)
    log = a.opset.drain_updates()
    for i in range(3):
        a.accept_edit(edit_id=f"a{i}", position="end", text=f" а{i}")
        b.accept_edit(edit_id=f"b{i}", position="0:1", text=f"б{i}")
        a.receive_update(b.opset.update_since(a.opset.state_vector()))
        log += a.opset.drain_updates()
    compacted = [a.opset.snapshot()]

    for persisted in (log, list(reversed(log)), compacted, [*compacted, *log[2:]]):
        restored = Replica.restore(0, ticker, persisted)
        assert restored.opset.drain_updates() == []
        assert restored.fold.text == a.fold.text
        assert restored.fold.history() == a.fold.history()
        assert restored.opset.state_vector() == a.opset.state_vector()
        assert restored.opset.all_ops() == a.opset.all_ops()
        assert restored.opset.snapshot() == a.opset.snapshot()
        op = restored.accept_edit(edit_id="next", position="end", text="!")
        assert (op.seq, op.key > max(o.key for o in a.opset.all_ops())) == (5, True)
        assert restored.opset.drain_updates() == [write_update([op])]


def test_restore_refuses_a_junk_log() -> None:
    with pytest.raises(DiffError):
        Replica.restore(0, Ticker(), [b"\x00\x00", b"junk"])


def test_one_edit_accepted_on_two_nodes_collapses_over_the_sync_exchange() -> None:
    a, b = replicas(2)
    first = a.accept_edit(edit_id="retry", position="end", text=" Пока.", tokens_used=10)
    b.accept_edit(edit_id="retry", position="end", text=" Пока.", tokens_used=10)

    b_gets = b.receive_update(a.opset.update_since(b.opset.state_vector()))
    a_gets = a.receive_update(b.opset.update_since(a.opset.state_vector()))
    assert [added for _, added in b_gets] == [Added.SWAPPED]
    assert [added for _, added in a_gets] == [Added.SHADOWED]
    for node in (a, b):
        assert node.opset.winner("retry", "doc") == first
        assert node.opset.tokens_used == 10
        assert node.fold.text == "Привет, мир! Пока."
    assert a.opset.snapshot() == b.opset.snapshot()


def test_a_replicas_structures_are_acyclic() -> None:
    """Nothing a document holds needs the cycle collector: dropped, it is freed by reference
    counting (what lets a node freeze the survivors of full collections, text_node.heap)."""
    gc.collect()
    gc.disable()
    try:
        a, b = replicas(2)
        for n in range(60):  # concurrent edits, exchanged late: b rewinds and replays
            a.accept_edit(edit_id=f"a{n}", position="end", text="Ещё шаг. ", agent_id="x")
            b.accept_edit(edit_id=f"b{n}", position="0:0", text="Начало. ", agent_id="y")
        b.receive(a.opset.all_ops())
        a.receive(b.opset.all_ops())
        assert a.fold.text == b.fold.text
        a.init_document(edit_id="again", document_id="doc2", topic="тема", text="Новый.")
        b.receive(a.opset.all_ops())
        del a, b
        assert gc.collect() == 0
    finally:
        gc.enable()
