"""Aggregation behind `GET /api/analytics/metrics` (spec FR 19, FR 24, scenarios 6 and 7).

Choices the spec leaves open:

- The window is [now - period, now]; events stamped a little after `now` (a node clock running
  ahead) still count, in the last bucket.
- Charts use buckets of 1 min (1h), 15 min (24h) or 2 h (7d), aligned to multiples of the width
  since the Unix epoch (UTC) so that they stay put between polls. They run from the bucket
  holding the window start to the bucket holding now — period/width + 1 buckets, empty ones
  included with zeros — and the first counts only events inside the window, so every series
  adds up to the window totals.
- `active_agents` counts distinct agents with an applied edit in the period (as the period's
  other figures); `active_agents_by_time` counts them per bucket.
- `edits_per_minute` divides the window's applied edits by the minutes from the window start or
  from the first applied edit, whichever is later, and at least one minute — so a fresh run is
  not diluted by an hour of nothing, nor inflated by one edit a second ago.
- `avg_latency_ms` is the mean `metadata.latency_ms` of applied edits (0 when there are none),
  kept for older clients. `edit_latency_ms` is p50/p95 of the nodes' `metadata.request_ms`
  (request arrival to commit), `cycle_ms` p50/p95 of `metadata.cycle_ms` (an agent's whole
  cycle, when it reports one); both null when no applied edit in the period carries them.
- `replication.lag_ms.worst_link` is the link (sender → receiver) with the highest p95
  `latency_ms` among the period's replication_success events.
- `edits_by_status` mirrors `GET /api/edits`: `superseded` sums `metadata.superseded` of applied
  edits (a count, or true for one), `accepted` is the applied edits not superseded, `rejected`
  counts edit_rejected; `conflicts` = rejected + superseded.
- `budget` is the budget now, whatever the period: the newest budget-bearing event (applied
  edit with budget figures, budget_exceeded, budget_changed, an agent stopped by the budget)
  says whether it is `exceeded`;
  see `schemas.Budget`. A restored limit is therefore no longer "exceeded".
- `since` moves the window start later (a run report asks for its run only); `bucket_s` makes
  the buckets narrower or wider than the period's, but never so narrow that the window holds
  more than `MAX_BUCKETS` of them (the width used is `bucket_seconds`). `status_by_time` counts
  edit outcomes per bucket, `replication_lag_by_time` the lag percentiles per bucket and link.
- Everything else is computed from events in the window.
"""

import math
from datetime import UTC, datetime, timedelta

from . import repository
from .db import Database
from .repository import BucketRow, LinkLagRow
from .schemas import (
    AgentFigures,
    AgentsPoint,
    Budget,
    EditsByStatus,
    EditsPoint,
    LagPercentiles,
    LatencyPoint,
    LinkLagPoint,
    Metrics,
    NodeFigures,
    Percentiles,
    Period,
    Replication,
    StatusPoint,
    Timeline,
    TokenPoint,
    WorstLink,
)
from .timeline import BudgetState, derive

MIN_RATE_SPAN = timedelta(minutes=1)
MAX_BUCKETS = 4000
"""The most buckets one answer has: a narrower `bucket_s` is widened to fit."""
NODE_NAMES_SPAN = timedelta(hours=1)


def bucket_origin(start: datetime, width: timedelta) -> float:
    """Epoch seconds of the start of the bucket that holds `start`."""
    seconds = width.total_seconds()
    return math.floor(start.timestamp() / seconds) * seconds


def bucket_count(origin: float, now: datetime, width: timedelta) -> int:
    """Buckets from `origin` up to and including the one that holds `now`."""
    return math.floor((now.timestamp() - origin) / width.total_seconds()) + 1


def window(
    period: Period, now: datetime, *, since: datetime | None = None, bucket_s: int | None = None
) -> tuple[datetime, timedelta]:
    """The window start and the bucket width of a metrics request (see the module docstring)."""
    start = now - period.duration
    if since is not None:
        aware = since if since.tzinfo is not None else since.replace(tzinfo=UTC)
        start = min(max(start, aware), now)
    if bucket_s is None:
        return start, period.bucket
    narrowest = math.ceil((now - start).total_seconds() / MAX_BUCKETS)
    return start, timedelta(seconds=max(bucket_s, narrowest, 1))


def _lag_series(rows: list[LinkLagRow], *, origin: float, width: timedelta) -> list[LinkLagPoint]:
    return [
        LinkLagPoint(
            timestamp=datetime.fromtimestamp(origin + row.bucket * width.total_seconds(), tz=UTC),
            source=row.source,
            target=row.target,
            count=row.count,
            p50=row.p50,
            p95=row.p95,
            p99=row.p99,
        )
        for row in rows
    ]


def edits_per_minute(
    total_edits: int, *, start: datetime, first_edit_at: datetime | None, now: datetime
) -> float:
    """Applied edits per minute since the window start or the first edit, whichever is later."""
    if total_edits == 0:
        return 0.0
    since = max(start, first_edit_at) if first_edit_at is not None else start
    span = max(now - since, MIN_RATE_SPAN)
    return round(total_edits / (span.total_seconds() / 60), 3)


def _rounded(value: float | None) -> int | None:
    return None if value is None else round(value)


def _series(
    rows: list[BucketRow], *, origin: float, width: timedelta, count: int
) -> tuple[
    list[TokenPoint], list[EditsPoint], list[AgentsPoint], list[LatencyPoint], list[StatusPoint]
]:
    by_index = {row.bucket: row for row in rows}
    tokens, edits, agents, latency, statuses = [], [], [], [], []
    for index in range(count):
        at = datetime.fromtimestamp(origin + index * width.total_seconds(), tz=UTC)
        row = by_index.get(index, BucketRow(index, 0, 0, 0, None, None, 0, 0))
        tokens.append(TokenPoint(timestamp=at, tokens=row.tokens))
        edits.append(EditsPoint(timestamp=at, edits=row.edits))
        agents.append(AgentsPoint(timestamp=at, agents=row.agents))
        latency.append(
            LatencyPoint(
                timestamp=at, avg_latency_ms=row.avg_latency_ms or 0.0, request_ms=row.request_ms
            )
        )
        statuses.append(
            StatusPoint(
                timestamp=at,
                accepted=row.edits,
                rejected=row.rejected,
                superseded=round(row.superseded),
            )
        )
    return tokens, edits, agents, latency, statuses


async def compute_metrics(
    *,
    database: Database,
    period: Period,
    now: datetime,
    since: datetime | None = None,
    bucket_s: int | None = None,
) -> Metrics:
    """The metrics of the window [now - period, now], or [since, now] when that is shorter
    (see the module docstring)."""
    start, width = window(period, now, since=since, bucket_s=bucket_s)
    origin = bucket_origin(start, width)
    count = bucket_count(origin, now, width)
    totals = await repository.window_totals(database=database, start=start)
    width_s = width.total_seconds()
    rows = await repository.edit_buckets(
        database=database, start=start, origin=origin, width_s=width_s, buckets=count
    )
    lags = await repository.lag_buckets(
        database=database, start=start, origin=origin, width_s=width_s, buckets=count
    )
    agents = await repository.agent_figures(database=database, start=start)
    nodes = await repository.node_figures(database=database, start=start)
    budget = await repository.latest_budget(database=database)
    worst = await repository.worst_link(database=database, start=start)

    tokens_series, edits_series, agents_series, latency_series, status_series = _series(
        rows, origin=origin, width=width, count=count
    )
    superseded = round(totals.superseded)
    return Metrics(
        period=period,
        total_edits=totals.total_edits,
        total_tokens=totals.total_tokens,
        active_agents=totals.active_agents,
        avg_latency_ms=totals.avg_latency_ms or 0.0,
        edit_latency_ms=Percentiles(p50=totals.request_p50, p95=totals.request_p95),
        cycle_ms=Percentiles(p50=totals.cycle_p50, p95=totals.cycle_p95),
        edits_per_minute=edits_per_minute(
            totals.total_edits, start=start, first_edit_at=totals.first_edit_at, now=now
        ),
        token_usage_by_time=tokens_series,
        edits_by_time=edits_series,
        active_agents_by_time=agents_series,
        latency_by_time=latency_series,
        status_by_time=status_series,
        replication_lag_by_time=_lag_series(lags, origin=origin, width=width),
        edits_by_status=EditsByStatus(
            accepted=max(totals.total_edits - superseded, 0),
            rejected=totals.rejected,
            superseded=superseded,
        ),
        budget=Budget(
            limit=_rounded(budget.budget_limit),
            used=_rounded(budget.budget_used),
            exceeded=budget.exceeded,
        ),
        agents=[
            AgentFigures(
                agent_id=agent.agent_id,
                role=agent.role,
                edits=agent.edits,
                tokens=agent.tokens,
                rejected=agent.rejected,
            )
            for agent in agents
        ],
        nodes=[
            NodeFigures(
                node=node.node,
                version=_rounded(node.version),
                last_event=node.last_event,
                recovered=node.recovered,
            )
            for node in nodes
        ],
        replication=Replication(
            count=totals.replications,
            failed=totals.replication_failures,
            lag_ms=LagPercentiles(
                p50=totals.lag_p50,
                p95=totals.lag_p95,
                p99=totals.lag_p99,
                worst_link=None
                if worst is None
                else WorstLink(source=worst.source, target=worst.target, p95=worst.p95),
            ),
        ),
        conflicts=totals.rejected + superseded,
        window_start=start,
        generated_at=now,
        bucket_seconds=round(width.total_seconds()),
    )


async def compute_timeline(
    *, database: Database, period: Period, now: datetime, limit: int
) -> Timeline:
    """The cluster timeline of the window [now - period, now] (see `analytics.timeline`)."""
    start = now - period.duration
    events = await repository.timeline_events(database=database, start=start)
    history = await repository.link_history(database=database, before=start)
    # The cluster's nodes as of late: naming them costs a scan of every edit and delivery, so
    # a long period looks at its last hour only (the timeline's own events add any other).
    nodes = await repository.node_names(database=database, start=max(start, now - NODE_NAMES_SPAN))
    before = await repository.latest_budget(database=database, before=start)
    entries = derive(
        events,
        history=history,
        nodes=nodes,
        budget=BudgetState(exhausted=before.exceeded, limit=_rounded(before.budget_limit)),
        limit=limit,
    )
    return Timeline(events=entries, generated_at=now)
