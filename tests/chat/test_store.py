"""The Redis store directly: timestamps strictly increase, reads tolerate clock skew."""

import asyncio
from collections.abc import AsyncIterator

import pytest
import redis.asyncio as aioredis

from chat import timestamps
from chat.store import ChatStore, RedisUnavailable, connect


@pytest.fixture
async def client(redis_url: str) -> AsyncIterator[aioredis.Redis]:
    redis_client = connect(redis_url, timeout_s=1.0)
    try:
        yield redis_client
    finally:
        await redis_client.aclose()


async def test_timestamps_strictly_increase_within_one_millisecond(
    client: aioredis.Redis,
) -> None:
    store = ChatStore(client, stream="chat:messages", maxlen=1000, clock_ms=lambda: 5_000)

    stored = [await store.append(agent_id="a", message=str(i)) for i in range(3)]

    assert [m.timestamp for m in stored] == [
        "1970-01-01T00:00:05.000Z",
        "1970-01-01T00:00:05.001Z",
        "1970-01-01T00:00:05.002Z",
    ]
    after = await store.after(since=stored[0].moment, limit=10)
    assert [m.message for m in after] == ["1", "2"]


async def test_concurrent_appends_keep_stream_order_equal_to_timestamp_order(
    client: aioredis.Redis,
) -> None:
    store = ChatStore(client, stream="chat:messages", maxlen=1000)

    await asyncio.gather(*(store.append(agent_id="a", message=str(i)) for i in range(50)))

    history = await store.latest(limit=100)
    stamps = [m.timestamp for m in history]
    assert len(set(stamps)) == 50
    assert stamps == sorted(stamps)
    assert await store.length() == 50


async def test_reads_tolerate_our_clock_running_ahead_of_redis(client: aioredis.Redis) -> None:
    ahead = ChatStore(
        client,
        stream="chat:messages",
        maxlen=1000,
        clock_ms=lambda: timestamps.now_ms() + 3_000,
    )
    first = await ahead.append(agent_id="a", message="first")
    second = await ahead.append(agent_id="a", message="second")

    after = await ahead.after(since=first.moment, limit=10)

    assert [m.message_id for m in after] == [second.message_id]


async def test_after_pages_through_entries_it_filters_out(client: aioredis.Redis) -> None:
    store = ChatStore(client, stream="chat:messages", maxlen=1000)
    stored = [await store.append(agent_id="a", message=str(i)) for i in range(7)]

    after = await store.after(since=stored[4].moment, limit=2)

    assert [m.message for m in after] == ["5", "6"]


async def test_unreachable_redis_is_redis_unavailable() -> None:
    from launcher import free_port

    dead = connect(f"redis://127.0.0.1:{free_port()}/0", timeout_s=0.5)
    store = ChatStore(dead, stream="chat:messages", maxlen=1000)
    try:
        with pytest.raises(RedisUnavailable, match="unavailable"):
            await store.ping()
        with pytest.raises(RedisUnavailable):
            await store.append(agent_id="a", message="x")
    finally:
        await dead.aclose()
