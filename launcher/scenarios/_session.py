"""What every scenario uses: the timeline it prints and a client of the balancer."""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

from ..errors import LauncherError
from ..stack import Stack
from ..state import AGENT_COUNT, OPERATOR
from ..text_cluster import NODE_NAMES
from ._words import decimal


def moment() -> datetime:
    """Now, less a second (clocks of the services and of the launcher may differ a little)."""
    return datetime.now(UTC) - timedelta(seconds=1)


EDITOR = f"agent-{AGENT_COUNT}"
"""The scenarios' own agent (the last one: `up` starts the first ten), so their edits neither
look like a running agent's nor share its rate limit."""

WORKING = frozenset({"starting", "running", "idle"})
"""Agent states of an agent that is at work (`GET /api/agents`)."""


class ScenarioError(LauncherError):
    """A scenario could not show what it should (the system misbehaved or is not up)."""


@dataclass
class Timeline:
    """Events with the seconds since the scenario began; printed as they happen."""

    title: str
    out: Callable[[str], None] = print
    started: float = field(default_factory=time.monotonic)
    events: list[tuple[float, str]] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.out(f"\n== {self.title} ==")

    def __call__(self, what: str) -> None:
        at = time.monotonic() - self.started
        self.events.append((at, what))
        self.out(f"  +{decimal(at, 2):>6} с  {what}")

    @property
    def elapsed(self) -> float:
        return time.monotonic() - self.started

    def text(self) -> str:
        return "\n".join(what for _, what in self.events)


class Scenario:
    """One scenario run: the stack, a client of the balancer, the timeline."""

    def __init__(self, stack: Stack, client: httpx.Client, timeline: Timeline) -> None:
        self.stack = stack
        self.client = client
        self.log = timeline

    # -- requests -----------------------------------------------------------------------------

    def get(self, path: str, **params: Any) -> Any:
        response = self.client.get(path, params=params or None)
        if response.status_code != 200:
            raise ScenarioError(f"GET {path} ответил {response.status_code}: {response.text}")
        return response.json()

    def operator(self, path: str, body: dict[str, Any] | None = None) -> httpx.Response:
        """POST `path` with the operator's token."""
        return self.client.post(path, json=body or {}, headers=self._auth(OPERATOR))

    def _auth(self, agent: str) -> dict[str, str]:
        return self.stack.secrets.bearer(agent)

    def edit(self, body: dict[str, Any], agent: str = EDITOR) -> httpx.Response:
        """POST /api/edits as `agent`, waiting out the balancer's rate limit (Retry-After) and
        retrying 502/503 with the same edit_id, as the agents do."""
        body = {"agent_id": agent, "tokens_used": 10, "edit_id": str(uuid.uuid4()), **body}
        for _ in range(6):
            response = self.client.post("/api/edits", json=body, headers=self._auth(agent))
            if response.status_code == 429 and response.json().get("error") == "rate_limited":
                wait = float(response.headers.get("Retry-After", "6"))
                self.log(f"балансировщик: 429, error=rate_limited, жду {wait:.0f} с (Retry-After)")
                time.sleep(wait)
            elif response.status_code in (502, 503):
                time.sleep(0.5)
            else:
                return response
        return response

    def append(self, note: str, **body: Any) -> httpx.Response:
        """Append a sentence that says which scenario wrote it (never whitespace alone: a
        reader of the text sees what the scenario did)."""
        return self.edit({"proposed_text": f" {note}", "position": "end", **body})

    def views(self, *, reachable: bool = False) -> dict[str, dict[str, Any]]:
        """Each node's current document, through the balancer's /nodes/x/ routes; with
        `reachable`, those of the nodes that answer (one may be down)."""
        found = {}
        for n in NODE_NAMES:
            try:
                found[n] = self.get(f"/nodes/{n}/api/document/current")
            except (httpx.HTTPError, ScenarioError):
                if not reachable:
                    raise
        return found

    def wait_identical(self, limit_s: float = 20.0) -> dict[str, Any]:
        """Until the three nodes show the same version and text (agents may be writing)."""
        deadline = time.monotonic() + limit_s
        while True:
            try:
                views = self.views()
            except (httpx.HTTPError, ScenarioError):
                views = {}
            keys = {(v["document_id"], v["version_key"], v["text"]) for v in views.values()}
            if len(views) == 3 and len(keys) == 1:
                return views["a"]
            if time.monotonic() > deadline:
                raise ScenarioError(f"узлы всё ещё расходятся через {limit_s:.0f} с")
            time.sleep(0.05)

    def wait_document(self, document_id: str, limit_s: float = 15.0) -> None:
        """Until every node that answers serves document `document_id` (an init is
        replicated; a node that is down gets it when it returns)."""

        def everywhere() -> bool:
            seen = {v["document_id"] for v in self.views(reachable=True).values()}
            return seen == {document_id}

        self.poll("новый документ на всех узлах", everywhere, limit_s)

    def cluster_events(self, since: datetime, kinds: Collection[str]) -> list[dict[str, Any]]:
        """The cluster timeline's events of `kinds` since `since`, oldest first: the one source
        the dashboard and the desktop show too (`GET /api/analytics/timeline`)."""
        path = "/api/analytics/timeline"
        response = self.client.get(path, params={"period": "1h", "limit": 200})
        if response.status_code != 200:
            raise ScenarioError(f"GET {path} ответил {response.status_code}: {response.text}")
        events = [
            e
            for e in response.json()["events"]
            if e["kind"] in kinds and datetime.fromisoformat(e["timestamp"]) >= since
        ]
        return events[::-1]

    def show_cluster_events(
        self, since: datetime, kinds: Collection[str], until: str, limit_s: float = 10.0
    ) -> None:
        """Print the cluster timeline's events of `kinds` since `since`, once one of kind
        `until` is there (analytics hears of them within seconds)."""

        def arrived() -> Any:
            events = self.cluster_events(since, kinds)
            return events if any(e["kind"] == until for e in events) else None

        try:
            events = self.poll("событие хроники кластера", arrived, limit_s)
        except ScenarioError:
            events = self.cluster_events(since, kinds)
            self.log(f"хроника кластера: события {until} за {limit_s:.0f} с не появилось")
        for e in events:
            self.log(
                f"хроника кластера: {e['title']}" + (f" — {e['detail']}" if e["detail"] else "")
            )

    def metrics(self) -> dict[str, Any]:
        metrics: dict[str, Any] = self.get("/api/analytics/metrics", period="1h")
        return metrics

    def poll(self, what: str, check: Callable[[], Any], limit_s: float = 15.0) -> Any:
        """check() until it returns something truthy; ScenarioError after `limit_s`."""
        deadline = time.monotonic() + limit_s
        while True:
            found = check()
            if found:
                return found
            if time.monotonic() > deadline:
                raise ScenarioError(f"{what}: не дождался за {limit_s:.0f} с")
            time.sleep(0.2)

    # -- agents -------------------------------------------------------------------------------

    def agents(self) -> dict[str, Any]:
        listing: dict[str, Any] = self.get("/api/agents")
        return listing

    def running_agents(self) -> tuple[list[str], bool | None]:
        """The roles of the running agents, agent-1 first (empty when none runs), and whether
        they claim fragments where the supervisor's listing says (None: its setting)."""
        listing = self.agents()
        if not listing["running"]:
            return [], None
        roles = [a.get("role_text") or a["role"] for a in listing["agents"]]
        found = {
            a["use_claims"] for a in listing["agents"] if isinstance(a.get("use_claims"), bool)
        }
        return roles, (found.pop() if len(found) == 1 else None)

    def stop_agents(self) -> None:
        """POST /api/agents/stop (the supervisor answers once every agent has ended)."""
        response = self.operator("/api/agents/stop")
        if response.status_code != 200:
            raise ScenarioError(
                f"остановка агентов: ответ {response.status_code}: {response.text[:300]}"
            )

    def start_agents(
        self, roles: list[str], use_claims: bool | None = None
    ) -> list[dict[str, Any]]:
        """Stop whatever runs, then start agent-1..agent-len(roles) with these roles (the
        supervisor's Russian role names or keys); the started agents."""
        if self.agents()["running"]:
            self.stop_agents()
        body: dict[str, Any] = {"count": len(roles), "roles": roles}
        if use_claims is not None:
            body["use_claims"] = use_claims
        response = self.operator("/api/agents/start", body)
        if response.status_code != 200:
            raise ScenarioError(
                f"запуск агентов: ответ {response.status_code}: {response.text[:300]}"
            )
        started: list[dict[str, Any]] = response.json()["agents"]
        return started

    def wait_agents_working(self, expected: int, limit_s: float = 15.0) -> list[dict[str, Any]]:
        """Until `expected` agents are listed and each one is at work (starting, running or
        idle: none left stopped by its budget); the listing's agents."""

        def working() -> Any:
            listed = self.agents()["agents"]
            fine = len(listed) == expected and all(a["state"] in WORKING for a in listed)
            return listed if fine else None

        try:
            found: list[dict[str, Any]] = self.poll("агенты снова работают", working, limit_s)
        except ScenarioError:
            stuck = [
                f"{a['agent_id']} ({a['state']})"
                for a in self.agents()["agents"]
                if a["state"] not in WORKING
            ]
            raise ScenarioError(f"за {limit_s:.0f} с не заработали: {', '.join(stuck)}") from None
        return found
