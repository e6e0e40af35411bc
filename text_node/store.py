"""Every SQL statement of a node. Functions take an open connection: the caller owns the
transaction, so one accepted edit is one transaction (spec scenario 3). The tables are
created by `migrations/*.sql`.

What a change writes goes in one statement (`write_change`) and what a delivery settles in
another (`settle_outbox`): each statement is a round trip from the node to PostgreSQL, and an
acknowledged edit waits for two nodes' writes in a row."""

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from crdt_core import Op

from .db import Connection
from .projection import Rows

EDIT_COLUMNS = {
    "edit_id": "uuid",
    "document_id": "text",
    "agent_id": "text",
    "proposed_text": "text",
    "position": "text",
    "tokens_used": "int",
    "status": "text",
    "created_at": "timestamptz",
    "node": "smallint",
    "version_key": "bigint",
    "base_version": "int",
    "reason": "text",
}
"""The `edits` columns a change writes, with their PostgreSQL types: the one place the
statement's arrays are typed (the tables themselves are in the frozen migrations)."""
VERSION_COLUMNS = {
    "version_key": "bigint",
    "version": "int",
    "edit_id": "uuid",
    "timestamp": "timestamptz",
}
TEXT_COLUMNS = VERSION_COLUMNS | {"text": "text"}
OUTBOX_COLUMNS = {"destination": "text", "version_key": "bigint", "payload": "jsonb"}
PARAMETER = re.compile(r"(?<!:):([a-z][a-z0-9_]*)")
"""A named parameter, `:name` (not a `::type` cast)."""


def positional(statement: str) -> tuple[str, list[str]]:
    """`statement` with its `:name` parameters numbered for asyncpg, and the names in order."""
    names: list[str] = []

    def number(match: re.Match[str]) -> str:
        if match[1] not in names:
            names.append(match[1])
        return f"${names.index(match[1]) + 1}"

    return PARAMETER.sub(number, statement), names


def _arrays(prefix: str, columns: dict[str, str]) -> str:
    """`:prefix_column::type[]` for each column: the arrays `unnest` turns into rows."""
    return ", ".join(f":{prefix}_{name}::{kind}[]" for name, kind in columns.items())


def _names(columns: dict[str, str]) -> str:
    return ", ".join(columns)


def _values(
    prefix: str, rows: list[dict[str, Any]], columns: dict[str, str]
) -> dict[str, list[Any]]:
    """Rows as one array per column, named as `_arrays` names them."""
    return {f"{prefix}_{column}": [row.get(column) for row in rows] for column in columns}


@dataclass(frozen=True, slots=True)
class OutboxRow:
    id: int
    destination: str
    version_key: int | None
    payload: dict[str, Any] | None
    attempts: int


@dataclass(frozen=True, slots=True)
class Change:
    """Everything one change of the replica writes: the new operations, the fold's rows
    (`projection.project`), and the deliveries it queues.

    `write_change` writes it in one statement, which PostgreSQL runs as one transaction even
    outside an explicit one: a peer's operations are stored in a single round trip, and an
    agent's edit in its transaction's only write."""

    updates: list[bytes]
    """Yjs updates that changed the op set's Doc: appended to its log (`doc_updates`)."""
    rows: Rows
    outbox: list[dict[str, Any]]
    """Deliveries: `destination` with a `version_key` (an op) or a `payload` (an event)."""


# -- a change --------------------------------------------------------------------------
# Data-modifying CTEs all run, once, on one snapshot, so no two of them may touch one row:
# `Rows` keeps `statuses` off the edits it carries and `texts` off the `versions` keys.
# Public: the benchmark runs this very statement under pgbench (`bench/cluster_bench.py`).
WRITE_CHANGE = f"""
WITH new_updates AS (
    INSERT INTO doc_updates (body) SELECT unnest(:update_body::bytea[])
), new_edits AS (
    INSERT INTO edits ({_names(EDIT_COLUMNS)})
    SELECT * FROM unnest({_arrays("edit", EDIT_COLUMNS)})
    ON CONFLICT (edit_id, document_id) DO UPDATE SET status = excluded.status,
        node = excluded.node, version_key = excluded.version_key,
        position = excluded.position, base_version = excluded.base_version, reason = ''
    WHERE excluded.status <> 'rejected'
), new_statuses AS (
    UPDATE edits SET status = s.status
    FROM unnest(:status_edit_id::uuid[], :status_status::text[]) AS s (id, status)
    WHERE edits.document_id = :document_id AND edits.edit_id = s.id
        AND edits.status <> 'rejected'
), budget AS (
    UPDATE token_budget SET total_tokens = :total_tokens WHERE id = 1
), stale_documents AS (
    DELETE FROM documents
    WHERE :rebuild AND version_key NOT IN (
        SELECT unnest(:version_version_key::bigint[])
        UNION ALL SELECT unnest(:text_version_key::bigint[]))
), versions AS (
    INSERT INTO documents (document_id, {_names(VERSION_COLUMNS)})
    SELECT :document_id, * FROM unnest({_arrays("version", VERSION_COLUMNS)})
    ON CONFLICT (version_key) DO UPDATE SET version = excluded.version
), texts AS (
    INSERT INTO documents (document_id, {_names(TEXT_COLUMNS)})
    SELECT :document_id, * FROM unnest({_arrays("text", TEXT_COLUMNS)})
    ON CONFLICT (version_key) DO UPDATE SET version = excluded.version, text = excluded.text
)
INSERT INTO outbox ({_names(OUTBOX_COLUMNS)})
SELECT * FROM unnest({_arrays("outbox", OUTBOX_COLUMNS)})
RETURNING id, destination, version_key, payload, attempts
"""
_WRITE_CHANGE, _WRITE_CHANGE_NAMES = positional(WRITE_CHANGE)


def change_values(change: Change) -> dict[str, Any]:
    """The named parameters of `WRITE_CHANGE` for `change`."""
    rows = change.rows
    return {
        "update_body": change.updates,
        **_values("edit", rows.edits, EDIT_COLUMNS),
        "status_edit_id": list(rows.statuses),
        "status_status": list(rows.statuses.values()),
        "document_id": rows.document_id,
        "total_tokens": rows.total_tokens,
        "rebuild": rows.rebuild,
        **_values("version", rows.versions, VERSION_COLUMNS),
        **_values("text", rows.texts, TEXT_COLUMNS),
        **_values("outbox", change.outbox, OUTBOX_COLUMNS),
    }


async def write_change(conn: Connection, *, change: Change) -> list[OutboxRow]:
    """Write `change` in one statement; return the outbox rows it queued."""
    values = change_values(change)
    rows = await conn.fetch(_WRITE_CHANGE, *(values[name] for name in _WRITE_CHANGE_NAMES))
    return [OutboxRow(**dict(row)) for row in rows]


# -- the op set's Doc -------------------------------------------------------------------
async def load_updates(conn: Connection) -> list[bytes]:
    """The Doc's update log (a snapshot and the updates after it), oldest first."""
    rows = await conn.fetch("SELECT body FROM doc_updates ORDER BY id")
    return [bytes(row["body"]) for row in rows]


async def compact_updates(conn: Connection, *, snapshot: bytes) -> None:
    """Replace the whole log by `snapshot`, the Doc as one update (call with the node's
    lock held, so that every row of the log is in the Doc). The legacy `ops` rows, if any,
    are in it too from then on."""
    await conn.execute(
        "WITH log AS (DELETE FROM doc_updates), legacy AS (DELETE FROM ops)"
        " INSERT INTO doc_updates (body) VALUES ($1)",
        snapshot,
    )


async def load_legacy_ops(conn: Connection) -> list[Op]:
    """Operations of a database written before the Doc was persisted (table `ops`)."""
    rows = await conn.fetch("SELECT body FROM ops ORDER BY version_key")
    return [Op.from_dict(row["body"]) for row in rows]


# -- edits -----------------------------------------------------------------------------
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
        f"SELECT {_names(EDIT_COLUMNS)} FROM edits WHERE {where}"
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


# -- outbox ----------------------------------------------------------------------------
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


_SETTLE_OUTBOX, _SETTLE_OUTBOX_NAMES = positional(f"""
WITH delivered AS (
    DELETE FROM outbox WHERE id = ANY(:delivered::bigint[])
), retried AS (
    UPDATE outbox SET attempts = attempts + 1,
        next_attempt_at = now() + make_interval(secs => r.delay_s)
    FROM unnest(:retry_id::bigint[], :retry_delay_s::float8[]) AS r (id, delay_s)
    WHERE outbox.id = r.id
)
INSERT INTO outbox ({_names(OUTBOX_COLUMNS)})
SELECT * FROM unnest({_arrays("outbox", OUTBOX_COLUMNS)})
""")


async def settle_outbox(
    conn: Connection,
    *,
    delivered: Sequence[int] = (),
    retry_after_s: Mapping[int, float] | None = None,
    add: Sequence[dict[str, Any]] = (),
) -> None:
    """In one statement: drop the `delivered` rows, retry rows after their delay by the
    database's clock (which stamped them), and queue the rows to `add` (as in `Change.outbox`)."""
    retry = dict(retry_after_s or {})
    values = {
        "delivered": list(delivered),
        "retry_id": list(retry),
        "retry_delay_s": list(retry.values()),
        **_values("outbox", list(add), OUTBOX_COLUMNS),
    }
    await conn.execute(_SETTLE_OUTBOX, *(values[name] for name in _SETTLE_OUTBOX_NAMES))


async def outbox_depth(conn: Connection) -> dict[str, int]:
    rows = await conn.fetch("SELECT destination, count(*) AS n FROM outbox GROUP BY destination")
    return {row["destination"]: int(row["n"]) for row in rows}


async def ping(conn: Connection) -> None:
    await conn.execute("SELECT 1")
