"""Every SQL statement of a node. Functions take an open connection: the caller owns the
transaction, so one accepted edit is one transaction (spec scenario 3). The tables are
described in `models.py` (the schema the migrations create).

What a change writes goes in one statement (`write_change`) and what a delivery settles in
another (`settle_outbox`): each statement is a round trip from the node to PostgreSQL, and an
acknowledged edit waits for two nodes' writes in a row."""

from collections.abc import Mapping, Sequence
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
_OUTBOX_COLUMNS = ("destination", "version_key", "payload")


@dataclass(frozen=True, slots=True)
class OutboxRow:
    id: int
    destination: str
    version_key: int | None
    payload: dict[str, Any] | None
    attempts: int


@dataclass(frozen=True, slots=True)
class Change:
    """Everything one change of the replica writes, as rows.

    `write_change` writes it in one statement, which PostgreSQL runs as one transaction even
    outside an explicit one: a peer's operations are stored in a single round trip, and an
    agent's edit in its transaction's only write."""

    ops: list[Op]
    edits: list[dict[str, Any]]
    """`_EDIT_COLUMNS` rows, one per (edit_id, document_id): an accepted copy overwrites the
    stored row, a reject never does."""
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
    outbox: list[dict[str, Any]]
    """Deliveries: `destination` with a `version_key` (an op) or a `payload` (an event)."""


def _columns(rows: list[dict[str, Any]], columns: tuple[str, ...]) -> list[list[Any]]:
    """Rows as one list per column: the arrays `unnest` turns back into rows."""
    return [[row.get(column) for row in rows] for column in columns]


# -- a change --------------------------------------------------------------------------
# Data-modifying CTEs all run, once, on one snapshot, so no two of them may touch one row:
# `Change` keeps `statuses` off the edits it carries and `texts` off the `versions` keys.
# Public: the benchmark runs this very statement under pgbench (`bench/cluster_bench.py`).
WRITE_CHANGE = """
WITH new_ops AS (
    INSERT INTO ops (version_key, origin, seq, edit_id, document_id, kind, body)
    SELECT * FROM unnest($1::bigint[], $2::smallint[], $3::int[], $4::text[], $5::text[],
                         $6::text[], $7::jsonb[])
    ON CONFLICT DO NOTHING
), new_edits AS (
    INSERT INTO edits (edit_id, document_id, agent_id, proposed_text, position, tokens_used,
                       status, created_at, node, version_key, base_version, reason)
    SELECT * FROM unnest($8::uuid[], $9::text[], $10::text[], $11::text[], $12::text[],
                         $13::int[], $14::text[], $15::timestamptz[], $16::smallint[],
                         $17::bigint[], $18::int[], $19::text[])
    ON CONFLICT (edit_id, document_id) DO UPDATE SET status = excluded.status,
        node = excluded.node, version_key = excluded.version_key,
        position = excluded.position, base_version = excluded.base_version, reason = ''
    WHERE excluded.status <> 'rejected'
), new_statuses AS (
    UPDATE edits SET status = s.status FROM unnest($20::uuid[], $21::text[]) AS s (id, status)
    WHERE edits.document_id = $22 AND edits.edit_id = s.id AND edits.status <> 'rejected'
), budget AS (
    UPDATE token_budget SET total_tokens = $23 WHERE id = 1
), stale_documents AS (
    DELETE FROM documents
    WHERE $24 AND version_key NOT IN (
        SELECT unnest($25::bigint[]) UNION ALL SELECT unnest($29::bigint[]))
), versions AS (
    INSERT INTO documents (version_key, version, document_id, edit_id, timestamp)
    SELECT k, v, $22, e, t
    FROM unnest($25::bigint[], $26::int[], $27::uuid[], $28::timestamptz[]) AS r (k, v, e, t)
    ON CONFLICT (version_key) DO UPDATE SET version = excluded.version
), texts AS (
    INSERT INTO documents (version_key, version, document_id, edit_id, timestamp, text)
    SELECT k, v, $22, e, t, x
    FROM unnest($29::bigint[], $30::int[], $31::uuid[], $32::timestamptz[], $33::text[])
        AS r (k, v, e, t, x)
    ON CONFLICT (version_key) DO UPDATE SET version = excluded.version, text = excluded.text
)
INSERT INTO outbox (destination, version_key, payload)
SELECT * FROM unnest($34::text[], $35::bigint[], $36::jsonb[])
RETURNING id, destination, version_key, payload, attempts
"""
_VERSION_COLUMNS = ("version_key", "version", "edit_id", "timestamp")


async def write_change(conn: Connection, *, change: Change) -> list[OutboxRow]:
    """Write `change` in one statement; return the outbox rows it queued."""
    ops = [
        (op.key, op.origin, op.seq, op.edit_id, op.document_id, op.kind.value, op.to_dict())
        for op in change.ops
    ]
    rows = await conn.fetch(
        WRITE_CHANGE,
        *([list(column) for column in zip(*ops, strict=True)] if ops else [[]] * 7),
        *_columns(change.edits, _EDIT_COLUMNS),
        list(change.statuses),
        list(change.statuses.values()),
        change.document_id,
        change.total_tokens,
        change.rebuild,
        *_columns(change.versions, _VERSION_COLUMNS),
        *_columns(change.texts, (*_VERSION_COLUMNS, "text")),
        *_columns(change.outbox, _OUTBOX_COLUMNS),
    )
    return [OutboxRow(**dict(row)) for row in rows]


# -- ops -------------------------------------------------------------------------------
async def load_ops(conn: Connection) -> list[Op]:
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


_SETTLE_OUTBOX = """
WITH delivered AS (
    DELETE FROM outbox WHERE id = ANY($1::bigint[])
), retried AS (
    UPDATE outbox SET attempts = attempts + 1,
        next_attempt_at = now() + make_interval(secs => r.delay_s)
    FROM unnest($2::bigint[], $3::float8[]) AS r (id, delay_s) WHERE outbox.id = r.id
)
INSERT INTO outbox (destination, version_key, payload)
SELECT * FROM unnest($4::text[], $5::bigint[], $6::jsonb[])
"""


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
    await conn.execute(
        _SETTLE_OUTBOX,
        list(delivered),
        list(retry),
        list(retry.values()),
        *_columns(list(add), _OUTBOX_COLUMNS),
    )


async def outbox_depth(conn: Connection) -> dict[str, int]:
    rows = await conn.fetch("SELECT destination, count(*) AS n FROM outbox GROUP BY destination")
    return {row["destination"]: int(row["n"]) for row in rows}


async def ping(conn: Connection) -> None:
    await conn.execute("SELECT 1")
