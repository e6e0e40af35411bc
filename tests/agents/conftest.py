"""The simulator over real HTTP, a real Text Service node and Chat Service for the agents."""

import threading
import time
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

import httpx
import pytest
import redis
import uvicorn
from fastapi import FastAPI
from pydantic import SecretStr

from agents.simulator import SimulatorSettings, create_app
from chat import ChatSettings
from chat import create_app as create_chat_app
from launcher import RedisServer, free_port
from launcher.postgres_cluster import PostgresCluster
from text_node import NodeSettings
from text_node import create_app as create_node_app

from ..conftest import module_database, reset_node_database

AGENTS = ("agent-1", "agent-2", "agent-3")
TOKENS = {agent: f"tok-{agent}" for agent in (*AGENTS, "operator")}
TOKEN_SPEC = ",".join(f"{agent}:{token}" for agent, token in TOKENS.items())
UNREACHABLE = "http://127.0.0.1:9"


@dataclass
class Services:
    text: httpx.AsyncClient
    chat: httpx.AsyncClient


def serve_in_thread(app: FastAPI) -> tuple[uvicorn.Server, threading.Thread, str]:
    """`app` served by uvicorn on a free loopback port in a daemon thread."""
    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="off")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        if time.monotonic() > deadline:
            raise RuntimeError("the simulator did not start within 10 s")
        time.sleep(0.01)
    return server, thread, f"http://127.0.0.1:{port}"


@pytest.fixture(scope="session")
def simulator_url() -> Iterator[str]:
    """Base URL (ending in /v1) of a simulator with seed 7 served over real HTTP."""
    server, thread, url = serve_in_thread(create_app(SimulatorSettings(seed=7)))
    try:
        yield f"{url}/v1"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


@pytest.fixture(scope="session")
def agents_redis(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RedisServer]:
    with RedisServer(tmp_path_factory.mktemp("agents-redis"), free_port()) as server:
        yield server


@pytest.fixture(scope="module")
def agents_db(pg_cluster: PostgresCluster, request: pytest.FixtureRequest) -> str:
    return module_database(pg_cluster, request, "agents_")


def node_app(database_url: str, budget_limit: int = 500_000) -> FastAPI:
    return create_node_app(
        NodeSettings(
            node=0,
            database_url=database_url,
            peers="",
            service_token=SecretStr("agents-test-service-token"),
            agent_tokens=TOKEN_SPEC,
            analytics_url=UNREACHABLE,
            budget_limit=budget_limit,
            catch_up_timeout_s=0,
            ack_timeout_s=0,
        )
    )


@asynccontextmanager
async def running_services(
    database_url: str, redis_url: str, *, budget_limit: int = 500_000
) -> AsyncIterator[Services]:
    """A Text Service node and the Chat Service in-process (lifespans running), emptied."""
    await reset_node_database(database_url)
    with redis.Redis.from_url(redis_url) as client:
        client.flushdb()
    node = node_app(database_url, budget_limit)
    chat = create_chat_app(ChatSettings(redis_url=redis_url, agent_tokens=TOKEN_SPEC))
    async with (
        node.router.lifespan_context(node),
        chat.router.lifespan_context(chat),
        httpx.AsyncClient(
            transport=httpx.ASGITransport(app=node), base_url="http://text.test"
        ) as text_client,
        httpx.AsyncClient(
            transport=httpx.ASGITransport(app=chat), base_url="http://chat.test"
        ) as chat_client,
    ):
        yield Services(text_client, chat_client)


async def init_document(client: httpx.AsyncClient, topic: str, text: str) -> None:
    response = await client.post(
        "/api/document/init",
        json={"topic": topic, "initial_text": text},
        headers={"Authorization": f"Bearer {TOKENS['operator']}"},
    )
    assert response.status_code == 201, response.text
