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
    """Mean edit latency in one bucket (0 when the bucket is empty)."""

    timestamp: datetime
    avg_latency_ms: float


class EditsByStatus(BaseModel):
    """Edits by final status, as in `GET /api/edits`; the three add up to all edit outcomes."""

    accepted: int
    rejected: int
    superseded: int


class Budget(BaseModel):
    """Token budget as last reported by a node; `exceeded` once a node refused an edit for it."""

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


class LagPercentiles(BaseModel):
    """Replication latency percentiles in ms; null when nothing was replicated."""

    p50: float | None
    p95: float | None
    p99: float | None


class Replication(BaseModel):
    """Replication deliveries in the window."""

    count: int
    failed: int
    lag_ms: LagPercentiles


class Metrics(BaseModel):
    """`GET /api/analytics/metrics`: the spec's fields (FR 19) and the dashboard's extras."""

    period: Period
    total_edits: int
    total_tokens: int
    active_agents: int
    avg_latency_ms: float
    edits_per_minute: float
    token_usage_by_time: list[TokenPoint]
    edits_by_time: list[EditsPoint]
    active_agents_by_time: list[AgentsPoint]
    latency_by_time: list[LatencyPoint]
    edits_by_status: EditsByStatus
    budget: Budget
    agents: list[AgentFigures]
    nodes: list[NodeFigures]
    replication: Replication
    conflicts: int
    window_start: datetime
    generated_at: datetime
    bucket_seconds: int
