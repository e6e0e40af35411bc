"""The op set's CRDT document: own writes, peers' updates checked first, the wire text."""

import asyncio
import base64

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from crdt_core import (
    MAX_UPDATE_CHARS,
    CharRef,
    DiffError,
    InvalidOperation,
    Op,
    OpDocument,
    OpKind,
    decode_update,
    encode_update,
    read_state_vector,
    write_update,
)
from crdt_core._document import _is_fatal
from crdt_core._update import _ITEM, _ROOT, _STRING, _string, _varuint


def make(origin: int, seq: int, **changes: object) -> Op:
    fields: dict[str, object] = {
        "edit_id": f"правка-{origin}.{seq}",
        "kind": OpKind.REPLACE,
        "document_id": "документ",
        "origin": origin,
        "seq": seq,
        "ts": 1_762_171_200_000 + 10 * seq + origin,
        "text": "«Ёлочки» — 👍🏽",
        "left": CharRef("init", 3),
        "first": CharRef("init", 4),
        "last": CharRef("init", 9),
    }
    fields.update(changes)
    return Op(**fields)  # type: ignore[arg-type]


def entry(client: int, clock: int, key: str, value: str) -> bytes:
    """An update of one map entry, written as a Doc would, whatever it holds."""
    item = bytes([_ITEM, _ROOT]) + _string("ops") + _string(key) + bytes([1, _STRING])
    head = _varuint(1) + _varuint(1) + _varuint(client) + _varuint(clock)
    return head + item + _string(value) + b"\x00"


def test_own_writes_take_one_clock_each() -> None:
    document = OpDocument(2)
    ops = [make(2, seq) for seq in (1, 2)]

    assert [document.write(op) for op in ops] == [[ops[0]], [ops[1]]]
    assert document.state() == {2: 2}
    assert document.clock(2) == 2
    assert read_state_vector(document.state_vector()) == {2: 2}
    assert document.drain_updates() == [write_update([op]) for op in ops]
    assert document.drain_updates() == []
    assert (len(document), ops[0].key in document, ops[0].key + 1 in document) == (2, True, False)


@pytest.mark.parametrize("op", [make(1, 1), make(2, 2), make(2, 1, ts=5)])
def test_a_write_that_is_not_the_next_op_of_the_node_is_refused(op: Op) -> None:
    document = OpDocument(2)
    if op.ts == 5:
        document.write(make(2, 1))

    with pytest.raises(InvalidOperation, match=r"^seq: node 2 writes seq \d next$"):
        document.write(op)


def test_a_write_never_overwrites_an_entry() -> None:
    document = OpDocument(2)
    document.write(make(2, 1))

    with pytest.raises(InvalidOperation, match=r"^ts: key \d+ is held already$"):
        document.write(make(2, 2, ts=make(2, 1).ts))  # a clock that went back
    assert document.state() == {2: 1}


def test_apply_returns_what_the_map_gained_even_beyond_a_gap() -> None:
    document = OpDocument(0)
    ops = [make(1, seq) for seq in (1, 2, 3)]

    assert document.apply(write_update([ops[2]])) == [ops[2]]
    assert document.state() == {1: 0}
    assert document.drain_updates() == []  # the state vector did not move
    assert sorted(document.apply(write_update(ops[:2])), key=lambda op: op.seq) == ops[:2]
    assert document.state() == {1: 3}
    assert document.apply(write_update(ops)) == []  # all held: Yjs skips them
    assert len(document.drain_updates()) == 1


def test_the_sync_exchange_and_a_snapshot() -> None:
    left, right = OpDocument(0), OpDocument(1)
    left.write(make(0, 1))
    left.apply(write_update([make(2, 1), make(2, 2)]))
    right.apply(write_update([make(2, 1)]))

    answer = left.update_since(right.state_vector())
    assert sorted(op.key for op in right.apply(answer)) == sorted([make(0, 1).key, make(2, 2).key])
    assert right.update_since(left.state_vector()) == b"\x00\x00"
    assert right.snapshot() == left.snapshot()
    rebuilt = OpDocument(1)
    rebuilt.apply(right.snapshot())
    assert rebuilt.state() == right.state() == {0: 1, 2: 2}


@pytest.mark.parametrize(
    ("update", "message"),
    [
        (b"\x01\x02\x03", "not a Yjs update of the op set: "),
        (entry(1, 0, "5", "{"), "update carries an invalid operation: op: not valid JSON"),
        (
            entry(1, 0, "5", make(1, 1).to_json().replace('"seq":1', '"seq":0')),
            "update carries an invalid operation: seq: must be at least 1",
        ),
        (entry(1, 0, "123", make(1, 1).to_json()), "entry 123 of client 1 at clock 0 holds"),
        (
            entry(2, 0, str(make(1, 1).key), make(1, 1).to_json()),
            r"entry \d+ of client 2 at clock 0 holds",
        ),
        (
            entry(1, 4, str(make(1, 1).key), make(1, 1).to_json()),
            r"entry \d+ of client 1 at clock 4 holds",
        ),
    ],
)
def test_a_bad_update_raises_diff_error_and_changes_nothing(update: bytes, message: str) -> None:
    document = OpDocument(0)
    document.write(make(0, 1))
    document.drain_updates()
    before = document.snapshot()

    with pytest.raises(DiffError, match=f"^{message}"):
        document.apply(update)
    with pytest.raises(DiffError, match=f"^{message}"):  # in a batch with a good one
        document.apply_many([write_update([make(3, 1)]), update])
    assert document.snapshot() == before
    assert document.state() == {0: 1}
    assert document.drain_updates() == []


def test_an_entry_already_held_is_not_checked_again() -> None:
    """Yjs skips clocks it holds, whatever they carry, so a sync answer that overlaps what
    is held costs no parsing."""
    document = OpDocument(0)
    document.write(make(0, 1))

    assert document.apply(entry(0, 0, "whatever", "not an op")) == []
    assert document.state() == {0: 1}


@pytest.mark.parametrize("state_vector", [b"", b"\x01", b"\x05\x01\x01", b"\x01\x01"])
def test_update_since_a_junk_state_vector(state_vector: bytes) -> None:
    with pytest.raises(DiffError, match=r"^not a Yjs state vector: "):
        OpDocument(0).update_since(state_vector)


@settings(deadline=None)  # a shared, loaded machine: time is no property
@given(data=st.data())
def test_a_corrupted_update_is_refused_or_still_valid_ops(data: st.DataObject) -> None:
    raw = bytearray(write_update([make(1, 1), make(1, 2), make(3, 1)]))
    index = data.draw(st.integers(0, len(raw) - 1), label="index")
    raw[index] = data.draw(st.integers(0, 255).filter(lambda b: b != raw[index]), label="byte")
    document = OpDocument(0)
    try:
        ops = document.apply(bytes(raw))
    except DiffError:
        assert len(document) == 0
        return
    assert all(op.key in document for op in ops)


def test_the_wire_text_of_an_update() -> None:
    update = write_update([make(1, 1)])
    text = encode_update(update)

    assert text.isascii()
    assert decode_update(text) == update
    assert base64.b64decode(text) == update


@pytest.mark.parametrize("text", ["not base64!", "абв", "QUJ", "QQ", "QU JD"])
def test_wire_text_that_is_not_base64(text: str) -> None:
    with pytest.raises(DiffError, match=r"^update is not valid base64: "):
        decode_update(text)


def test_wire_text_that_is_too_long() -> None:
    with pytest.raises(DiffError, match=rf"^update is longer than {MAX_UPDATE_CHARS} characters"):
        decode_update("A" * (MAX_UPDATE_CHARS + 4))


@pytest.mark.parametrize(
    ("exc", "fatal"),
    [
        (KeyboardInterrupt(), True),
        (SystemExit(1), True),
        (GeneratorExit(), True),
        (asyncio.CancelledError(), True),
        (BaseException("pyo3 panic"), False),  # what a Rust panic in pycrdt looks like
        (ValueError("bad"), False),
    ],
)
def test_only_interpreter_exits_and_cancellation_escape_as_fatal(
    exc: BaseException, fatal: bool
) -> None:
    assert _is_fatal(exc) is fatal


def test_a_key_that_names_two_operations_is_refused() -> None:
    held = make(1, 3)
    forged = make(1, 5, ts=held.ts)  # the same key at another clock
    document = OpDocument(0)
    document.apply(write_update([held]))

    with pytest.raises(DiffError, match=rf"^entry {held.key} names two different operations$"):
        document.apply(write_update([forged]))
    with pytest.raises(DiffError, match=rf"^entry {held.key} names two different operations$"):
        OpDocument(0).apply(write_update([held, forged]))
    assert document.apply(write_update([held])) == []  # the same entry again is fine
