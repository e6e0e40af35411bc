"""Assembly of the agent supervisor: `create_app(settings)` and its three routes.

The lifespan owns the HTTP clients, the LLM client and the `AgentPool`; shutting the app down
cancels every agent. Tests hand in `AgentClients` on ASGI transports instead.
"""

from collections.abc import AsyncIterator
from contextlib import AbstractAsyncContextManager, AsyncExitStack, asynccontextmanager
from dataclasses import dataclass
from typing import Annotated

import httpx
from fastapi import APIRouter, Depends, FastAPI, Request
from pydantic import BaseModel, Field, field_validator

from service_kit import AgentTokens, ApiError, install_error_handlers

from ..agent import AgentStats
from ..roles import default_roles, resolve
from ..runner import AgentClients, open_clients
from ._events import AnalyticsEvents, EventSink, NoEvents
from ._pool import MAX_AGENTS, AgentPool, AgentTuning, AlreadyRunning, MissingToken
from .settings import OPERATOR, SupervisorSettings

DEFAULT_COUNT = 10

router = APIRouter(prefix="/api/agents")


class StartRequest(BaseModel):
    count: int = Field(default=DEFAULT_COUNT, ge=1, le=MAX_AGENTS)
    roles: list[str] | None = Field(
        default=None, min_length=1, description="role keys or texts, cycled over the agents"
    )
    use_claims: bool | None = Field(
        default=None, description="whether agents claim fragments in chat (default: settings)"
    )
    use_sessions: bool | None = Field(
        default=None,
        description="whether agents carry a session token to the Text Service (default: settings)",
    )

    @field_validator("roles")
    @classmethod
    def _roles(cls, value: list[str] | None) -> list[str] | None:
        if value is not None and any(not role.strip() for role in value):
            raise ValueError("роль не может быть пустой")
        return value


async def get_pool(request: Request) -> AgentPool:
    pool: AgentPool = request.app.state.pool
    return pool


async def require_operator(request: Request) -> None:
    """401 unless the request carries the operator's bearer token."""
    tokens: AgentTokens = request.app.state.tokens
    tokens.require(request, OPERATOR, "запускать и останавливать агентов может только оператор")


async def get_model(request: Request) -> str:
    model: str = request.app.state.model
    return model


PoolDep = Annotated[AgentPool, Depends(get_pool)]
ModelDep = Annotated[str, Depends(get_model)]
Operator = Depends(require_operator)


@dataclass
class AgentEntry(AgentStats):
    """One agent of `GET /api/agents`: its counters, and what starting it again takes."""

    role_text: str = ""
    """A default role's name, a custom role's whole text."""
    use_claims: bool = True
    use_sessions: bool = True


class AgentListing(BaseModel):
    """The answer of every route: whether agents run, and each agent of the last start."""

    running: bool
    count: int
    agents: list[AgentEntry]
    model: str = ""
    """The model the agents ask (`chorus-simulator`: the offline simulator, not a language
    model)."""


def _listing(pool: AgentPool, model: str) -> AgentListing:
    agents = pool.stats()
    return AgentListing.model_validate(
        {"running": pool.running, "count": len(agents), "agents": agents, "model": model}
    )


@router.get("")
async def list_agents(pool: PoolDep, model: ModelDep) -> AgentListing:
    """Every agent of the last start: role, state, accepted/rejected edits, tokens, last error."""
    return _listing(pool, model)


@router.post("/start", dependencies=[Operator])
async def start_agents(body: StartRequest, pool: PoolDep, model: ModelDep) -> AgentListing:
    """Start agent-1..agent-count with the default roles, or the given ones cycled."""
    if body.roles is None:
        roles = default_roles(body.count)
    else:
        given = [resolve(role) for role in body.roles]
        roles = [given[i % len(given)] for i in range(body.count)]
    try:
        pool.start(roles, use_claims=body.use_claims, use_sessions=body.use_sessions)
    except AlreadyRunning as exc:
        raise ApiError(409, "already_running", str(exc)) from exc
    except MissingToken as exc:
        raise ApiError(422, "validation_error", str(exc), field="count") from exc
    return _listing(pool, model)


@router.post("/stop", dependencies=[Operator])
async def stop_agents(pool: PoolDep, model: ModelDep) -> AgentListing:
    """Stop every agent (cancelled mid-cycle); their final counters."""
    await pool.stop()
    return _listing(pool, model)


def _real_clients(settings: SupervisorSettings) -> AbstractAsyncContextManager[AgentClients]:
    return open_clients(
        text_url=settings.text_service_url,
        chat_url=settings.chat_service_url,
        llm_endpoint=settings.llm_endpoint(),
        api_style=settings.openai_api_style,
        llm_timeout_s=settings.llm_timeout_s,
    )


@asynccontextmanager
async def _analytics_events(settings: SupervisorSettings) -> AsyncIterator[EventSink]:
    """Where agent_started/agent_stopped go: the Analytics Service, or nowhere when unset."""
    if not settings.analytics_url:
        yield NoEvents()
        return
    timeout = settings.analytics_timeout_s
    async with (
        httpx.AsyncClient(base_url=settings.analytics_url, timeout=timeout) as client,
        AnalyticsEvents(
            client, settings.analytics_service_token.get_secret_value(), timeout_s=timeout
        ) as events,
    ):
        yield events


def create_app(
    settings: SupervisorSettings,
    clients: AgentClients | None = None,
    *,
    events: EventSink | None = None,
) -> FastAPI:
    """The supervisor app. `clients` and `events`, when given, belong to the caller (tests);
    otherwise events go where `settings.analytics_url` says."""
    tuning = AgentTuning(
        cycle_delay_s=settings.cycle_delay_s,
        edits_per_minute=settings.edits_per_minute,
        max_attempts=settings.max_attempts,
        backoff_s=settings.backoff_s,
        use_claims=settings.use_claims,
        use_sessions=settings.use_sessions,
        claim_ttl_s=settings.claim_ttl_s,
        max_idle_delay_s=settings.max_idle_delay_s,
    )

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        async with AsyncExitStack() as stack:
            used = clients
            if used is None:
                used = await stack.enter_async_context(_real_clients(settings))
            sink = events
            if sink is None:
                sink = await stack.enter_async_context(_analytics_events(settings))
            app.state.pool = await stack.enter_async_context(
                AgentPool(used, settings.tokens(), tuning, events=sink)
            )
            yield

    app = FastAPI(title="Chorus agent supervisor", lifespan=lifespan)
    app.state.tokens = settings.auth()
    app.state.model = settings.llm_endpoint()[1]
    install_error_handlers(app)
    app.include_router(router)
    return app
