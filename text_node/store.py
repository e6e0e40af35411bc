"""Every SQL statement of a node. Functions take an open connection: the caller owns the
transaction, so one accepted edit is one transaction (spec scenario 3). The tables are
described in `models.py` (the schema the migrations create)."""

from dataclasses import dataclass
from typing import Any

from crdt_core import Op

from .db import Connection

_EDIT_COLUMNS = (
    "edit_id",
    "document_id",
    "agent_id",
    "proposed_text",
    "position",
    "tokens_used",
    "status",
    "created_at",
    "node",
    "version_key",
    "base_version",
    "reason",
)
_DOCUMENT_COLUMNS = ("version_key", "version", "document_id", "edit_id", "timestamp", "text")


@dataclass(frozen=True, slots=True)
class OutboxRow:
    id: int
    destination: str
    version_key: int | None
    payload: dict[str, Any] | None
    attempts: int


@dataclass(frozen=True, slots=True)
class Snapshot:
    """How the `documents` table follows a change of the fold."""

    document_id: str
    new_document: bool
    rows: list[dict[str, Any]]  # version_key, version, document_id, edit_id, timestamp, text
    renumber_from_key: int | None  # lowest new key that landed below the old head
    head_key: int
    head_text: str
    previous_head_key: int
    checkpoint_every: int


def _insert(table: str, columns: tuple[str, ...]) -> str:
    placeholders = ", ".join(f"${n}" for n in range(1, len(columns) + 1))
    return f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({placeholders})"


def _values(rows: list[dict[str, Any]], columns: tuple[str, ...]) -> list[tuple[Any, ...]]:
    return [tuple(row[column] for column in columns) for row in rows]


# -- ops -------------------------------------------------------------------------------
async def load_ops(conn: Connection) -> list[Op]:
    rows = await conn.fetch("SELECT body FROM ops ORDER BY version_key")
    return [Op.from_dict(row["body"]) for row in rows]


async def insert_ops(conn: Connection, *, new_ops: list[Op]) -> None:
    if not new_ops:
        return
    columns = ("version_key", "origin", "seq", "edit_id", "document_id", "kind", "body")
    await conn.executemany(
        _insert("ops", columns) + " ON CONFLICT DO NOTHING",
        [
            (op.key, op.origin, op.seq, op.edit_id, op.document_id, op.kind.value, op.to_dict())
            for op in new_ops
        ],
    )


# -- edits -----------------------------------------------------------------------------
_ACCEPTED_OVERWRITE = ", ".join(
    f"{name} = excluded.{name}"
    for name in ("status", "node", "version_key", "position", "base_version")
)


async def upsert_edits(conn: Connection, *, rows: list[dict[str, Any]]) -> None:
    """Accepted copies overwrite (a lower-key copy or an earlier reject); rejects never do."""
    accepted = [row for row in rows if row["status"] != "rejected"]
    rejected = [row for row in rows if row["status"] == "rejected"]
    if accepted:
        await conn.executemany(
            _insert("edits", _EDIT_COLUMNS) + " ON CONFLICT (edit_id, document_id) DO UPDATE"
            f" SET {_ACCEPTED_OVERWRITE}, reason = ''",
            _values(accepted, _EDIT_COLUMNS),
        )
    if rejected:
        await conn.executemany(
            _insert("edits", _EDIT_COLUMNS) + " ON CONFLICT DO NOTHING",
            _values(rejected, _EDIT_COLUMNS),
        )


async def set_statuses(conn: Connection, *, document_id: str, statuses: dict[str, str]) -> None:
    for status in set(statuses.values()):
        await conn.execute(
            "UPDATE edits SET status = $1 WHERE document_id = $2 AND edit_id = ANY($3::uuid[])"
            " AND status <> 'rejected'",
            status,
            document_id,
            [edit_id for edit_id, s in statuses.items() if s == status],
        )


async def list_edits(
    conn: Connection,
    *,
    document_id: str,
    limit: int,
    offset: int,
    status: str | None = None,
    agent_id: str | None = None,
) -> tuple[list[dict[str, Any]], int]:
    """A page of the document's edits, newest first, and the total matching."""
    conditions, args = ["document_id = $1"], [document_id]
    for column, value in (("status", status), ("agent_id", agent_id)):
        if value is not None:
            args.append(value)
            conditions.append(f"{column} = ${len(args)}")
    where = " AND ".join(conditions)
    total = await conn.fetchval(f"SELECT count(*) FROM edits WHERE {where}", *args)
    rows = await conn.fetch(
        f"SELECT {', '.join(_EDIT_COLUMNS)} FROM edits WHERE {where}"
        f" ORDER BY version_key DESC LIMIT ${len(args) + 1} OFFSET ${len(args) + 2}",
        *args,
        limit,
        offset,
    )
    return [dict(row) | {"edit_id": str(row["edit_id"])} for row in rows], int(total)


# -- budget ----------------------------------------------------------------------------
async def ensure_budget(conn: Connection, *, limit: int) -> None:
    await conn.execute(
        "INSERT INTO token_budget (id, total_tokens, limit_tokens) VALUES (1, 0, $1)"
        " ON CONFLICT DO NOTHING",
        limit,
    )


async def budget_limit(conn: Connection, *, lock: bool = True) -> int:
    """The limit; with `lock`, the budget row stays locked until the transaction ends (spec:
    FOR UPDATE), as accepting an edit needs."""
    query = "SELECT limit_tokens FROM token_budget WHERE id = 1"
    return int(await conn.fetchval(query + (" FOR UPDATE" if lock else "")))


async def set_total_tokens(conn: Connection, *, total: int) -> None:
    await conn.execute("UPDATE token_budget SET total_tokens = $1 WHERE id = 1", total)


# -- documents -------------------------------------------------------------------------
async def write_snapshot(conn: Connection, *, snapshot: Snapshot) -> None:
    doc = snapshot.document_id
    if snapshot.new_document:
        await conn.execute("DELETE FROM documents WHERE document_id <> $1", doc)
    # A head above the previous one is a new row: it is inserted with its text, unless a
    # renumbering (which drops texts) follows.
    head_inserted = (
        not snapshot.new_document
        and snapshot.renumber_from_key is None
        and snapshot.head_key > snapshot.previous_head_key
        and any(row["version_key"] == snapshot.head_key for row in snapshot.rows)
    )
    rows = [
        row | {"text": snapshot.head_text}
        if head_inserted and row["version_key"] == snapshot.head_key
        else row
        for row in snapshot.rows
    ]
    if rows:
        await conn.executemany(
            _insert("documents", _DOCUMENT_COLUMNS)
            + " ON CONFLICT (version_key) DO UPDATE SET version = excluded.version",
            _values(rows, _DOCUMENT_COLUMNS),
        )
    if snapshot.renumber_from_key is not None:
        # A late operation moved every later version up: renumber them, drop their texts.
        await conn.execute(
            "UPDATE documents d SET version = r.rank, text = NULL FROM ("
            " SELECT version_key, row_number() OVER (ORDER BY version_key) AS rank"
            " FROM documents WHERE document_id = $1) r"
            " WHERE d.version_key = r.version_key AND d.version_key >= $2",
            doc,
            snapshot.renumber_from_key,
        )
    if snapshot.previous_head_key != snapshot.head_key:
        # the previous head keeps its text only if it is a checkpoint
        await conn.execute(
            "UPDATE documents SET text = NULL WHERE version_key = $1 AND version % $2 <> 0",
            snapshot.previous_head_key,
            snapshot.checkpoint_every,
        )
    if not head_inserted:
        await conn.execute(
            "UPDATE documents SET text = $1 WHERE version_key = $2",
            snapshot.head_text,
            snapshot.head_key,
        )


# -- outbox ----------------------------------------------------------------------------
async def enqueue(conn: Connection, *, rows: list[dict[str, Any]]) -> None:
    """Queue deliveries: `destination` with a `version_key` (an op) or a `payload` (an event)."""
    if not rows:
        return
    await conn.executemany(
        "INSERT INTO outbox (destination, version_key, payload) VALUES ($1, $2, $3)",
        [(row["destination"], row.get("version_key"), row.get("payload")) for row in rows],
    )


async def due_outbox(conn: Connection, *, destination: str, limit: int) -> list[OutboxRow]:
    """The oldest rows due for one destination (each destination has its own queue, so a
    peer that is down never holds back deliveries to the others). Due by the database's
    clock, which stamped them: by the node's own, a node running behind its database would
    push every op that much late."""
    rows = await conn.fetch(
        "SELECT id, destination, version_key, payload, attempts FROM outbox"
        " WHERE destination = $1 AND next_attempt_at <= now() ORDER BY id LIMIT $2",
        destination,
        limit,
    )
    return [OutboxRow(**dict(row)) for row in rows]


async def delete_outbox(conn: Connection, *, ids: list[int]) -> None:
    if ids:
        await conn.execute("DELETE FROM outbox WHERE id = ANY($1::bigint[])", ids)


async def reschedule_outbox(conn: Connection, *, ids: list[int], delay_s: float) -> None:
    """Retry `ids` after `delay_s` by the database's clock."""
    if ids:
        await conn.execute(
            "UPDATE outbox SET attempts = attempts + 1,"
            " next_attempt_at = now() + make_interval(secs => $2) WHERE id = ANY($1::bigint[])",
            ids,
            delay_s,
        )


async def outbox_depth(conn: Connection) -> dict[str, int]:
    rows = await conn.fetch("SELECT destination, count(*) AS n FROM outbox GROUP BY destination")
    return {row["destination"]: int(row["n"]) for row in rows}


async def ping(conn: Connection) -> None:
    await conn.execute("SELECT 1")
