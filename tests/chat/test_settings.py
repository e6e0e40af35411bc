"""Chat Service settings from CHAT_* variables; fail fast on bad tokens."""

import pytest
from pydantic import ValidationError

from chat import ChatSettings, create_app
from chat.__main__ import main
from chat.settings import SettingsError, load_settings


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("AGENT_TOKENS", "REDIS_URL", "STREAM", "MAXLEN", "PORT"):
        monkeypatch.delenv(f"CHAT_{name}", raising=False)


def test_read_from_chat_variables(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CHAT_AGENT_TOKENS", "agent-1:alpha-token, agent-2:beta-token")
    monkeypatch.setenv("CHAT_REDIS_URL", "redis://127.0.0.1:7000/2")
    monkeypatch.setenv("CHAT_MAXLEN", "50")

    settings = ChatSettings()

    assert settings.redis_url == "redis://127.0.0.1:7000/2"
    assert settings.maxlen == 50
    assert settings.stream == "chat:messages"
    assert len(settings.tokens()) == 2


def test_defaults(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CHAT_AGENT_TOKENS", "agent-1:alpha-token")

    settings = ChatSettings()

    assert (settings.stream, settings.maxlen) == ("chat:messages", 1000)


@pytest.mark.parametrize("spec", [None, "", "agent-1", "agent-1:", "agent-1:changeme"])
def test_missing_or_bad_tokens_fail_naming_the_variable(
    monkeypatch: pytest.MonkeyPatch, spec: str | None
) -> None:
    if spec is not None:
        monkeypatch.setenv("CHAT_AGENT_TOKENS", spec)

    with pytest.raises(ValidationError, match="CHAT_AGENT_TOKENS"):
        ChatSettings()


def test_maxlen_must_be_positive(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CHAT_AGENT_TOKENS", "agent-1:alpha-token")
    monkeypatch.setenv("CHAT_MAXLEN", "0")

    with pytest.raises(ValidationError, match="maxlen"):
        ChatSettings()


def test_create_app_takes_its_settings() -> None:
    settings = ChatSettings(agent_tokens="agent-1:alpha-token")

    app = create_app(settings)

    assert len(app.state.tokens) == 1


def test_load_settings_names_the_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CHAT_AGENT_TOKENS", "agent-1:changeme")
    monkeypatch.setenv("CHAT_MAXLEN", "0")

    with pytest.raises(SettingsError) as error:
        load_settings()

    message = str(error.value)
    assert "CHAT_AGENT_TOKENS: the token of 'agent-1' is a placeholder" in message
    assert "CHAT_MAXLEN: Input should be greater than or equal to 1" in message


def test_main_refuses_bad_settings(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("CHAT_AGENT_TOKENS", "agent-1")

    assert main() == 2
    assert "chat: invalid configuration: CHAT_AGENT_TOKENS: expected" in capsys.readouterr().err
