"""The supervisor in-process: two agents against a real Text Service node and Chat Service."""

import asyncio
import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from pydantic import SecretStr

from agents import OpenAiLlm
from agents.simulator import MODEL_ID
from agents.supervisor import (
    AgentClients,
    AnalyticsEvents,
    SupervisorError,
    SupervisorSettings,
    create_app,
)
from analytics.schemas import EventBatchIn
from launcher import RedisServer
from service_kit import load_settings

from .conftest import (
    TOKEN_SPEC,
    TOKENS,
    UNREACHABLE,
    Services,
    init_document,
    running_services,
)

OPERATOR = {"Authorization": f"Bearer {TOKENS['operator']}"}
TEXT = "Искусственный интеллект - область информатики. Мы еще изучаем ее историю."


@pytest.fixture
async def services(agents_db: str, agents_redis: RedisServer) -> AsyncIterator[Services]:
    async with running_services(agents_db, agents_redis.url) as running:
        await init_document(running.text, "История искусственного интеллекта", TEXT)
        yield running


@pytest.fixture
async def supervisor(
    services: Services, simulator_url: str
) -> AsyncIterator[tuple[FastAPI, httpx.AsyncClient]]:
    llm = OpenAiLlm(api_key="offline", model=MODEL_ID, base_url=simulator_url)
    settings = SupervisorSettings(agent_tokens=TOKEN_SPEC, cycle_delay_s=0.05)
    app = create_app(settings, AgentClients(text=services.text, chat=services.chat, llm=llm))
    try:
        async with (
            app.router.lifespan_context(app),
            httpx.AsyncClient(
                transport=httpx.ASGITransport(app=app), base_url="http://supervisor.test"
            ) as client,
        ):
            yield app, client
    finally:
        await llm.aclose()


async def wait_for(client: httpx.AsyncClient, accepted: int, limit_s: float = 20) -> Any:
    """The listing once every agent has `accepted` accepted edits."""
    deadline = asyncio.get_running_loop().time() + limit_s
    while True:
        body = (await client.get("/api/agents")).json()
        if all(agent["accepted"] >= accepted for agent in body["agents"]):
            return body
        assert asyncio.get_running_loop().time() < deadline, body
        await asyncio.sleep(0.05)


async def test_start_report_stop(supervisor: tuple[FastAPI, httpx.AsyncClient]) -> None:
    _, client = supervisor
    assert (await client.get("/api/agents")).json() == {
        "running": False,
        "count": 0,
        "agents": [],
        "model": "chorus-simulator",  # no API key: the offline simulator
    }

    started = await client.post("/api/agents/start", json={"count": 2}, headers=OPERATOR)
    assert started.status_code == 200, started.text
    agents = started.json()["agents"]
    assert [a["agent_id"] for a in agents] == ["agent-1", "agent-2"]
    assert [a["role"] for a in agents] == ["эксперт по теме", "корректор стиля"]
    assert {a["use_sessions"] for a in agents} == {True}  # by default agents keep a session

    again = await client.post("/api/agents/start", json={"count": 1}, headers=OPERATOR)
    assert again.status_code == 409
    assert again.json()["error"] == "already_running"

    body = await wait_for(client, accepted=1)
    assert body["running"] is True
    for agent in body["agents"]:
        assert agent["state"] == "running"
        assert agent["tokens"] > 0
        assert set(agent) >= {"agent_id", "role", "state", "accepted", "rejected", "last_error"}

    stopped = await client.post("/api/agents/stop", headers=OPERATOR)
    assert stopped.status_code == 200
    assert stopped.json()["running"] is False
    assert {a["state"] for a in stopped.json()["agents"]} == {"stopped"}

    # Stopped agents can be replaced by a new start, with custom roles cycled.
    poem = "Пиши стихи: " + "ямбом, " * 20  # a custom role longer than its 60-char name
    restarted = await client.post(
        "/api/agents/start",
        json={"count": 3, "roles": ["style", poem], "use_claims": False, "use_sessions": False},
        headers=OPERATOR,
    )
    assert restarted.status_code == 200, restarted.text
    listed = restarted.json()["agents"]
    assert [a["role"] for a in listed] == ["корректор стиля", poem.strip()[:60], "корректор стиля"]
    # what starts the same agents again: the whole custom text, their claims and sessions
    assert [a["role_text"] for a in listed] == ["корректор стиля", poem.strip(), "корректор стиля"]
    assert {a["use_claims"] for a in listed} == {False}
    assert {a["use_sessions"] for a in listed} == {False}


async def test_shutdown_cancels_the_agents(services: Services, simulator_url: str) -> None:
    llm = OpenAiLlm(api_key="offline", model=MODEL_ID, base_url=simulator_url)
    settings = SupervisorSettings(agent_tokens=TOKEN_SPEC, cycle_delay_s=60)
    app = create_app(settings, AgentClients(text=services.text, chat=services.chat, llm=llm))
    try:
        async with app.router.lifespan_context(app):
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transport, base_url="http://s.test") as client:
                response = await client.post(
                    "/api/agents/start", json={"count": 2}, headers=OPERATOR
                )
                assert response.status_code == 200
                pool = app.state.pool
                assert pool.running
        assert not pool.running
        assert {agent["state"] for agent in pool.stats()} == {"stopped"}
    finally:
        await llm.aclose()


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"count": 0}, "count"),
        ({"count": 51}, "count"),
        ({"count": 4}, "count"),  # only agent-1..agent-3 have tokens here
        ({"count": 2, "roles": []}, "roles"),
        ({"count": 2, "roles": ["  "]}, "roles"),
    ],
)
async def test_bad_starts_name_the_field(
    supervisor: tuple[FastAPI, httpx.AsyncClient], body: dict[str, Any], field: str
) -> None:
    _, client = supervisor
    response = await client.post("/api/agents/start", json=body, headers=OPERATOR)
    assert response.status_code == 422, response.text
    assert response.json()["field"] == field
    assert (await client.get("/api/agents")).json()["count"] == 0


@pytest.mark.parametrize("token", [None, "wrong", TOKENS["agent-1"]])
async def test_writes_need_the_operator_token(
    supervisor: tuple[FastAPI, httpx.AsyncClient], token: str | None
) -> None:
    _, client = supervisor
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    for path in ("/api/agents/start", "/api/agents/stop"):
        response = await client.post(path, json={"count": 1}, headers=headers)
        assert response.status_code == 401, response.text
        assert response.json()["field"] == "Authorization"
    assert (await client.get("/api/agents")).status_code == 200


def test_settings_need_an_operator_token(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SUPERVISOR_AGENT_TOKENS", "agent-1:abc123")
    with pytest.raises(SupervisorError, match=r"SUPERVISOR_AGENT_TOKENS.*operator"):
        load_settings(SupervisorSettings, "SUPERVISOR_", SupervisorError)
    monkeypatch.setenv("SUPERVISOR_AGENT_TOKENS", TOKEN_SPEC)
    settings = load_settings(SupervisorSettings, "SUPERVISOR_", SupervisorError)
    assert settings.llm_endpoint()[1] == MODEL_ID
    assert settings.port == 8401


class SlowLlm:
    """The simulator, answering after `delay_s`; `asked` is set when a question arrives."""

    def __init__(self, inner: OpenAiLlm, delay_s: float) -> None:
        self.inner = inner
        self.delay_s = delay_s
        self.asked = asyncio.Event()

    async def propose(self, *, instructions: str, prompt: str) -> Any:
        self.asked.set()
        await asyncio.sleep(self.delay_s)
        return await self.inner.propose(instructions=instructions, prompt=prompt)

    async def aclose(self) -> None:
        await self.inner.aclose()


async def test_stop_lets_a_cycle_in_progress_finish_so_its_edit_is_counted(
    services: Services, simulator_url: str
) -> None:
    llm = SlowLlm(OpenAiLlm(api_key="offline", model=MODEL_ID, base_url=simulator_url), 0.5)
    settings = SupervisorSettings(agent_tokens=TOKEN_SPEC, cycle_delay_s=60)
    app = create_app(settings, AgentClients(text=services.text, chat=services.chat, llm=llm))
    try:
        async with app.router.lifespan_context(app):
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transport, base_url="http://s.test") as client:
                started = await client.post(
                    "/api/agents/start", json={"count": 1, "roles": ["expert"]}, headers=OPERATOR
                )
                assert started.status_code == 200
                await asyncio.wait_for(llm.asked.wait(), 10)
                stopped = await client.post("/api/agents/stop", headers=OPERATOR)
        [agent] = stopped.json()["agents"]
        assert agent["state"] == "stopped"
        assert agent["accepted"] == 1  # the cycle finished: its edit was sent and counted
        edits = (await services.text.get("/api/edits", params={"agent_id": "agent-1"})).json()
        assert edits["total"] == 1
    finally:
        await llm.aclose()


class AnalyticsRecorder:
    """A stand-in Analytics Service: records each batch post, or fails/hangs as told."""

    def __init__(self, *, fail: bool = False, hang_s: float = 0.0) -> None:
        self.batches: list[dict[str, Any]] = []
        self.fail = fail
        self.hang_s = hang_s

    async def __call__(self, request: httpx.Request) -> httpx.Response:
        if self.hang_s:
            await asyncio.sleep(self.hang_s)
        if self.fail:
            raise httpx.ConnectError("analytics is down", request=request)
        assert request.url.path == "/api/analytics/events/batch"
        assert request.headers["Authorization"] == "Bearer analytics-token"
        self.batches.append(json.loads(request.content))
        return httpx.Response(200, json={"status": "ok", "stored": 1, "received": 1})

    def events(self) -> list[dict[str, Any]]:
        return [event for batch in self.batches for event in batch["events"]]


@asynccontextmanager
async def supervised(
    services: Services, simulator_url: str, recorder: AnalyticsRecorder
) -> AsyncIterator[tuple[httpx.AsyncClient, AnalyticsEvents]]:
    """A supervisor whose events go to `recorder`; its agents rest 60 s between cycles."""
    llm = OpenAiLlm(api_key="offline", model=MODEL_ID, base_url=simulator_url)
    settings = SupervisorSettings(agent_tokens=TOKEN_SPEC, cycle_delay_s=60)
    analytics = httpx.AsyncClient(
        transport=httpx.MockTransport(recorder), base_url="http://analytics.test"
    )
    try:
        async with (
            analytics,
            AnalyticsEvents(analytics, "analytics-token", timeout_s=0.5) as events,
        ):
            clients = AgentClients(text=services.text, chat=services.chat, llm=llm)
            app = create_app(settings, clients, events=events)
            async with (
                app.router.lifespan_context(app),
                httpx.AsyncClient(
                    transport=httpx.ASGITransport(app=app), base_url="http://s.test"
                ) as client,
            ):
                yield client, events
    finally:
        await llm.aclose()


async def test_starts_and_stops_are_reported_to_analytics(
    services: Services, simulator_url: str
) -> None:
    recorder = AnalyticsRecorder()
    async with supervised(services, simulator_url, recorder) as (client, events):
        started = await client.post(
            "/api/agents/start", json={"count": 2, "roles": ["expert", "style"]}, headers=OPERATOR
        )
        assert started.status_code == 200, started.text
        await events.drain()
        [batch] = recorder.batches  # one post for the whole start
        assert [(e["event_type"], e["agent_id"]) for e in batch["events"]] == [
            ("agent_started", "agent-1"),
            ("agent_started", "agent-2"),
        ]
        assert [e["metadata"]["role"] for e in batch["events"]] == [
            "эксперт по теме",
            "корректор стиля",
        ]
        assert (await client.post("/api/agents/stop", headers=OPERATOR)).status_code == 200
        await events.drain()

    stopped = [e for e in recorder.events() if e["event_type"] == "agent_stopped"]
    assert sorted(e["agent_id"] for e in stopped) == ["agent-1", "agent-2"]
    assert {e["metadata"]["reason"] for e in stopped} == {"stopped"}
    start_ids = {e["metadata"]["start_id"] for e in recorder.events()}
    assert len(start_ids) == 1
    ids = [e["event_id"] for e in recorder.events()]
    assert len(set(ids)) == len(ids) == 4  # distinct ids: a redelivery is stored once
    # What the Analytics Service accepts: the batch validates against its request schema.
    EventBatchIn.model_validate({"events": recorder.events()})


@pytest.mark.parametrize("recorder", [AnalyticsRecorder(fail=True), AnalyticsRecorder(hang_s=30)])
async def test_agents_start_and_stop_while_analytics_is_down_or_hangs(
    services: Services, simulator_url: str, recorder: AnalyticsRecorder
) -> None:
    loop = asyncio.get_running_loop()
    began = loop.time()
    async with supervised(services, simulator_url, recorder) as (client, _):
        started = await client.post(
            "/api/agents/start", json={"count": 1, "roles": ["expert"]}, headers=OPERATOR
        )
        assert started.status_code == 200, started.text
        assert loop.time() - began < 5  # start did not wait for analytics
        stopped = await client.post("/api/agents/stop", headers=OPERATOR)
        assert stopped.status_code == 200
        assert {a["state"] for a in stopped.json()["agents"]} == {"stopped"}
    assert loop.time() - began < 15  # the hanging posts were cancelled after their timeout
    assert recorder.batches == []


async def test_configured_analytics_url_that_refuses_does_not_stop_agents(
    services: Services, simulator_url: str
) -> None:
    """The real sink, built from settings, pointed at a port where nothing listens."""
    llm = OpenAiLlm(api_key="offline", model=MODEL_ID, base_url=simulator_url)
    settings = SupervisorSettings(
        agent_tokens=TOKEN_SPEC,
        cycle_delay_s=60,
        analytics_url=UNREACHABLE,
        analytics_service_token=SecretStr("analytics-token"),
        analytics_timeout_s=0.5,
    )
    app = create_app(settings, AgentClients(text=services.text, chat=services.chat, llm=llm))
    try:
        async with app.router.lifespan_context(app):
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transport, base_url="http://s.test") as client:
                started = await client.post(
                    "/api/agents/start", json={"count": 1}, headers=OPERATOR
                )
                assert started.status_code == 200, started.text
                assert (await client.post("/api/agents/stop", headers=OPERATOR)).status_code == 200
    finally:
        await llm.aclose()


def test_analytics_url_needs_its_token(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SUPERVISOR_AGENT_TOKENS", TOKEN_SPEC)
    monkeypatch.setenv("SUPERVISOR_ANALYTICS_URL", "http://127.0.0.1:8003")
    with pytest.raises(SupervisorError, match="SUPERVISOR_ANALYTICS_SERVICE_TOKEN"):
        load_settings(SupervisorSettings, "SUPERVISOR_", SupervisorError)
    monkeypatch.setenv("SUPERVISOR_ANALYTICS_SERVICE_TOKEN", "analytics-token")
    settings = load_settings(SupervisorSettings, "SUPERVISOR_", SupervisorError)
    assert settings.analytics_url == "http://127.0.0.1:8003"
