"""HTTP routes of the Chat Service. Thin: validation here, Redis in `store`."""

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from pydantic import BaseModel, Field, field_validator

from service_kit import AgentTokens, ApiError

from . import timestamps
from .store import ChatMessage, ChatStore, ChatStoreError

MAX_MESSAGE_CHARS = 2000
MAX_AGENT_ID_CHARS = 100
DEFAULT_LIMIT = 100
MAX_LIMIT = 1000

router = APIRouter()


async def get_store(request: Request) -> ChatStore:
    """The store that the app's lifespan opened."""
    store: ChatStore = request.app.state.store
    return store


async def current_agent(request: Request) -> str:
    """The agent whose bearer token the request carries (401 otherwise)."""
    tokens: AgentTokens = request.app.state.tokens
    return tokens.agent_for(request)


async def since_param(
    since: Annotated[
        str | None,
        Query(description="ISO 8601 timestamp; only messages strictly after it"),
    ] = None,
) -> datetime | None:
    """The parsed `since` query parameter (422 naming `since` if it is not a timestamp)."""
    if since is None:
        return None
    try:
        return timestamps.parse(since)
    except ValueError as exc:
        raise ApiError(
            422,
            "validation_error",
            f"since: нужна метка времени ISO 8601, например 2025-11-03T12:00:00.000Z, "
            f"получено {since!r}",
            field="since",
        ) from exc


StoreDep = Annotated[ChatStore, Depends(get_store)]
AgentDep = Annotated[str, Depends(current_agent)]
SinceDep = Annotated[datetime | None, Depends(since_param)]
LimitQuery = Annotated[
    int, Query(ge=1, le=MAX_LIMIT, description=f"how many messages, 1..{MAX_LIMIT}")
]


class NewMessage(BaseModel):
    """Body of `POST /api/chat/messages`."""

    agent_id: str = Field(min_length=1, max_length=MAX_AGENT_ID_CHARS)
    message: str = Field(min_length=1, max_length=MAX_MESSAGE_CHARS)

    @field_validator("message")
    @classmethod
    def _not_blank(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("нужен текст, а не одни пробелы")
        return value


class PostedMessage(BaseModel):
    """Answer to a posted message."""

    message_id: str
    timestamp: str


class MessageOut(BaseModel):
    """One message of the history."""

    agent_id: str
    message: str
    timestamp: str
    message_id: str

    @classmethod
    def of(cls, message: ChatMessage) -> "MessageOut":
        return cls(
            agent_id=message.agent_id,
            message=message.message,
            timestamp=message.timestamp,
            message_id=message.message_id,
        )


@router.post("/api/chat/messages", status_code=201)
async def post_message(body: NewMessage, agent: AgentDep, store: StoreDep) -> PostedMessage:
    """Publish a message as the agent of the bearer token."""
    if body.agent_id != agent:
        raise ApiError(
            403,
            "forbidden",
            f"agent_id {body.agent_id!r} не совпадает с владельцем токена ({agent!r})",
            field="agent_id",
        )
    stored = await store.append(agent_id=body.agent_id, message=body.message)
    return PostedMessage(message_id=stored.message_id, timestamp=stored.timestamp)


@router.get("/api/chat/messages")
async def list_messages(
    store: StoreDep, since: SinceDep, limit: LimitQuery = DEFAULT_LIMIT
) -> list[MessageOut]:
    """Messages after `since` (oldest first), or the newest `limit` without it."""
    if since is None:
        messages = await store.latest(limit=limit)
    else:
        messages = await store.after(since=since, limit=limit)
    return [MessageOut.of(m) for m in messages]


@router.get("/health")
async def health(store: StoreDep) -> dict[str, str]:
    """200 while Redis answers PING, 503 otherwise."""
    try:
        await store.ping()
    except ChatStoreError as exc:
        raise ApiError(503, "redis_unavailable", str(exc), extra={"status": "unavailable"}) from exc
    return {"status": "ok"}
