"""The JSON answers the client reads, as frozen dataclasses, and their parsers.

Pure: no Qt. Each `parse_*` takes the decoded JSON and raises `PayloadError` naming the field
when it is not what the service promises, so a changed API shows as a clear message instead
of a crash in a widget. tests/contracts runs every parser `chorus_api` uses on answers built
from the service's OpenAPI schema, so a field renamed on either side fails there first.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any


class PayloadError(ValueError):
    """The answer lacks a field or has one of the wrong type."""


def _object(value: Any, where: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise PayloadError(f"{where}: ожидался объект, пришло {type(value).__name__}")
    return value


def _list(value: Any, where: str) -> list[Any]:
    if not isinstance(value, list):
        raise PayloadError(f"{where}: ожидался список, пришло {type(value).__name__}")
    return value


def _str(data: dict[str, Any], key: str, *, default: str | None = None) -> str:
    value = data.get(key, default)
    if not isinstance(value, str):
        raise PayloadError(f"{key}: ожидалась строка, пришло {value!r}")
    return value


def _int(data: dict[str, Any], key: str) -> int:
    value = data.get(key)
    if isinstance(value, bool) or not isinstance(value, int):
        raise PayloadError(f"{key}: ожидалось целое число, пришло {value!r}")
    return value


def _opt_int(data: dict[str, Any], key: str) -> int | None:
    return None if data.get(key) is None else _int(data, key)


def _float(data: dict[str, Any], key: str) -> float:
    value = data.get(key)
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise PayloadError(f"{key}: ожидалось число, пришло {value!r}")
    return float(value)


def _opt_float(data: dict[str, Any], key: str) -> float | None:
    return None if data.get(key) is None else _float(data, key)


def _time(data: dict[str, Any], key: str) -> datetime:
    raw = _str(data, key)
    try:
        return datetime.fromisoformat(raw.replace("Z", "+00:00"))
    except ValueError:
        raise PayloadError(f"{key}: ожидалось время ISO 8601, пришло {raw!r}") from None


@dataclass(frozen=True)
class Document:
    """`GET /api/document/current`."""

    version: int
    text: str
    timestamp: str
    document_id: str | None
    topic: str
    node: str


def parse_document(raw: Any) -> Document:
    data = _object(raw, "document")
    document_id = data.get("document_id")
    return Document(
        version=_int(data, "version"),
        text=_str(data, "text"),
        timestamp=_str(data, "timestamp", default=""),
        document_id=document_id if isinstance(document_id, str) else None,
        topic=_str(data, "topic", default=""),
        node=_str(data, "node", default=""),
    )


@dataclass(frozen=True)
class Edit:
    """One row of `GET /api/edits`."""

    edit_id: str
    agent_id: str
    proposed_text: str
    position: str
    tokens_used: int
    status: str
    created_at: str
    node: str
    version: int | None
    reason: str
    """The machine code of a rejection (`conflict`), "" otherwise."""
    message: str = ""
    """The node's Russian explanation of the rejection."""


@dataclass(frozen=True)
class EditPage:
    edits: list[Edit]
    total: int
    limit: int
    offset: int


def parse_edit_page(raw: Any) -> EditPage:
    data = _object(raw, "edits page")
    edits = [
        Edit(
            edit_id=_str(row, "edit_id"),
            agent_id=_str(row, "agent_id"),
            proposed_text=_str(row, "proposed_text"),
            position=_str(row, "position"),
            tokens_used=_int(row, "tokens_used"),
            status=_str(row, "status"),
            created_at=_str(row, "created_at"),
            node=_str(row, "node", default=""),
            version=_opt_int(row, "version"),
            reason=_str(row, "reason", default=""),
            message=_str(row, "message", default="") if row.get("message") else "",
        )
        for row in (_object(item, "edit") for item in _list(data.get("edits"), "edits"))
    ]
    return EditPage(edits, _int(data, "total"), _int(data, "limit"), _int(data, "offset"))


@dataclass(frozen=True)
class ChatMessage:
    """One message of `GET /api/chat/messages`."""

    agent_id: str
    message: str
    timestamp: str
    message_id: str


def parse_chat(raw: Any) -> list[ChatMessage]:
    messages = []
    for item in _list(raw, "chat messages"):
        data = _object(item, "message")
        timestamp = _str(data, "timestamp")
        messages.append(
            ChatMessage(
                agent_id=_str(data, "agent_id"),
                message=_str(data, "message"),
                timestamp=timestamp,
                message_id=_str(data, "message_id", default=timestamp),
            )
        )
    return messages


@dataclass(frozen=True)
class TimePoint:
    """One bucket of a metrics time series."""

    at: datetime
    value: float


@dataclass(frozen=True)
class Budget:
    limit: int | None
    used: int | None
    exceeded: bool

    @property
    def fraction(self) -> float | None:
        """Used share of the limit, 0..1 (None while unknown)."""
        if not self.limit or self.used is None:
            return None
        return min(1.0, self.used / self.limit)


@dataclass(frozen=True)
class Metrics:
    """`GET /api/analytics/metrics`: the figures and series the Analytics tab draws."""

    period: str
    total_edits: int
    total_tokens: int
    active_agents: int
    avg_latency_ms: float
    edits_per_minute: float
    tokens: list[TimePoint]
    edits: list[TimePoint]
    agents: list[TimePoint]
    latency: list[TimePoint]
    budget: Budget
    replication_p95_ms: float | None
    conflicts: int
    replication_p50_ms: float | None = None
    worst_link: str | None = None
    """`a → b`: the replication link with the highest p95 lag."""
    edit_latency_p50_ms: float | None = None
    """The nodes' time from an edit's arrival to its commit (None from an older service)."""
    edit_latency_p95_ms: float | None = None


def _series(data: dict[str, Any], key: str, field: str) -> list[TimePoint]:
    points = []
    for item in _list(data.get(key), key):
        point = _object(item, key)
        points.append(TimePoint(_time(point, "timestamp"), _float(point, field)))
    return points


def parse_metrics(raw: Any) -> Metrics:
    data = _object(raw, "metrics")
    budget = _object(data.get("budget"), "budget")
    replication = data.get("replication")
    lag = replication.get("lag_ms") if isinstance(replication, dict) else None
    edit_latency = data.get("edit_latency_ms")
    edit_latency = edit_latency if isinstance(edit_latency, dict) else None
    return Metrics(
        period=_str(data, "period", default="1h"),
        total_edits=_int(data, "total_edits"),
        total_tokens=_int(data, "total_tokens"),
        active_agents=_int(data, "active_agents"),
        avg_latency_ms=_float(data, "avg_latency_ms"),
        edits_per_minute=_float(data, "edits_per_minute"),
        tokens=_series(data, "token_usage_by_time", "tokens"),
        edits=_series(data, "edits_by_time", "edits"),
        agents=_series(data, "active_agents_by_time", "agents"),
        latency=_series(data, "latency_by_time", "avg_latency_ms"),
        budget=Budget(
            limit=_opt_int(budget, "limit"),
            used=_opt_int(budget, "used"),
            exceeded=bool(budget.get("exceeded")),
        ),
        replication_p95_ms=_opt_float(lag, "p95") if isinstance(lag, dict) else None,
        conflicts=_int(data, "conflicts") if "conflicts" in data else 0,
        replication_p50_ms=_opt_float(lag, "p50") if isinstance(lag, dict) else None,
        worst_link=_worst_link(lag),
        edit_latency_p50_ms=_opt_float(edit_latency, "p50") if edit_latency else None,
        edit_latency_p95_ms=_opt_float(edit_latency, "p95") if edit_latency else None,
    )


def _worst_link(lag: Any) -> str | None:
    worst = lag.get("worst_link") if isinstance(lag, dict) else None
    if not isinstance(worst, dict):
        return None
    source, target = worst.get("source"), worst.get("target")
    return f"{source} → {target}" if isinstance(source, str) and isinstance(target, str) else None


@dataclass(frozen=True)
class PeerLink:
    """`peers[x]` of `/api/node`: how this node's link to peer x (its edits going there) fares."""

    peer: str
    state: str
    """ok | failing | unknown."""
    failing: str | None
    """Why the link fails, as the node says it (Russian); None while it works."""
    last_ack_ms: int | None
    since: str | None
    """When the link entered its state (ISO 8601)."""
    lag_p50_ms: float | None
    lag_p95_ms: float | None


@dataclass(frozen=True)
class CatchUp:
    """`catch_up` of `/api/node`: the node's start-up catch-up from its peers."""

    state: str
    """catching_up | done."""
    ops: int
    duration_ms: float | None
    sources: dict[str, int]
    """How many versions each peer supplied."""
    finished_at: str | None


@dataclass(frozen=True)
class NodeState:
    """`GET /nodes/{name}/api/node`: one Text Service node as it reports itself."""

    name: str
    location: str
    ready: bool
    database: str
    version: int
    tokens_used: int
    outbox: int
    lag_p95_ms: float | None
    last_ack_ms: int | None
    """The newest acknowledgement from a peer (ms since the epoch): the last replication."""
    document_id: str | None = None
    peers: tuple[PeerLink, ...] = ()
    catch_up: CatchUp | None = None
    watermark: dict[int, int] = field(default_factory=dict)
    """Per origin node (0 = a, 1 = b, 2 = c), the highest contiguous sequence held: what a
    session token is compared with (empty from a node older than sessions)."""


def _peer(name: str, raw: Any) -> PeerLink:
    data = _object(raw, f"peers.{name}")
    failing = data.get("failing")
    failing = failing if isinstance(failing, str) and failing else None
    last_ack = data.get("last_ack_ms")
    last_ack = last_ack if isinstance(last_ack, int) and not isinstance(last_ack, bool) else None
    state = data.get("state")
    if not isinstance(state, str):  # a node from before the link states
        state = "failing" if failing else "ok" if last_ack is not None else "unknown"
    lag = data.get("lag_ms")
    lag = lag if isinstance(lag, dict) else {}
    since = data.get("since")
    return PeerLink(
        peer=name,
        state=state,
        failing=failing,
        last_ack_ms=last_ack,
        since=since if isinstance(since, str) else None,
        lag_p50_ms=_opt_float(lag, "p50"),
        lag_p95_ms=_opt_float(lag, "p95"),
    )


def _catch_up(raw: Any) -> CatchUp | None:
    if not isinstance(raw, dict):
        return None
    sources = raw.get("from")
    finished = raw.get("finished_at")
    return CatchUp(
        state=_str(raw, "state", default="done"),
        ops=_int(raw, "ops") if "ops" in raw else 0,
        duration_ms=_opt_float(raw, "duration_ms"),
        sources={
            str(peer): count
            for peer, count in (sources.items() if isinstance(sources, dict) else [])
            if isinstance(count, int) and not isinstance(count, bool)
        },
        finished_at=finished if isinstance(finished, str) else None,
    )


def parse_node_state(raw: Any) -> NodeState:
    data = _object(raw, "node")
    outbox = data.get("outbox")
    lag = data.get("replication_lag_ms")
    peers_raw = data.get("peers")
    peers = tuple(
        _peer(str(name), value)
        for name, value in sorted(peers_raw.items() if isinstance(peers_raw, dict) else [])
    )
    acks = [peer.last_ack_ms for peer in peers if peer.last_ack_ms is not None]
    document_id = data.get("document_id")
    return NodeState(
        name=_str(data, "node"),
        location=_str(data, "location", default=""),
        ready=bool(data.get("ready")),
        database=_str(data, "database", default=""),
        version=_int(data, "version"),
        tokens_used=_int(data, "tokens_used") if "tokens_used" in data else 0,
        outbox=sum(v for v in outbox.values() if isinstance(v, int))
        if isinstance(outbox, dict)
        else 0,
        lag_p95_ms=_opt_float(lag, "p95") if isinstance(lag, dict) else None,
        last_ack_ms=max(acks) if acks else None,
        document_id=document_id if isinstance(document_id, str) else None,
        peers=peers,
        catch_up=_catch_up(data.get("catch_up")),
        watermark=_watermark(data.get("watermark")),
    )


def _watermark(raw: Any) -> dict[int, int]:
    """JSON's string keys ("0") as origin numbers; anything else left out."""
    if not isinstance(raw, dict):
        return {}
    return {
        int(origin): seq
        for origin, seq in raw.items()
        if str(origin).isdigit() and isinstance(seq, int) and not isinstance(seq, bool)
    }


@dataclass(frozen=True)
class NodeProcess:
    """One entry of `GET /api/cluster`: what the launcher knows of a node's process."""

    name: str
    location: str
    state: str  # running | stopped | frozen
    pid: int | None


@dataclass(frozen=True)
class ClusterControl:
    """`GET /api/cluster`."""

    mode: str
    nodes: list[NodeProcess]


def parse_node_process(raw: Any) -> NodeProcess:
    data = _object(raw, "cluster node")
    return NodeProcess(
        name=_str(data, "name"),
        location=_str(data, "location", default=""),
        state=_str(data, "state"),
        pid=_opt_int(data, "pid"),
    )


def parse_cluster(raw: Any) -> ClusterControl:
    data = _object(raw, "cluster")
    return ClusterControl(
        mode=_str(data, "mode", default=""),
        nodes=[parse_node_process(item) for item in _list(data.get("nodes"), "nodes")],
    )


@dataclass(frozen=True)
class AgentInfo:
    """One agent of `GET /api/agents`."""

    agent_id: str
    role: str
    state: str
    accepted: int
    rejected: int
    tokens: int
    last_error: str


@dataclass(frozen=True)
class AgentList:
    running: bool
    agents: list[AgentInfo]


def parse_agents(raw: Any) -> AgentList:
    data = _object(raw, "agents")
    agents = [
        AgentInfo(
            agent_id=_str(item, "agent_id"),
            role=_str(item, "role", default=""),
            state=_str(item, "state", default=""),
            accepted=_int(item, "accepted"),
            rejected=_int(item, "rejected"),
            tokens=_int(item, "tokens"),
            last_error=_str(item, "last_error", default=""),
        )
        for item in (_object(a, "agent") for a in _list(data.get("agents"), "agents"))
    ]
    return AgentList(running=bool(data.get("running")), agents=agents)


@dataclass(frozen=True)
class VersionEntry:
    """One row of `GET /api/document/versions`: the edit that made a version."""

    version: int
    edit_id: str
    agent_id: str
    kind: str
    status: str
    node: str
    timestamp: str


@dataclass(frozen=True)
class VersionList:
    """`GET /api/document/versions`: newest first; `total` is the newest version."""

    document_id: str | None
    total: int
    versions: list[VersionEntry]


def parse_versions(raw: Any) -> VersionList:
    data = _object(raw, "versions")
    document_id = data.get("document_id")
    return VersionList(
        document_id=document_id if isinstance(document_id, str) else None,
        total=_int(data, "total"),
        versions=[
            VersionEntry(
                version=_int(item, "version"),
                edit_id=_str(item, "edit_id", default=""),
                agent_id=_str(item, "agent_id", default=""),
                kind=_str(item, "kind", default=""),
                status=_str(item, "status", default=""),
                node=_str(item, "node", default=""),
                timestamp=_str(item, "timestamp", default=""),
            )
            for item in (_object(v, "version") for v in _list(data.get("versions"), "versions"))
        ],
    )


@dataclass(frozen=True)
class AuthorRun:
    """Characters `[start, end)` of a text, all inserted by one edit."""

    start: int
    end: int
    edit_id: str
    agent_id: str
    """"" when unknown."""
    kind: str
    version: int
    """The version the edit made."""
    timestamp: str


@dataclass(frozen=True)
class Authorship:
    """`GET /api/document/authorship?version=N`: a version's text as runs by author."""

    document_id: str | None
    version: int
    node: str
    text: str
    runs: list[AuthorRun]


def parse_authorship(raw: Any) -> Authorship:
    data = _object(raw, "authorship")
    document_id = data.get("document_id")
    return Authorship(
        document_id=document_id if isinstance(document_id, str) else None,
        version=_int(data, "version"),
        node=_str(data, "node", default=""),
        text=_str(data, "text"),
        runs=[
            AuthorRun(
                start=_int(item, "start"),
                end=_int(item, "end"),
                edit_id=_str(item, "edit_id", default=""),
                agent_id=_str(item, "agent_id", default="") if item.get("agent_id") else "",
                kind=_str(item, "kind", default=""),
                version=_int(item, "version") if "version" in item else 0,
                timestamp=_str(item, "timestamp", default=""),
            )
            for item in (_object(r, "run") for r in _list(data.get("runs"), "runs"))
        ],
    )


@dataclass(frozen=True)
class TimelineEvent:
    """One event of `GET /api/analytics/timeline` (titles and details are Russian)."""

    at: datetime
    kind: str
    node: str | None
    peer: str | None
    title: str
    detail: str
    severity: str
    """error | warning | ok | info."""


def parse_timeline(raw: Any) -> list[TimelineEvent]:
    """Events newest first, as the service sends them."""
    data = _object(raw, "timeline")
    events = []
    for item in _list(data.get("events"), "events"):
        event = _object(item, "event")
        node, peer = event.get("node"), event.get("peer")
        events.append(
            TimelineEvent(
                at=_time(event, "timestamp"),
                kind=_str(event, "kind"),
                node=node if isinstance(node, str) else None,
                peer=peer if isinstance(peer, str) else None,
                title=_str(event, "title"),
                detail=_str(event, "detail", default="") if event.get("detail") else "",
                severity=_str(event, "severity", default="info"),
            )
        )
    return events


def parse_any(raw: Any) -> Any:
    """For answers the caller only needs to have succeeded."""
    return raw
