"""Every SQL statement of a node. Functions take an open connection: the caller owns the
transaction, so one accepted edit is one transaction (spec scenario 3)."""

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import and_, delete, func, insert, select, text, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncConnection

from crdt_core import Op

from .models import documents, edits, ops, outbox, token_budget


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


# -- ops -------------------------------------------------------------------------------
async def load_ops(conn: AsyncConnection) -> list[Op]:
    result = await conn.execute(select(ops.c.body).order_by(ops.c.version_key))
    return [Op.from_dict(body) for (body,) in result]


async def insert_ops(conn: AsyncConnection, *, new_ops: list[Op]) -> None:
    if not new_ops:
        return
    rows = [
        {
            "version_key": op.key,
            "origin": op.origin,
            "seq": op.seq,
            "edit_id": op.edit_id,
            "document_id": op.document_id,
            "kind": op.kind.value,
            "body": op.to_dict(),
        }
        for op in new_ops
    ]
    # executemany with one cached statement, not a fresh multi-VALUES compile per batch
    await conn.execute(pg_insert(ops).on_conflict_do_nothing(), rows)


# -- edits -----------------------------------------------------------------------------
async def upsert_edits(conn: AsyncConnection, *, rows: list[dict[str, Any]]) -> None:
    """Accepted copies overwrite (a lower-key copy or an earlier reject); rejects never do."""
    for accepted in (True, False):
        batch = [r for r in rows if (r["status"] != "rejected") == accepted]
        if not batch:
            continue
        statement = pg_insert(edits)
        if accepted:
            statement = statement.on_conflict_do_update(
                index_elements=[edits.c.edit_id, edits.c.document_id],
                set_={
                    name: statement.excluded[name]
                    for name in ("status", "node", "version_key", "position", "base_version")
                }
                | {"reason": ""},
            )
        else:
            statement = statement.on_conflict_do_nothing()
        await conn.execute(statement, batch)


async def set_statuses(
    conn: AsyncConnection, *, document_id: str, statuses: dict[str, str]
) -> None:
    for status in set(statuses.values()):
        ids = [edit_id for edit_id, s in statuses.items() if s == status]
        await conn.execute(
            update(edits)
            .where(and_(edits.c.document_id == document_id, edits.c.edit_id.in_(ids)))
            .where(edits.c.status != "rejected")
            .values(status=status)
        )


async def list_edits(
    conn: AsyncConnection,
    *,
    document_id: str,
    limit: int,
    offset: int,
    status: str | None = None,
    agent_id: str | None = None,
) -> tuple[list[dict[str, Any]], int]:
    """A page of the document's edits, newest first, and the total matching."""
    condition = edits.c.document_id == document_id
    if status is not None:
        condition = and_(condition, edits.c.status == status)
    if agent_id is not None:
        condition = and_(condition, edits.c.agent_id == agent_id)
    total = (await conn.execute(select(func.count()).where(condition))).scalar_one()
    result = await conn.execute(
        select(edits)
        .where(condition)
        .order_by(edits.c.version_key.desc())
        .limit(limit)
        .offset(offset)
    )
    return [dict(row._mapping) for row in result], int(total)


# -- budget ----------------------------------------------------------------------------
async def ensure_budget(conn: AsyncConnection, *, limit: int) -> None:
    await conn.execute(
        pg_insert(token_budget)
        .values(id=1, total_tokens=0, limit_tokens=limit)
        .on_conflict_do_nothing()
    )


async def budget_limit(conn: AsyncConnection, *, lock: bool = True) -> int:
    """The limit; with `lock`, the budget row stays locked until the transaction ends (spec:
    FOR UPDATE), as accepting an edit needs."""
    query = select(token_budget.c.limit_tokens).where(token_budget.c.id == 1)
    result = await conn.execute(query.with_for_update() if lock else query)
    return int(result.scalar_one())


async def set_total_tokens(conn: AsyncConnection, *, total: int) -> None:
    await conn.execute(
        update(token_budget).where(token_budget.c.id == 1).values(total_tokens=total)
    )


# -- documents -------------------------------------------------------------------------
async def write_snapshot(conn: AsyncConnection, *, snapshot: Snapshot) -> None:
    doc = snapshot.document_id
    if snapshot.new_document:
        await conn.execute(delete(documents).where(documents.c.document_id != doc))
    if snapshot.rows:
        statement = pg_insert(documents)
        await conn.execute(
            statement.on_conflict_do_update(
                index_elements=[documents.c.version_key],
                set_={"version": statement.excluded.version},
            ),
            snapshot.rows,
        )
    if snapshot.renumber_from_key is not None:
        # A late operation moved every later version up: renumber them, drop their texts.
        await conn.execute(
            text(
                "UPDATE documents d SET version = r.rank, text = NULL FROM ("
                " SELECT version_key, row_number() OVER (ORDER BY version_key) AS rank"
                " FROM documents WHERE document_id = :doc) r"
                " WHERE d.version_key = r.version_key AND d.version_key >= :from_key"
            ),
            {"doc": doc, "from_key": snapshot.renumber_from_key},
        )
    if snapshot.previous_head_key != snapshot.head_key:
        # the previous head keeps its text only if it is a checkpoint
        await conn.execute(
            update(documents)
            .where(documents.c.version_key == snapshot.previous_head_key)
            .where(documents.c.version % snapshot.checkpoint_every != 0)
            .values(text=None)
        )
    await conn.execute(
        update(documents)
        .where(documents.c.version_key == snapshot.head_key)
        .values(text=snapshot.head_text)
    )


async def stored_versions(conn: AsyncConnection, *, document_id: str) -> int:
    result = await conn.execute(select(func.count()).where(documents.c.document_id == document_id))
    return int(result.scalar_one())


# -- outbox ----------------------------------------------------------------------------
async def enqueue(conn: AsyncConnection, *, rows: list[dict[str, Any]]) -> None:
    """Queue deliveries: `destination` with a `version_key` (an op) or a `payload` (an event)."""
    if rows:
        uniform = [
            {
                "destination": row["destination"],
                "version_key": row.get("version_key"),
                "payload": row.get("payload"),
            }
            for row in rows
        ]
        await conn.execute(insert(outbox), uniform)


async def database_now(conn: AsyncConnection) -> datetime:
    """The database's clock: the one that stamps `next_attempt_at` of new outbox rows."""
    now: datetime = (await conn.execute(select(func.now()))).scalar_one()
    return now


async def due_outbox(
    conn: AsyncConnection, *, destination: str, now: datetime, limit: int
) -> list[OutboxRow]:
    """The oldest rows due for one destination (each destination has its own queue, so a
    peer that is down never holds back deliveries to the others)."""
    result = await conn.execute(
        select(outbox)
        .where(outbox.c.destination == destination)
        .where(outbox.c.next_attempt_at <= now)
        .order_by(outbox.c.id)
        .limit(limit)
    )
    return [OutboxRow(r.id, r.destination, r.version_key, r.payload, r.attempts) for r in result]


async def delete_outbox(conn: AsyncConnection, *, ids: list[int]) -> None:
    if ids:
        await conn.execute(delete(outbox).where(outbox.c.id.in_(ids)))


async def reschedule_outbox(conn: AsyncConnection, *, ids: list[int], at: datetime) -> None:
    if ids:
        await conn.execute(
            update(outbox)
            .where(outbox.c.id.in_(ids))
            .values(attempts=outbox.c.attempts + 1, next_attempt_at=at)
        )


async def outbox_depth(conn: AsyncConnection) -> dict[str, int]:
    result = await conn.execute(
        select(outbox.c.destination, func.count()).group_by(outbox.c.destination)
    )
    return {destination: int(count) for destination, count in result}


async def ping(conn: AsyncConnection) -> None:
    await conn.execute(text("SELECT 1"))
