"""Agent settings from the environment, and an agent built from them."""

import pytest

from agents import AgentConfigError, AgentSettings, AgentState
from agents.runner import run_agent
from agents.settings import SIMULATOR_BASE_URL, SIMULATOR_MODEL
from service_kit import load_settings


def test_without_a_key_the_agent_talks_to_the_simulator(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AGENT_ROLE", "корректор стиля")
    monkeypatch.setenv("API_TOKEN", "tok")
    monkeypatch.setenv("AGENT_ID", "agent-7")
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    monkeypatch.delenv("OPENAI_BASE_URL", raising=False)
    monkeypatch.delenv("OPENAI_MODEL", raising=False)
    settings = load_settings(AgentSettings, "", AgentConfigError)
    assert settings.offline
    assert settings.agent_id == "agent-7"
    assert settings.llm_endpoint() == (SIMULATOR_BASE_URL, SIMULATOR_MODEL, "offline-simulator")


def test_with_a_key_the_agent_talks_to_the_configured_endpoint(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test")
    monkeypatch.setenv("OPENAI_BASE_URL", "https://api.proxyapi.ru/openai/v1")
    monkeypatch.setenv("OPENAI_MODEL", "gpt-4o-mini")
    monkeypatch.setenv("OPENAI_API_STYLE", "chat")
    settings = AgentSettings(agent_role="эксперт", api_token="tok")  # type: ignore[arg-type]
    assert not settings.offline
    assert settings.openai_api_style == "chat"
    assert settings.llm_endpoint() == (
        "https://api.proxyapi.ru/openai/v1",
        "gpt-4o-mini",
        "sk-test",
    )


def test_missing_or_blank_token_names_the_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AGENT_ROLE", "эксперт")
    monkeypatch.setenv("API_TOKEN", "  ")
    with pytest.raises(AgentConfigError, match="API_TOKEN"):
        load_settings(AgentSettings, "", AgentConfigError)


async def test_an_agent_from_settings_survives_unreachable_services() -> None:
    settings = AgentSettings(
        agent_role="эксперт",
        api_token="tok",  # type: ignore[arg-type]
        agent_id="agent-1",
        text_service_url="http://127.0.0.1:9",
        chat_service_url="http://127.0.0.1:9",
        openai_base_url="http://127.0.0.1:9/v1",
        agent_max_attempts=1,
        agent_cycle_delay_s=0,
    )
    stats = await run_agent(settings, max_cycles=2)
    assert stats.state is AgentState.STOPPED
    assert stats.failed_cycles == 2
    assert "попыток" in stats.last_error
