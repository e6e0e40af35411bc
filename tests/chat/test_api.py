"""The Chat Service API in-process against a real Redis."""

import re
from pathlib import Path

import httpx
import pytest
import redis.asyncio as aioredis

from launcher import RedisServer, free_port

from .conftest import auth, chat_client, settings_for

TIMESTAMP = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")
STREAM_ID = re.compile(r"^\d+-\d+$")
URL = "/api/chat/messages"


async def post(client: httpx.AsyncClient, text: str, agent: str = "agent-1") -> dict[str, str]:
    response = await client.post(
        URL, json={"agent_id": agent, "message": text}, headers=auth(agent)
    )
    assert response.status_code == 201, response.text
    posted: dict[str, str] = response.json()
    return posted


async def read(client: httpx.AsyncClient, **params: str | int) -> list[dict[str, str]]:
    response = await client.get(URL, params=params)
    assert response.status_code == 200, response.text
    body: list[dict[str, str]] = response.json()
    return body


async def test_post_then_read_back(client: httpx.AsyncClient) -> None:
    posted = await post(client, "Беру абзац 3")

    assert set(posted) == {"message_id", "timestamp"}
    assert STREAM_ID.match(posted["message_id"])
    assert TIMESTAMP.match(posted["timestamp"])
    assert await read(client) == [
        {
            "agent_id": "agent-1",
            "message": "Беру абзац 3",
            "timestamp": posted["timestamp"],
            "message_id": posted["message_id"],
        }
    ]


async def test_stored_exactly_as_the_spec_says(
    client: httpx.AsyncClient, raw_redis: aioredis.Redis
) -> None:
    posted = await post(client, "Правлю введение", agent="agent-2")

    entries = await raw_redis.xrange("chat:messages")
    assert entries == [
        (
            posted["message_id"],
            {"agent_id": "agent-2", "message": "Правлю введение", "timestamp": posted["timestamp"]},
        )
    ]


async def test_history_is_oldest_first_and_without_since_the_newest(
    client: httpx.AsyncClient,
) -> None:
    for i in range(5):
        await post(client, f"сообщение {i}", agent=("agent-1", "agent-2")[i % 2])

    assert [m["message"] for m in await read(client)] == [f"сообщение {i}" for i in range(5)]
    assert [m["message"] for m in await read(client, limit=3)] == [
        "сообщение 2",
        "сообщение 3",
        "сообщение 4",
    ]


async def test_since_is_exclusive(client: httpx.AsyncClient) -> None:
    first, second, third = [await post(client, f"m{i}") for i in range(3)]

    after_first = await read(client, since=first["timestamp"])
    assert [m["message_id"] for m in after_first] == [second["message_id"], third["message_id"]]
    assert await read(client, since=third["timestamp"]) == []


async def test_since_with_limit_gives_the_oldest_after_since(client: httpx.AsyncClient) -> None:
    posted = [await post(client, f"m{i}") for i in range(6)]

    page = await read(client, since=posted[0]["timestamp"], limit=2)
    assert [m["message"] for m in page] == ["m1", "m2"]
    rest = await read(client, since=page[-1]["timestamp"], limit=100)
    assert [m["message"] for m in rest] == ["m3", "m4", "m5"]


@pytest.mark.parametrize(
    "since",
    ["1960-01-01T00:00:00Z", "2000-01-01T00:00:00", "2000-01-01T03:00:00.000+03:00"],
)
async def test_since_in_the_past_returns_everything(client: httpx.AsyncClient, since: str) -> None:
    await post(client, "a")
    await post(client, "b")

    assert [m["message"] for m in await read(client, since=since)] == ["a", "b"]


async def test_since_with_an_offset_or_an_unencoded_plus(client: httpx.AsyncClient) -> None:
    first = await post(client, "a")
    await post(client, "b")
    moscow = first["timestamp"].replace("Z", "+00:00")

    assert [m["message"] for m in await read(client, since=moscow)] == ["b"]
    # A client that forgot to encode '+' sends a space.
    assert [m["message"] for m in await read(client, since=moscow.replace("+", " "))] == ["b"]


@pytest.mark.parametrize("since", ["yesterday", "", "2025-13-01T00:00:00Z", "12:00 abc"])
async def test_bad_since_is_a_422_naming_since(client: httpx.AsyncClient, since: str) -> None:
    response = await client.get(URL, params={"since": since})

    assert response.status_code == 422
    body = response.json()
    assert body["field"] == "since"
    assert "since" in body["message"]


@pytest.mark.parametrize("limit", ["0", "1001", "-5", "many"])
async def test_limit_out_of_bounds_is_a_422_naming_limit(
    client: httpx.AsyncClient, limit: str
) -> None:
    response = await client.get(URL, params={"limit": limit})

    assert response.status_code == 422
    assert response.json()["field"] == "limit"
    assert "limit" in response.json()["message"]


@pytest.mark.parametrize("limit", [1, 1000])
async def test_limit_bounds_are_inclusive(client: httpx.AsyncClient, limit: int) -> None:
    await post(client, "a")
    await post(client, "b")

    assert len(await read(client, limit=limit)) == min(limit, 2)


async def test_stream_is_trimmed_to_about_maxlen(
    client: httpx.AsyncClient, raw_redis: aioredis.Redis
) -> None:
    for i in range(1200):
        await post(client, f"#{i}")

    length = await raw_redis.xlen("chat:messages")
    assert 1000 <= length <= 1100
    history = await read(client, since="2000-01-01T00:00:00Z", limit=1000)
    numbers = [int(m["message"][1:]) for m in history]
    assert numbers[0] >= 100  # the oldest are gone
    assert numbers == list(range(numbers[0], numbers[0] + len(numbers)))
    newest = await read(client, limit=1)
    assert newest[0]["message"] == "#1199"


@pytest.mark.parametrize(
    ("headers", "message"),
    [
        ({}, "нет токена"),
        ({"Authorization": "Bearer nobody-knows-me"}, "неизвестный токен агента"),
        ({"Authorization": "Basic dXNlcjpwYXNz"}, "нет токена"),
    ],
)
async def test_posting_needs_a_known_agent_token(
    client: httpx.AsyncClient, headers: dict[str, str], message: str
) -> None:
    response = await client.post(URL, json={"agent_id": "agent-1", "message": "x"}, headers=headers)

    assert response.status_code == 401
    assert response.json()["field"] == "Authorization"
    assert message in response.json()["message"]
    assert await read(client) == []


async def test_posting_as_another_agent_is_forbidden(client: httpx.AsyncClient) -> None:
    response = await client.post(
        URL, json={"agent_id": "agent-2", "message": "x"}, headers=auth("agent-1")
    )

    assert response.status_code == 403
    body = response.json()
    assert body["field"] == "agent_id"
    assert "agent_id" in body["message"]
    assert await read(client) == []


@pytest.mark.parametrize(
    ("body", "field", "hint"),
    [
        ({"agent_id": "agent-1", "message": ""}, "message", "не короче 1"),
        ({"agent_id": "agent-1", "message": "  \n\t"}, "message", "пробелы"),
        ({"agent_id": "agent-1", "message": "я" * 2001}, "message", "2000"),
        ({"agent_id": "agent-1", "message": 42}, "message", "строкой"),
        ({"agent_id": "agent-1"}, "message", "обязательное"),
        ({"agent_id": "", "message": "x"}, "agent_id", "не короче 1"),
        ({"agent_id": "a" * 101, "message": "x"}, "agent_id", "100"),
        ({"message": "x"}, "agent_id", "обязательное"),
    ],
)
async def test_invalid_fields_are_a_422_naming_the_field(
    client: httpx.AsyncClient, body: dict[str, object], field: str, hint: str
) -> None:
    response = await client.post(URL, json=body, headers=auth("agent-1"))

    assert response.status_code == 422
    error = response.json()
    assert error["field"] == field
    assert field in error["message"]
    assert hint in error["message"]


async def test_a_message_of_exactly_2000_characters_is_accepted(client: httpx.AsyncClient) -> None:
    await post(client, "ё" * 2000)

    assert (await read(client))[0]["message"] == "ё" * 2000


async def test_malformed_json_is_a_400(client: httpx.AsyncClient) -> None:
    response = await client.post(
        URL,
        content=b'{"agent_id": "agent-1", "message": ',
        headers={**auth("agent-1"), "Content-Type": "application/json"},
    )

    assert response.status_code == 400
    assert response.json()["error"] == "invalid_json"


async def test_russian_text_and_emoji_round_trip(
    client: httpx.AsyncClient, raw_redis: aioredis.Redis
) -> None:
    text = "Беру абзац 3 — «ёлочки», Ёж и щука 👩‍💻🚀🇷🇺\nвторая строка\t✓"

    posted = await post(client, text)

    assert (await read(client))[0]["message"] == text
    assert (await read(client, since="2000-01-01T00:00:00Z"))[0]["message"] == text
    assert await raw_redis.xrange("chat:messages") == [
        (
            posted["message_id"],
            {"agent_id": "agent-1", "message": text, "timestamp": posted["timestamp"]},
        )
    ]


async def test_entries_not_written_by_the_service_are_skipped(
    client: httpx.AsyncClient, raw_redis: aioredis.Redis
) -> None:
    await post(client, "before")
    await raw_redis.xadd("chat:messages", {"foo": "bar"})
    await raw_redis.xadd(
        "chat:messages", {"agent_id": "x", "message": "y", "timestamp": "not a time"}
    )
    await post(client, "after")

    assert [m["message"] for m in await read(client)] == ["before", "after"]
    assert [m["message"] for m in await read(client, since="2000-01-01T00:00:00Z")] == [
        "before",
        "after",
    ]


async def test_a_stream_key_of_another_type_is_a_json_500(
    client: httpx.AsyncClient, raw_redis: aioredis.Redis
) -> None:
    await raw_redis.set("chat:messages", "not a stream")

    posted = await client.post(
        URL, json={"agent_id": "agent-1", "message": "x"}, headers=auth("agent-1")
    )
    listed = await client.get(URL)

    for response in (posted, listed):
        assert response.status_code == 500
        assert response.json()["error"] == "storage_error"
        assert "WRONGTYPE" in response.json()["message"]


async def test_stream_name_and_maxlen_come_from_settings(
    redis_url: str, raw_redis: aioredis.Redis
) -> None:
    async with chat_client(settings_for(redis_url, stream="other:chat", maxlen=5)) as client:
        for i in range(250):
            await post(client, f"#{i}")
        assert len(await read(client, limit=1000)) < 250

    assert await raw_redis.exists("chat:messages") == 0
    assert await raw_redis.xlen("other:chat") < 250


async def test_health_is_ok_while_redis_answers(client: httpx.AsyncClient) -> None:
    response = await client.get("/health")

    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


async def test_redis_down_is_a_503_and_recovers(tmp_path: Path) -> None:
    server = RedisServer(tmp_path / "redis", free_port())
    server.start()
    try:
        async with chat_client(settings_for(server.url)) as client:
            assert (await client.get("/health")).status_code == 200
            kept = await post(client, "до остановки")

            server.stop()
            health = await client.get("/health")
            posted = await client.post(
                URL, json={"agent_id": "agent-1", "message": "x"}, headers=auth("agent-1")
            )
            listed = await client.get(URL)
            since = await client.get(URL, params={"since": kept["timestamp"]})

            assert health.status_code == 503
            assert health.json()["error"] == "redis_unavailable"
            assert health.json()["status"] == "unavailable"
            for response in (posted, listed, since):
                assert response.status_code == 503
                assert response.json()["error"] == "redis_unavailable"
                assert response.headers["Retry-After"] == "1"

            server.start()
            assert (await client.get("/health")).status_code == 200
            assert [m["message"] for m in await read(client)] == ["до остановки"]
    finally:
        server.stop()


async def test_redis_runs_with_aof_every_second(raw_redis: aioredis.Redis) -> None:
    assert await raw_redis.config_get("appendonly") == {"appendonly": "yes"}
    assert await raw_redis.config_get("appendfsync") == {"appendfsync": "everysec"}
