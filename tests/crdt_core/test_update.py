"""The hand-written Yjs codec: the bytes a node's Doc writes, and junk refused before yrs."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pycrdt import Doc, Map, Text

from crdt_core import CharRef, DiffError, Op, OpKind, read_state_vector, write_update
from crdt_core._update import Entry, read_update


def make(origin: int, seq: int, **changes: object) -> Op:
    fields: dict[str, object] = {
        "edit_id": f"правка-{origin}.{seq} 😀",
        "kind": OpKind.REPLACE,
        "document_id": "документ",
        "origin": origin,
        "seq": seq,
        "ts": 1_762_171_200_000 + 10 * seq + origin,
        "agent_id": "редактор",
        "tokens_used": 12,
        "text": "«Ёлочки» — 👍🏽",
        "left": CharRef("init", 3),
        "first": CharRef("init", 4),
        "last": CharRef("init", 9),
        "seen": ((0, 1), (origin, seq - 1)),
    }
    fields.update(changes)
    return Op(**fields)  # type: ignore[arg-type]


def written_by_origin(ops: list[Op]) -> list[bytes]:
    """What the Doc of each op's origin wrote for it (origin's ops in seq order, from 1)."""
    doc: Doc[Map[str]] = Doc(client_id=ops[0].origin)
    entries: Map[str] = doc.get("ops", type=Map)
    updates: list[bytes] = []
    doc.observe(lambda event: updates.append(event.update))
    for op in ops:
        entries[str(op.key)] = op.to_json()
    return updates


def whole_doc_of(ops: list[Op]) -> bytes:
    """The update of a whole Doc that its origin wrote `ops` into."""
    doc: Doc[Map[str]] = Doc(client_id=ops[0].origin)
    entries: Map[str] = doc.get("ops", type=Map)
    for op in ops:
        entries[str(op.key)] = op.to_json()
    return doc.get_update()


def update_of(entries: dict[str, object], root: str = "ops") -> bytes:
    doc: Doc[Map[object]] = Doc(client_id=1)
    values: Map[object] = doc.get(root, type=Map)
    for key, value in entries.items():
        values[key] = value
    return doc.get_update()


def test_an_op_update_is_the_bytes_its_origin_wrote() -> None:
    ops = [make(2, seq) for seq in (1, 2, 3)]
    written = written_by_origin(ops)

    assert [write_update([op]) for op in ops] == written
    assert write_update(ops) == whole_doc_of(ops)
    assert read_update(written[1]) == [Entry(2, 1, str(ops[1].key), ops[1].to_json())]


def test_an_update_of_several_origins_with_gaps_reads_back() -> None:
    ops = [make(0, 1), make(1, 2), make(1, 5), make(3, 1), make(1, 2)]  # a duplicate too
    update = write_update(ops)

    assert sorted(read_update(update)) == sorted(
        Entry(op.origin, op.seq - 1, str(op.key), op.to_json()) for op in ops[:4]
    )
    doc: Doc[Map[str]] = Doc(client_id=2)
    doc.apply_update(update)
    assert read_state_vector(doc.get_state()) == {0: 1, 1: 0, 3: 1}  # client 1 waits for seq 1
    assert len(doc.get("ops", type=Map)) == 4
    assert write_update([]) == b"\x00\x00"
    assert read_update(b"\x00\x00") == []


def test_two_ops_of_one_origin_and_seq_are_refused() -> None:
    with pytest.raises(DiffError, match=r"^origin 1 has two operations with seq 2$"):
        write_update([make(1, 2), make(1, 2, ts=5)])


def test_state_vectors_read_back() -> None:
    doc: Doc[Map[str]] = Doc(client_id=3)
    doc.apply_update(write_update([make(0, 1), make(0, 2), make(2, 1)]))

    assert read_state_vector(doc.get_state()) == {0: 2, 2: 1}
    assert read_state_vector(b"\x00") == {}


@pytest.mark.parametrize(
    ("update", "reason"),
    [
        (update_of({"k": "v"}, root="other"), "an entry of another type than root map 'ops'"),
        (update_of({"5": 5}), "an entry that is not one string"),
        (update_of({"5": ["a"]}), "an entry that is not one string"),
    ],
)
def test_updates_of_another_shape_are_refused(update: bytes, reason: str) -> None:
    with pytest.raises(DiffError, match=rf"^not a Yjs update of the op set: {reason} at byte"):
        read_update(update)


def test_text_deletions_overwrites_and_other_clients_are_refused() -> None:
    text_doc: Doc[Text] = Doc(client_id=1)
    text_doc["ops"] = Text("op")
    with pytest.raises(DiffError, match="a struct of kind 0x4, not an entry of map 'ops'"):
        read_update(text_doc.get_update())

    doc: Doc[Map[str]] = Doc(client_id=1)
    entries: Map[str] = doc.get("ops", type=Map)
    entries["1"] = "a"
    entries["1"] = "b"  # an overwrite: an item with an origin, and a deletion
    with pytest.raises(DiffError, match="not an entry of map 'ops'"):
        read_update(doc.get_update())
    del entries["1"]
    with pytest.raises(DiffError):
        read_update(doc.get_update())

    stranger: Doc[Map[str]] = Doc(client_id=12345)
    stranger.get("ops", type=Map)["1"] = "a"
    with pytest.raises(DiffError, match="client 12345 is not a node or is listed twice"):
        read_update(stranger.get_update())


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        (b"", "truncated"),
        (b"\x01\x02\x03", "a count of 2 with 1 bytes left"),
        (b"\xff\xff\xff\xff\x0f", "a count of 4294967295 with 0 bytes left"),
        (b"\x80\x80\x80\x80\x80\x80\x80\x80\x80\x80\x01", "a number longer than 64 bits"),
        (b"\x00\x00\x00", "1 bytes after the end"),
        (b"\x00\x01\x00\x01\x00\x01", "deletions"),
    ],
)
def test_junk_is_refused_before_pycrdt_sees_it(raw: bytes, reason: str) -> None:
    with pytest.raises(DiffError, match=reason):
        read_update(raw)


def test_a_junk_length_prefix_inside_an_entry_is_refused() -> None:
    good = write_update([make(1, 1)])
    huge = good[:10] + b"\xff\xff\xff\x7f" + good[11:]  # the key's length: 256 MiB

    with pytest.raises(DiffError, match=r"a count of 268435455 with \d+ bytes left"):
        read_update(huge)


@pytest.mark.parametrize(
    "raw", [b"", b"\x01", b"\x05\x01\x01", b"\xff\xff\xff\xff\x0f", b"\x01\x01\x01\x00"]
)
def test_junk_state_vectors_are_refused(raw: bytes) -> None:
    with pytest.raises(DiffError, match=r"^not a Yjs state vector: "):
        read_state_vector(raw)


@settings(deadline=None)  # a shared, loaded machine: time is no property
@given(raw=st.binary(max_size=200))
def test_random_bytes_only_ever_raise_diff_error(raw: bytes) -> None:
    try:
        entries = read_update(raw)
    except DiffError:
        return
    assert isinstance(entries, list)  # a well-formed update of the op set, rarely
