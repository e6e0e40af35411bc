"""Replication diffs (one Yjs update per op) and the op-set document."""

import asyncio
import base64

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pycrdt import Doc, Map, Text

from crdt_core import CharRef, DiffError, Op, OpDocument, OpKind, decode_diff, encode_diff
from crdt_core._diff import _is_fatal


def make(seq: int, **changes: object) -> Op:
    fields: dict[str, object] = {
        "edit_id": f"правка-{seq} 😀",
        "kind": OpKind.REPLACE,
        "document_id": "документ",
        "origin": 1,
        "seq": seq,
        "ts": 1_762_171_200_000 + seq,
        "agent_id": "редактор",
        "tokens_used": 12,
        "text": "«Ёлочки» — 👍🏽",
        "left": CharRef("init", 3),
        "first": CharRef("init", 4),
        "last": CharRef("init", 9),
        "seen": ((0, 1), (1, seq - 1)),
    }
    fields.update(changes)
    return Op(**fields)  # type: ignore[arg-type]


def update_of(entries: dict[str, object], root: str = "ops") -> str:
    """A valid Yjs update of a map `root` holding `entries`."""
    doc: Doc[Map[object]] = Doc()
    ops: Map[object] = doc.get(root, type=Map)
    for key, value in entries.items():
        ops[key] = value
    return base64.b64encode(doc.get_update()).decode("ascii")


def test_round_trip() -> None:
    op = make(3)
    diff = encode_diff(op)

    assert decode_diff(diff) == op
    assert encode_diff(op) == diff  # deterministic: client id and clock fixed by the op
    assert diff.isascii()
    raw = base64.b64decode(diff)
    assert op.to_json().encode() in raw  # the op itself travels as one JSON string


def test_an_op_is_encoded_once_and_a_received_diff_is_kept() -> None:
    op = make(3)
    diff = encode_diff(op)
    assert op.diff == diff

    received = decode_diff(diff)
    assert received.diff == diff  # a peer passes on (and stores) what it was sent
    assert encode_diff(received) is diff
    assert decode_diff(encode_diff(make(3))) == received

    # the same op written by another Yjs client: valid, but not what encode_diff writes
    foreign = decode_diff(update_of({str(op.key): op.to_json()}))
    assert foreign == op
    assert foreign.diff is None
    assert encode_diff(foreign) == diff


def test_round_trip_of_an_init_and_a_reject() -> None:
    init = Op(edit_id="i", kind=OpKind.INIT, document_id="d", origin=0, seq=1, ts=0, text="")
    reject = make(2, kind=OpKind.REJECT, left=None, first=None, last=None, reason="устарело")

    assert decode_diff(encode_diff(init)) == init
    assert decode_diff(encode_diff(reject)) == reject


@pytest.mark.parametrize("diff", ["not base64!", "абв", "QUJ", "QQ", "QU JD"])
def test_not_base64(diff: str) -> None:
    with pytest.raises(DiffError, match=r"^diff is not valid base64: "):
        decode_diff(diff)


@pytest.mark.parametrize("raw", [b"", b"\x01\x02\x03", b"garbage!"])
def test_bytes_that_are_not_an_update(raw: bytes) -> None:
    with pytest.raises(DiffError, match=r"^diff (is not a Yjs update|must carry one operation)"):
        decode_diff(base64.b64encode(raw).decode())


@settings(deadline=None)  # a shared, loaded machine: time is no property
@given(raw=st.binary(max_size=200))
def test_random_bytes_only_ever_raise_diff_error(raw: bytes) -> None:
    with pytest.raises(DiffError):
        decode_diff(base64.b64encode(raw).decode())


@settings(deadline=None)  # a shared, loaded machine: time is no property
@given(data=st.data())
def test_a_corrupted_diff_is_refused_or_still_one_valid_op(data: st.DataObject) -> None:
    raw = bytearray(base64.b64decode(encode_diff(make(2))))
    index = data.draw(st.integers(0, len(raw) - 1), label="index")
    raw[index] = data.draw(st.integers(0, 255).filter(lambda b: b != raw[index]), label="byte")
    try:
        op = decode_diff(base64.b64encode(bytes(raw)).decode())
    except DiffError:
        return
    assert encode_diff(op)  # whatever got through is a valid operation


def test_an_update_of_another_shape() -> None:
    with pytest.raises(DiffError, match=r"^diff must carry (exactly )?one operation, found 0"):
        decode_diff(update_of({"k": "v"}, root="other"))
    with pytest.raises(DiffError, match=r"^diff must carry (exactly )?one operation, found 0"):
        decode_diff(base64.b64encode(b"\x00\x00").decode())  # an empty update
    doc: Doc[Text] = Doc()
    doc["ops"] = Text("op")
    with pytest.raises(DiffError, match=r"^diff must carry (exactly )?one operation, found 0"):
        decode_diff(base64.b64encode(doc.get_update()).decode())


def test_an_entry_that_is_not_an_op() -> None:
    with pytest.raises(DiffError, match=r"^diff operation must be a JSON string$"):
        decode_diff(update_of({"5": 5}))
    with pytest.raises(DiffError, match=r"^diff carries an invalid operation: op: not valid JSON"):
        decode_diff(update_of({"5": "{"}))
    invalid = make(2).to_json().replace('"seq":2', '"seq":0')
    with pytest.raises(DiffError, match=r"^diff carries an invalid operation: seq: must be at"):
        decode_diff(update_of({"5": invalid}))


def test_two_ops_in_one_update() -> None:
    first, second = make(2), make(3)

    with pytest.raises(
        DiffError, match=r"^diff must carry one operation, found 1 clients/2 items$"
    ):
        decode_diff(update_of({str(first.key): first.to_json(), str(second.key): second.to_json()}))


def test_a_key_that_does_not_match_the_op() -> None:
    op = make(2)

    with pytest.raises(DiffError) as caught:
        decode_diff(update_of({"123": op.to_json()}))
    assert str(caught.value) == f"diff key 123 does not match its operation's key {op.key}"


# -- the op-set document -----------------------------------------------------------------
def test_op_documents_exchange_what_the_other_lacks() -> None:
    ops = [make(seq) for seq in (2, 3, 4)]
    left, right = OpDocument(), OpDocument()
    for op in ops:
        left.add(encode_diff(op))
    right.add(encode_diff(ops[1]))

    assert (len(left), len(right)) == (3, 1)
    assert ops[0].key in left
    assert ops[0].key not in right
    update = left.update_since(right.state_vector())
    assert right.apply_update(update) == [ops[0], ops[2]]  # in key order
    assert len(right) == 3
    assert right.apply_update(update) == []  # idempotent
    assert left.apply_update(right.update_since(left.state_vector())) == []
    assert all(op.key in right for op in ops)


def test_two_copies_of_one_edit_are_both_kept() -> None:
    document = OpDocument()
    one, other = make(2), make(2, origin=2, ts=1_762_171_300_000)
    document.add(encode_diff(one))
    document.add(encode_diff(other))

    assert len(document) == 2
    assert one.key in document
    assert other.key in document


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


def test_apply_update_refuses_garbage() -> None:
    with pytest.raises(DiffError, match=r"^not a Yjs update of the op set: "):
        OpDocument().apply_update(b"\x01\x02\x03")


def test_a_junk_length_prefix_is_refused_before_pycrdt_allocates() -> None:
    for raw in (b"\x80\x80\x80\x71", b"\x80\x80\x80\x80\x01"):
        with pytest.raises(DiffError, match=r"^diff must carry one operation|truncated"):
            decode_diff(base64.b64encode(raw).decode())
    with pytest.raises(DiffError, match=r"^diff is longer than 262144 characters$"):
        decode_diff("A" * (256 * 1024 + 4))
