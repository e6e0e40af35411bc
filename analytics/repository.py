"""All SQL of the Analytics Service. Functions take keyword-only arguments, the database first;
each takes a pooled connection for its statement (driver errors that mean "unavailable" become
DatabaseUnavailableError there) and gives it back.

Metadata values are read defensively: a number is only cast when `jsonb_typeof` says it is one,
so one malformed event cannot break the metrics for everybody.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

import asyncpg

from .db import Database
from .schemas import EventIn
from .timeline import StoredEvent


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

_TOTALS = f"""
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
WHERE timestamp >= $1
"""

# An event's bucket: ($2 the window's start in epoch seconds, $3 the bucket width, $4 the last
# bucket), capped before the cast: an event stamped far ahead overflowed int.
_BUCKET = """
  least(
    floor((extract(epoch FROM timestamp)::float8 - CAST($2 AS float8))
          / CAST($3 AS float8)),
    CAST($4 AS float8)
  )::int AS bucket"""

# Per bucket: applied edits and their figures; the outcomes too: rejected edits, and the
# edits the applied ones superseded (counted in the bucket of the superseding edit).
_BUCKETS = f"""
SELECT{_BUCKET},
  count(*) FILTER (WHERE event_type = 'edit_applied') AS edits,
  coalesce(sum(tokens) FILTER (WHERE event_type = 'edit_applied'), 0) AS tokens,
  count(DISTINCT agent_id) FILTER (WHERE event_type = 'edit_applied') AS agents,
  avg({_LATENCY}) FILTER (WHERE event_type = 'edit_applied') AS avg_latency_ms,
  avg({_REQUEST_MS}) FILTER (WHERE event_type = 'edit_applied') AS request_ms,
  count(*) FILTER (WHERE event_type = 'edit_rejected') AS rejected,
  coalesce(sum({_SUPERSEDED}) FILTER (WHERE event_type = 'edit_applied'), 0) AS superseded
FROM events
WHERE event_type IN ('edit_applied', 'edit_rejected') AND timestamp >= $1
GROUP BY 1
ORDER BY 1
"""

# Replication latency percentiles per bucket and link (sender → receiver).
_LAG_BUCKETS = f"""
SELECT * FROM (
  SELECT{_BUCKET},
    {_text("source_node")} AS source,
    {_text("target_node")} AS target,
    count({_LATENCY}) AS count,
    percentile_cont(0.5) WITHIN GROUP (ORDER BY {_LATENCY}) AS p50,
    percentile_cont(0.95) WITHIN GROUP (ORDER BY {_LATENCY}) AS p95,
    percentile_cont(0.99) WITHIN GROUP (ORDER BY {_LATENCY}) AS p99
  FROM events
  WHERE event_type = 'replication_success' AND timestamp >= $1
  GROUP BY 1, 2, 3
) AS links
WHERE source IS NOT NULL AND target IS NOT NULL AND count > 0
ORDER BY bucket, source, target
"""

_AGENTS = f"""
SELECT
  agent_id,
  (array_agg({_text("role")} ORDER BY timestamp DESC, id DESC)
    FILTER (WHERE jsonb_typeof(metadata -> 'role') = 'string'))[1] AS role,
  count(*) FILTER (WHERE event_type = 'edit_applied') AS edits,
  coalesce(sum(tokens) FILTER (WHERE event_type = 'edit_applied'), 0) AS tokens,
  count(*) FILTER (WHERE event_type = 'edit_rejected') AS rejected
FROM events
WHERE timestamp >= $1 AND agent_id IS NOT NULL
GROUP BY agent_id
ORDER BY edits DESC, agent_id
LIMIT $2
"""

# A replication_success event belongs to its target node (whose copy advanced); every other
# event to metadata.node. The version is the dense version the node reached.
_NODES = f"""
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
  WHERE timestamp >= $1
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
"""

_HAS_BUDGET = (
    "(jsonb_typeof(metadata -> 'budget_used') = 'number' "
    "OR jsonb_typeof(metadata -> 'budget_limit') = 'number')"
)
# An agent stopped by the budget counts too: an agent stops before the LLM call when what it
# spent and has not reported yet (no edit carried it) takes the budget over, and then no node
# ever refuses an edit of it.
_BUDGET_EVENTS = (
    "(event_type IN ('budget_exceeded', 'budget_changed') "
    f"OR (event_type = 'edit_applied' AND {_HAS_BUDGET}) "
    "OR (event_type = 'agent_stopped' AND metadata ->> 'reason' = 'budget_exhausted'))"
)
# The newest budget-bearing event before $1 (before); a figure it lacks is the newest one reported
# before it (a budget_exceeded may carry no limit, say).
_BUDGET = f"""
WITH newest AS (
  SELECT id, event_type, timestamp,
    {_number("budget_used")} AS used,
    {_number("budget_limit")} AS lim,
    CASE WHEN jsonb_typeof(metadata -> 'exceeded') = 'boolean'
      THEN (metadata ->> 'exceeded')::boolean END AS flag
  FROM events
  WHERE {_BUDGET_EVENTS} AND timestamp < $1
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
"""

# Per link (sender → receiver), the p95 replication latency; the worst link first.
_WORST_LINK = f"""
SELECT source, target, p95 FROM (
  SELECT
    {_text("source_node")} AS source,
    {_text("target_node")} AS target,
    percentile_cont(0.95) WITHIN GROUP (ORDER BY {_LATENCY}) AS p95
  FROM events
  WHERE event_type = 'replication_success' AND timestamp >= $1
  GROUP BY 1, 2
) AS links
WHERE source IS NOT NULL AND target IS NOT NULL AND p95 IS NOT NULL
ORDER BY p95 DESC, source, target
LIMIT 1
"""

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

# The newest $2 (cap) timeline events at or after $1 (start) (returned oldest first).
_TIMELINE = f"""
SELECT event_type, timestamp, agent_id, metadata FROM (
  SELECT id, event_type, timestamp, agent_id, metadata FROM events
  WHERE event_type IN ({_TIMELINE_TYPES_SQL}) AND timestamp >= $1
  ORDER BY timestamp DESC, id DESC
  LIMIT $2
) AS recent
ORDER BY timestamp, id
"""

# Link state before $1 (before): each link's newest failure/recovery, each node's newest restart.
_LINK_HISTORY = f"""
SELECT event_type, timestamp, agent_id, metadata FROM (
  SELECT DISTINCT ON ({_text("source_node")}, {_text("target_node")})
    id, event_type, timestamp, agent_id, metadata
  FROM events
  WHERE event_type IN ('replication_failed', 'replication_recovered') AND timestamp < $1
  ORDER BY {_text("source_node")}, {_text("target_node")}, timestamp DESC, id DESC
) AS links
UNION ALL
SELECT event_type, timestamp, agent_id, metadata FROM (
  SELECT DISTINCT ON ({_text("node")}) id, event_type, timestamp, agent_id, metadata
  FROM events
  WHERE event_type = 'node_recovered' AND timestamp < $1
  ORDER BY {_text("node")}, timestamp DESC, id DESC
) AS restarts
ORDER BY timestamp
"""

# Every node named by an event at or after $1 (start).
_NODE_NAMES = f"""
SELECT DISTINCT name FROM events,
  LATERAL (VALUES ({_text("node")}), ({_text("source_node")}), ({_text("target_node")}))
    AS named(name)
WHERE timestamp >= $1 AND name IS NOT NULL
ORDER BY name
"""


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
    """Applied edits and edit outcomes in one time bucket (absent buckets had none)."""

    bucket: int
    edits: int
    tokens: int
    agents: int
    avg_latency_ms: float | None
    request_ms: float | None
    rejected: int
    superseded: float


@dataclass(frozen=True)
class LinkLagRow:
    """One link's replication latency percentiles in one time bucket."""

    bucket: int
    source: str
    target: str
    count: int
    p50: float
    p95: float
    p99: float


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
        """Newest is a refusal, an agent stopped by the budget, a change saying so, or the
        figures show the budget spent."""
        if self.event_type in ("budget_exceeded", "agent_stopped"):
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


_INSERT = """
INSERT INTO events (event_type, agent_id, version, tokens, timestamp, metadata, event_id)
SELECT * FROM unnest(
  $1::varchar[], $2::varchar[], $3::int[], $4::int[], $5::timestamptz[], $6::jsonb[], $7::varchar[]
)
ON CONFLICT (event_id) DO NOTHING
RETURNING id
"""


async def ping(*, database: Database) -> None:
    """Raise DatabaseUnavailableError unless the database answers `SELECT 1`."""
    async with database.connection() as conn:
        await conn.execute("SELECT 1")


async def insert_events(
    *, database: Database, events: Sequence[EventIn], received_at: datetime
) -> int:
    """Store `events` (one statement, so one transaction); the number that were new.

    An event whose `event_id` is stored already is skipped (ON CONFLICT DO NOTHING), so a
    redelivery is harmless. Events without a timestamp get `received_at`. Rows are inserted in
    the order of `events` (`unnest` keeps array order), so their ids follow it.
    """
    if not events:
        return 0
    columns = (
        [event.event_type.value for event in events],
        [event.agent_id for event in events],
        [event.version for event in events],
        [event.tokens for event in events],
        [event.timestamp or received_at for event in events],
        [event.metadata for event in events],
        [event.event_id for event in events],
    )
    async with database.connection() as conn:
        return len(await conn.fetch(_INSERT, *columns))


async def window_totals(*, database: Database, start: datetime) -> Totals:
    """Aggregates over the events at or after `start`."""
    async with database.connection() as conn:
        row = await conn.fetchrow(_TOTALS, start)
    assert row is not None  # an aggregate without GROUP BY is one row
    return Totals(**row)


async def edit_buckets(
    *, database: Database, start: datetime, origin: float, width_s: float, buckets: int
) -> list[BucketRow]:
    """Edits at or after `start` grouped into `buckets` buckets of `width_s` seconds.

    Bucket i covers [origin + i*width, origin + (i+1)*width) in epoch seconds; events stamped
    after the last bucket (a node's clock running ahead) count in the last one.
    """
    async with database.connection() as conn:
        rows = await conn.fetch(_BUCKETS, start, origin, width_s, buckets - 1)
    return [BucketRow(**row) for row in rows]


async def lag_buckets(
    *, database: Database, start: datetime, origin: float, width_s: float, buckets: int
) -> list[LinkLagRow]:
    """Replication latency percentiles at or after `start` per bucket and link."""
    async with database.connection() as conn:
        rows = await conn.fetch(_LAG_BUCKETS, start, origin, width_s, buckets - 1)
    return [LinkLagRow(**row) for row in rows]


async def agent_figures(*, database: Database, start: datetime, limit: int = 500) -> list[AgentRow]:
    """Per-agent edits, tokens, rejections and latest role for events at or after `start`."""
    async with database.connection() as conn:
        rows = await conn.fetch(_AGENTS, start, limit)
    return [AgentRow(**row) for row in rows]


async def node_figures(*, database: Database, start: datetime) -> list[NodeRow]:
    """Per-node highest version, latest event and recoveries for events at or after `start`."""
    async with database.connection() as conn:
        rows = await conn.fetch(_NODES, start)
    return [NodeRow(**row) for row in rows]


async def latest_budget(*, database: Database, before: datetime | None = None) -> BudgetRow:
    """The budget as of the newest budget-bearing event (before `before`, when given)."""
    bound = before if before is not None else datetime.max.replace(tzinfo=UTC)
    async with database.connection() as conn:
        row = await conn.fetchrow(_BUDGET, bound)
    return BudgetRow() if row is None else BudgetRow(**row)


async def worst_link(*, database: Database, start: datetime) -> LinkRow | None:
    """The link with the highest p95 replication latency at or after `start`, if any."""
    async with database.connection() as conn:
        row = await conn.fetchrow(_WORST_LINK, start)
    return None if row is None else LinkRow(**row)


async def timeline_events(
    *, database: Database, start: datetime, cap: int = 20_000
) -> list[StoredEvent]:
    """The newest `cap` events the timeline reads, at or after `start`, oldest first."""
    async with database.connection() as conn:
        rows = await conn.fetch(_TIMELINE, start, cap)
    return [_stored(row) for row in rows]


async def link_history(*, database: Database, before: datetime) -> list[StoredEvent]:
    """Each link's newest failure or recovery and each node's newest restart before `before`."""
    async with database.connection() as conn:
        rows = await conn.fetch(_LINK_HISTORY, before)
    return [_stored(row) for row in rows]


async def node_names(*, database: Database, start: datetime) -> list[str]:
    """Every node named (`node`, `source_node`, `target_node`) by an event at or after `start`."""
    async with database.connection() as conn:
        rows = await conn.fetch(_NODE_NAMES, start)
    return [row["name"] for row in rows]


def _stored(row: "asyncpg.Record") -> StoredEvent:
    metadata = row["metadata"]
    return StoredEvent(
        event_type=row["event_type"],
        timestamp=row["timestamp"],
        agent_id=row["agent_id"],
        metadata=metadata if isinstance(metadata, dict) else {},
    )
