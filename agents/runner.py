"""Real clients for agents, building an agent from `AgentSettings`, and running it."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

import httpx

from .agent import Agent, AgentConfig, AgentStats
from .llm import ApiStyle, LlmClient, OpenAiLlm
from .roles import resolve
from .settings import AgentSettings

HTTP_TIMEOUT = httpx.Timeout(10.0)


@dataclass(frozen=True)
class AgentClients:
    """What agents talk through: the Text and Chat Services and the LLM."""

    text: httpx.AsyncClient
    chat: httpx.AsyncClient
    llm: LlmClient


@asynccontextmanager
async def open_clients(
    *,
    text_url: str,
    chat_url: str,
    llm_endpoint: tuple[str | None, str, str],
    api_style: ApiStyle,
    llm_timeout_s: float,
) -> AsyncIterator[AgentClients]:
    """HTTP clients for the services and an `openai` SDK client; all closed on exit."""
    base_url, model, api_key = llm_endpoint
    llm = OpenAiLlm(
        api_key=api_key,
        model=model,
        base_url=base_url,
        api_style=api_style,
        timeout_s=llm_timeout_s,
    )
    try:
        async with (
            httpx.AsyncClient(base_url=text_url, timeout=HTTP_TIMEOUT) as text,
            httpx.AsyncClient(base_url=chat_url, timeout=HTTP_TIMEOUT) as chat,
        ):
            yield AgentClients(text=text, chat=chat, llm=llm)
    finally:
        await llm.aclose()


@asynccontextmanager
async def agent_from_settings(settings: AgentSettings) -> AsyncIterator[Agent]:
    """An agent with its HTTP and LLM clients open; they are closed on exit."""
    config = AgentConfig(
        agent_id=settings.agent_id,
        role=resolve(settings.agent_role),
        token=settings.api_token.get_secret_value(),
        cycle_delay_s=settings.agent_cycle_delay_s,
        max_attempts=settings.agent_max_attempts,
        backoff_s=settings.agent_backoff_s,
        edits_per_minute=settings.agent_edits_per_minute,
        claim_ttl_s=settings.agent_claim_ttl_s,
        use_claims=settings.agent_use_claims,
        use_sessions=settings.agent_use_sessions,
        max_idle_delay_s=settings.agent_max_idle_delay_s,
    )
    async with open_clients(
        text_url=settings.text_service_url,
        chat_url=settings.chat_service_url,
        llm_endpoint=settings.llm_endpoint(),
        api_style=settings.openai_api_style,
        llm_timeout_s=settings.agent_llm_timeout_s,
    ) as clients:
        yield Agent(config, llm=clients.llm, text=clients.text, chat=clients.chat)


async def run_agent(settings: AgentSettings, *, max_cycles: int | None = None) -> AgentStats:
    """Run one agent from settings until it stops; its final counters."""
    async with agent_from_settings(settings) as agent:
        return await agent.run(max_cycles=max_cycles)
