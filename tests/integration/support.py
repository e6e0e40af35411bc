"""Clients that talk to a stack through nginx, and a reader of nginx's access log."""

import asyncio
import json
import re
import time
import uuid
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import asyncpg
import httpx

from launcher.stack import DATABASE, Stack

RETRIABLE = (502, 503, 504)
_SEPARATOR = re.compile(r"\s*,\s*|\s+:\s+")


@dataclass
class Outcome:
    """What became of one edit from the client's side, after its retries."""

    edit_id: str
    code: int | None
    status: str | None
    tries: int
    latency_s: float


async def post_edit(
    client: httpx.AsyncClient, headers: dict[str, str], body: dict[str, Any], tries: int = 5
) -> Outcome:
    """POST /api/edits, retrying with the same edit_id on 502/503/504 and connection errors
    (at most `tries` attempts, exponential backoff)."""
    started = time.monotonic()
    delay = 0.2
    code: int | None = None
    status: str | None = None
    for attempt in range(1, tries + 1):
        try:
            response = await client.post("/api/edits", json=body, headers=headers)
        except httpx.TransportError:
            code = None
        else:
            code = response.status_code
            if code not in RETRIABLE:
                status = response.json().get("status")
                return Outcome(body["edit_id"], code, status, attempt, time.monotonic() - started)
        if attempt < tries:
            await asyncio.sleep(delay)
            delay *= 2
    return Outcome(body["edit_id"], code, status, tries, time.monotonic() - started)


def append(agent_id: str, text: str, **extra: Any) -> dict[str, Any]:
    return {
        "agent_id": agent_id,
        "proposed_text": text,
        "position": "end",
        "tokens_used": 5,
        "edit_id": str(uuid.uuid4()),
        **extra,
    }


async def analytics_total(client: httpx.AsyncClient) -> int:
    """`total_edits` of the last hour, as the Analytics Service counts them."""
    response = await client.get("/api/analytics/metrics", params={"period": "1h"})
    response.raise_for_status()
    return int(response.json()["total_edits"])


async def outbox_depth(client: httpx.AsyncClient) -> int:
    """Events the three nodes still hold for analytics (0 once every outbox drained)."""
    total = 0
    for name in "abc":
        queues = (await client.get(f"/nodes/{name}/api/node")).json()["outbox"]
        total += sum(queues.values())
    return total


async def node_views(client: httpx.AsyncClient) -> dict[str, dict[str, Any]]:
    """Each node's current document, read through the balancer's /nodes/x/ routes."""
    views = {}
    for name in "abc":
        response = await client.get(f"/nodes/{name}/api/document/current")
        response.raise_for_status()
        body = response.json()
        views[name] = {k: body[k] for k in ("document_id", "version", "version_key", "text")}
    return views


async def wait_converged(client: httpx.AsyncClient, limit_s: float) -> float:
    """Seconds until all three nodes show the same document (AssertionError after limit)."""
    started = time.monotonic()
    while True:
        try:
            views = await node_views(client)
        except httpx.HTTPError:
            views = {}
        values = list(views.values())
        if len(values) == 3 and all(v == values[0] for v in values):
            return time.monotonic() - started
        if time.monotonic() - started > limit_s:
            raise AssertionError(f"nodes differ after {limit_s} s: {views}")
        await asyncio.sleep(0.05)


async def init(
    client: httpx.AsyncClient, stack: Stack, text: str, topic: str = "Интеграционный тест"
) -> str:
    response = await client.post(
        "/api/document/init",
        json={"topic": topic, "initial_text": text},
        headers=stack.secrets.bearer("operator"),
    )
    assert response.status_code == 201, response.text
    # Edits name no document: wait until every node has the new one, so none lands in the old.
    document_id = str(response.json()["document_id"])
    deadline = time.monotonic() + 10
    while {v["document_id"] for v in (await node_views(client)).values()} != {document_id}:
        assert time.monotonic() < deadline, "the init did not reach every node in 10 s"
        await asyncio.sleep(0.05)
    return document_id


def history(stack: Stack, node: str) -> list[str]:
    """Edit ids of the current document's versions on one node (asked directly, not via nginx:
    replication endpoints are not reachable through it)."""
    url = stack.node(node).url
    response = httpx.get(
        f"{url}/api/replication/catch-up",
        params={"since_version": 0},
        headers={"Authorization": f"Bearer {stack.secrets.service_token}"},
        timeout=10,
    )
    response.raise_for_status()
    return [version["edit_id"] for version in response.json()["versions"]]


@dataclass
class Attempt:
    """One try of one proxied request at one upstream server, from the access log."""

    uri: str
    addr: str
    status: str
    start: float
    end: float

    @property
    def failed(self) -> bool:
        return self.status in ("502", "503", "504", "-", "")


def attempts(access_log: Path, since: float) -> list[Attempt]:
    """The upstream attempts of balanced requests (not /nodes/x/) that ended after `since`.

    A request's start is its log time minus its request time; its attempts follow each other,
    each lasting its upstream response time.
    """
    found = []
    for line in access_log.read_text().splitlines():
        record = json.loads(line)
        if not record["up"] or record["uri"].startswith("/nodes/") or record["t"] < since:
            continue
        cursor = float(record["t"]) - float(record["rt"])
        for addr, status, took in zip(
            _SEPARATOR.split(record["up"]),
            _SEPARATOR.split(record["ust"]),
            _SEPARATOR.split(record["urt"]),
            strict=False,
        ):
            end = cursor + (float(took) if took not in ("-", "") else 0.0)
            found.append(Attempt(record["uri"], addr, status, cursor, end))
            cursor = end
    return found


@dataclass
class Rotation:
    """How nginx treated one node after a fault injected at `fault_at` (epoch seconds)."""

    out_after_s: float
    """Fault → the first failed attempt at the node ended: from then on it is out of rotation."""
    reached_before: int
    """Attempts that went to the node after the fault, until it was taken out."""
    sent_while_out: int
    """Attempts started at the node in the fail_timeout window after it was taken out."""
    while_out: tuple[Attempt, ...]
    """Those attempts, for the failure message (which request, which status, when)."""
    probes: int
    """Attempts after that window: nginx's periodic single probe of a failed server."""
    last_chosen_s: float
    """Fault → the start of the first failed attempt: the last time nginx chose the node
    before taking it out (0 when that attempt was already in flight at the fault)."""


def rotation(
    access_log: Path, addr: str, fault_at: float, until: float, fail_timeout_s: float = 5.0
) -> Rotation:
    tries = [a for a in attempts(access_log, fault_at) if a.addr == addr and a.end >= fault_at]
    failures = sorted((a for a in tries if a.failed), key=lambda a: a.end)
    if not failures:
        raise AssertionError(f"no failed attempt at {addr} after the fault: {tries[:5]}")
    out_at = failures[0].end
    window_end = out_at + fail_timeout_s - 0.05
    while_out = tuple(a for a in tries if out_at + 0.005 < a.start < window_end)
    return Rotation(
        out_after_s=out_at - fault_at,
        reached_before=sum(1 for a in tries if a.start <= out_at),
        sent_while_out=len(while_out),
        while_out=while_out,
        probes=sum(1 for a in tries if window_end <= a.start <= until),
        last_chosen_s=max(0.0, failures[0].start - fault_at),
    )


def served_by(access_log: Path, addr: str, since: float) -> float | None:
    """When the node first answered a balanced request successfully after `since`."""
    ok = [a.start for a in attempts(access_log, since) if a.addr == addr and not a.failed]
    return min((start for start in ok if start >= since), default=None)


async def set_budget_limit(stack: Stack, limit: int) -> None:
    """Set `token_budget.limit_tokens` on every node, by hand as an operator would (the spec:
    the limit is changed only in the database)."""
    for letter in "abc":
        dsn = stack.get(f"postgres-{letter}").dsn(DATABASE)  # type: ignore[attr-defined]
        connection = await asyncpg.connect(dsn.replace("postgresql+asyncpg", "postgresql"))
        try:
            await connection.execute("UPDATE token_budget SET limit_tokens = $1", limit)
        finally:
            await connection.close()


async def edit_counts(client: httpx.AsyncClient, node: str) -> dict[str, Counter[str]]:
    """agent_id → statuses of the current document's edits, as one node lists them."""
    counts: dict[str, Counter[str]] = {}
    offset = 0
    while True:
        response = await client.get(
            f"/nodes/{node}/api/edits", params={"limit": 500, "offset": offset}
        )
        response.raise_for_status()
        page = response.json()
        for edit in page["edits"]:
            counts.setdefault(edit["agent_id"], Counter())[edit["status"]] += 1
        offset += len(page["edits"])
        if not page["edits"] or offset >= page["total"]:
            return counts
