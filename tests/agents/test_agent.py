"""The agent loop against a real Text Service node (PostgreSQL) and Chat Service (Redis)."""

import asyncio
import re
from collections.abc import AsyncIterator

import httpx
import pytest

from agents import (
    Agent,
    AgentConfig,
    AgentState,
    CycleResult,
    EditProposal,
    LlmError,
    LlmReply,
    OpenAiLlm,
    resolve,
)
from agents.agent import _Claims
from agents.llm import parse_proposal
from agents.simulator import MODEL_ID
from launcher import RedisServer

from .conftest import TOKENS, Services, init_document, running_services

TOPIC = "Распределённые системы"
TEXT = (
    'Распределённые системы - это "много узлов". Мы еще учимся их строить. '
    "Узлы обмениваются сообщениями. Узлы обмениваются сообщениями. "
    "Гагарин совершил первый полет в космос в 1962 году."
)


@pytest.fixture
async def services(agents_db: str, agents_redis: RedisServer) -> AsyncIterator[Services]:
    async with running_services(agents_db, agents_redis.url) as running:
        await init_document(running.text, TOPIC, TEXT)
        yield running


@pytest.fixture
async def llm(simulator_url: str) -> AsyncIterator[OpenAiLlm]:
    client = OpenAiLlm(api_key="offline", model=MODEL_ID, base_url=simulator_url)
    try:
        yield client
    finally:
        await client.aclose()


class Sleeps:
    """A sleep that records delays and only yields (the seam the agent offers for time)."""

    def __init__(self) -> None:
        self.delays: list[float] = []

    async def __call__(self, delay: float) -> None:
        self.delays.append(delay)
        await asyncio.sleep(0)


def make_agent(
    n: int,
    role: str,
    llm: object,
    services: Services,
    *,
    text: httpx.AsyncClient | None = None,
    token: str | None = None,
    sleep: Sleeps | None = None,
    **config: object,
) -> Agent:
    agent_id = f"agent-{n}"
    return Agent(
        AgentConfig(
            agent_id=agent_id,
            role=resolve(role),
            token=token or TOKENS[agent_id],
            cycle_delay_s=0,
            backoff_s=0.01,
            **config,  # type: ignore[arg-type]
        ),
        llm=llm,  # type: ignore[arg-type]
        text=text or services.text,
        chat=services.chat,
        sleep=sleep or Sleeps(),
    )


async def agent_1_appends(services: Services, text: str) -> None:
    """Another agent's edit (no tokens) while the one under test waits."""
    response = await services.text.post(
        "/api/edits",
        json={"agent_id": "agent-1", "proposed_text": text, "position": "end", "tokens_used": 0},
        headers={"Authorization": f"Bearer {TOKENS['agent-1']}"},
    )
    assert response.status_code == 201, response.text


def sentences(text: str) -> list[str]:
    return re.findall(r"[^.!?\s][^.!?]*[.!?]", text)


async def test_three_agents_edit_the_document_and_talk_in_chat(
    services: Services, llm: OpenAiLlm
) -> None:
    agents = [
        make_agent(1, "корректор стиля", llm, services),
        make_agent(2, "редактор повторов", llm, services),
        make_agent(3, "эксперт по теме", llm, services),
    ]
    results = await asyncio.gather(*(a.run(max_cycles=4) for a in agents))

    document = (await services.text.get("/api/document/current")).json()
    assert document["version"] > 1
    text = document["text"]
    assert '"' not in text, results
    assert " - " not in text
    assert text.count("«") == text.count("»")
    assert len(set(sentences(text))) == len(sentences(text))
    assert text.count("Узлы обмениваются сообщениями.") == 1
    messages = (await services.chat.get("/api/chat/messages", params={"limit": 100})).json()
    assert {m["agent_id"] for m in messages} == {"agent-1", "agent-2", "agent-3"}, results
    accepted = sum(r.accepted for r in results)
    assert accepted == document["version"] - 1
    claims = [m for m in messages if m["message"].startswith("Беру: «")]
    assert claims  # the correctors announce what they take before they edit it
    assert sum(r.chat_messages for r in results) == len(messages) == accepted + len(claims)
    edits = (await services.text.get("/api/edits", params={"limit": 100})).json()
    assert sum(e["tokens_used"] for e in edits["edits"]) <= sum(r.tokens for r in results)
    for stats in results:
        assert stats.state is AgentState.STOPPED
        assert stats.cycles == 4
        assert stats.tokens > 0
        assert stats.as_dict()["state"] == "stopped"


async def test_a_budget_429_stops_the_agent_cleanly(
    agents_db: str, agents_redis: RedisServer, llm: OpenAiLlm
) -> None:
    async with running_services(agents_db, agents_redis.url, budget_limit=1) as services:
        await init_document(services.text, TOPIC, TEXT)
        agent = make_agent(3, "эксперт по теме", llm, services)
        stats = await agent.run(max_cycles=10)
    assert stats.state is AgentState.BUDGET_EXHAUSTED
    assert stats.cycles < 10
    assert "бюджет токенов исчерпан" in stats.last_error


async def test_an_agent_with_nothing_to_edit_stops_when_its_spend_does_not_fit(
    agents_db: str, agents_redis: RedisServer, llm: OpenAiLlm
) -> None:
    """The fact checker finds nothing in a text others keep extending: each look costs tokens
    it never reports (no edit of its own), until they no longer fit the budget."""
    async with running_services(agents_db, agents_redis.url, budget_limit=2000) as services:
        await init_document(services.text, TOPIC, "Всё верно.")

        async def others_write(delay: float) -> None:
            await agent_1_appends(services, " Да.")

        agent = make_agent(3, "проверяющий факты", llm, services, sleep=others_write)  # type: ignore[arg-type]
        stats = await agent.run(max_cycles=30)
    assert stats.state is AgentState.BUDGET_EXHAUSTED
    assert stats.accepted == 0
    assert 1 < stats.cycles < 30
    assert stats.tokens >= 2000
    assert "израсходовано 0 из 2000" in stats.last_error


async def test_an_agent_with_nothing_to_edit_waits_for_the_text_to_change(
    services: Services, llm: OpenAiLlm
) -> None:
    """On a text that stands still an idle agent asks its model again only after the longest
    pause (60 s): it looks at the version in between, which costs no tokens."""
    await init_document(services.text, TOPIC, "Всё верно.")
    sleeps: list[tuple[float, AgentState]] = []
    agent: Agent

    async def sleep(delay: float) -> None:
        sleeps.append((delay, agent.stats.state))
        await asyncio.sleep(0)

    agent = Agent(
        AgentConfig(agent_id="agent-3", role=resolve("facts"), token=TOKENS["agent-3"]),
        llm=llm,
        text=services.text,
        chat=services.chat,
        sleep=sleep,
    )
    stats = await agent.run(max_cycles=3)
    # nothing, then 30 looks 2 s apart (60 s); nothing, then 15 looks 4 s apart; nothing
    assert [d for d, _ in sleeps] == [2.0] * 30 + [4.0] * 15
    assert {state for _, state in sleeps} == {AgentState.IDLE}
    assert stats.cycles == 3


class Flaky(httpx.AsyncBaseTransport):
    """Wraps the node's transport; fails the first requests the way a network or nginx does."""

    def __init__(self, inner: httpx.AsyncBaseTransport) -> None:
        self.inner = inner
        self.edit_bodies: list[bytes] = []
        self.gets = 0

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if request.url.path == "/api/document/current":
            self.gets += 1
            if self.gets == 1:
                return httpx.Response(
                    429, json={"error": "rate_limited"}, headers={"Retry-After": "3"}
                )
        if request.url.path == "/api/edits" and request.method == "POST":
            self.edit_bodies.append(request.content)
            attempt = len(self.edit_bodies)
            if attempt == 1:  # the node commits, the answer is lost: outcome unknown
                response = await self.inner.handle_async_request(request)
                await response.aread()
                raise httpx.ReadTimeout("timed out", request=request)
            if attempt == 2:
                return httpx.Response(503, json={"error": "unavailable"})
        return await self.inner.handle_async_request(request)


async def test_retries_back_off_honour_retry_after_and_reuse_the_edit_id(
    services: Services, llm: OpenAiLlm
) -> None:
    flaky = Flaky(services.text._transport)
    sleeps = Sleeps()
    async with httpx.AsyncClient(transport=flaky, base_url="http://text.test") as text:
        agent = make_agent(1, "корректор стиля", llm, services, text=text, sleep=sleeps)
        result = await agent.cycle()
    assert result is CycleResult.ACCEPTED
    ids = {re.search(rb'"edit_id":\s*"([^"]+)"', body).group(1) for body in flaky.edit_bodies}  # type: ignore[union-attr]
    assert len(flaky.edit_bodies) == 3
    assert len(ids) == 1
    assert agent.stats.retries == 3
    assert sleeps.delays[0] == 3.0  # Retry-After
    assert sleeps.delays[1] < sleeps.delays[2]  # exponential
    edits = (await services.text.get("/api/edits")).json()
    assert edits["total"] == 1  # applied once
    document = (await services.text.get("/api/document/current")).json()
    assert document["version"] == 2


class Down(httpx.AsyncBaseTransport):
    def __init__(self) -> None:
        self.calls = 0

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.calls += 1
        raise httpx.ConnectError("connection refused", request=request)


async def test_an_unreachable_service_costs_a_cycle_after_five_attempts(
    services: Services, llm: OpenAiLlm
) -> None:
    down = Down()
    async with httpx.AsyncClient(transport=down, base_url="http://text.test") as text:
        agent = make_agent(1, "корректор стиля", llm, services, text=text)
        stats = await agent.run(max_cycles=2)
    assert down.calls == 10
    assert stats.failed_cycles == 2
    assert stats.state is AgentState.STOPPED
    assert "за 5 попыток" in stats.last_error


class ScriptedLlm:
    """An `LlmClient` that answers from a script (errors included)."""

    def __init__(self, *answers: str | Exception) -> None:
        self.answers = list(answers)
        self.prompts: list[str] = []

    async def propose(self, *, instructions: str, prompt: str) -> LlmReply:
        self.prompts.append(prompt)
        answer = self.answers.pop(0)
        if isinstance(answer, Exception):
            raise answer
        return LlmReply(parse_proposal(answer, 40), 40, "scripted")

    async def aclose(self) -> None:
        return None


def edit_json(action: str, target: str = "", new_text: str = "", note: str = "") -> str:
    return EditProposal.model_validate(
        {"action": action, "target": target, "new_text": new_text, "note": note}
    ).model_dump_json()


async def test_llm_failures_and_unusable_edits_cost_one_cycle_each(services: Services) -> None:
    llm = ScriptedLlm(
        LlmError("model unavailable"),
        "not json at all",
        edit_json("replace", "фрагмента нет в тексте", "x"),
        edit_json("none"),
        edit_json("append", new_text="Новое предложение.", note="Дописал."),
    )
    agent = make_agent(2, "эксперт по теме", llm, services)
    results = [await agent.cycle() for _ in range(5)]
    assert results == [
        CycleResult.LLM_ERROR,
        CycleResult.LLM_ERROR,
        CycleResult.SKIPPED,
        CycleResult.NOTHING,
        CycleResult.ACCEPTED,
    ]
    # tokens of the malformed answer and the skipped cycles are reported with the next edit
    edits = (await services.text.get("/api/edits")).json()["edits"]
    assert edits[0]["tokens_used"] == 40 * 4
    assert edits[0]["proposed_text"] == " Новое предложение."
    assert agent.stats.tokens == 160
    assert "schema" in agent.stats.last_error


async def test_claims_in_chat_reach_the_prompt_and_block_the_fragment(services: Services) -> None:
    claim = "Мы еще учимся их строить."
    posted = await services.chat.post(
        "/api/chat/messages",
        json={"agent_id": "agent-1", "message": f"Беру: «{claim}» на минуту."},
        headers={"Authorization": f"Bearer {TOKENS['agent-1']}"},
    )
    assert posted.status_code == 201
    llm = ScriptedLlm(edit_json("delete", claim), edit_json("delete", claim))
    agent = make_agent(2, "редактор повторов", llm, services)
    assert await agent.cycle() is CycleResult.SKIPPED
    assert f"- «{claim}»" in llm.prompts[0]
    assert "[agent-1] Беру:" in llm.prompts[0]
    blind = make_agent(3, "редактор повторов", llm, services, use_claims=False)
    assert await blind.cycle() is CycleResult.ACCEPTED


async def test_a_wrong_token_stops_the_agent_as_failed(services: Services) -> None:
    llm = ScriptedLlm(edit_json("append", new_text="Ещё одно предложение."))
    agent = make_agent(1, "эксперт по теме", llm, services, token="wrong")
    stats = await agent.run()
    assert stats.state is AgentState.FAILED
    assert "API_TOKEN" in stats.last_error


async def test_a_stale_document_and_a_rejected_edit_are_counted(services: Services) -> None:
    llm = ScriptedLlm(
        edit_json("replace", "Мы еще учимся их строить.", "Мы учимся."),
        edit_json("replace", "Мы учимся.", "Мы учимся их строить."),
    )
    agent = make_agent(1, "корректор стиля", llm, services)

    class Reinit(httpx.AsyncBaseTransport):
        """Re-initialises the document between the read and the edit (→ 409)."""

        async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
            inner = services.text._transport
            if request.url.path == "/api/edits":
                await init_document(services.text, TOPIC, "Мы учимся.")
            return await inner.handle_async_request(request)

    async with httpx.AsyncClient(transport=Reinit(), base_url="http://text.test") as text:
        agent._text = text
        assert await agent.cycle() is CycleResult.STALE
    assert agent.stats.stale == 1


async def test_edits_per_minute_paces_the_agent(services: Services) -> None:
    llm = ScriptedLlm(edit_json("append", new_text="Раз."), edit_json("append", new_text="Два."))
    sleeps = Sleeps()
    agent = make_agent(1, "эксперт", llm, services, sleep=sleeps, edits_per_minute=6)
    await agent.run(max_cycles=2)
    assert any(9 < d <= 10 for d in sleeps.delays)


def test_an_idle_agent_pauses_longer_each_idle_cycle_in_a_row() -> None:
    config = AgentConfig(agent_id="agent-1", role=resolve("facts"), token="t", cycle_delay_s=1.0)
    agent = Agent(config, llm=None, text=None, chat=None)  # type: ignore[arg-type]
    pauses = []
    for idle in range(9):
        agent._idle_cycles = idle
        pauses.append(agent._pause())
    assert pauses == [1.0, 2.0, 4.0, 8.0, 16.0, 32.0, 60.0, 60.0, 60.0]


async def test_an_agent_with_nothing_to_edit_goes_idle_and_wakes_when_the_text_changes(
    services: Services,
) -> None:
    """After each "nothing to edit" the agent is idle: it pauses (1 s doubled: 2 s, then 4 s)
    and asks its model again only once the document changed."""
    llm = ScriptedLlm(
        edit_json("none"),
        edit_json("none"),
        edit_json("append", new_text="Новое предложение.", note="Дописал."),
    )
    seen: list[tuple[float, AgentState]] = []
    agent: Agent

    async def sleep(delay: float) -> None:
        seen.append((delay, agent.stats.state))
        if len(seen) % 2 == 0:  # another agent edits while this one waits
            await agent_1_appends(services, " Ещё.")
        await asyncio.sleep(0)

    agent = Agent(
        AgentConfig(agent_id="agent-2", role=resolve("style"), token=TOKENS["agent-2"]),
        llm=llm,
        text=services.text,
        chat=services.chat,
        sleep=sleep,
    )
    stats = await agent.run(max_cycles=3)
    # one pause with the text unchanged, a second pause, then the change wakes it
    assert seen == [
        (2.0, AgentState.IDLE),
        (2.0, AgentState.IDLE),
        (4.0, AgentState.IDLE),
        (4.0, AgentState.IDLE),
    ]
    assert len(llm.prompts) == 3  # no question to the model while the text stood still
    assert stats.accepted == 1
    assert stats.skipped == 2
    assert stats.state is AgentState.STOPPED


async def test_an_agent_yields_a_fragment_another_agent_claimed_first(services: Services) -> None:
    """agent-1 claims a sentence while another agent's model is thinking about it. An agent
    about to rewrite it announces its own claim, reads the chat again, finds the earlier claim
    and yields; a small fix (one word) is neither announced nor held back: it is saved at
    once, as people fix a typo."""
    claims: list[str] = []

    class ClaimedMeanwhile(ScriptedLlm):
        async def propose(self, *, instructions: str, prompt: str) -> LlmReply:
            posted = await services.chat.post(
                "/api/chat/messages",
                json={"agent_id": "agent-1", "message": f"Беру: «{claims.pop(0)}»"},
                headers={"Authorization": f"Bearer {TOKENS['agent-1']}"},
            )
            assert posted.status_code == 201
            return await super().propose(instructions=instructions, prompt=prompt)

    rewrite = "Мы еще учимся их строить."
    claims.append(rewrite)
    llm = ClaimedMeanwhile(edit_json("replace", rewrite, "Строить их мы пока только учимся."))
    agent = make_agent(2, "эксперт по теме", llm, services)
    assert await agent.cycle() is CycleResult.YIELDED
    assert agent.stats.yielded == 1
    messages = (await services.chat.get("/api/chat/messages", params={"limit": 10})).json()
    assert [(m["agent_id"], m["message"]) for m in messages] == [
        ("agent-1", f"Беру: «{rewrite}»"),
        ("agent-2", f"Беру: «{rewrite}»"),
    ]

    fix = "Гагарин совершил первый полет в космос в 1962 году."
    claims.append(fix)
    llm = ClaimedMeanwhile(edit_json("replace", fix, fix.replace("полет", "полёт")))
    small = make_agent(3, "корректор стиля", llm, services)
    assert await small.cycle() is CycleResult.ACCEPTED
    messages = (await services.chat.get("/api/chat/messages", params={"limit": 10})).json()
    assert [m["agent_id"] for m in messages][:3] == ["agent-1", "agent-2", "agent-1"]
    assert not any(m["agent_id"] == "agent-3" and "Беру" in m["message"] for m in messages)
    text = (await services.text.get("/api/document/current")).json()["text"]
    assert rewrite in text  # the rewrite yielded: nobody edited behind agent-1's back
    assert fix.replace("полет", "полёт") in text

    # a claim on another sentence does not stand in the way
    claims.append(fix)
    llm = ClaimedMeanwhile(edit_json("delete", "Узлы обмениваются сообщениями. "))
    agent = make_agent(2, "редактор повторов", llm, services)
    assert await agent.cycle() is CycleResult.ACCEPTED


def test_a_fragment_claimed_twice_keeps_its_earliest_claim() -> None:
    claims = _Claims(ttl_s=30)
    claims.add("Узлы обмениваются сообщениями.", (100, 0), now=0)
    claims.add("Узлы обмениваются сообщениями.", (300, 0), now=1)
    assert claims.active(2, before=(200, 0)) == ["Узлы обмениваются сообщениями."]
    assert claims.active(2, before=(50, 0)) == []
    assert claims.active(40) == []  # expired
