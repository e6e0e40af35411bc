"""The spec's CI scenario on a whole stack: three agents on the offline simulator, started by
the supervisor through nginx, edit for a while; the document grows, they talk in chat, and
analytics counts exactly the edits the nodes accepted.

Its own stack (module scope) with the scenario's 500 000-token budget.
"""

import asyncio
import shutil
import tempfile
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import pytest

from launcher.config import Ports, RateLimit
from launcher.stack import Stack, StackConfig
from launcher.state import StateDir

from .conftest import HIGH_RATE
from .support import analytics_total, init, outbox_depth, wait_converged

AGENTS = 3
BUDGET = 500_000
RUN_S = 18.0


@pytest.fixture(scope="module")
def stack() -> Iterator[Stack]:
    root = Path(tempfile.mkdtemp(prefix="chorus-test-agents-"))
    root.chmod(0o755)  # the PostgreSQL clusters run as the postgres user
    config = StackConfig(
        StateDir(root / "state"), Ports.free(), RateLimit.parse(HIGH_RATE), budget_limit=BUDGET
    )
    running = Stack(config)
    try:
        running.up(report=print)
        yield running
    finally:
        running.down(report=lambda line: None)
        shutil.rmtree(root, ignore_errors=True)


@pytest.fixture
async def client(stack: Stack) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=stack.balancer_url, timeout=10.0) as http:
        yield http


async def test_three_agents_on_the_simulator(stack: Stack, client: httpx.AsyncClient) -> None:
    operator = stack.secrets.bearer("operator")
    await init(
        client,
        stack,
        "Искусственный интеллект - область информатики. Мы еще изучаем его историю. "
        'Термин "искусственный интеллект" появился в 1956 году.',
    )
    before = await analytics_total(client)
    started = await client.post("/api/agents/start", json={"count": AGENTS}, headers=operator)
    assert started.status_code == 200, started.text
    await asyncio.sleep(RUN_S)
    stopped = await client.post("/api/agents/stop", headers=operator)
    assert stopped.status_code == 200, stopped.text
    agents = stopped.json()["agents"]
    assert [a["agent_id"] for a in agents] == [f"agent-{n}" for n in range(1, AGENTS + 1)]
    assert {a["state"] for a in agents} == {"stopped"}, agents

    await wait_converged(client, 5.0)
    document = (await client.get("/api/document/current")).json()
    accepted_by_nodes = document["version"] - 1  # every accepted edit is a version; init is 1
    accepted_by_agents = sum(a["accepted"] for a in agents)
    assert document["version"] > 1
    assert accepted_by_agents == accepted_by_nodes, agents

    chat = (await client.get("/api/chat/messages", params={"limit": 1000})).json()
    authors = {message["agent_id"] for message in chat}
    assert authors, "no agent posted to the chat"
    assert authors <= {a["agent_id"] for a in agents}, authors

    deadline = time.monotonic() + 10
    drained = total = 0
    while time.monotonic() < deadline:  # polling other processes: no event to wait on
        drained = await outbox_depth(client)
        total = await analytics_total(client) - before
        if drained == 0 and total == accepted_by_nodes:
            break
        await asyncio.sleep(0.1)
    print(
        f"\n{AGENTS} agents, {RUN_S:.0f} s: version {document['version']}, "
        f"{accepted_by_nodes} accepted, {sum(a['rejected'] for a in agents)} rejected, "
        f"{len(chat)} chat messages, {sum(a['tokens'] for a in agents)} tokens; "
        f"analytics counts {total}"
    )
    assert drained == 0
    assert total == accepted_by_nodes
    metrics = (await client.get("/api/analytics/metrics", params={"period": "1h"})).json()
    assert metrics["budget"]["limit"] == BUDGET  # the launcher passed it to the nodes
