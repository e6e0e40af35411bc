"""Replication diffs: each operation as a self-contained Yjs update, and the op-set `Doc`.

Every operation is written by its own Yjs client (client id = its total order key) at clock 0,
into the map `ops` under its key. Such updates never depend on one another, so they can be
applied in any order, duplicated or dropped and re-sent without ever staying pending — unlike
updates of one long-lived client, which Yjs holds back until the missing clocks arrive. (A Map
keyed by edit_id would let two nodes' copies of one edit collide under Yjs's own conflict rule;
keying by the unique total order key keeps every copy and leaves the choice to the op set.)
"""

import base64
import binascii

from pycrdt import Doc, Map

from ._errors import DiffError, InvalidOperation
from ._ops import Op

_MAP = "ops"
MAX_DIFF_CHARS = 256 * 1024  # an op's text is bounded, and so is its diff


def _varuint(data: bytes, at: int) -> tuple[int, int]:
    value, shift = 0, 0
    while at < len(data) and shift < 64:
        byte = data[at]
        value |= (byte & 0x7F) << shift
        at += 1
        if not byte & 0x80:
            return value, at
        shift += 7
    raise DiffError("diff is not a Yjs update: truncated length")


def _check_shape(update: bytes) -> tuple[int, int]:
    """A one-op update names one client with one struct; return that client and its clock.
    Checked before pycrdt sees the bytes: a junk length prefix would make it allocate hundreds
    of megabytes before failing."""
    clients, at = _varuint(update, 0)
    structs, at = _varuint(update, at)
    if clients != 1 or structs != 1:
        raise DiffError(f"diff must carry one operation, found {clients} clients/{structs} items")
    client, at = _varuint(update, at)
    clock, _ = _varuint(update, at)
    return client, clock


def _is_fatal(exc: BaseException) -> bool:
    # pycrdt reports Rust panics as pyo3's PanicException, a BaseException: catch those, but
    # never swallow interpreter exits or cancellation.
    return isinstance(exc, KeyboardInterrupt | SystemExit | GeneratorExit) or (
        type(exc).__name__ == "CancelledError"
    )


def encode_diff(op: Op) -> str:
    """The base64 Yjs update that inserts `op` into the op set."""
    if op.diff is not None:
        return op.diff
    doc: Doc[Map[str]] = Doc(client_id=op.key)
    ops = doc.get(_MAP, type=Map)
    ops[str(op.key)] = op.to_json()
    diff = base64.b64encode(doc.get_update()).decode("ascii")
    object.__setattr__(op, "diff", diff)
    return diff


def decode_diff(diff: str) -> Op:
    """Inverse of `encode_diff`; raises `DiffError` for anything that is not one operation."""
    if len(diff) > MAX_DIFF_CHARS:
        raise DiffError(f"diff is longer than {MAX_DIFF_CHARS} characters")
    try:
        update = base64.b64decode(diff, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise DiffError(f"diff is not valid base64: {exc}") from exc
    client, clock = _check_shape(update)
    doc: Doc[Map[str]] = Doc()
    try:
        doc.apply_update(update)
        entries = dict(doc.get(_MAP, type=Map).items())
    except BaseException as exc:
        if _is_fatal(exc):
            raise
        raise DiffError(f"diff is not a Yjs update of the op set: {exc}") from exc
    if len(entries) != 1:
        raise DiffError(f"diff must carry exactly one operation, found {len(entries)}")
    [(key, value)] = entries.items()
    if not isinstance(value, str):
        raise DiffError("diff operation must be a JSON string")
    try:
        op = Op.from_json(value)
    except InvalidOperation as exc:
        raise DiffError(f"diff carries an invalid operation: {exc}") from exc
    if str(op.key) != key:
        raise DiffError(f"diff key {key} does not match its operation's key {op.key}")
    if (client, clock) == (op.key, 0):  # written as `encode_diff` writes it: keep it
        object.__setattr__(op, "diff", diff)
    return op


class OpDocument:
    """The op set as a pycrdt `Doc`: one map entry per operation copy, never overwritten."""

    def __init__(self) -> None:
        self.doc: Doc[Map[str]] = Doc()
        self._ops = self.doc.get(_MAP, type=Map)

    def add(self, diff: str) -> None:
        self.doc.apply_update(base64.b64decode(diff))

    def __len__(self) -> int:
        return len(self._ops)

    def __contains__(self, key: int) -> bool:
        return str(key) in self._ops

    def state_vector(self) -> bytes:
        """Yjs state vector: which operations (clients) this document holds."""
        return self.doc.get_state()

    def update_since(self, state_vector: bytes) -> bytes:
        """Yjs update with every operation missing from a peer with `state_vector`."""
        return self.doc.get_update(state_vector)

    def apply_update(self, update: bytes) -> list[Op]:
        """Merge a peer's update; return the operations it added."""
        before = set(self._ops.keys())
        try:
            self.doc.apply_update(update)
        except BaseException as exc:
            if _is_fatal(exc):
                raise
            raise DiffError(f"not a Yjs update of the op set: {exc}") from exc
        added = [Op.from_json(self._ops[k]) for k in list(self._ops.keys()) if k not in before]
        return sorted(added, key=lambda op: op.key)
