"""Yjs v1 updates and state vectors of the op set, read and written by hand.

Why by hand: yrs sizes its buffers from the length prefixes of an update before it checks
them, so junk from the network could make it allocate hundreds of megabytes, and its panics
are BaseExceptions. Every update is read here first, against the one shape the op set ever
writes — items of the root map `ops` under a fresh key, each holding one JSON string, from
the client of a node, with no deletions — and only then given to the Doc. Every count and
length is bounded by the bytes that are left, so nothing here allocates more than the input.

`write_update` gives the bytes an op's origin wrote for it (a map item at clock seq - 1 has
no left or right origin: its key is fresh), so tests and tools can hand over ops one by one.
"""

from collections.abc import Iterable
from typing import NamedTuple

from ._clock import MAX_NODES
from ._errors import DiffError
from ._ops import Op

MAP = "ops"
"""The root map of the op set: `str(op.key)` -> `op.to_json()`."""

EMPTY_UPDATE = b"\x00\x00"
"""An update that changes nothing: no structs, no deletions."""

_SKIP = 10  # a run of clocks this update does not carry
_ITEM = 0x20 | 8  # an item with a parent key (a map entry) and Any content, no origins
_ROOT = 1  # the parent is named by a root type name
_STRING = 119  # lib0's Any tag of a string


class Entry(NamedTuple):
    """One map item of an update: written by `client` at `clock`."""

    client: int
    clock: int
    key: str
    value: str


class _Reader:
    __slots__ = ("at", "data", "what")

    def __init__(self, data: bytes, what: str) -> None:
        self.data = data
        self.at = 0
        self.what = what

    def fail(self, reason: str) -> DiffError:
        return DiffError(f"{self.what}: {reason} at byte {self.at}")

    def byte(self) -> int:
        if self.at >= len(self.data):
            raise self.fail("truncated")
        self.at += 1
        return self.data[self.at - 1]

    def varuint(self) -> int:
        at = self.at
        if at < len(self.data) and self.data[at] < 0x80:  # most numbers here fit one byte
            self.at = at + 1
            return self.data[at]
        value, shift = 0, 0
        while shift < 64:
            byte = self.byte()
            value |= (byte & 0x7F) << shift
            if not byte & 0x80:
                return value
            shift += 7
        raise self.fail("a number longer than 64 bits")

    def count(self) -> int:
        """A count of things that take a byte or more each: no more than the bytes left."""
        value = self.varuint()
        if value > len(self.data) - self.at:
            raise self.fail(f"a count of {value} with {len(self.data) - self.at} bytes left")
        return value

    def string(self) -> str:
        size = self.count()
        raw = self.data[self.at : self.at + size]
        self.at += size
        try:
            return raw.decode("utf-8")
        except UnicodeDecodeError:
            raise self.fail("a string that is not UTF-8") from None

    def end(self) -> None:
        if self.at != len(self.data):
            raise self.fail(f"{len(self.data) - self.at} bytes after the end")


def read_update(update: bytes) -> list[Entry]:
    """The map items of a Yjs v1 update of the op set; `DiffError` for anything else."""
    reader = _Reader(update, "not a Yjs update of the op set")
    entries: list[Entry] = []
    clients: set[int] = set()
    for _ in range(reader.count()):
        structs = reader.count()
        client = reader.varuint()
        clock = reader.varuint()
        if client >= MAX_NODES or client in clients:
            raise reader.fail(f"client {client} is not a node or is listed twice")
        clients.add(client)
        for _ in range(structs):
            info = reader.byte()
            if info == _SKIP:
                clock += reader.varuint()
                continue
            if info != _ITEM:
                raise reader.fail(f"a struct of kind {info:#x}, not an entry of map {MAP!r}")
            if reader.varuint() != _ROOT or reader.string() != MAP:
                raise reader.fail(f"an entry of another type than root map {MAP!r}")
            key = reader.string()
            if reader.varuint() != 1 or reader.byte() != _STRING:
                raise reader.fail("an entry that is not one string")
            entries.append(Entry(client, clock, key, reader.string()))
            clock += 1
    if reader.count():
        raise reader.fail("deletions (the op set only grows)")
    reader.end()
    return entries


def read_state_vector(state_vector: bytes) -> dict[int, int]:
    """A Yjs v1 state vector as client -> clock; `DiffError` for junk."""
    reader = _Reader(state_vector, "not a Yjs state vector")
    state: dict[int, int] = {}
    for _ in range(reader.count()):
        client = reader.varuint()
        state[client] = reader.varuint()
    reader.end()
    return state


def write_update(ops: Iterable[Op]) -> bytes:
    """The Yjs update that holds `ops` as their origins wrote them (clock = seq - 1)."""
    by_origin: dict[int, dict[int, Op]] = {}
    for op in ops:
        held = by_origin.setdefault(op.origin, {}).setdefault(op.seq, op)
        if held.key != op.key:
            raise DiffError(f"origin {op.origin} has two operations with seq {op.seq}")
    out = bytearray(_varuint(len(by_origin)))
    for origin in sorted(by_origin, reverse=True):  # the order yrs writes in
        seqs = sorted(by_origin[origin])
        structs = bytearray()
        count = 0
        clock = seqs[0] - 1
        for seq in seqs:
            if seq - 1 > clock:
                structs += bytes([_SKIP]) + _varuint(seq - 1 - clock)
                count += 1
            op = by_origin[origin][seq]
            structs += bytes([_ITEM, _ROOT]) + _string(MAP) + _string(str(op.key))
            structs += bytes([1, _STRING]) + _string(op.to_json())
            count += 1
            clock = seq
        out += _varuint(count) + _varuint(origin) + _varuint(seqs[0] - 1) + structs
    out += b"\x00"  # no deletions
    return bytes(out)


def _varuint(value: int) -> bytes:
    out = bytearray()
    while value > 0x7F:
        out.append(value & 0x7F | 0x80)
        value >>= 7
    out.append(value)
    return bytes(out)


def _string(text: str) -> bytes:
    raw = text.encode("utf-8")
    return _varuint(len(raw)) + raw
