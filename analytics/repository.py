"""All SQL of the Analytics Service. Functions take keyword-only arguments, the session first.

Metadata values are read defensively: a number is only cast when `jsonb_typeof` says it is one,
so one malformed event cannot break the metrics for everybody.
"""

import functools
from collections.abc import Awaitable, Callable, Coroutine, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, ParamSpec, TypeVar

from sqlalchemy import text
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from .db import database_errors
from .models import Event
from .schemas import EventIn
from .timeline import StoredEvent

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
_REQUEST_MS = _number("request_ms")
_CYCLE_MS = _number("cycle_ms")
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
  count(DISTINCT agent_id) FILTER (WHERE event_type = 'edit_applied') AS active_agents,
  avg({_LATENCY}) FILTER (WHERE event_type = 'edit_applied') AS avg_latency_ms,
  percentile_cont(0.5) WITHIN GROUP (ORDER BY {_REQUEST_MS})
    FILTER (WHERE event_type = 'edit_applied') AS request_p50,
  percentile_cont(0.95) WITHIN GROUP (ORDER BY {_REQUEST_MS})
    FILTER (WHERE event_type = 'edit_applied') AS request_p95,
  percentile_cont(0.5) WITHIN GROUP (ORDER BY {_CYCLE_MS})
    FILTER (WHERE event_type = 'edit_applied') AS cycle_p50,
  percentile_cont(0.95) WITHIN GROUP (ORDER BY {_CYCLE_MS})
    FILTER (WHERE event_type = 'edit_applied') AS cycle_p95,
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
    FILTER (WHERE event_type = 'replication_success') AS lag_p99
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
  avg({_LATENCY}) AS avg_latency_ms,
  avg({_REQUEST_MS}) AS request_ms
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

_HAS_BUDGET = (
    "(jsonb_typeof(metadata -> 'budget_used') = 'number' "
    "OR jsonb_typeof(metadata -> 'budget_limit') = 'number')"
)
_BUDGET_EVENTS = (
    "(event_type IN ('budget_exceeded', 'budget_changed') "
    f"OR (event_type = 'edit_applied' AND {_HAS_BUDGET}))"
)
# The newest budget-bearing event before :before; a figure it lacks is the newest one reported
# before it (a budget_exceeded may carry no limit, say).
_BUDGET = text(f"""
WITH newest AS (
  SELECT id, event_type, timestamp,
    {_number("budget_used")} AS used,
    {_number("budget_limit")} AS lim,
    CASE WHEN jsonb_typeof(metadata -> 'exceeded') = 'boolean'
      THEN (metadata ->> 'exceeded')::boolean END AS flag
  FROM events
  WHERE {_BUDGET_EVENTS} AND timestamp < :before
  ORDER BY timestamp DESC, id DESC
  LIMIT 1
)
SELECT
  newest.event_type,
  newest.timestamp,
  newest.flag,
  coalesce(newest.used, (
    SELECT {_number("budget_used")} FROM events
    WHERE {_BUDGET_EVENTS} AND jsonb_typeof(metadata -> 'budget_used') = 'number'
      AND (timestamp, id) < (newest.timestamp, newest.id)
    ORDER BY timestamp DESC, id DESC LIMIT 1)) AS budget_used,
  coalesce(newest.lim, (
    SELECT {_number("budget_limit")} FROM events
    WHERE {_BUDGET_EVENTS} AND jsonb_typeof(metadata -> 'budget_limit') = 'number'
      AND (timestamp, id) < (newest.timestamp, newest.id)
    ORDER BY timestamp DESC, id DESC LIMIT 1)) AS budget_limit
FROM newest
""")

# Per link (sender → receiver), the p95 replication latency; the worst link first.
_WORST_LINK = text(f"""
SELECT source, target, p95 FROM (
  SELECT
    {_text("source_node")} AS source,
    {_text("target_node")} AS target,
    percentile_cont(0.95) WITHIN GROUP (ORDER BY {_LATENCY}) AS p95
  FROM events
  WHERE event_type = 'replication_success' AND timestamp >= :start
  GROUP BY 1, 2
) AS links
WHERE source IS NOT NULL AND target IS NOT NULL AND p95 IS NOT NULL
ORDER BY p95 DESC, source, target
LIMIT 1
""")

TIMELINE_TYPES = (
    "replication_failed",
    "replication_recovered",
    "node_recovered",
    "budget_exceeded",
    "budget_changed",
    "document_initialised",
    "agent_started",
    "agent_stopped",
)
_TIMELINE_TYPES_SQL = ", ".join(f"'{name}'" for name in TIMELINE_TYPES)

# The newest :cap timeline events at or after :start (returned oldest first).
_TIMELINE = text(f"""
SELECT event_type, timestamp, agent_id, metadata FROM (
  SELECT id, event_type, timestamp, agent_id, metadata FROM events
  WHERE event_type IN ({_TIMELINE_TYPES_SQL}) AND timestamp >= :start
  ORDER BY timestamp DESC, id DESC
  LIMIT :cap
) AS recent
ORDER BY timestamp, id
""")

# Link state before :before: each link's newest failure/recovery, each node's newest restart.
_LINK_HISTORY = text(f"""
SELECT event_type, timestamp, agent_id, metadata FROM (
  SELECT DISTINCT ON ({_text("source_node")}, {_text("target_node")})
    id, event_type, timestamp, agent_id, metadata
  FROM events
  WHERE event_type IN ('replication_failed', 'replication_recovered') AND timestamp < :before
  ORDER BY {_text("source_node")}, {_text("target_node")}, timestamp DESC, id DESC
) AS links
UNION ALL
SELECT event_type, timestamp, agent_id, metadata FROM (
  SELECT DISTINCT ON ({_text("node")}) id, event_type, timestamp, agent_id, metadata
  FROM events
  WHERE event_type = 'node_recovered' AND timestamp < :before
  ORDER BY {_text("node")}, timestamp DESC, id DESC
) AS restarts
ORDER BY timestamp
""")

# Every node named by an event at or after :start.
_NODE_NAMES = text(f"""
SELECT DISTINCT name FROM events,
  LATERAL (VALUES ({_text("node")}), ({_text("source_node")}), ({_text("target_node")}))
    AS named(name)
WHERE timestamp >= :start AND name IS NOT NULL
ORDER BY name
""")


@dataclass(frozen=True)
class Totals:
    """Window-wide aggregates; see `_TOTALS`."""

    total_edits: int
    total_tokens: int
    active_agents: int
    avg_latency_ms: float | None
    request_p50: float | None
    request_p95: float | None
    cycle_p50: float | None
    cycle_p95: float | None
    first_edit_at: datetime | None
    rejected: int
    superseded: float
    replications: int
    replication_failures: int
    lag_p50: float | None
    lag_p95: float | None
    lag_p99: float | None


@dataclass(frozen=True)
class BucketRow:
    """Applied edits in one time bucket (absent buckets had none)."""

    bucket: int
    edits: int
    tokens: int
    agents: int
    avg_latency_ms: float | None
    request_ms: float | None


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
    """The newest budget-bearing event (its type, time and `exceeded` flag, if any) and the
    budget figures as of then; all None when no node ever reported its budget."""

    event_type: str | None = None
    timestamp: datetime | None = None
    flag: bool | None = None
    budget_used: float | None = None
    budget_limit: float | None = None

    @property
    def exceeded(self) -> bool:
        """Newest is a refusal, a change saying so, or the figures show the budget spent."""
        if self.event_type == "budget_exceeded":
            return True
        if self.event_type == "budget_changed" and self.flag:
            return True
        return (
            self.budget_used is not None
            and self.budget_limit is not None
            and self.budget_used >= self.budget_limit
        )


@dataclass(frozen=True)
class LinkRow:
    """The replication link with the highest p95 latency."""

    source: str
    target: str
    p95: float


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
async def window_totals(*, session: AsyncSession, start: datetime) -> Totals:
    """Aggregates over the events at or after `start`."""
    row = (await session.execute(_TOTALS, {"start": start})).one()
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
async def latest_budget(*, session: AsyncSession, before: datetime | None = None) -> BudgetRow:
    """The budget as of the newest budget-bearing event (before `before`, when given)."""
    bound = before if before is not None else datetime.max.replace(tzinfo=UTC)
    row = (await session.execute(_BUDGET, {"before": bound})).one_or_none()
    return BudgetRow() if row is None else BudgetRow(**row._asdict())


@_translated
async def worst_link(*, session: AsyncSession, start: datetime) -> LinkRow | None:
    """The link with the highest p95 replication latency at or after `start`, if any."""
    row = (await session.execute(_WORST_LINK, {"start": start})).one_or_none()
    return None if row is None else LinkRow(**row._asdict())


@_translated
async def timeline_events(
    *, session: AsyncSession, start: datetime, cap: int = 20_000
) -> list[StoredEvent]:
    """The newest `cap` events the timeline reads, at or after `start`, oldest first."""
    result = await session.execute(_TIMELINE, {"start": start, "cap": cap})
    return [_stored(row) for row in result]


@_translated
async def link_history(*, session: AsyncSession, before: datetime) -> list[StoredEvent]:
    """Each link's newest failure or recovery and each node's newest restart before `before`."""
    result = await session.execute(_LINK_HISTORY, {"before": before})
    return [_stored(row) for row in result]


@_translated
async def node_names(*, session: AsyncSession, start: datetime) -> list[str]:
    """Every node named (`node`, `source_node`, `target_node`) by an event at or after `start`."""
    result = await session.execute(_NODE_NAMES, {"start": start})
    return [row.name for row in result]


def _stored(row: Any) -> StoredEvent:
    return StoredEvent(
        event_type=row.event_type,
        timestamp=row.timestamp,
        agent_id=row.agent_id,
        metadata=row.metadata if isinstance(row.metadata, dict) else {},
    )
