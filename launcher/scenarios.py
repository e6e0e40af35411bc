"""`./chorus scenario 1..7|all`: the spec's user scenarios, replayed on the running system.

Each scenario talks HTTP to the balancer as a client would (node actions go through the
launcher, like `./chorus node`), and prints a timeline: what happened, seconds after the
scenario began. Scenarios leave the system as they found it: agents stopped for a scenario are
started again, a lowered token budget is restored, a killed node is restarted.

1 initialisation   a new document through POST /api/document/init, agents started on it
2 agent work       an agent's cycle: read, LLM, edit, chat message
3 edit processing  an accepted edit, a conflicting one rejected, refused bad input
4 replication      one edit seen on all three nodes, with the acknowledging peers
5 node failure     node b killed, writes continue through nginx, restart, catch-up
6 budget           the limit lowered in the nodes' databases, 429 and budget_exceeded, restored
7 viewing          what the dashboard polls, summarised
"""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import asyncpg
import httpx

from . import demo
from .components import PostgresComponent
from .errors import LauncherError
from .node_actions import act
from .stack import DATABASE, Stack
from .state import AGENT_COUNT, OPERATOR
from .text_cluster import NODE_NAMES

TIMEOUT = httpx.Timeout(15.0)
SCENARIOS = ("1", "2", "3", "4", "5", "6", "7")
TITLES = {
    "1": "initialisation of a document",
    "2": "an AI agent at work",
    "3": "an edit processed by the Text Service",
    "4": "replication between the nodes",
    "5": "a node fails and recovers",
    "6": "the token budget runs out",
    "7": "the user watches the progress (dashboard)",
}
EDITOR = f"agent-{AGENT_COUNT}"
"""The scenarios' own agent (the last one: `up` starts the first ten), so their edits neither
look like a running agent's nor share its rate limit."""


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
        self.out(f"  +{at:6.2f} s  {what}")

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
            raise ScenarioError(f"GET {path} answered {response.status_code}: {response.text}")
        return response.json()

    def operator(self, path: str, body: dict[str, Any] | None = None) -> httpx.Response:
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
                self.log(f"balancer: 429 rate_limited, waiting {wait:.0f} s (Retry-After)")
                time.sleep(wait)
            elif response.status_code in (502, 503):
                time.sleep(0.5)
            else:
                return response
        return response

    def views(self) -> dict[str, dict[str, Any]]:
        """Each node's current document, through the balancer's /nodes/x/ routes."""
        return {n: self.get(f"/nodes/{n}/api/document/current") for n in NODE_NAMES}

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
                raise ScenarioError(f"the nodes still differ after {limit_s:.0f} s")
            time.sleep(0.05)

    def agents(self) -> dict[str, Any]:
        listing: dict[str, Any] = self.get("/api/agents")
        return listing

    def pause_agents(self) -> int:
        """Stop the running agents (for scenarios that must not have them write); how many."""
        listing = self.agents()
        if not listing["running"]:
            return 0
        self.operator("/api/agents/stop")
        self.log(f"agent supervisor: {listing['count']} agents stopped for the scenario")
        return int(listing["count"])

    def resume_agents(self, count: int) -> None:
        if count:
            response = self.operator("/api/agents/start", {"count": count})
            self.log(f"agent supervisor: {count} agents started again ({response.status_code})")

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
                raise ScenarioError(f"{what}: not seen within {limit_s:.0f} s")
            time.sleep(0.2)


def _short(text: str, limit: int = 70) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


# -- the scenarios ------------------------------------------------------------------------------


def initialisation(s: Scenario) -> None:
    """Spec scenario 1: the form's POST /api/document/init, version 1 on every node, agents."""
    running = s.pause_agents()
    response = s.operator(
        "/api/document/init", {"topic": demo.TOPIC, "initial_text": demo.INITIAL_TEXT}
    )
    if response.status_code != 201:
        raise ScenarioError(f"init answered {response.status_code}: {response.text}")
    body = response.json()
    s.log(
        f"POST /api/document/init → 201: document {body['document_id'][:8]} version "
        f"{body['version']} on node {body['node']} (topic «{demo.TOPIC}»)"
    )
    document_id = body["document_id"]

    def everywhere() -> bool:
        return {v["document_id"] for v in s.views().values()} == {document_id}

    s.poll("the new document on every node", everywhere)
    s.log("all three nodes hold the new document (the init is a replicated operation)")
    count = running or 10
    response = s.operator("/api/agents/start", {"count": count})
    if response.status_code != 200:
        raise ScenarioError(f"agents start answered {response.status_code}: {response.text}")
    roles = ", ".join(a["role"] for a in response.json()["agents"][:3])
    s.log(f"POST /api/agents/start → 200: {count} agents with their roles ({roles}, …)")

    def first_edit() -> Any:
        return [e for e in s.get("/api/edits", limit=5)["edits"] if e["agent_id"] != OPERATOR]

    edits = s.poll("the agents' first edit", first_edit, limit_s=30)
    s.log(f"agents at work: first edit by {edits[-1]['agent_id']} ({edits[-1]['status']})")


def agent_work(s: Scenario) -> None:
    """Spec scenario 2: an agent reads, asks the LLM, edits, writes to the chat, repeats."""
    started = 0
    if not s.agents()["running"]:
        response = s.operator("/api/agents/start", {"count": 2})
        started = 2 if response.status_code == 200 else 0
        s.log("no agents were running: 2 started for the scenario")
    before = {a["agent_id"]: a for a in s.agents()["agents"]}
    s.log(f"GET /api/agents: {len(before)} agents running")
    since = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() - 1))

    def progressed() -> Any:
        for agent in s.agents()["agents"]:
            old = before.get(agent["agent_id"], {})
            if agent["accepted"] + agent["rejected"] > old.get("accepted", 0) + old.get(
                "rejected", 0
            ):
                return agent
        return None

    try:
        agent = s.poll("an agent's next edit", progressed, limit_s=45)
        who = agent["agent_id"]
        s.log(
            f"{who} ({agent['role']}): cycle {agent['cycles']} — read the document, asked the "
            f"LLM, {agent['accepted']} edits accepted, {agent['rejected']} rejected, "
            f"{agent['tokens']} tokens"
        )
        edits = s.get("/api/edits", agent_id=who, limit=1)["edits"]
        if edits:
            e = edits[0]
            proposed = _short(e["proposed_text"])
            s.log(
                f"POST /api/edits by {who}: position {e['position']}, «{proposed}» "
                f"→ {e['status']}, version {e['version']} on node {e['node']}"
            )

        def chatted() -> Any:
            messages = s.get("/api/chat/messages", since=since, limit=100)
            return [m for m in messages if m["agent_id"] == who] or None

        messages = s.poll(f"a chat message from {who}", chatted, limit_s=20)
        s.log(f"POST /api/chat/messages by {who}: «{_short(messages[-1]['message'])}»")
        s.log("the agent waits and repeats its cycle; on 429 budget_exceeded it stops")
    finally:
        if started:
            s.operator("/api/agents/stop")
            s.log("the 2 agents started for the scenario stopped again")


def edit_processing(s: Scenario) -> None:
    """Spec scenario 3: validation, the transaction, accepted or rejected, replication, events."""
    response = s.client.post("/api/edits", json={"agent_id": EDITOR, "proposed_text": "x"})
    s.log(f"no token → {response.status_code} {response.json().get('error')}")
    response = s.edit({"proposed_text": "я" * 10_001, "position": "end"})
    body = response.json()
    s.log(f"10 001 characters → {response.status_code} {body.get('error')} ({body.get('field')})")
    current = s.get("/api/document/current")
    word = current["text"][:5]
    base = {"position": "0:5", "proposed_text": word, "base_version": current["version"]}
    first = s.edit(base)
    one = first.json()
    if first.status_code != 201:
        raise ScenarioError(f"the edit answered {first.status_code}: {first.text}")
    s.log(
        f"POST /api/edits (0:5 «{word}» on version {current['version']}) → 201 {one['status']}: "
        f"version {one['version']} on node {one['node']}, acknowledged by "
        f"{', '.join(one['acknowledged_by']) or 'no peer yet'}"
    )
    second = s.edit(base)
    two = second.json()
    s.log(
        f"the same range on the same base version again → {second.status_code} {two['status']}"
        + (f": {two['reason']}" if two.get("reason") else "")
    )

    def counted() -> Any:
        return s.metrics()["edits_by_status"]

    by_status = s.poll("the analytics figures", counted)
    s.log(
        "analytics received the events: "
        + ", ".join(f"{k} {v}" for k, v in sorted(by_status.items()))
    )


def replication(s: Scenario) -> None:
    """Spec scenario 4: one edit applied on one node reaches the two others within seconds."""
    response = s.edit({"proposed_text": " ", "position": "end"})
    if response.status_code != 201:
        raise ScenarioError(f"the edit answered {response.status_code}: {response.text}")
    body = response.json()
    origin = body["node"]
    s.log(f"POST /api/edits → 201 on node {origin}, version {body['version']}")
    pending = {n for n in NODE_NAMES if n != origin}
    while pending:
        for letter in sorted(pending):
            edits = s.get(f"/nodes/{letter}/api/edits", agent_id=EDITOR, limit=20)["edits"]
            if any(e["edit_id"] == body["edit_id"] for e in edits):
                pending.discard(letter)
                s.log(f"node {letter} holds the edit (replicated from node {origin})")
        if pending:
            time.sleep(0.02)
            if time.monotonic() - s.log.started > 20:
                raise ScenarioError(f"nodes {sorted(pending)} did not get the edit in 20 s")
    s.log(f"acknowledged to the client by: {', '.join(body['acknowledged_by']) or '-'}")
    state = s.get(f"/nodes/{origin}/api/node")
    now_ms = time.time() * 1000
    peers = ", ".join(
        f"{p}: last ack {now_ms - v['last_ack_ms']:.0f} ms ago, failing {v.get('failing') or 0}"
        if isinstance(v.get("last_ack_ms"), int | float)
        else f"{p}: no ack yet"
        for p, v in sorted(state["peers"].items())
    )
    s.log(f"node {origin} peers: {peers}")
    view = s.wait_identical()
    s.log(f"all three nodes identical: version {view['version']}, {len(view['text'])} characters")
    lag = s.metrics()["replication"]
    s.log(f"analytics: {lag['count']} replications, lag p50 {lag['lag_ms']['p50']} ms")


def node_failure(s: Scenario, victim: str = "b", edits: int = 4) -> None:
    """Spec scenario 5: a node dies, the others take the load, it returns and catches up."""
    component = s.stack.node(victim)
    if component.pid() is None:
        raise ScenarioError(f"node {victim} is not running (./chorus node start {victim})")
    before = s.get(f"/nodes/{victim}/api/document/current")["version"]
    s.log(f"node {victim} at version {before}; kill -9 (pid {component.pid()})")
    act(s.stack, "kill", victim)
    ids = []
    try:
        for i in range(edits):
            response = s.edit({"proposed_text": " ", "position": "end"})
            if response.status_code != 201:
                raise ScenarioError(f"edit {i + 1} answered {response.status_code}")
            ids.append(response.json()["edit_id"])
            s.log(
                f"edit {i + 1} through nginx → 201 on node {response.json()['node']}, "
                f"version {response.json()['version']}"
            )
        down = s.client.get(f"/nodes/{victim}/health")
        s.log(f"GET /nodes/{victim}/health → {down.status_code}: node {victim} is out")
    finally:
        act(s.stack, "start", victim)
        s.log(f"node {victim} restarted (./chorus node start {victim})")
        component.wait_ready(60.0)
    s.log(f"node {victim} healthy: it caught up from its peers before serving")
    held = {e["edit_id"] for e in s.get(f"/nodes/{victim}/api/edits", agent_id=EDITOR)["edits"]}
    missing = [i for i in ids if i not in held]
    if missing:
        raise ScenarioError(f"node {victim} lacks {len(missing)} of the edits made while down")
    s.log(f"node {victim} holds the {len(ids)} edits made while it was down")
    view = s.wait_identical()
    s.log(f"all three nodes identical again: version {view['version']}")

    def recovered() -> Any:
        nodes = {n["node"]: n for n in s.metrics()["nodes"]}
        return nodes.get(victim, {}).get("recovered")

    count = s.poll("the node_recovered event", recovered, limit_s=20)
    s.log(f"analytics: node {victim} recovered {count} time(s) in the last hour")


async def _budget_limits(stack: Stack, limit: int | dict[str, int] | None) -> dict[str, int]:
    """Each node's `token_budget.limit_tokens`, after setting it (all to `limit`, or per node)."""
    found = {}
    for letter in NODE_NAMES:
        component = stack.get(f"postgres-{letter}")
        assert isinstance(component, PostgresComponent)
        dsn = component.dsn(DATABASE).replace("postgresql+asyncpg", "postgresql")
        connection = await asyncpg.connect(dsn)
        try:
            if limit is not None:
                value = limit[letter] if isinstance(limit, dict) else limit
                await connection.execute("UPDATE token_budget SET limit_tokens = $1", value)
            found[letter] = int(await connection.fetchval("SELECT limit_tokens FROM token_budget"))
        finally:
            await connection.close()
    return found


def budget(s: Scenario) -> None:
    """Spec scenario 6: the budget runs out, edits get 429, analytics says budget_exceeded.

    The limit is lowered by hand in the nodes' databases (as the spec's operator would) and
    put back afterwards; the agents are paused meanwhile (on 429 they would stop for good).
    """
    running = s.pause_agents()
    previous = asyncio.run(_budget_limits(s.stack, None))
    used = int(s.get("/nodes/a/api/node")["tokens_used"])
    s.log(f"budget: {used} tokens used, limit {previous['a']} (token_budget on each node)")
    try:
        asyncio.run(_budget_limits(s.stack, used))
        s.log(f"UPDATE token_budget SET limit_tokens = {used} on nodes a, b, c")
        response = s.edit({"proposed_text": " ", "position": "end", "tokens_used": 500})
        body = response.json()
        if response.status_code != 429:
            raise ScenarioError(f"expected 429, got {response.status_code}: {response.text}")
        s.log(f"POST /api/edits (500 tokens) → 429 {body['error']}: {body['message']}")

        def exceeded() -> Any:
            return s.metrics()["budget"]["exceeded"]

        s.poll("budget_exceeded in the metrics", exceeded, limit_s=20)
        s.log("GET /api/analytics/metrics: budget.exceeded = true (the dashboard's notice)")
    finally:
        asyncio.run(_budget_limits(s.stack, previous))
        s.log(f"limit restored to {previous['a']} on every node")
        s.resume_agents(running)
    response = s.edit({"proposed_text": " ", "position": "end"})
    s.log(f"POST /api/edits → {response.status_code}: edits are accepted again")
    s.log("note: the metrics count that budget_exceeded event for the next hour (period 1h)")


def viewing(s: Scenario) -> None:
    """Spec scenario 7: what the dashboard polls and shows."""
    current = s.get("/api/document/current")
    s.log(
        f"GET /api/document/current (every 2 s): «{current['topic']}», version "
        f"{current['version']}, {len(current['text'])} characters, from node {current['node']}"
    )
    page = s.get("/api/edits", limit=50, offset=0)
    statuses: dict[str, int] = {}
    for e in page["edits"]:
        statuses[e["status"]] = statuses.get(e["status"], 0) + 1
    s.log(
        f"GET /api/edits?limit=50&offset=0: {page['total']} edits in all; the newest 50: "
        + ", ".join(f"{k} {v}" for k, v in sorted(statuses.items()))
    )
    since = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() - 600))
    messages = s.get("/api/chat/messages", since=since, limit=100)
    last = f", the last: {messages[-1]['agent_id']} «{_short(messages[-1]['message'], 50)}»"
    s.log(
        f"GET /api/chat/messages?since=… (every 3 s): {len(messages)} messages in the last "
        f"10 minutes" + (last if messages else "")
    )
    m = s.metrics()
    s.log(
        f"GET /api/analytics/metrics?period=1h: {m['total_edits']} edits, {m['total_tokens']} "
        f"tokens, {m['active_agents']} active agents, {m['edits_per_minute']} edits/min, "
        f"budget {m['budget']['used']}/{m['budget']['limit']}"
        + (" EXCEEDED" if m["budget"]["exceeded"] else "")
    )
    nodes = s.get("/api/cluster")["nodes"]
    states = ", ".join(f"{n['name']} ({n['location']}) {n['state']}" for n in nodes)
    s.log(f"GET /api/cluster: {states}")
    agents = s.agents()
    s.log(f"GET /api/agents: {agents['count']} agents, running: {agents['running']}")
    ports = s.stack.config.ports
    off = "" if s.stack.config.dashboard else " (not part of this stack)"
    s.log(f"the dashboard shows all of this at http://127.0.0.1:{ports.dashboard}{off}")


RUNS: dict[str, Callable[[Scenario], None]] = {
    "1": initialisation,
    "2": agent_work,
    "3": edit_processing,
    "4": replication,
    "5": node_failure,
    "6": budget,
    "7": viewing,
}


def run(stack: Stack, which: str, out: Callable[[str], None] = print) -> list[Timeline]:
    """Run scenario `which` ("1".."7" or "all") on the running stack; the timelines.

    ScenarioError when one could not show what it should (the others still run for "all").
    """
    chosen = SCENARIOS if which == "all" else (which,)
    timelines = []
    failures = []
    with httpx.Client(base_url=stack.balancer_url, timeout=TIMEOUT) as client:
        try:
            client.get("/health").raise_for_status()
        except httpx.HTTPError as exc:
            raise ScenarioError(f"the balancer does not answer ({exc}): ./chorus up") from exc
        for number in chosen:
            timeline = Timeline(f"Scenario {number}: {TITLES[number]}", out)
            timelines.append(timeline)
            try:
                RUNS[number](Scenario(stack, client, timeline))
            except (ScenarioError, httpx.HTTPError, KeyError) as exc:
                timeline(f"FAILED: {type(exc).__name__}: {exc}")
                failures.append(number)
            else:
                timeline("done")
    if failures:
        raise ScenarioError(f"scenario {', '.join(failures)} failed (see the timeline above)")
    return timelines
