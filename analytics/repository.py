"""All SQL of the Analytics Service. Functions take keyword-only arguments, the session first.

Metadata values are read defensively: a number is only cast when `jsonb_typeof` says it is one,
so one malformed event cannot break the metrics for everybody.
"""

import functools
from collections.abc import Awaitable, Callable, Coroutine, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, ParamSpec, TypeVar

from sqlalchemy import text
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from .db import database_errors
from .models import Event
from .schemas import EventIn

P = ParamSpec("P")
R = TypeVar("R")


def _translated(function: Callable[P, Awaitable[R]]) -> Callable[P, Coroutine[Any, Any, R]]:
    """Run `function` with driver errors translated by `database_errors()`."""

    @functools.wraps(function)
    async def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        async with database_errors():
            return await function(*args, **kwargs)

    return wrapper


def _number(key: str) -> str:
    """SQL: metadata[key] as float8 when it is a JSON number, else NULL (`key` is a constant)."""
    return (
        f"CASE WHEN jsonb_typeof(metadata -> '{key}') = 'number' "
        f"THEN (metadata ->> '{key}')::float8 END"
    )


def _text(key: str) -> str:
    """SQL: metadata[key] when it is a JSON string, else NULL (`key` is a constant)."""
    return f"CASE WHEN jsonb_typeof(metadata -> '{key}') = 'string' THEN metadata ->> '{key}' END"


_LATENCY = _number("latency_ms")
# Edits an applied edit superseded: a count, or true for one.
_SUPERSEDED = (
    "CASE jsonb_typeof(metadata -> 'superseded') "
    "WHEN 'number' THEN (metadata ->> 'superseded')::float8 "
    "WHEN 'boolean' THEN CASE WHEN (metadata ->> 'superseded')::boolean THEN 1 ELSE 0 END "
    "ELSE 0 END"
)

_TOTALS = text(f"""
SELECT
  count(*) FILTER (WHERE event_type = 'edit_applied') AS total_edits,
  coalesce(sum(tokens) FILTER (WHERE event_type = 'edit_applied'), 0) AS total_tokens,
  count(DISTINCT agent_id)
    FILTER (WHERE event_type = 'edit_applied' AND timestamp >= :active_since) AS active_agents,
  avg({_LATENCY}) FILTER (WHERE event_type = 'edit_applied') AS avg_latency_ms,
  min(timestamp) FILTER (WHERE event_type = 'edit_applied') AS first_edit_at,
  count(*) FILTER (WHERE event_type = 'edit_rejected') AS rejected,
  coalesce(sum({_SUPERSEDED}) FILTER (WHERE event_type = 'edit_applied'), 0) AS superseded,
  count(*) FILTER (WHERE event_type = 'replication_success') AS replications,
  count(*) FILTER (WHERE event_type = 'replication_failed') AS replication_failures,
  percentile_cont(0.5) WITHIN GROUP (ORDER BY {_LATENCY})
    FILTER (WHERE event_type = 'replication_success') AS lag_p50,
  percentile_cont(0.95) WITHIN GROUP (ORDER BY {_LATENCY})
    FILTER (WHERE event_type = 'replication_success') AS lag_p95,
  percentile_cont(0.99) WITHIN GROUP (ORDER BY {_LATENCY})
    FILTER (WHERE event_type = 'replication_success') AS lag_p99,
  count(*) FILTER (WHERE event_type = 'budget_exceeded') AS budget_exceeded
FROM events
WHERE timestamp >= :start
""")

_BUCKETS = text(f"""
SELECT
  least(
    floor((extract(epoch FROM timestamp)::float8 - CAST(:origin AS float8))
          / CAST(:width AS float8)),
    CAST(:last AS float8)
  )::int AS bucket,  -- capped before the cast: an event stamped far ahead overflowed int
  count(*) AS edits,
  coalesce(sum(tokens), 0) AS tokens,
  count(DISTINCT agent_id) AS agents,
  avg({_LATENCY}) AS avg_latency_ms
FROM events
WHERE event_type = 'edit_applied' AND timestamp >= :start
GROUP BY 1
ORDER BY 1
""")

_AGENTS = text(f"""
SELECT
  agent_id,
  (array_agg({_text("role")} ORDER BY timestamp DESC, id DESC)
    FILTER (WHERE jsonb_typeof(metadata -> 'role') = 'string'))[1] AS role,
  count(*) FILTER (WHERE event_type = 'edit_applied') AS edits,
  coalesce(sum(tokens) FILTER (WHERE event_type = 'edit_applied'), 0) AS tokens,
  count(*) FILTER (WHERE event_type = 'edit_rejected') AS rejected
FROM events
WHERE timestamp >= :start AND agent_id IS NOT NULL
GROUP BY agent_id
ORDER BY edits DESC, agent_id
LIMIT :limit
""")

# A replication_success event belongs to its target node (whose copy advanced); every other
# event to metadata.node. The version is the dense version the node reached.
_NODES = text(f"""
WITH attributed AS (
  SELECT
    CASE
      WHEN event_type = 'replication_success' AND {_text("target_node")} IS NOT NULL
        THEN {_text("target_node")}
      ELSE {_text("node")}
    END AS node,
    event_type,
    timestamp,
    CASE
      WHEN event_type = 'edit_applied' THEN version::float8
      WHEN event_type = 'replication_success'
        THEN coalesce({_number("target_version")}, version::float8)
    END AS node_version
  FROM events
  WHERE timestamp >= :start
)
SELECT
  node,
  max(node_version) AS version,
  max(timestamp) AS last_event,
  count(*) FILTER (WHERE event_type = 'node_recovered') AS recovered
FROM attributed
WHERE node IS NOT NULL
GROUP BY node
ORDER BY node
""")

_BUDGET = text(f"""
SELECT
  (SELECT {_number("budget_limit")} FROM events
    WHERE event_type IN ('edit_applied', 'budget_exceeded')
      AND jsonb_typeof(metadata -> 'budget_limit') = 'number'
    ORDER BY timestamp DESC, id DESC LIMIT 1) AS budget_limit,
  (SELECT {_number("budget_used")} FROM events
    WHERE event_type IN ('edit_applied', 'budget_exceeded')
      AND jsonb_typeof(metadata -> 'budget_used') = 'number'
    ORDER BY timestamp DESC, id DESC LIMIT 1) AS budget_used
""")


@dataclass(frozen=True)
class Totals:
    """Window-wide aggregates; see `_TOTALS`."""

    total_edits: int
    total_tokens: int
    active_agents: int
    avg_latency_ms: float | None
    first_edit_at: datetime | None
    rejected: int
    superseded: float
    replications: int
    replication_failures: int
    lag_p50: float | None
    lag_p95: float | None
    lag_p99: float | None
    budget_exceeded: int


@dataclass(frozen=True)
class BucketRow:
    """Applied edits in one time bucket (absent buckets had none)."""

    bucket: int
    edits: int
    tokens: int
    agents: int
    avg_latency_ms: float | None


@dataclass(frozen=True)
class AgentRow:
    """One agent's figures in the window."""

    agent_id: str
    role: str | None
    edits: int
    tokens: int
    rejected: int


@dataclass(frozen=True)
class NodeRow:
    """One node's figures in the window."""

    node: str
    version: float | None
    last_event: datetime
    recovered: int


@dataclass(frozen=True)
class BudgetRow:
    """The latest budget figures any node reported, over all time."""

    budget_limit: float | None
    budget_used: float | None


@_translated
async def ping(*, session: AsyncSession) -> None:
    """Raise DatabaseUnavailableError unless the database answers `SELECT 1`."""
    await session.execute(text("SELECT 1"))


@_translated
async def insert_events(
    *, session: AsyncSession, events: Sequence[EventIn], received_at: datetime
) -> int:
    """Store `events` (one statement, one transaction); the number that were new.

    An event whose `event_id` is stored already is skipped (ON CONFLICT DO NOTHING), so a
    redelivery is harmless. Events without a timestamp get `received_at`.
    """
    if not events:
        return 0
    rows = [
        {
            "event_type": event.event_type.value,
            "agent_id": event.agent_id,
            "version": event.version,
            "tokens": event.tokens,
            "timestamp": event.timestamp or received_at,
            "meta": event.metadata,
            "event_id": event.event_id,
        }
        for event in events
    ]
    statement = (
        insert(Event)
        .values(rows)
        .on_conflict_do_nothing(index_elements=[Event.event_id])
        .returning(Event.id)
    )
    inserted = (await session.execute(statement)).scalars().all()
    await session.commit()
    return len(inserted)


@_translated
async def window_totals(
    *, session: AsyncSession, start: datetime, active_since: datetime
) -> Totals:
    """Aggregates over the events at or after `start`; agents active since `active_since`."""
    row = (await session.execute(_TOTALS, {"start": start, "active_since": active_since})).one()
    return Totals(**row._asdict())


@_translated
async def edit_buckets(
    *, session: AsyncSession, start: datetime, origin: float, width_s: float, buckets: int
) -> list[BucketRow]:
    """Applied edits at or after `start` grouped into `buckets` buckets of `width_s` seconds.

    Bucket i covers [origin + i*width, origin + (i+1)*width) in epoch seconds; events stamped
    after the last bucket (a node's clock running ahead) count in the last one.
    """
    params = {"start": start, "origin": origin, "width": width_s, "last": buckets - 1}
    result = await session.execute(_BUCKETS, params)
    return [BucketRow(**row._asdict()) for row in result]


@_translated
async def agent_figures(
    *, session: AsyncSession, start: datetime, limit: int = 500
) -> list[AgentRow]:
    """Per-agent edits, tokens, rejections and latest role for events at or after `start`."""
    result = await session.execute(_AGENTS, {"start": start, "limit": limit})
    return [AgentRow(**row._asdict()) for row in result]


@_translated
async def node_figures(*, session: AsyncSession, start: datetime) -> list[NodeRow]:
    """Per-node highest version, latest event and recoveries for events at or after `start`."""
    result = await session.execute(_NODES, {"start": start})
    return [NodeRow(**row._asdict()) for row in result]


@_translated
async def latest_budget(*, session: AsyncSession) -> BudgetRow:
    """The most recent budget limit and usage reported by any node."""
    row = (await session.execute(_BUDGET)).one()
    return BudgetRow(**row._asdict())
