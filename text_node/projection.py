"""The fold as table rows: a pure function from the op set (before and after a change) to what
the database must write so that its tables say what the fold says.

No I/O here: `project` is unit-tested without PostgreSQL (tests/text_node/test_projection.py),
and the node writes its result in one statement (`store.write_change`).
"""

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from crdt_core import EditStatus, Fold, Op, OpKind, OpSet

CHECKPOINT_CHARS = 50_000
"""Per this many characters of text, checkpoints are `checkpoint_every` versions further
apart, so writing them costs at most about CHECKPOINT_CHARS / checkpoint_every characters per
edit, however long the document."""


@dataclass(frozen=True, slots=True)
class Outcome:
    """What became of an edit: its op (or reject record) and its status now."""

    op: Op
    status: str
    version: int
    new: bool


@dataclass(frozen=True, slots=True)
class Before:
    """What the rows said before a change: enough to write only what the change moved."""

    document_id: str | None
    head_key: int
    superseded: frozenset[str]
    pending: frozenset[str]


@dataclass(frozen=True, slots=True)
class Rows:
    """Everything one change of the op set writes to the spec's tables."""

    edits: list[dict[str, Any]]
    """`store.EDIT_COLUMNS` rows, one per (edit_id, document_id): an accepted copy overwrites
    the stored row, a reject never does."""
    statuses: dict[str, str]
    """edit_id → new status, of stored edits of `document_id` that `edits` does not carry."""
    total_tokens: int
    document_id: str | None
    """The fold's document (None before the first init)."""
    rebuild: bool
    """`versions` and `texts` hold every version of the document: drop every other row of
    `documents` (those of an older document, or of an edit's copy that a lower-key copy
    replaced)."""
    versions: list[dict[str, Any]]
    """`documents` rows (version_key, version, edit_id, timestamp) written keeping any stored
    text."""
    texts: list[dict[str, Any]]
    """`documents` rows written with their `text` (None drops it); no key of `versions`."""


def before(opset: OpSet) -> Before:
    """The state a change starts from."""
    fold = opset.fold
    if fold is None:
        return Before(None, 0, frozenset(), frozenset())
    return Before(
        fold.document_id, fold.head_key, frozenset(fold.superseded()), frozenset(fold.pending())
    )


def outcome(opset: OpSet, op: Op, *, new: bool) -> Outcome:
    """The status and dense version of `op` as the fold says now."""
    fold = opset.fold
    version = fold.version if fold else 0
    if op.kind == OpKind.REJECT:
        return Outcome(op, "rejected", version, new)
    status = EditStatus.ACCEPTED
    if fold is not None and fold.document_id == op.document_id:
        status = fold.status(op.edit_id) or EditStatus.ACCEPTED
        version = fold.version_of_key(op.key) or version
    return Outcome(op, status.value, version, new)


def project(
    opset: OpSet, start: Before, new_ops: list[Op], *, swapped: bool, checkpoint_every: int
) -> Rows:
    """What the tables must write to follow `opset` from `start` to now, after `new_ops` were
    added (`swapped`: one of them replaced the folded copy of an edit)."""
    edits: dict[tuple[str, str], dict[str, Any]] = {}
    for op in new_ops:
        if op.kind == OpKind.INIT:
            continue
        if op.kind != OpKind.REJECT and opset.winner(op.edit_id, op.document_id) is not op:
            continue  # a higher-key copy of an edit held twice counts once
        row = _edit_row(opset, op)
        held = edits.get((op.edit_id, op.document_id))
        if held is None or (held["status"] == "rejected" and row["status"] != "rejected"):
            edits[(op.edit_id, op.document_id)] = row
    fold = opset.fold
    statuses: dict[str, str] = {}
    versions: list[dict[str, Any]] = []
    texts: list[dict[str, Any]] = []
    rebuild = fold is not None and (swapped or start.document_id != fold.document_id)
    if fold is not None:
        if start.document_id == fold.document_id:
            carried = {e for (e, _), row in edits.items() if row["status"] != "rejected"}
            moved = _status_changes(start, fold).items()
            statuses = {e: s for e, s in moved if e not in carried}
        versions, texts = _version_rows(
            start, fold, new_ops, rebuild=rebuild, checkpoint_every=checkpoint_every
        )
    return Rows(
        edits=list(edits.values()),
        statuses=statuses,
        total_tokens=opset.tokens_used,
        document_id=fold.document_id if fold else None,
        rebuild=rebuild,
        versions=versions,
        texts=texts,
    )


def _status_changes(start: Before, fold: Fold) -> dict[str, str]:
    """Edits whose status the change moved: newly superseded or pending, or back."""
    superseded, pending = fold.superseded(), set(fold.pending())
    statuses = {e: EditStatus.SUPERSEDED.value for e in superseded - start.superseded}
    statuses |= {e: EditStatus.PENDING.value for e in pending - start.pending}
    for edit_id in (start.superseded - superseded) | (start.pending - pending):
        statuses.setdefault(edit_id, (fold.status(edit_id) or EditStatus.ACCEPTED).value)
    return statuses


def _version_rows(
    start: Before, fold: Fold, new_ops: list[Op], *, rebuild: bool, checkpoint_every: int
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """How `documents` follows the fold: (rows keeping their text, rows with a text).

    Only checkpoints keep their text: every `checkpoint_every`-th version, that many times
    further apart per `CHECKPOINT_CHARS` characters of text (every 100th on a short document,
    every 1100th on a 1 MB Russian text of 500 000 characters). The head is served from
    memory and any other version is replayed from the op set. So an edit writes one row of a
    few dozen bytes, and the whole text only when it lands on a checkpoint. A late operation
    renumbers every version after it: their rows are rewritten, each with the text its new
    number keeps (a checkpoint's, or none). Whatever the spacing was when it was written, a
    stored text is its version's."""
    if rebuild:
        first = 1
    else:
        added = [v for op in new_ops if (v := fold.version_of_key(op.key)) is not None]
        if not added:
            return [], []
        first = min(added)
    moved = fold.ops(first - 1)
    renumbered = rebuild or moved[0].key < start.head_key
    every = checkpoint_every * (1 + fold.length // CHECKPOINT_CHARS)
    checkpoints = fold.texts_at([v for v in range(first, fold.version + 1) if v % every == 0])
    kept: list[dict[str, Any]] = []
    texts: list[dict[str, Any]] = []
    for version, op in enumerate(moved, first):
        row = _version_row(op, version)
        if version in checkpoints:
            texts.append(row | {"text": checkpoints[version]})
        elif renumbered:  # the row may hold the text of the number it had
            texts.append(row | {"text": None})
        else:
            kept.append(row)
    return kept, texts


def _version_row(op: Op, version: int) -> dict[str, Any]:
    return {
        "version_key": op.key,
        "version": version,
        "edit_id": op.edit_id,
        "timestamp": datetime.fromtimestamp(op.ts / 1000, UTC),
    }


def _edit_row(opset: OpSet, op: Op) -> dict[str, Any]:
    return {
        "edit_id": op.edit_id,
        "document_id": op.document_id,
        "agent_id": op.agent_id,
        "proposed_text": op.text,
        "position": op.position,
        "tokens_used": op.tokens_used,
        "status": outcome(opset, op, new=True).status,
        "created_at": datetime.fromtimestamp(op.ts / 1000, UTC),
        "node": op.origin,
        "version_key": op.key,
        "base_version": op.base_version,
        "reason": op.reason,
    }
