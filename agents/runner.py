"""Building an agent from `AgentSettings` with real clients, and running it until it stops."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx

from .agent import Agent, AgentConfig, AgentStats
from .llm import OpenAiLlm
from .roles import resolve
from .settings import AgentSettings


@asynccontextmanager
async def agent_from_settings(settings: AgentSettings) -> AsyncIterator[Agent]:
    """An agent with its HTTP and LLM clients open; they are closed on exit."""
    base_url, model, api_key = settings.llm_endpoint()
    llm = OpenAiLlm(
        api_key=api_key,
        model=model,
        base_url=base_url,
        api_style=settings.openai_api_style,
        timeout_s=settings.agent_llm_timeout_s,
    )
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
    )
    timeout = httpx.Timeout(10.0)
    try:
        async with (
            httpx.AsyncClient(base_url=settings.text_service_url, timeout=timeout) as text,
            httpx.AsyncClient(base_url=settings.chat_service_url, timeout=timeout) as chat,
        ):
            yield Agent(config, llm=llm, text=text, chat=chat)
    finally:
        await llm.aclose()


async def run_agent(settings: AgentSettings, *, max_cycles: int | None = None) -> AgentStats:
    """Run one agent from settings until it stops; its final counters."""
    async with agent_from_settings(settings) as agent:
        return await agent.run(max_cycles=max_cycles)
