"""Agents on a whole stack with the offline simulator, through nginx.

- the spec's CI scenario: three agents with a 500 000-token budget; the document grows, they
  talk in chat, analytics counts exactly the edits the nodes accepted;
- moving a paragraph by agreement in chat, converged on all three nodes;
- ten agents until 200 accepted edits: the text is still readable Russian;
- the conflict rate with and without claims on the same seed (printed);
- a node killed mid-run: the agents keep working and nothing accepted is lost;
- the budget exhausted (spec scenario 6): every agent stops on 429, analytics shows it.

One stack for the module (it starts with the CI scenario's budget; later tests raise or
lower the limit in the nodes' databases, as an operator would).
"""

import asyncio
import time
from collections import Counter
from collections.abc import AsyncIterator, Iterator
from typing import Any

import httpx
import pytest

from agents.agent import Agent, AgentConfig
from agents.roles import resolve
from agents.runner import open_clients
from agents.simulator import MODEL_ID
from agents.simulator._language import sentence_spans
from bench.demo_soak import text_problems
from launcher.stack import Stack

from .conftest import running_stack
from .support import (
    analytics_total,
    edit_counts,
    init,
    outbox_depth,
    set_budget_limit,
    wait_converged,
)

AGENTS = 3
BUDGET = 500_000
RUN_S = 18.0


@pytest.fixture(scope="module")
def stack() -> Iterator[Stack]:
    with running_stack("chorus-test-agents-", budget_limit=BUDGET, dashboard=False) as running:
        yield running


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


async def wait_for(condition, limit_s: float, what: str, step_s: float = 0.5):
    """Poll the async `condition` until it returns something truthy; fail after `limit_s`."""
    deadline = time.monotonic() + limit_s
    while True:
        value = await condition()
        if value:
            return value
        assert time.monotonic() < deadline, f"{what}: not within {limit_s} s"
        await asyncio.sleep(step_s)


async def agents_listing(client: httpx.AsyncClient) -> list[dict[str, Any]]:
    response = await client.get("/api/agents")
    response.raise_for_status()
    agents: list[dict[str, Any]] = response.json()["agents"]
    return agents


async def accepted_so_far(client: httpx.AsyncClient) -> int:
    return sum(agent["accepted"] for agent in await agents_listing(client))


async def start_agents(client: httpx.AsyncClient, stack: Stack, **body) -> None:
    started = await client.post("/api/agents/start", json=body, headers=operator(stack))
    assert started.status_code == 200, started.text


async def stop_agents(client: httpx.AsyncClient, stack: Stack) -> list[dict[str, Any]]:
    stopped = await client.post("/api/agents/stop", headers=operator(stack))
    assert stopped.status_code == 200, stopped.text
    agents: list[dict[str, Any]] = stopped.json()["agents"]
    return agents


def operator(stack: Stack) -> dict[str, str]:
    return stack.secrets.bearer("operator")


CONCLUSION = "Таким образом, распределённые системы жертвуют простотой ради надёжности."
MOVE_DOCUMENT = (
    "Распределённая система состоит из нескольких узлов.\n\n"
    f"{CONCLUSION}\n\n"
    "Узлы обмениваются сообщениями по сети. Мы еще изучаем, как они договариваются."
)


async def test_a_paragraph_is_moved_by_agreement_in_chat(
    stack: Stack, client: httpx.AsyncClient
) -> None:
    await set_budget_limit(stack, 15_000_000)
    await init(client, stack, MOVE_DOCUMENT, topic="Распределённые системы")
    since = (await client.get("/api/chat/messages", params={"limit": 1})).json()
    after = {"since": since[-1]["timestamp"]} if since else {}
    await start_agents(client, stack, count=3, roles=["structure", "style", "spelling"])

    async def moved() -> bool:
        text = (await client.get("/api/document/current")).json()["text"]
        return bool(text.split("\n\n")[-1].startswith(CONCLUSION))

    try:
        await wait_for(moved, 90, "the conclusion moved to the end")
    finally:
        await stop_agents(client, stack)
    await wait_converged(client, 5.0)
    chat = (await client.get("/api/chat/messages", params={"limit": 1000, **after})).json()
    said = [(m["agent_id"], m["message"]) for m in chat]
    steps = [
        next(i for i, (_, m) in enumerate(said) if m.startswith(prefix))
        for prefix in ("Предлагаю перенести абзац 2 в конец", "Согласен", "Переношу абзац")
    ]
    assert steps == sorted(steps), said
    proposer = said[steps[0]][0]
    assert said[steps[1]][0] != proposer
    assert said[steps[2]][0] == proposer
    texts = {(await client.get(f"/nodes/{n}/api/document/current")).json()["text"] for n in "abc"}
    assert len(texts) == 1
    (text,) = texts
    assert text.count(CONCLUSION) == 1
    assert text.startswith("Распределённая система состоит из нескольких узлов.\n\nУзлы")
    edits = (await client.get("/api/edits", params={"agent_id": proposer, "limit": 500})).json()
    kinds = [(e["proposed_text"] == "", e["position"] == "end") for e in edits["edits"]]
    assert (True, False) in kinds  # the delete
    assert (False, True) in kinds  # the append at the end
    print(f"\nmoved by agreement: {len(chat)} chat messages; final text:\n{text}")


AI_DOCUMENT = (
    "История искусственного интеллекта начинается в середине двадцатого века. "
    'Термин "искусственный интеллект" предложил Джон Маккарти в 1956 году. '
    "На самом деле, первые программы играли в шашки и доказывали теоремы. "
    "Мы еще учимся понимать, как работают большие модели."
)


def test_readability_check_finds_what_it_looks_for() -> None:
    written = "Мы учимся. Мы учимя."
    assert text_problems("Мы учимся. «Мы» учимся.", written) == []
    assert text_problems("Мы учимся. Мы учимся.", written) == ["said twice: 'Мы учимся.'"]
    assert text_problems("Мы учимя.", written) == []  # a typo someone wrote, not yet fixed
    assert text_problems("Мы уч.", written) == []  # too short to judge
    assert text_problems("Мы учимс.", written) == ["broken word: 'учимс'"]
    assert text_problems("«Мы учимся.", written) == ["1 « left open"]


async def start_on_ai_history(client: httpx.AsyncClient, stack: Stack, agents: int) -> None:
    """A fresh document on the demo topic with the spec's budget, and `agents` agents on it."""
    await set_budget_limit(stack, 15_000_000)
    await init(client, stack, AI_DOCUMENT, topic="История искусственного интеллекта")
    await start_agents(client, stack, count=agents)


async def test_ten_agents_and_200_edits_leave_readable_russian(
    stack: Stack, client: httpx.AsyncClient
) -> None:
    await start_on_ai_history(client, stack, 10)
    started = time.monotonic()
    try:
        await wait_for(
            lambda: _at_least(client, 200), 300, "200 accepted edits by ten agents", step_s=1.0
        )
    finally:
        agents = await stop_agents(client, stack)
    elapsed = time.monotonic() - started
    await wait_converged(client, 10.0)
    text = (await client.get("/api/document/current")).json()["text"]
    edits = (await client.get("/api/edits", params={"limit": 500})).json()["edits"]
    written = " ".join([AI_DOCUMENT, *(e["proposed_text"] for e in edits)])
    problems = text_problems(text, written)
    sentences = len(sentence_spans(text))
    print(
        f"\nten agents: {sum(a['accepted'] for a in agents)} accepted, "
        f"{sum(a['rejected'] for a in agents)} rejected in {elapsed:.0f} s; "
        f"{len(text)} characters, {sentences} sentences, {text.count(chr(10) * 2) + 1} "
        f"paragraphs; the opening:\n{text[:1500]}\n…\nthe end:\n{text[-700:]}"
    )
    assert problems == [], problems
    assert '"искусственный интеллект"' not in text  # the corrector's «ёлочки» (or rewritten)
    assert "Мы еще учимся" not in text  # and its ё


async def _at_least(client: httpx.AsyncClient, count: int) -> bool:
    return await accepted_so_far(client) >= count


CONFLICT_DOCUMENT = " ".join(
    f'На самом деле, юзеры еще ждут "апдейт {n}" - вобщем, это важно.' for n in range(1, 9)
)
CONFLICT_ROLES = ("style", "spelling", "terms", "concision", "style", "spelling")


async def conflict_rate(stack: Stack, client: httpx.AsyncClient, *, claims: bool) -> dict[str, Any]:
    """Six correctors on one sentence-dense text for 10 cycles each; edit outcomes counted."""
    await init(client, stack, CONFLICT_DOCUMENT, topic="Обновления")
    ports = stack.config.ports
    async with open_clients(
        text_url=stack.balancer_url,
        chat_url=stack.balancer_url,
        llm_endpoint=(f"http://127.0.0.1:{ports.simulator}/v1", MODEL_ID, "offline"),
        api_style="responses",
        llm_timeout_s=30.0,
    ) as clients:
        agents = [
            Agent(
                AgentConfig(
                    agent_id=f"agent-{n}",
                    role=resolve(role),
                    token=stack.secrets.agent_tokens[f"agent-{n}"],
                    cycle_delay_s=0.05,
                    use_claims=claims,
                    max_idle_delay_s=0.5,  # a corrector with nothing left asks again soon
                ),
                llm=clients.llm,
                text=clients.text,
                chat=clients.chat,
            )
            for n, role in enumerate(CONFLICT_ROLES, start=1)
        ]
        await asyncio.gather(*(agent.run(max_cycles=10) for agent in agents))
    await wait_converged(client, 10.0)
    statuses = sum((c for c in (await edit_counts(client, "a")).values()), start=Counter())
    total = sum(statuses.values())
    conflicts = statuses["rejected"] + statuses["superseded"]
    return {"edits": total, "conflicts": conflicts, "rate": conflicts / total if total else 0.0}


async def test_conflict_rate_with_and_without_claims(
    stack: Stack, client: httpx.AsyncClient
) -> None:
    with_claims = await conflict_rate(stack, client, claims=True)
    without = await conflict_rate(stack, client, claims=False)
    print(
        f"\nconflicts (rejected + superseded) of six correctors, 10 cycles each, same seed: "
        f"with claims {with_claims['conflicts']}/{with_claims['edits']} = "
        f"{with_claims['rate']:.1%}; without claims {without['conflicts']}/{without['edits']} "
        f"= {without['rate']:.1%}"
    )
    assert with_claims["edits"] > 0
    assert without["edits"] > 0


async def test_agents_keep_working_when_a_node_is_killed(
    stack: Stack, client: httpx.AsyncClient
) -> None:
    await start_on_ai_history(client, stack, 5)
    node = stack.node("b")
    try:
        await wait_for(lambda: _at_least(client, 5), 60, "five accepted edits before the fault")
        node.kill()
        at_kill = await accepted_so_far(client)
        await wait_for(
            lambda: _at_least(client, at_kill + 10), 90, "ten more accepted edits with b down"
        )
        node.launch()
        node.wait_ready(60)
        agents = await agents_listing(client)
    finally:
        agents = await stop_agents(client, stack)
    assert {a["state"] for a in agents} == {"stopped"}, agents  # nobody failed or gave up
    await wait_converged(client, 10.0)
    by_agent = {a["agent_id"]: a for a in agents}
    for letter in "abc":
        counts = await edit_counts(client, letter)
        for agent_id, agent in by_agent.items():
            held = counts.get(agent_id, Counter())
            # Every edit an agent was told was accepted is on every node, exactly once.
            assert held["accepted"] + held["superseded"] == agent["accepted"], (letter, agent)
            assert held["rejected"] == agent["rejected"], (letter, agent)
    print(
        f"\nnode b killed mid-run: {at_kill} accepted before, "
        f"{sum(a['accepted'] for a in agents)} in all; every one on all three nodes"
    )


async def test_every_agent_stops_when_the_budget_is_exhausted(
    stack: Stack, client: httpx.AsyncClient
) -> None:
    await init(client, stack, AI_DOCUMENT, topic="История искусственного интеллекта")
    views = [(await client.get(f"/nodes/{n}/api/node")).json() for n in "abc"]
    used = max(view["tokens_used"] for view in views)
    await set_budget_limit(stack, used + 20_000)
    await start_agents(client, stack, count=3)

    async def all_exhausted() -> list[dict[str, Any]] | None:
        agents = await agents_listing(client)
        done = all(a["state"] == "budget_exhausted" for a in agents)
        return agents if done else None

    try:
        agents = await wait_for(all_exhausted, 120, "every agent stopped by the budget")
    finally:
        await stop_agents(client, stack)
    assert all("бюджет" in a["last_error"] for a in agents), agents

    async def exceeded() -> dict[str, Any] | None:
        metrics = (await client.get("/api/analytics/metrics", params={"period": "1h"})).json()
        return metrics if metrics["budget"]["exceeded"] else None

    metrics = await wait_for(exceeded, 15, "budget_exceeded in the analytics metrics")
    refused = await client.post(
        "/api/edits",
        json={
            "agent_id": "agent-1",
            "proposed_text": " Ещё.",
            "position": "end",
            "tokens_used": 20_001,  # more than the whole headroom
        },
        headers=stack.secrets.bearer("agent-1"),
    )
    assert refused.status_code == 429
    assert refused.json()["error"] == "budget_exceeded"
    print(
        f"\nbudget exhausted: limit {used + 20_000}, used {metrics['budget']['used']}; "
        f"agents: {[(a['agent_id'], a['state'], a['accepted']) for a in agents]}"
    )
