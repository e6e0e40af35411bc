"""Operations: one accepted edit (or document initialisation) is one immutable operation.

Targets are character ids, never offsets. Every character an operation inserts is named
`(edit_id, k)` for its k-th character, so ids are identical on every node and survive any
reordering; deleted characters stay in the sequence as tombstones, so an id never disappears.
"""

import json
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from ._clock import MAX_NODES, version_key
from ._errors import InvalidOperation

MAX_OP_CHARS = 1 << 24
"""An operation may insert at most this many characters (the width of `k` in a char id)."""


class OpKind(StrEnum):
    """What an operation does to the document."""

    INIT = "init"  # starts a new document holding `text`
    REPLACE = "replace"  # kills the range [first..last] (if any), inserts `text` after `left`
    DELETE = "delete"  # kills the range [first..last]
    APPEND = "append"  # inserts `text` at the end of the document
    REJECT = "reject"  # records a refused edit (stale read); never folded, never counted


@dataclass(frozen=True, slots=True)
class CharRef:
    """The id of one character: the k-th character inserted by edit `edit_id`."""

    edit_id: str
    k: int

    def to_json(self) -> list[Any]:
        return [self.edit_id, self.k]

    @classmethod
    def from_json(cls, value: Any, field_name: str) -> "CharRef":
        if (
            not isinstance(value, list)
            or len(value) != 2
            or not isinstance(value[0], str)
            or not isinstance(value[1], int)
            or isinstance(value[1], bool)
        ):
            raise InvalidOperation(field_name, "must be [edit_id, k]")
        return cls(value[0], value[1])


@dataclass(frozen=True, slots=True)
class Op:
    """One replicated operation.

    `seen` is the accepting node's per-origin contiguous watermark at acceptance: an operation
    from another origin with a sequence number above it was concurrent with this one. That is
    what timestamp last-write-wins between concurrent replacements of one fragment needs.
    """

    edit_id: str
    kind: OpKind
    document_id: str
    origin: int
    seq: int
    ts: int
    agent_id: str = ""
    tokens_used: int = 0
    text: str = ""
    topic: str = ""
    reason: str = ""
    position: str = ""  # what the agent sent, for the record; the targets are the ids below
    base_version: int = 0
    left: CharRef | None = None
    first: CharRef | None = None
    last: CharRef | None = None
    seen: tuple[tuple[int, int], ...] = field(default=())
    key: int = field(init=False, repr=False, compare=False)
    """Total order key: HLC timestamp and origin node packed into one integer."""

    def __post_init__(self) -> None:
        _validate(self)
        object.__setattr__(self, "key", version_key(self.ts, self.origin))

    @property
    def has_range(self) -> bool:
        return self.first is not None

    def seen_seq(self, origin: int) -> int:
        """Highest contiguous sequence number of `origin` the accepting node held."""
        for seen_origin, seq in self.seen:
            if seen_origin == origin:
                return seq
        return 0

    def is_concurrent_with(self, other: "Op") -> bool:
        """True when `other` was not known to this operation's node when it was accepted."""
        if other.origin == self.origin:
            return False
        return other.seq > self.seen_seq(other.origin)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict; `from_dict(to_dict())` is the identity."""
        return {
            "edit_id": self.edit_id,
            "kind": self.kind.value,
            "document_id": self.document_id,
            "origin": self.origin,
            "seq": self.seq,
            "ts": self.ts,
            "agent_id": self.agent_id,
            "tokens_used": self.tokens_used,
            "text": self.text,
            "topic": self.topic,
            "reason": self.reason,
            "position": self.position,
            "base_version": self.base_version,
            "left": self.left.to_json() if self.left else None,
            "first": self.first.to_json() if self.first else None,
            "last": self.last.to_json() if self.last else None,
            "seen": [list(pair) for pair in self.seen],
        }

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), ensure_ascii=False, separators=(",", ":"))

    @classmethod
    def from_dict(cls, data: Any) -> "Op":
        """Parse and validate an operation; raises `InvalidOperation` naming the bad field."""
        if not isinstance(data, dict):
            raise InvalidOperation("op", "must be a JSON object")
        try:
            kind = OpKind(str(data.get("kind")))
        except ValueError:
            raise InvalidOperation("kind", f"unknown operation kind {data.get('kind')!r}") from None
        refs = {
            name: None if data.get(name) is None else CharRef.from_json(data[name], name)
            for name in ("left", "first", "last")
        }
        seen = data.get("seen", [])
        if not isinstance(seen, list) or not all(
            isinstance(p, list) and len(p) == 2 and all(_is_int(x) for x in p) for p in seen
        ):
            raise InvalidOperation("seen", "must be a list of [origin, seq] pairs")
        return cls(
            edit_id=_typed(data, "edit_id", str),
            kind=kind,
            document_id=_typed(data, "document_id", str),
            origin=_typed(data, "origin", int),
            seq=_typed(data, "seq", int),
            ts=_typed(data, "ts", int),
            agent_id=_typed(data, "agent_id", str, ""),
            tokens_used=_typed(data, "tokens_used", int, 0),
            text=_typed(data, "text", str, ""),
            topic=_typed(data, "topic", str, ""),
            reason=_typed(data, "reason", str, ""),
            position=_typed(data, "position", str, ""),
            base_version=_typed(data, "base_version", int, 0),
            left=refs["left"],
            first=refs["first"],
            last=refs["last"],
            seen=tuple((p[0], p[1]) for p in seen),
        )

    @classmethod
    def from_json(cls, text: str) -> "Op":
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise InvalidOperation("op", f"not valid JSON: {exc}") from exc
        return cls.from_dict(data)


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _typed(data: dict[str, Any], name: str, kind: type, default: Any = None) -> Any:
    value = data.get(name, default)
    if value is None or (kind is int and not _is_int(value)) or not isinstance(value, kind):
        raise InvalidOperation(name, f"must be {kind.__name__}")
    return value


def _validate(op: Op) -> None:
    if not op.edit_id:
        raise InvalidOperation("edit_id", "must not be empty")
    if not op.document_id:
        raise InvalidOperation("document_id", "must not be empty")
    if not 0 <= op.origin < MAX_NODES:
        raise InvalidOperation("origin", f"must be a node index in 0..{MAX_NODES - 1}")
    if op.seq < 1:
        raise InvalidOperation("seq", "must be at least 1")
    if op.ts < 0:
        raise InvalidOperation("ts", "must not be negative")
    if op.tokens_used < 0:
        raise InvalidOperation("tokens_used", "must not be negative")
    if len(op.text) >= MAX_OP_CHARS:
        raise InvalidOperation("text", f"must be shorter than {MAX_OP_CHARS} characters")
    if (op.first is None) != (op.last is None):
        raise InvalidOperation("first", "first and last must be given together")
    anchored = op.left is not None or op.first is not None
    if op.kind in (OpKind.INIT, OpKind.APPEND, OpKind.REJECT) and anchored:
        raise InvalidOperation("left", f"a {op.kind.value} operation takes no anchors")
    if (op.kind == OpKind.REJECT) != bool(op.reason):
        raise InvalidOperation("reason", "a reject, and only a reject, carries a reason")
    if op.kind == OpKind.APPEND and not op.text:
        raise InvalidOperation("text", "an append must insert some text")
    if op.kind == OpKind.DELETE and (op.text or op.first is None):
        raise InvalidOperation("text", "a delete kills a range and inserts nothing")
    if op.kind == OpKind.REPLACE and not op.text:
        raise InvalidOperation("text", "a replace must insert text (a delete removes a range)")
