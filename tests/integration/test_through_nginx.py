"""End to end through nginx, everything real: edits replicated and counted in analytics, chat,
a node killed and one frozen under load, the rate limit, and the routes nginx refuses.

Run with `-s` to see the measured failover figures.
"""

import asyncio
import dataclasses
import random
import signal
import time
from collections import Counter
from collections.abc import AsyncIterator, Callable, Iterator
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from launcher import free_port, nginx
from launcher.components import NginxComponent
from launcher.stack import Stack

from .support import (
    Outcome,
    analytics_total,
    append,
    history,
    init,
    node_views,
    outbox_depth,
    post_edit,
    rotation,
    served_by,
    wait_converged,
)

WRITERS = 20
NODE_TIMEOUT = httpx.Timeout(10.0)


@pytest.fixture
async def client(stack: Stack) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=stack.balancer_url, timeout=NODE_TIMEOUT) as http:
        yield http


async def test_full_cycle_edits_replicate_and_are_counted(
    stack: Stack, client: httpx.AsyncClient
) -> None:
    before = await analytics_total(client)
    document_id = await init(client, stack, "Первый абзац документа. Второй абзац.")
    rng = random.Random(4)

    async def agent(n: int) -> list[Outcome]:
        agent_id, headers = f"agent-{n}", stack.secrets.bearer(f"agent-{n}")
        outcomes = []
        for i in range(10):
            current = (await client.get("/api/document/current", headers=headers)).json()
            text = current["text"]
            if i % 3 == 2 and len(text) > 10:
                start = rng.randrange(len(text) - 4)
                body = append(agent_id, f"«{n}.{i}»", position=f"{start}:{start + 3}")
                body["base_version_key"] = current["version_key"]
            else:
                body = append(agent_id, f" Фраза {n}.{i}.")
            body["document_id"] = document_id
            outcomes.append(await post_edit(client, headers, body))
        return outcomes

    results = [
        o for batch in await asyncio.gather(*(agent(n) for n in (1, 2, 3, 4))) for o in batch
    ]
    assert len(results) == 40
    assert {o.code for o in results} <= {200, 201}, results
    accepted = sum(o.status == "accepted" for o in results)
    converged_s = await wait_converged(client, 3.0)
    views = await node_views(client)
    assert views["a"]["version"] == accepted + 1  # the init is version 1
    assert views["a"]["document_id"] == document_id

    deadline = time.monotonic() + 10
    drained = total = 0
    while time.monotonic() < deadline:  # polling other processes: no event to wait on
        drained = await outbox_depth(client)
        total = await analytics_total(client)
        if drained == 0 and total == before + accepted:
            break
        await asyncio.sleep(0.1)
    print(
        f"\nfull cycle: 40 edits through nginx, {accepted} accepted, "
        f"{40 - accepted} rejected; nodes identical after {converged_s:.2f} s; "
        f"analytics counts {total - before} edits"
    )
    assert drained == 0
    assert total - before == accepted


async def test_chat_post_and_read_back_with_since(stack: Stack, client: httpx.AsyncClient) -> None:
    headers = stack.secrets.bearer("agent-5")
    first = await client.post(
        "/api/chat/messages",
        json={"agent_id": "agent-5", "message": "беру абзац 1"},
        headers=headers,
    )
    assert first.status_code == 201, first.text
    second = await client.post(
        "/api/chat/messages", json={"agent_id": "agent-5", "message": "готово"}, headers=headers
    )
    assert second.status_code == 201
    after_first = await client.get(
        "/api/chat/messages", params={"since": first.json()["timestamp"]}
    )
    assert [m["message"] for m in after_first.json()] == ["готово"]
    earlier = (datetime.now(UTC) - timedelta(minutes=1)).isoformat().replace("+00:00", "Z")
    recent = await client.get("/api/chat/messages", params={"since": earlier, "limit": 1000})
    assert [m["message"] for m in recent.json()][-2:] == ["беру абзац 1", "готово"]
    unauthorised = await client.post(
        "/api/chat/messages", json={"agent_id": "agent-5", "message": "x"}
    )
    assert unauthorised.status_code == 401


async def write_through_fault(
    stack: Stack,
    client: httpx.AsyncClient,
    fault: Callable[[], object],
    *,
    before_s: float = 1.0,
    after_s: float = 7.0,
) -> tuple[list[Outcome], float, float]:
    """WRITERS clients append through nginx; `fault()` runs after `before_s`; writing goes on
    for `after_s`. The outcomes, and the epoch times of the fault and of the end."""
    stop = asyncio.Event()
    outcomes: list[Outcome] = []

    async def writer(n: int) -> None:
        agent_id = f"agent-{n}"
        headers = stack.secrets.bearer(agent_id)
        i = 0
        while not stop.is_set():
            outcomes.append(await post_edit(client, headers, append(agent_id, f" {n}.{i}")))
            i += 1

    tasks = [asyncio.create_task(writer(n)) for n in range(1, WRITERS + 1)]
    try:
        await asyncio.sleep(before_s)
        fault_at = time.time()
        await asyncio.to_thread(fault)
        await asyncio.sleep(after_s)
        until = time.time()
    finally:
        stop.set()
        await asyncio.gather(*tasks)
    return outcomes, fault_at, until


def check_outcomes(outcomes: list[Outcome]) -> Counter[str]:
    failed = [o for o in outcomes if o.code not in (200, 201)]
    assert failed == [], f"{len(failed)} client requests failed after retries: {failed[:5]}"
    assert {o.status for o in outcomes} == {"accepted"}
    return Counter(f"{o.tries} tries" for o in outcomes)


async def recover_and_check(
    stack: Stack, client: httpx.AsyncClient, letter: str, outcomes: list[Outcome]
) -> tuple[float, float | None]:
    """Converged (seconds) and back in rotation (seconds after healthy, or None)."""
    healthy_at = time.time()
    converged_s = await wait_converged(client, 20.0)
    ids = {o.edit_id for o in outcomes}
    for name in "abc":
        edits = history(stack, name)
        assert len(edits) == len(set(edits)), f"node {name} holds a duplicate edit"
        assert ids <= set(edits), f"node {name} lacks {len(ids - set(edits))} accepted edits"
    addr = f"127.0.0.1:{stack.config.ports.node(letter)}"
    log = stack.config.state.nginx / "access.log"
    deadline = time.monotonic() + 8
    back = served_by(log, addr, healthy_at)
    while back is None and time.monotonic() < deadline:
        # a read the nodes answer themselves (plain reads of the current text go to readers)
        await client.get("/api/document/versions", params={"limit": 1})
        await asyncio.sleep(0.05)
        back = served_by(log, addr, healthy_at)
    return converged_s, None if back is None else back - healthy_at


async def test_killed_node_leaves_rotation_and_comes_back(
    stack: Stack, client: httpx.AsyncClient
) -> None:
    await init(client, stack, "Текст для отказа узла.")
    node = stack.node("a")
    outcomes, fault_at, until = await write_through_fault(stack, client, node.kill)
    tries = check_outcomes(outcomes)
    addr = f"127.0.0.1:{stack.config.ports.node_a}"
    figures = rotation(stack.config.state.nginx / "access.log", addr, fault_at, until)
    restarted = time.monotonic()
    node.launch()
    node.wait_ready(60)
    restart_s = time.monotonic() - restarted
    converged_s, back_s = await recover_and_check(stack, client, "a", outcomes)
    print(
        f"\nkilled node a (SIGKILL) under {WRITERS} writers: {len(outcomes)} edits, none failed "
        f"({dict(tries)}); last chosen {figures.last_chosen_s:.3f} s and out of rotation "
        f"{figures.out_after_s:.3f} s after the kill "
        f"({figures.reached_before} attempts reached it, {figures.sent_while_out} in the "
        f"5 s after, {figures.probes} probes later); restart healthy in {restart_s:.1f} s, "
        f"back in rotation {back_s if back_s is None else round(back_s, 2)} s after, "
        f"all nodes converged {converged_s:.2f} s after"
    )
    # What the spec asks is that nginx stops choosing the node within 5 s. Either it does, or
    # it had taken the node out already (an earlier slow answer under load) and the only
    # attempt after the fault is its single probe once fail_timeout (5 s) has passed.
    assert figures.last_chosen_s < 5.0 or figures.reached_before == 1
    assert figures.sent_while_out == 0, figures.while_out
    assert back_s is not None
    assert back_s < 6.0


async def test_frozen_node_leaves_rotation_and_comes_back(
    stack: Stack, client: httpx.AsyncClient
) -> None:
    await init(client, stack, "Текст для замороженного узла.")
    node = stack.node("b")
    outcomes, fault_at, until = await write_through_fault(
        stack, client, lambda: node.send(signal.SIGSTOP), after_s=8.0
    )
    tries = check_outcomes(outcomes)
    addr = f"127.0.0.1:{stack.config.ports.node_b}"
    figures = rotation(stack.config.state.nginx / "access.log", addr, fault_at, until)
    slowest = max(o.latency_s for o in outcomes)
    node.send(signal.SIGCONT)
    node.wait_ready(60)
    converged_s, back_s = await recover_and_check(stack, client, "b", outcomes)
    print(
        f"\nfrozen node b (SIGSTOP) under {WRITERS} writers: {len(outcomes)} edits, none failed "
        f"({dict(tries)}, slowest {slowest:.2f} s); out of rotation {figures.out_after_s:.3f} s "
        f"after the freeze ({figures.reached_before} attempts reached it, "
        f"{figures.sent_while_out} in the 5 s after, {figures.probes} probes later); "
        f"thawed: back in rotation {back_s if back_s is None else round(back_s, 2)} s after, "
        f"all nodes converged {converged_s:.2f} s after"
    )
    assert figures.out_after_s < 5.0
    assert figures.sent_while_out == 0, figures.while_out
    assert slowest < 3.0 + 3.0  # one read timeout, then another node (plus one probe)
    assert back_s is not None
    assert back_s < 6.0


@pytest.fixture
def limited(stack: Stack) -> Iterator[NginxComponent]:
    """A second nginx at the spec's default 10r/m in front of the same services."""
    ports = dataclasses.replace(stack.config.ports, nginx=free_port())
    paths = nginx.NginxPaths(stack.config.state.root / "nginx-10rm")
    component = NginxComponent(
        "nginx-10rm",
        "nginx at 10r/m",
        ports.nginx,
        paths=paths,
        config=nginx.render("local", ports=ports, paths=paths),
        pid_path=stack.config.state.pid_file("nginx-10rm"),
    )
    component.launch()
    try:
        component.wait_ready(10)
        yield component
    finally:
        component.stop()


def test_rate_limit_at_the_default_rate(stack: Stack, limited: NginxComponent) -> None:
    with httpx.Client(base_url=limited.url or "", timeout=10) as client:
        token = stack.secrets.bearer("agent-40")
        answers = [client.get("/api/document/current", headers=token) for _ in range(30)]
        codes = Counter(a.status_code for a in answers)
        rejected = [a for a in answers if a.status_code == 429]
        other = client.get("/api/document/current", headers=stack.secrets.bearer("agent-41"))
        edit = client.post(
            "/api/edits", json=append("agent-40", " x"), headers=token
        )  # the same bucket
    print(f"\nrate limit 10r/m, 30 quick requests on one token: {dict(codes)}")
    assert codes == {200: 10, 429: 20}
    assert all(a.headers["Retry-After"] == "6" for a in rejected)
    assert all(a.json()["error"] == "rate_limited" for a in rejected)
    assert all(a.json()["limit"] == "rate" for a in rejected)
    assert other.status_code == 200
    assert edit.status_code == 429


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("POST", "/api/replication/sync"),
        ("GET", "/api/replication/catch-up?since_version=0"),
        ("POST", "/api/replication/batch"),
        ("POST", "/api/analytics/events"),
    ],
)
async def test_internal_endpoints_are_refused(
    stack: Stack, client: httpx.AsyncClient, method: str, path: str
) -> None:
    service = {"Authorization": f"Bearer {stack.secrets.service_token}"}
    refused = await client.request(method, path, headers=service, json={})
    assert refused.status_code == 403
    assert refused.json()["error"] == "forbidden"
    # The node itself serves catch-up to its peers: the 403 is the balancer's.
    if path.startswith("/api/replication/catch-up"):
        direct = await client.get(f"{stack.node('c').url}{path}", headers=service)
        assert direct.status_code == 200


async def test_cluster_control_stops_and_starts_a_node(
    stack: Stack, client: httpx.AsyncClient
) -> None:
    operator = stack.secrets.bearer("operator")
    listing = (await client.get("/api/cluster")).json()
    assert listing["mode"] == "local"
    assert [(n["name"], n["location"], n["state"]) for n in listing["nodes"]] == [
        ("a", "Москва", "running"),
        ("b", "Санкт-Петербург", "running"),
        ("c", "Новосибирск", "running"),
    ]
    refused = await client.post("/api/cluster/nodes/b/stop")
    assert refused.status_code == 401
    assert refused.json()["field"] == "Authorization"
    unknown = await client.post("/api/cluster/nodes/d/stop", headers=operator)
    assert unknown.status_code == 422
    assert "letter" in unknown.text

    stopped = await client.post("/api/cluster/nodes/b/stop", headers=operator)
    assert stopped.status_code == 200
    assert stopped.json()["state"] == "stopped"
    assert (await client.get("/nodes/b/health")).status_code == 502
    again = await client.post("/api/cluster/nodes/b/stop", headers=operator)
    assert again.status_code == 409
    assert again.json()["error"] == "not_running"

    started = await client.post("/api/cluster/nodes/b/start", headers=operator)
    assert started.status_code == 200
    assert started.json()["state"] == "running"
    stack.node("b").wait_ready(60)
    assert (await client.get("/nodes/b/health")).status_code == 200


async def test_only_the_operator_starts_a_document_and_nginx_errors_are_json(
    stack: Stack, client: httpx.AsyncClient
) -> None:
    before = (await client.get("/api/document/current")).json()["document_id"]
    body = {"topic": "Чужая тема", "initial_text": "Всё стёрто."}
    agent = stack.secrets.bearer("agent-1")
    urls = [stack.balancer_url, *(stack.node(letter).url for letter in "abc")]

    refusals = [
        await client.post(f"{url}/api/document/init", json=body, headers=agent) for url in urls
    ]
    too_large = await client.post(
        "/api/edits", content=b"x" * (2 << 20), headers={"content-type": "application/json"}
    )

    assert [r.status_code for r in refusals] == [403, 403, 403, 403]  # nginx, then a, b, c
    assert {r.json()["error"] for r in refusals} == {"forbidden"}
    assert (await client.get("/api/document/current")).json()["document_id"] == before
    assert too_large.status_code == 413
    assert too_large.json()["error"] == "payload_too_large"
    assert "1 МБ" in too_large.json()["message"]
