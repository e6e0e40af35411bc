"""What a run report is made of, read from a running stack the way the dashboard reads it:
the Analytics Service (metrics, timeline) and each node (`/nodes/x/...`) through the balancer,
the agent supervisor's listing, and the balancer's own access log for request latency.

Only the balancer and the Analytics Service are required: without them there is nothing to
report, and `ReportError` says which one is missing. A node that does not answer is part of
the evidence (the consistency section names it), not an error.
"""

from __future__ import annotations

import hashlib
import json
import math
import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx

NODES = ("a", "b", "c")
BUCKET_STEPS_S = (5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200)
MOST_BUCKETS = 40
LATENCY_REQUESTS = ("POST /api/edits", "GET /api/document/current")
"""The agents' two requests whose latency the report charts (at the balancer)."""
_PERIODS = (("1h", timedelta(hours=1)), ("24h", timedelta(days=1)), ("7d", timedelta(days=7)))
_SINCE = re.compile(r"^\s*(\d+(?:[.,]\d+)?)\s*(s|с|m|м|min|мин|h|ч|d|д)\s*$", re.IGNORECASE)
_UNITS_S = {"s": 1, "с": 1, "m": 60, "м": 60, "min": 60, "мин": 60, "h": 3600, "ч": 3600}
_UNITS_S |= {"d": 86400, "д": 86400}


class ReportError(RuntimeError):
    """The report cannot be made; the message (in Russian) says what is missing."""


@dataclass(frozen=True)
class NodeView:
    """One node as it answered at report time (or why it did not)."""

    name: str
    error: str = ""
    """Empty when the node answered."""
    version: int | None = None
    version_key: int | None = None
    document_id: str | None = None
    sha256: str = ""
    characters: int = 0
    outbox: int | None = None
    text: str = ""
    topic: str = ""
    budget_used: int | None = None
    budget_limit: int | None = None

    @property
    def reachable(self) -> bool:
        return not self.error


@dataclass(frozen=True)
class Sample:
    """One request the balancer logged: when it ended, which request, how long it took."""

    at: datetime
    request: str
    ms: float


@dataclass
class RunData:
    """Everything the report shows, as read from the stack."""

    generated_at: datetime
    since: datetime
    document_start: datetime
    topic: str
    document_id: str
    budget_used: int | None
    budget_limit: int | None
    rate_limit: str
    metrics: dict[str, Any]
    """`GET /api/analytics/metrics` for the report's window, with its own bucket width."""
    document_edits: int
    """Analytics' `edit_applied` events since the document began (`total_edits`)."""
    timeline: list[dict[str, Any]]
    """The cluster's events in the window, oldest first."""
    nodes: list[NodeView]
    agents: list[dict[str, Any]] = field(default_factory=list)
    model: str = ""
    agents_note: str = ""
    """Why the supervisor's listing is missing, when it is."""
    superseded: Counter[str] = field(default_factory=Counter)
    """Superseded edits per agent, from a node's edit list."""
    latencies: list[Sample] = field(default_factory=list)
    parameters: list[tuple[str, str]] = field(default_factory=list)
    """Parameters the caller adds (a stress test's agents, target, seed …)."""
    verdicts: list[str] = field(default_factory=list)
    """Verdict lines of a stress test or fault suite, as they printed them."""

    @property
    def answering(self) -> NodeView | None:
        """The first node that answered: the final document is its text."""
        return next((node for node in self.nodes if node.reachable), None)


def parse_since(value: str, now: datetime) -> datetime:
    """`--since`: a span back from now (`90s`, `15m`, `2h`, `1d`) or an ISO 8601 time (local
    time when it names no zone)."""
    match = _SINCE.match(value)
    if match:
        amount = float(match[1].replace(",", "."))
        return now - timedelta(seconds=amount * _UNITS_S[match[2].lower()])
    try:
        parsed = datetime.fromisoformat(value.strip())
    except ValueError:
        raise ReportError(
            f"--since: «{value}» — ни промежуток (90s, 15m, 2h, 1d), ни время ISO 8601 "
            "(2026-01-10T12:00)"
        ) from None
    return parsed.astimezone() if parsed.tzinfo is None else parsed


def period_for(span: timedelta) -> str:
    """The shortest analytics period that covers `span` (7d at most)."""
    return next((name for name, length in _PERIODS if span <= length), "7d")


def bucket_for(span: timedelta) -> int:
    """Seconds per chart bucket: at most `MOST_BUCKETS` buckets, 5 s at the least."""
    wanted = span.total_seconds() / MOST_BUCKETS
    return next((step for step in BUCKET_STEPS_S if step >= wanted), BUCKET_STEPS_S[-1])


def read_latencies(access_log: Path, since: datetime) -> list[Sample]:
    """The agents' edit and read requests from nginx's JSON access log, since `since`
    (a request the client abandoned, 499, says nothing about the server's latency)."""
    samples = []
    bound = since.timestamp()
    try:
        lines = access_log.read_text(encoding="utf-8", errors="replace").splitlines()
    except FileNotFoundError:
        return []
    for line in lines:
        try:
            record = json.loads(line)
            request = f"{record['method']} {record['uri']}"
            ended = float(record["t"])
            if request in LATENCY_REQUESTS and ended >= bound and record["status"] != 499:
                at = datetime.fromtimestamp(ended, tz=UTC)
                samples.append(Sample(at, request, float(record["rt"]) * 1000))
        except (ValueError, KeyError, TypeError):
            continue  # a line of another format (a rotated log's header, a partial write)
    return samples


class StackReader:
    """The stack's public HTTP API through its balancer."""

    def __init__(self, http: httpx.Client) -> None:
        self.http = http

    def _get(self, path: str, what: str, **params: Any) -> Any:
        try:
            response = self.http.get(path, params=params or None)
        except httpx.TransportError as exc:
            raise ReportError(
                f"балансировщик Chorus ({self.http.base_url}) не отвечает ({type(exc).__name__}): "
                "стек не запущен? Запустите ./chorus up"
            ) from exc
        if response.status_code != 200:
            raise ReportError(f"{what} не отвечает: {_problem(response)}")
        return response.json()

    def ping(self) -> None:
        """ReportError unless the balancer answers (`GET /health` is nginx's own)."""
        self._get("/health", "балансировщик Chorus (nginx)")

    def metrics(self, period: str, since: datetime, bucket_s: int | None = None) -> dict[str, Any]:
        params: dict[str, Any] = {"period": period, "since": since.isoformat()}
        if bucket_s is not None:
            params["bucket_s"] = bucket_s
        body: dict[str, Any] = self._get(
            "/api/analytics/metrics", "служба аналитики (GET /api/analytics/metrics)", **params
        )
        return body

    def timeline(self, period: str, since: datetime) -> list[dict[str, Any]]:
        body = self._get(
            "/api/analytics/timeline",
            "служба аналитики (GET /api/analytics/timeline)",
            period=period,
            limit=1000,
        )
        events = [e for e in body["events"] if datetime.fromisoformat(e["timestamp"]) >= since]
        return sorted(events, key=lambda e: datetime.fromisoformat(e["timestamp"]))

    def agents(self) -> tuple[list[dict[str, Any]], str, str]:
        """The supervisor's agents and model, or why they are missing."""
        try:
            body = self._get("/api/agents", "супервизор агентов (GET /api/agents)")
        except ReportError as exc:
            return [], "", str(exc)
        return list(body["agents"]), str(body.get("model", "")), ""

    def node(self, name: str) -> NodeView:
        """Node `name` read directly (no failover): its document and its outboxes."""
        try:
            current = self.http.get(f"/nodes/{name}/api/document/current")
            state = self.http.get(f"/nodes/{name}/api/node")
        except httpx.TransportError as exc:
            return NodeView(name, error=f"нет соединения ({type(exc).__name__})")
        for response in (current, state):
            if response.status_code != 200:
                return NodeView(name, error=_problem(response))
        body, node = current.json(), state.json()
        text = str(body["text"])
        return NodeView(
            name,
            version=int(body["version"]),
            version_key=int(body["version_key"]),
            document_id=body.get("document_id"),
            sha256=hashlib.sha256(text.encode()).hexdigest(),
            characters=len(text),
            outbox=sum(int(depth) for depth in node["outbox"].values()),
            text=text,
            topic=str(body.get("topic") or ""),
            budget_used=body.get("budget_used"),
            budget_limit=body.get("budget_limit"),
        )

    def document_edits(self, document_start: datetime, now: datetime) -> int:
        """Analytics' `edit_applied` events since the document began (`total_edits`)."""
        period = period_for(now - document_start)
        return int(self.metrics(period, document_start)["total_edits"])

    def document_start(self, name: str) -> datetime:
        """When the current document began: the timestamp of its version 1."""
        body = self._get(
            f"/nodes/{name}/api/document/versions/1", f"узел {name} (GET /api/document/versions/1)"
        )
        return datetime.fromisoformat(body["timestamp"])

    def superseded(self, name: str) -> Counter[str]:
        """Superseded edits per agent on node `name` (its edit list, page by page)."""
        counts: Counter[str] = Counter()
        offset = 0
        while True:
            page = self._get(
                f"/nodes/{name}/api/edits",
                f"узел {name} (GET /api/edits)",
                status="superseded",
                limit=500,
                offset=offset,
            )
            counts.update(edit["agent_id"] for edit in page["edits"])
            offset += len(page["edits"])
            if not page["edits"] or offset >= page["total"]:
                return counts


def _problem(response: httpx.Response) -> str:
    """`502: <the JSON message>` or the status alone."""
    try:
        message = response.json().get("message", "")
    except ValueError:
        message = ""
    return f"{response.status_code}" + (f": {message}" if message else "")


def collect(
    reader: StackReader,
    *,
    since: datetime | None,
    rate_limit: str,
    access_log: Path | None,
    now: datetime | None = None,
) -> RunData:
    """Read the run from the stack. `since` None: since the current document began."""
    reader.ping()
    nodes = [reader.node(name) for name in NODES]
    answering = next((node for node in nodes if node.reachable), None)
    generated = now or datetime.now(UTC)
    if answering is None:
        reasons = "; ".join(f"узел {node.name}: {node.error}" for node in nodes)
        raise ReportError(f"ни один текстовый узел не отвечает ({reasons})")
    document_start = reader.document_start(answering.name)
    start = since or document_start
    span = generated - start
    period = period_for(span)
    agents, model, agents_note = reader.agents()
    return RunData(
        generated_at=generated,
        since=start,
        document_start=document_start,
        topic=answering.topic,
        document_id=answering.document_id or "",
        budget_used=answering.budget_used,
        budget_limit=answering.budget_limit,
        rate_limit=rate_limit,
        metrics=reader.metrics(period, start, bucket_for(span)),
        document_edits=reader.document_edits(document_start, generated),
        timeline=reader.timeline(period, start),
        nodes=nodes,
        agents=agents,
        model=model,
        agents_note=agents_note,
        superseded=reader.superseded(answering.name),
        latencies=read_latencies(access_log, start) if access_log else [],
    )


def bucket_span(metrics: dict[str, Any]) -> timedelta:
    """The width of the metrics' buckets."""
    return timedelta(seconds=max(1, math.floor(metrics["bucket_seconds"])))
