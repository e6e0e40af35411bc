"""A node in-process on a real PostgreSQL database; helpers to talk to it."""

import asyncio
import time
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from pydantic import SecretStr

from launcher.postgres_cluster import PostgresCluster
from text_node import NodeSettings, create_app

from ..conftest import module_database, reset_node_database

SERVICE_TOKEN = "node-test-service-token"
AGENT_TOKENS = "agent-1:tok-agent-1,agent-2:tok-agent-2,operator:tok-operator"
SERVICE = {"Authorization": f"Bearer {SERVICE_TOKEN}"}
UNREACHABLE = "http://127.0.0.1:9"  # discard port: analytics down, events wait in the outbox


def agent(n: int = 1) -> dict[str, str]:
    return {"Authorization": f"Bearer tok-agent-{n}"}


OPERATOR = {"Authorization": "Bearer tok-operator"}


def node_settings(
    database_url: str, *, node: int = 0, peers: str = "", **extra: Any
) -> NodeSettings:
    fields: dict[str, Any] = {"catch_up_timeout_s": 0, "ack_timeout_s": 0} | extra
    return NodeSettings(
        node=node,
        database_url=database_url,
        peers=peers,
        service_token=SecretStr(SERVICE_TOKEN),
        agent_tokens=AGENT_TOKENS,
        **fields,
    )


@pytest.fixture(scope="module")
def database_url(pg_cluster: PostgresCluster, request: pytest.FixtureRequest) -> str:
    return module_database(pg_cluster, request, "node_")


@pytest.fixture
async def app(database_url: str) -> AsyncIterator[FastAPI]:
    await reset_node_database(database_url)
    application = create_app(
        node_settings(database_url, budget_limit=15_000_000, analytics_url=UNREACHABLE)
    )
    async with application.router.lifespan_context(application):
        yield application


@pytest.fixture
async def client(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://node.test") as http:
        yield http


async def init(client: httpx.AsyncClient, text_: str = "Привет, мир! Это тест.") -> str:
    response = await client.post(
        "/api/document/init", json={"topic": "Тема", "initial_text": text_}, headers=OPERATOR
    )
    assert response.status_code == 201, response.text
    return str(response.json()["document_id"])


async def edit(
    client: httpx.AsyncClient, position: str, proposed_text: str, n: int = 1, **extra: Any
) -> httpx.Response:
    body = {
        "agent_id": f"agent-{n}",
        "proposed_text": proposed_text,
        "position": position,
        "tokens_used": extra.pop("tokens_used", 10),
        **extra,
    }
    return await client.post("/api/edits", json=body, headers=agent(n))


async def until(check: Any, limit_s: float = 10.0) -> Any:
    """What `check()` returns once it is truthy (an HTTP error counts as not yet); fails the
    test after `limit_s`."""
    deadline = time.monotonic() + limit_s
    while True:
        try:
            result = await check()
        except httpx.HTTPError:
            result = None
        if result:
            return result
        assert time.monotonic() < deadline, "not within the limit"
        await asyncio.sleep(0.05)


async def answered(http: httpx.AsyncClient, url: str, status: int) -> httpx.Response | None:
    """The answer to `GET url` if it has `status` (for `until`)."""
    response = await http.get(url)
    return response if response.status_code == status else None
