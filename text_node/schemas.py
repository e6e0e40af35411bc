"""Request and response bodies of the Text Service (spec fields first, extensions after)."""

import uuid
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, StrictInt, StrictStr, field_validator

MAX_TEXT_CHARS = 10_000  # spec: an edit's text is at most 10 000 characters
EditStatus = Literal["accepted", "rejected", "superseded", "pending"]


def _uuid(value: str | None, field: str) -> str | None:
    if value is None:
        return None
    try:
        return str(uuid.UUID(value))
    except ValueError:
        raise ValueError(f"{field}: должен быть UUID") from None


class EditRequest(BaseModel):
    model_config = ConfigDict(strict=True)

    agent_id: StrictStr = Field(min_length=1, max_length=100)
    proposed_text: StrictStr = Field(max_length=MAX_TEXT_CHARS)
    position: StrictStr = Field(min_length=1, max_length=40)
    tokens_used: StrictInt = Field(ge=0, le=100_000_000)
    base_version: StrictInt | None = Field(default=None, ge=1)
    base_version_key: StrictInt | None = Field(default=None, ge=0)
    """The `version_key` of the version read: exact, where a dense version can shift."""
    edit_id: StrictStr | None = None
    document_id: StrictStr | None = Field(default=None, max_length=100)
    cycle_ms: StrictInt | None = Field(default=None, ge=0, le=86_400_000)
    """The agent's own time for this edit (reading, the chat, the LLM): an analytics figure."""

    @field_validator("edit_id")
    @classmethod
    def _edit_id(cls, value: str | None) -> str | None:
        return _uuid(value, "edit_id")


class EditResponse(BaseModel):
    edit_id: str
    status: str  # accepted | rejected | superseded | pending
    version: int
    document_id: str
    version_key: int
    node: str
    base_version: int
    reason: str = ""
    """Why it was rejected, a machine code: `conflict` (a stale read); "" otherwise."""
    message: str = ""
    """The rejection explained in Russian, for people."""
    acknowledged_by: list[str] = []


class InitRequest(BaseModel):
    model_config = ConfigDict(strict=True)

    topic: StrictStr = Field(min_length=1, max_length=500)
    initial_text: StrictStr = Field(max_length=MAX_TEXT_CHARS)
    edit_id: StrictStr | None = None

    @field_validator("edit_id")
    @classmethod
    def _edit_id(cls, value: str | None) -> str | None:
        return _uuid(value, "edit_id")


class InitResponse(BaseModel):
    document_id: str
    status: str = "initialized"
    version: int
    node: str


class DocumentResponse(BaseModel):
    version: int
    text: str
    timestamp: str
    document_id: str | None
    version_key: int
    topic: str
    node: str
    budget_used: int | None = None
    """Tokens of every edit this node holds (current version only)."""
    budget_limit: int | None = None
    """`token_budget.limit_tokens` (current version only; None while the database is down)."""


class AuthorRun(BaseModel):
    """Characters `[start, end)` of the text, all inserted by one edit."""

    start: int
    end: int
    edit_id: str
    agent_id: str
    kind: str
    version: int
    """The version the inserting edit made."""
    timestamp: str


class AuthorshipResponse(BaseModel):
    document_id: str
    version: int
    node: str
    text: str
    runs: list[AuthorRun]
    """Contiguous, in order, covering the text: `text[start:end]` concatenate to `text`."""


class VersionEntry(BaseModel):
    version: int
    version_key: int
    edit_id: str
    agent_id: str
    kind: str
    status: EditStatus
    tokens_used: int
    node: str
    timestamp: str


class VersionList(BaseModel):
    document_id: str
    total: int
    versions: list[VersionEntry]


class EditEntry(BaseModel):
    edit_id: str
    agent_id: str
    proposed_text: str
    position: str
    tokens_used: int
    status: EditStatus
    created_at: str
    node: str
    version_key: int
    base_version: int
    version: int | None
    reason: str
    """`conflict` for a rejected edit (a stale read), "" otherwise."""
    message: str = ""
    """The rejection explained in Russian."""


class EditPage(BaseModel):
    edits: list[EditEntry]
    total: int
    limit: int
    offset: int


class SyncRequest(BaseModel):
    version: int = 0
    diff: StrictStr
    timestamp: str = ""
    edit_id: str = ""


class BatchRequest(BaseModel):
    diffs: list[StrictStr] = Field(max_length=5000)


class SyncResponse(BaseModel):
    status: str = "synced"
    version: int
    applied: int


class CatchUpEntry(BaseModel):
    version: int | None
    diff: str
    timestamp: str
    edit_id: str
    version_key: int


class CatchUpResponse(BaseModel):
    versions: list[CatchUpEntry]
    watermark: dict[int, int]


class Lag(BaseModel):
    """Replication lag percentiles, ms from acceptance to a peer's acknowledgement."""

    p50: float | None
    p95: float | None
    p99: float | None
    count: int


class LinkLag(BaseModel):
    p50: float | None
    p95: float | None


class PeerLink(BaseModel):
    """This node's link to one peer."""

    last_ack_ms: int | None
    failing: str | None
    """The Russian reason while the link fails; null when it works."""
    state: Literal["ok", "failing", "unknown"]
    since: str | None
    lag_ms: LinkLag


class CatchUp(BaseModel):
    """The start-up catch-up: the Yjs sync exchange with every peer."""

    model_config = ConfigDict(populate_by_name=True)

    state: Literal["catching_up", "done"]
    ops: int
    bytes: int
    """Bytes of Yjs update received: only what was missing travels."""
    duration_ms: int | None
    from_: dict[str, int] = Field(alias="from")
    finished_at: str | None


class NodeState(BaseModel):
    """`GET /api/node`: this node for the cluster view."""

    model_config = ConfigDict(serialize_by_alias=True)

    node: str
    location: str
    ready: bool
    database: str
    """"ok", or why the database does not answer."""
    document_id: str | None
    version: int
    version_key: int
    timestamp: str
    watermark: dict[int, int]
    """Per origin node, the highest contiguous sequence held (the Yjs state vector)."""
    tokens_used: int
    outbox: dict[str, int]
    replication_lag_ms: Lag
    catch_up: CatchUp
    peers: dict[str, PeerLink]
