"""Request and response bodies of the Analytics API."""

from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

INT32_MAX = 2**31 - 1
MAX_BATCH = 1000

Count = Annotated[int, Field(strict=True, ge=0, le=INT32_MAX)]
Name = Annotated[str, Field(strict=True, min_length=1, max_length=200)]


class EventType(StrEnum):
    """What happened (spec component 6, plus the agent supervisor's start/stop)."""

    EDIT_APPLIED = "edit_applied"
    EDIT_REJECTED = "edit_rejected"
    REPLICATION_SUCCESS = "replication_success"
    REPLICATION_FAILED = "replication_failed"
    REPLICATION_RECOVERED = "replication_recovered"
    BUDGET_EXCEEDED = "budget_exceeded"
    BUDGET_CHANGED = "budget_changed"
    NODE_RECOVERED = "node_recovered"
    DOCUMENT_INITIALISED = "document_initialised"
    AGENT_STARTED = "agent_started"
    AGENT_STOPPED = "agent_stopped"


class Period(StrEnum):
    """The window of `GET /api/analytics/metrics`, and the width of its chart buckets."""

    HOUR = "1h"
    DAY = "24h"
    WEEK = "7d"

    @property
    def duration(self) -> timedelta:
        """How far back the window reaches from now."""
        return _DURATIONS[self]

    @property
    def bucket(self) -> timedelta:
        """Width of one time bucket: 1 min for 1h, 15 min for 24h, 2 h for 7d."""
        return _BUCKETS[self]


_DURATIONS = {
    Period.HOUR: timedelta(hours=1),
    Period.DAY: timedelta(days=1),
    Period.WEEK: timedelta(days=7),
}
_BUCKETS = {
    Period.HOUR: timedelta(minutes=1),
    Period.DAY: timedelta(minutes=15),
    Period.WEEK: timedelta(hours=2),
}


class EventIn(BaseModel):
    """One event (spec FR 14/18) plus the optional `event_id` that makes redelivery idempotent.

    `timestamp` defaults to the time of receipt; one without a time zone is taken as UTC.
    Unknown fields are ignored so that senders can add fields before the service knows them.
    """

    model_config = ConfigDict(extra="ignore")

    event_type: EventType
    agent_id: Name | None = None
    version: Count | None = None
    tokens: Count = 0
    timestamp: datetime | None = None
    metadata: dict[str, Any] = Field(default_factory=dict)
    event_id: Name | None = None

    @field_validator("metadata", mode="before")
    @classmethod
    def _null_metadata(cls, value: object) -> object:
        return {} if value is None else value

    @field_validator("timestamp")
    @classmethod
    def _aware(cls, value: datetime | None) -> datetime | None:
        if value is not None and value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value


class EventBatchIn(BaseModel):
    """Up to 1000 events in one request (the Text Service outbox sends these)."""

    events: list[EventIn] = Field(max_length=MAX_BATCH)


class StatusOk(BaseModel):
    """Spec FR 18 answer."""

    status: Literal["ok"] = "ok"


class BatchStored(StatusOk):
    """Batch answer: `stored` events were new, `received - stored` were redeliveries."""

    stored: int
    received: int


class Health(BaseModel):
    """`GET /health` answer when the database answers."""

    status: Literal["ok"] = "ok"
    database: Literal["ok"] = "ok"


class TokenPoint(BaseModel):
    """Tokens of the edits applied in one bucket (spec FR 19)."""

    timestamp: datetime
    tokens: int


class EditsPoint(BaseModel):
    """Edits applied in one bucket."""

    timestamp: datetime
    edits: int


class AgentsPoint(BaseModel):
    """Distinct agents with an applied edit in one bucket."""

    timestamp: datetime
    agents: int


class LatencyPoint(BaseModel):
    """Edit latency in one bucket: `avg_latency_ms` the mean `latency_ms` (0 when the bucket
    is empty), `request_ms` the mean of the nodes' `request_ms` (null when none reported it)."""

    timestamp: datetime
    avg_latency_ms: float
    request_ms: float | None = None


class StatusPoint(BaseModel):
    """Edit outcomes in one bucket: `accepted` the edits applied then (superseded later or
    not), `rejected` those refused, `superseded` the earlier edits the applied ones overwrote."""

    timestamp: datetime
    accepted: int
    rejected: int
    superseded: int


class LinkLagPoint(BaseModel):
    """Replication latency of one link (sender → receiver) in one bucket, in ms; only buckets
    in which the link delivered something have a point."""

    timestamp: datetime
    source: str
    target: str
    count: int
    p50: float
    p95: float
    p99: float


class EditsByStatus(BaseModel):
    """Edits by final status, as in `GET /api/edits`; the three add up to all edit outcomes."""

    accepted: int
    rejected: int
    superseded: int


class Budget(BaseModel):
    """The token budget now, from the newest budget-bearing event whenever it was (not the
    period): an `edit_applied` carrying `budget_used`/`budget_limit`, a `budget_exceeded`, a
    `budget_changed`, or an `agent_stopped` with reason `budget_exhausted`. A figure that event
    lacks is the newest one reported before it.

    `used` is Chorus's one token figure: the tokens the nodes count against the budget (every
    edit they hold, accepted or rejected, since the budget began). Show it on the tokens tile and
    on the gauge alike; `total_tokens` is only the period's applied edits (the sum of
    `token_usage_by_time`), for the chart.

    `exceeded` is true when that newest event is a `budget_exceeded` (a node refused an edit), an
    agent stopped by the budget (it stops before its LLM call when what it spent and has not yet
    reported takes the budget over: no node refuses anything then), a `budget_changed` saying
    `exceeded`, or `used >= limit`. A restored limit (a later
    `budget_changed` or applied edit under the limit) makes it false again.
    """

    limit: int | None
    used: int | None
    exceeded: bool


class AgentFigures(BaseModel):
    """One agent's activity in the window."""

    agent_id: str
    role: str | None
    edits: int
    tokens: int
    rejected: int


class NodeFigures(BaseModel):
    """One Text Service node as seen through its events in the window.

    `version` is the highest version it reached (edit_applied `version`, replication_success
    `metadata.target_version`), `last_event` its latest event, `recovered` how many
    node_recovered events it sent.
    """

    node: str
    version: int | None
    last_event: datetime
    recovered: int


class Percentiles(BaseModel):
    """p50 and p95 in ms; null when nothing was measured in the period."""

    p50: float | None
    p95: float | None


class WorstLink(BaseModel):
    """The replication link (sender → receiver) with the highest p95 lag in the period."""

    source: str
    target: str
    p95: float


class LagPercentiles(BaseModel):
    """Replication latency percentiles in ms (null when nothing was replicated) and the link
    with the highest p95 (null likewise)."""

    p50: float | None
    p95: float | None
    p99: float | None
    worst_link: WorstLink | None = None


class Replication(BaseModel):
    """Replication deliveries in the window."""

    count: int
    failed: int
    lag_ms: LagPercentiles


class Metrics(BaseModel):
    """`GET /api/analytics/metrics`: the spec's fields (FR 19) and the dashboard's extras.

    The one token figure to show is `budget.used` (see `Budget`); `total_tokens` is the
    period's applied edits only. `active_agents` counts agents with an applied edit in the
    period. `edit_latency_ms` is the nodes' time from an edit request's arrival to its commit
    (`request_ms`), `cycle_ms` the agents' cycle time when they report it (null otherwise);
    `avg_latency_ms` (mean `latency_ms`) is kept for older clients. `window_start` is the
    later of now - period and the request's `since`; `bucket_seconds` the width of the series'
    buckets (the period's, or the request's `bucket_s`).
    """

    period: Period
    total_edits: int
    total_tokens: int
    active_agents: int
    avg_latency_ms: float
    edit_latency_ms: Percentiles
    cycle_ms: Percentiles
    edits_per_minute: float
    token_usage_by_time: list[TokenPoint]
    edits_by_time: list[EditsPoint]
    active_agents_by_time: list[AgentsPoint]
    latency_by_time: list[LatencyPoint]
    status_by_time: list[StatusPoint] = Field(default_factory=list)
    replication_lag_by_time: list[LinkLagPoint] = Field(default_factory=list)
    edits_by_status: EditsByStatus
    budget: Budget
    agents: list[AgentFigures]
    nodes: list[NodeFigures]
    replication: Replication
    conflicts: int
    window_start: datetime
    generated_at: datetime
    bucket_seconds: int


class TimelineKind(StrEnum):
    """What a timeline entry reports (see `analytics.timeline` for how each is derived)."""

    NODE_DOWN = "node_down"
    NODE_BACK = "node_back"
    NODE_CAUGHT_UP = "node_caught_up"
    LINK_FAILING = "link_failing"
    LINK_RECOVERED = "link_recovered"
    PARTITION_HEALED = "partition_healed"
    BUDGET_EXHAUSTED = "budget_exhausted"
    BUDGET_RESTORED = "budget_restored"
    BUDGET_CHANGED = "budget_changed"
    DOCUMENT_INITIALISED = "document_initialised"
    AGENTS_STARTED = "agents_started"
    AGENTS_STOPPED = "agents_stopped"


class Severity(StrEnum):
    """How a client colours an entry: `error` (red), `warning`, `ok` (green), `info`."""

    ERROR = "error"
    WARNING = "warning"
    OK = "ok"
    INFO = "info"


class TimelineEvent(BaseModel):
    """One entry of the cluster timeline, worded in Russian for people.

    `node` is the node concerned (for a link: the sender), `peer` the other end of a link (the
    receiver), both null when no node is concerned. `detail` is null when there is nothing to add.
    """

    timestamp: datetime
    kind: TimelineKind
    node: str | None = None
    peer: str | None = None
    title: str
    detail: str | None = None
    severity: Severity


class Timeline(BaseModel):
    """`GET /api/analytics/timeline`: the cluster's events of the period, newest first."""

    events: list[TimelineEvent]
    generated_at: datetime
