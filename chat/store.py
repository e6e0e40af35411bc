"""Chat messages in a Redis stream; the only module that talks to Redis.

Each message is one stream entry written exactly as the spec says:
`XADD chat:messages MAXLEN ~ 1000 * agent_id <id> message <text> timestamp <ts>`.

Timestamps are strictly increasing per store (`max(now, last + 1 ms)`, appends serialised),
so a reader that polls with `since=<last timestamp seen>` never skips a message written in
the same millisecond as the last one it saw. Stream ids come from Redis's clock and the
timestamps from ours; reads therefore start the id range a little before `since` and then
filter exactly on the timestamp field.
"""

import asyncio
import logging
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime

import redis.asyncio as aioredis
from redis.asyncio.retry import Retry
from redis.backoff import ConstantBackoff
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import RedisError
from redis.exceptions import TimeoutError as RedisTimeoutError
from redis.typing import EncodableT, FieldT

from . import timestamps

logger = logging.getLogger(__name__)

# How far Redis's clock (stream ids) may lag behind ours (timestamps) without a reader
# missing a message. Reading a few extra entries costs little: the stream is short.
CLOCK_SLACK_MS = 5_000

_FIELDS = ("agent_id", "message", "timestamp")


class ChatStoreError(Exception):
    """Redis refused a chat command (e.g. the stream key holds another type)."""


class RedisUnavailable(ChatStoreError):
    """Redis could not be reached or did not answer in time."""


@dataclass(frozen=True, slots=True)
class ChatMessage:
    """One chat message as stored in the stream."""

    message_id: str
    agent_id: str
    message: str
    timestamp: str

    @property
    def moment(self) -> datetime:
        """The timestamp as an aware UTC datetime."""
        return timestamps.parse(self.timestamp)


@contextmanager
def _translated(action: str) -> Iterator[None]:
    """Turn redis-py errors into the store's own, keeping the cause."""
    try:
        yield
    except (RedisConnectionError, RedisTimeoutError) as exc:
        raise RedisUnavailable(f"Redis is unavailable while {action}: {exc}") from exc
    except RedisError as exc:
        raise ChatStoreError(f"Redis refused {action}: {exc}") from exc


def _text(value: bytes | str | None) -> str:
    if isinstance(value, bytes):
        return value.decode("utf-8")
    return "" if value is None else value


def _entries(
    raw: Sequence[tuple[bytes | str | None, Mapping[bytes | str, bytes | str] | None]] | None,
) -> list[tuple[str, dict[str, str]]]:
    """Stream entries as (id, fields) text, whatever redis-py's reply types are."""
    return [
        (_text(entry_id), {_text(k): _text(v) for k, v in (fields or {}).items()})
        for entry_id, fields in raw or ()
    ]


def _decoded(batch: Sequence[tuple[str, Mapping[str, str]]]) -> list[ChatMessage]:
    return [m for m in (_decode(i, f) for i, f in batch) if m is not None]


def _decode(entry_id: str, fields: Mapping[str, str]) -> ChatMessage | None:
    """The message of a stream entry, or None (logged) for an entry we did not write."""
    if any(name not in fields for name in _FIELDS):
        logger.warning("skipping chat stream entry %s: fields %s", entry_id, sorted(fields))
        return None
    try:
        timestamps.parse(fields["timestamp"])
    except ValueError:
        logger.warning("skipping chat stream entry %s: bad timestamp", entry_id)
        return None
    return ChatMessage(
        message_id=entry_id,
        agent_id=fields["agent_id"],
        message=fields["message"],
        timestamp=fields["timestamp"],
    )


class ChatStore:
    """Append and read chat messages in one Redis stream capped at about `maxlen` entries."""

    def __init__(
        self,
        client: "aioredis.Redis",
        *,
        stream: str,
        maxlen: int,
        clock_ms: Callable[[], int] = timestamps.now_ms,
    ) -> None:
        self._redis = client
        self._stream = stream
        self._maxlen = maxlen
        self._clock_ms = clock_ms
        self._last_ms = 0
        self._append_lock = asyncio.Lock()

    async def ping(self) -> None:
        """Return if Redis answers PING, else raise RedisUnavailable."""
        with _translated("answering PING"):
            await self._redis.ping()

    async def append(self, *, agent_id: str, message: str) -> ChatMessage:
        """Store a message and return it with its stream id and timestamp."""
        async with self._append_lock:
            self._last_ms = max(self._clock_ms(), self._last_ms + 1)
            timestamp = timestamps.format_ms(self._last_ms)
            fields: dict[FieldT, EncodableT] = {
                "agent_id": agent_id,
                "message": message,
                "timestamp": timestamp,
            }
            with _translated("adding a chat message"):
                entry_id = await self._redis.xadd(
                    self._stream, fields, id="*", maxlen=self._maxlen, approximate=True
                )
        return ChatMessage(
            message_id=_text(entry_id), agent_id=agent_id, message=message, timestamp=timestamp
        )

    async def after(self, *, since: datetime, limit: int) -> list[ChatMessage]:
        """Up to `limit` messages with a timestamp strictly after `since`, oldest first."""
        start = f"{max(timestamps.to_ms(since) - CLOCK_SLACK_MS, 0)}-0"
        found: list[ChatMessage] = []
        while True:
            with _translated("reading chat messages"):
                batch = _entries(
                    await self._redis.xrange(self._stream, min=start, max="+", count=limit)
                )
            for message in _decoded(batch):
                if message.moment > since:
                    found.append(message)
                    if len(found) == limit:
                        return found
            if len(batch) < limit:
                return found
            start = f"({batch[-1][0]}"

    async def latest(self, *, limit: int) -> list[ChatMessage]:
        """The newest `limit` messages, oldest first."""
        with _translated("reading chat messages"):
            batch = _entries(
                await self._redis.xrevrange(self._stream, max="+", min="-", count=limit)
            )
        return list(reversed(_decoded(batch)))

    async def length(self) -> int:
        """How many entries the stream holds now."""
        with _translated("counting chat messages"):
            return int(await self._redis.xlen(self._stream))


def connect(url: str, *, timeout_s: float) -> "aioredis.Redis":
    """A pooled client for `url` that fails fast when Redis is down.

    One quick retry replaces a pooled connection that a Redis restart broke; more would
    only delay the 503 that tells the caller to come back later.
    """
    return aioredis.Redis.from_url(
        url,
        decode_responses=True,
        socket_connect_timeout=timeout_s,
        socket_timeout=timeout_s,
        retry=Retry(ConstantBackoff(0.05), retries=1),
    )
