"""A real redis-server for the session, flushed before each test; the app in-process."""

from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from typing import Any

import httpx
import pytest
import redis
import redis.asyncio as aioredis

from chat import ChatSettings, create_app
from launcher import RedisServer, free_port

TOKENS = {"agent-1": "token-of-agent-1", "agent-2": "token-of-agent-2"}


def auth(agent_id: str) -> dict[str, str]:
    """The Authorization header of an agent."""
    return {"Authorization": f"Bearer {TOKENS[agent_id]}"}


def settings_for(redis_url: str, **overrides: Any) -> ChatSettings:
    """Settings pointing at `redis_url`, with the test agents' tokens."""
    spec = ",".join(f"{agent}:{token}" for agent, token in TOKENS.items())
    return ChatSettings(redis_url=redis_url, agent_tokens=spec, **overrides)


@asynccontextmanager
async def chat_client(settings: ChatSettings) -> AsyncIterator[httpx.AsyncClient]:
    """An HTTP client talking to a Chat Service app in-process, its lifespan running."""
    app = create_app(settings)
    transport = httpx.ASGITransport(app=app)
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=transport, base_url="http://chat.test") as client,
    ):
        yield client


@pytest.fixture(scope="session")
def redis_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RedisServer]:
    with RedisServer(tmp_path_factory.mktemp("redis"), free_port()) as server:
        yield server


@pytest.fixture
def redis_url(redis_server: RedisServer) -> str:
    """The session server's URL, its database emptied for this test."""
    with redis.Redis.from_url(redis_server.url) as client:
        client.flushdb()
    return redis_server.url


@pytest.fixture
async def raw_redis(redis_url: str) -> AsyncIterator[aioredis.Redis]:
    """A direct client, to look at what the service stored."""
    client = aioredis.Redis.from_url(redis_url, decode_responses=True)
    try:
        yield client
    finally:
        await client.aclose()


@pytest.fixture
async def client(redis_url: str) -> AsyncIterator[httpx.AsyncClient]:
    async with chat_client(settings_for(redis_url)) as http:
        yield http
