"""Operations: validation naming the field, JSON round trips, concurrency from `seen`."""

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from crdt_core import CharRef, InvalidOperation, Op, OpKind
from crdt_core._ops import MAX_OP_CHARS

REF = CharRef("init", 0)


def make(**changes: Any) -> Op:
    fields: dict[str, Any] = {
        "edit_id": "e1",
        "kind": OpKind.REPLACE,
        "document_id": "doc",
        "origin": 1,
        "seq": 2,
        "ts": 1_000,
        "text": "мир",
        "left": CharRef("init", 6),
        "first": CharRef("init", 7),
        "last": CharRef("init", 9),
    }
    fields.update(changes)
    return Op(**fields)


def full_op() -> Op:
    return Op(
        edit_id="правка-1 🙂",
        kind=OpKind.REPLACE,
        document_id="документ",
        origin=2,
        seq=7,
        ts=1_762_171_200_123,
        agent_id="редактор-3",
        tokens_used=42,
        text="Привет, мир! 👍🏽 «ёлочки» — тире\n",
        topic="тема 🚀",
        position="8:12",
        base_version=5,
        left=CharRef("init", 3),
        first=CharRef("e0", 0),
        last=CharRef("e0", 4),
        seen=((0, 3), (2, 6)),
    )


# -- validation --------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"edit_id": ""}, "edit_id", "must not be empty"),
        ({"document_id": ""}, "document_id", "must not be empty"),
        ({"origin": -1}, "origin", "must be a node index in 0..3"),
        ({"origin": 4}, "origin", "must be a node index in 0..3"),
        ({"seq": 0}, "seq", "must be at least 1"),
        ({"ts": -1}, "ts", "must not be negative"),
        ({"tokens_used": -5}, "tokens_used", "must not be negative"),
        ({"last": None}, "first", "first and last must be given together"),
        ({"first": None}, "first", "first and last must be given together"),
        (
            {"kind": OpKind.INIT, "first": None, "last": None},
            "left",
            "a init operation takes no anchors",
        ),
        ({"kind": OpKind.APPEND}, "left", "a append operation takes no anchors"),
        (
            {"kind": OpKind.REJECT, "reason": "устарело", "first": None, "last": None},
            "left",
            "a reject operation takes no anchors",
        ),
        (
            {"kind": OpKind.REJECT, "left": None, "first": None, "last": None},
            "reason",
            "a reject, and only a reject, carries a reason",
        ),
        ({"reason": "устарело"}, "reason", "a reject, and only a reject, carries a reason"),
        (
            {"kind": OpKind.APPEND, "left": None, "first": None, "last": None, "text": ""},
            "text",
            "an append must insert some text",
        ),
        ({"kind": OpKind.DELETE}, "text", "a delete kills a range and inserts nothing"),
        (
            {"kind": OpKind.DELETE, "text": "", "first": None, "last": None},
            "text",
            "a delete kills a range and inserts nothing",
        ),
        (
            {"text": ""},
            "text",
            "a replace must insert text (a delete removes a range)",
        ),
    ],
)
def test_validation_names_the_field(changes: dict[str, Any], field: str, message: str) -> None:
    with pytest.raises(InvalidOperation) as caught:
        make(**changes)

    assert caught.value.field == field
    assert caught.value.message == message
    assert str(caught.value) == f"{field}: {message}"


def test_text_longer_than_a_char_id_can_count_is_refused() -> None:
    with pytest.raises(InvalidOperation) as caught:
        make(text="а" * MAX_OP_CHARS)

    assert caught.value.field == "text"
    assert caught.value.message == f"must be shorter than {MAX_OP_CHARS} characters"


def test_valid_operations_of_every_kind() -> None:
    init = make(kind=OpKind.INIT, left=None, first=None, last=None, text="")
    append = make(kind=OpKind.APPEND, left=None, first=None, last=None, text="!")
    delete = make(kind=OpKind.DELETE, left=None, text="")
    insert = make(first=None, last=None, left=None)
    reject = make(kind=OpKind.REJECT, left=None, first=None, last=None, reason="устарело")

    assert [init.kind, append.kind, delete.kind, insert.kind, reject.kind] == [
        "init",
        "append",
        "delete",
        "replace",
        "reject",
    ]
    assert (init.has_range, delete.has_range, insert.has_range) == (False, True, False)
    assert make(origin=3, seq=1, ts=0, tokens_used=0).key == 3


# -- serialisation -----------------------------------------------------------------------
def test_to_dict_is_exact() -> None:
    assert full_op().to_dict() == {
        "edit_id": "правка-1 🙂",
        "kind": "replace",
        "document_id": "документ",
        "origin": 2,
        "seq": 7,
        "ts": 1_762_171_200_123,
        "agent_id": "редактор-3",
        "tokens_used": 42,
        "text": "Привет, мир! 👍🏽 «ёлочки» — тире\n",
        "topic": "тема 🚀",
        "reason": "",
        "position": "8:12",
        "base_version": 5,
        "left": ["init", 3],
        "first": ["e0", 0],
        "last": ["e0", 4],
        "seen": [[0, 3], [2, 6]],
    }


def test_round_trips_keep_cyrillic_and_emoji() -> None:
    op = full_op()

    assert Op.from_dict(op.to_dict()) == op
    assert Op.from_json(op.to_json()) == op
    assert "Привет, мир! 👍🏽" in op.to_json()  # not \u-escaped
    assert op.to_json().startswith('{"edit_id":"правка-1 🙂","kind":"replace",')


def test_from_dict_fills_optional_fields_with_defaults() -> None:
    op = Op.from_dict(
        {"edit_id": "i", "kind": "init", "document_id": "d", "origin": 0, "seq": 1, "ts": 5}
    )

    assert op == Op(edit_id="i", kind=OpKind.INIT, document_id="d", origin=0, seq=1, ts=5)
    assert (op.agent_id, op.tokens_used, op.text, op.topic, op.reason) == ("", 0, "", "", "")
    assert (op.position, op.base_version) == ("", 0)
    assert (op.left, op.first, op.last, op.seen) == (None, None, None, ())


ops = st.builds(
    Op,
    edit_id=st.text(min_size=1, max_size=8),
    kind=st.just(OpKind.REPLACE),
    document_id=st.text(min_size=1, max_size=8),
    origin=st.integers(0, 3),
    seq=st.integers(1, 10**9),
    ts=st.integers(0, 2**50),
    agent_id=st.text(max_size=8),
    tokens_used=st.integers(0, 10**6),
    text=st.text(min_size=1, max_size=20),
    topic=st.text(max_size=8),
    base_version=st.integers(0, 10**6),
    left=st.none() | st.builds(CharRef, st.text(max_size=5), st.integers(0, 2**24 - 1)),
    first=st.none(),
    last=st.none(),
    seen=st.lists(st.tuples(st.integers(0, 3), st.integers(0, 10**6)), max_size=4).map(tuple),
)


@settings(deadline=None)  # a shared, loaded machine: time is no property
@given(op=ops)
def test_json_round_trip_of_any_operation(op: Op) -> None:
    assert Op.from_json(op.to_json()) == op


def valid_dict(**changes: Any) -> dict[str, Any]:
    data = full_op().to_dict()
    data.update(changes)
    return data


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ([1, 2], "op", "must be a JSON object"),
        ("op", "op", "must be a JSON object"),
        (valid_dict(kind="rename"), "kind", "unknown operation kind 'rename'"),
        (valid_dict(kind=None), "kind", "unknown operation kind None"),
        (valid_dict(left="init:3"), "left", "must be [edit_id, k]"),
        (valid_dict(first=["e0"]), "first", "must be [edit_id, k]"),
        (valid_dict(last=["e0", 1, 2]), "last", "must be [edit_id, k]"),
        (valid_dict(last=[5, 1]), "last", "must be [edit_id, k]"),
        (valid_dict(left=["e0", "1"]), "left", "must be [edit_id, k]"),
        (valid_dict(left=["e0", True]), "left", "must be [edit_id, k]"),
        (valid_dict(seen={"0": 3}), "seen", "must be a list of [origin, seq] pairs"),
        (valid_dict(seen=[[0, 3, 4]]), "seen", "must be a list of [origin, seq] pairs"),
        (valid_dict(seen=[[0, "3"]]), "seen", "must be a list of [origin, seq] pairs"),
        (valid_dict(seen=[[0, False]]), "seen", "must be a list of [origin, seq] pairs"),
        (valid_dict(seen=[(0, 3)]), "seen", "must be a list of [origin, seq] pairs"),
        (valid_dict(edit_id=None), "edit_id", "must be str"),
        (valid_dict(edit_id=7), "edit_id", "must be str"),
        (valid_dict(document_id=b"doc"), "document_id", "must be str"),
        (valid_dict(origin="1"), "origin", "must be int"),
        (valid_dict(origin=True), "origin", "must be int"),
        (valid_dict(seq=2.0), "seq", "must be int"),
        (valid_dict(ts=None), "ts", "must be int"),
        (valid_dict(agent_id=1), "agent_id", "must be str"),
        (valid_dict(tokens_used="42"), "tokens_used", "must be int"),
        (valid_dict(text=["a"]), "text", "must be str"),
        (valid_dict(topic=None), "topic", "must be str"),
        (valid_dict(reason=0), "reason", "must be str"),
        (valid_dict(position=None), "position", "must be str"),
        (valid_dict(base_version=False), "base_version", "must be int"),
        (valid_dict(seq=0), "seq", "must be at least 1"),
    ],
)
def test_from_dict_refuses_wrong_types_naming_the_field(
    data: Any, field: str, message: str
) -> None:
    with pytest.raises(InvalidOperation) as caught:
        Op.from_dict(data)

    assert (caught.value.field, caught.value.message) == (field, message)


@pytest.mark.parametrize("missing", ["edit_id", "document_id", "origin", "seq", "ts"])
def test_from_dict_refuses_a_missing_required_field(missing: str) -> None:
    data = valid_dict()
    del data[missing]

    with pytest.raises(InvalidOperation) as caught:
        Op.from_dict(data)

    assert caught.value.field == missing


def test_from_dict_refuses_a_missing_kind() -> None:
    data = valid_dict()
    del data["kind"]

    with pytest.raises(InvalidOperation, match=r"^kind: unknown operation kind None$"):
        Op.from_dict(data)


def test_from_json_refuses_invalid_json() -> None:
    with pytest.raises(InvalidOperation) as caught:
        Op.from_json('{"edit_id": ')

    assert caught.value.field == "op"
    assert caught.value.message.startswith("not valid JSON: Expecting value")


def test_char_ref_json() -> None:
    assert CharRef("правка", 3).to_json() == ["правка", 3]
    assert CharRef.from_json(["правка", 3], "left") == CharRef("правка", 3)


# -- concurrency -------------------------------------------------------------------------
def test_seen_seq_reads_the_watermark_of_an_origin() -> None:
    op = make(seen=((0, 3), (2, 6)))

    assert (op.seen_seq(0), op.seen_seq(1), op.seen_seq(2), op.seen_seq(3)) == (3, 0, 6, 0)


def test_is_concurrent_with_compares_the_other_seq_to_what_was_seen() -> None:
    op = make(origin=1, seq=4, seen=((0, 3), (1, 3), (2, 6)))

    assert not op.is_concurrent_with(make(origin=0, seq=3))  # seen
    assert op.is_concurrent_with(make(origin=0, seq=4))  # not seen yet
    assert not op.is_concurrent_with(make(origin=2, seq=1))
    assert op.is_concurrent_with(make(origin=2, seq=7))
    assert op.is_concurrent_with(make(origin=3, seq=1))  # nothing of origin 3 seen
    assert not op.is_concurrent_with(make(origin=1, seq=9))  # same origin: never concurrent
