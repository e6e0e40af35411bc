"""The op set's CRDT document: one pycrdt `Doc` per node, the source the op set is folded from.

The Doc holds the root map `ops`: `str(op.key)` -> `op.to_json()`. A node writes its own ops
with one Yjs client, client id = its node index, and each write takes one clock, so the clock
of client `o` is origin `o`'s sequence number - 1 and the Doc's state vector *is* the
per-origin watermark. Peers exchange Yjs updates: a push of a new op's update, or the sync
exchange (one side sends its state vector, the other answers `update_since`). Keys are the
unique total order keys, so no entry is ever overwritten: two nodes' copies of one edit are
two entries, and the op set chooses between them.

Yjs integrates a map entry that arrives before an earlier clock of its client, but keeps the
state vector contiguous; such an entry is reported by `apply` and waits in the op set until
the gap is filled. What changed the Doc is collected as updates (`drain_updates`) for the
node's persisted log: the log plus one `snapshot` rebuild the Doc.
"""

import base64
import binascii

from pycrdt import Doc, Map, MapEvent, TransactionEvent

from ._errors import DiffError, InvalidOperation
from ._ops import Op
from ._update import EMPTY_UPDATE, MAP, Entry, read_state_vector, read_update

MAX_UPDATE_CHARS = 32 * 1024 * 1024
"""The longest base64 update `decode_update` takes (24 MiB of update)."""


def encode_update(update: bytes) -> str:
    """A Yjs update as the base64 text the wire carries (`diff`)."""
    return base64.b64encode(update).decode("ascii")


def decode_update(text: str) -> bytes:
    """Inverse of `encode_update`; `DiffError` for text that is too long or not base64. The
    update itself is checked when it is applied."""
    if len(text) > MAX_UPDATE_CHARS:
        raise DiffError(f"update is longer than {MAX_UPDATE_CHARS} characters")
    try:
        return base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise DiffError(f"update is not valid base64: {exc}") from exc


def _is_fatal(exc: BaseException) -> bool:
    # pycrdt reports Rust panics as pyo3's PanicException, a BaseException: catch those, but
    # never swallow interpreter exits or cancellation.
    return isinstance(exc, KeyboardInterrupt | SystemExit | GeneratorExit) or (
        type(exc).__name__ == "CancelledError"
    )


class OpDocument:
    """The op set as one pycrdt `Doc` written by node `origin`'s Yjs client."""

    def __init__(self, origin: int) -> None:
        self.origin = origin
        self.doc: Doc[Map[str]] = Doc(client_id=origin)
        self._ops: Map[str] = self.doc.get(MAP, type=Map)
        self._state: dict[int, int] = {}
        self._updates: list[bytes] = []  # what changed the Doc since the last drain
        self._arrived: list[tuple[str, str]] = []  # entries the map gained, in this change
        self._subscriptions = [
            self.doc.observe(self._on_transaction),
            self._ops.observe(self._on_entries),
        ]

    # pycrdt keeps an exception raised in an observer until the transaction ends: these two
    # only append.
    def _on_transaction(self, event: TransactionEvent) -> None:
        if event.update != EMPTY_UPDATE:
            self._updates.append(event.update)

    def _on_entries(self, event: MapEvent) -> None:
        changes: dict[str, dict[str, str]] = event.keys  # type: ignore[attr-defined]  # a slot
        self._arrived.extend((key, change["newValue"]) for key, change in changes.items())

    # -- reading -----------------------------------------------------------------------
    def __len__(self) -> int:
        """Entries held, waiting ones included."""
        return len(self._ops)

    def __contains__(self, key: int) -> bool:
        return str(key) in self._ops

    def state(self) -> dict[int, int]:
        """The Doc's state vector decoded: client (origin) -> clocks held contiguously."""
        return dict(self._state)

    def clock(self, client: int) -> int:
        """Contiguous clocks of `client` held: the next op it writes takes this clock."""
        return self._state.get(client, 0)

    def state_vector(self) -> bytes:
        """The Doc's Yjs state vector: what a peer sends to ask for what it lacks."""
        return self.doc.get_state()

    def update_since(self, state_vector: bytes) -> bytes:
        """A Yjs update with everything held that a peer with `state_vector` lacks (entries
        held beyond a gap included); `DiffError` on a junk state vector."""
        read_state_vector(state_vector)
        try:
            return self.doc.get_update(state_vector)
        except BaseException as exc:
            if _is_fatal(exc):
                raise
            raise DiffError(f"not a Yjs state vector: {exc}") from exc

    def snapshot(self) -> bytes:
        """The whole Doc as one update: what a compacted log keeps."""
        return self.doc.get_update()

    def drain_updates(self) -> list[bytes]:
        """The updates that moved the Doc's state vector since the last drain, oldest first.
        Yjs adds to one the entries it holds beyond a gap; a later update may carry them
        again, which a restore merges like any duplicate."""
        updates, self._updates = self._updates, []
        return updates

    # -- changing ----------------------------------------------------------------------
    def write(self, op: Op) -> list[Op]:
        """Write this node's next op (seq = the client's clock + 1); return it."""
        if op.origin != self.origin or op.seq != self.clock(self.origin) + 1:
            raise InvalidOperation(
                "seq", f"node {self.origin} writes seq {self.clock(self.origin) + 1} next"
            )
        key = str(op.key)
        with self.doc.transaction():  # one transaction: each costs a commit and its events
            if key in self._ops:  # a clock behind its own past: never overwrite an entry
                raise InvalidOperation("ts", f"key {op.key} is held already")
            self._ops[key] = op.to_json()
            state = self.doc.get_state()
        return self._collect({key: op}, state)

    def apply(self, update: bytes) -> list[Op]:
        """Merge a peer's update; return the ops the map gained (some may wait for a gap).
        `DiffError`, with the Doc untouched, for anything but an update of the op set."""
        return self.apply_many([update])

    def apply_many(self, updates: list[bytes]) -> list[Op]:
        """Merge several updates in one transaction (a persisted log, in any order)."""
        try:
            with self.doc.transaction():
                checked: dict[str, Op] = {}
                for update in updates:  # all checked before any is applied
                    checked.update(self._check(read_update(update)))
                for update in updates:
                    self.doc.apply_update(update)
                state = self.doc.get_state()
        except DiffError:
            raise
        except BaseException as exc:
            if _is_fatal(exc):
                raise
            self._arrived.clear()
            raise DiffError(f"not a Yjs update of the op set: {exc}") from exc
        return self._collect(checked, state)

    def _check(self, entries: list[Entry]) -> dict[str, Op]:
        """The ops of the entries not held yet; each must be the op its client wrote there."""
        ops: dict[str, Op] = {}
        for client, clock, key, value in entries:
            if clock < self.clock(client):
                continue  # held already: Yjs skips it
            try:
                op = Op.from_json(value)
            except InvalidOperation as exc:
                raise DiffError(f"update carries an invalid operation: {exc}") from exc
            if (op.origin, op.seq - 1, str(op.key)) != (client, clock, key):
                raise DiffError(
                    f"entry {key} of client {client} at clock {clock} holds operation "
                    f"{op.key} of origin {op.origin}, seq {op.seq}"
                )
            # A key names one op: a second entry under it would overwrite the first in Yjs.
            if ops.get(key, op) != op or self._ops.get(key, value) != value:
                raise DiffError(f"entry {key} names two different operations")
            ops[key] = op
        return ops

    def _collect(self, known: dict[str, Op], state_vector: bytes) -> list[Op]:
        arrived, self._arrived = self._arrived, []
        self._state = read_state_vector(state_vector)
        return [known[key] if key in known else Op.from_json(value) for key, value in arrived]
