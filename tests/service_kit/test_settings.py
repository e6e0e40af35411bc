"""Settings checks every service shares: placeholder secrets, database URLs, token lists."""

import re

import pytest
from pydantic import SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from service_kit import (
    PLACEHOLDER_SECRETS,
    AgentTokens,
    database_url,
    is_placeholder,
    load_settings,
    parse_agent_tokens,
    real_secret,
)


@pytest.mark.parametrize("value", ["", "  ", "changeme", " Change-Me ", "SECRET", "token", "todo"])
def test_placeholders(value: str) -> None:
    assert is_placeholder(value)
    with pytest.raises(ValueError, match=r"^X_TOKEN is empty or a placeholder"):
        real_secret(SecretStr(value), "X_TOKEN")


def test_a_real_secret_passes() -> None:
    assert not is_placeholder("s3cret-1")
    assert real_secret(SecretStr("s3cret-1"), "X_TOKEN").get_secret_value() == "s3cret-1"
    assert "xxx" in PLACEHOLDER_SECRETS


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("postgresql://h/db", "postgresql+asyncpg://h/db"),
        (" postgres://h/db ", "postgresql+asyncpg://h/db"),
        ("postgresql+asyncpg://h/db", "postgresql+asyncpg://h/db"),
    ],
)
def test_database_url(url: str, expected: str) -> None:
    assert database_url(url, "X_DATABASE_URL") == expected


@pytest.mark.parametrize("url", ["", "changeme", "mysql://h/db"])
def test_unusable_database_url_names_the_variable(url: str) -> None:
    with pytest.raises(ValueError, match=r"^X_DATABASE_URL"):
        database_url(url, "X_DATABASE_URL")


def test_token_pairs_keep_their_order() -> None:
    pairs = parse_agent_tokens(" agent-1:alpha-1 , operator:op-token ,", variable="X_TOKENS")
    assert pairs == [("agent-1", "alpha-1"), ("operator", "op-token")]


@pytest.mark.parametrize(
    ("spec", "problem"),
    [
        ("", "X_TOKENS is empty"),
        ("agent-1", "X_TOKENS: expected 'agent_id:token' pairs, got 'agent-1'"),
        ("agent-1:", "X_TOKENS: expected"),
        (":abc", "X_TOKENS: expected"),
        ("agent-1:changeme", "X_TOKENS: the token of 'agent-1' is a placeholder"),
    ],
)
def test_bad_token_lists_name_the_variable(spec: str, problem: str) -> None:
    with pytest.raises(ValueError, match=f"^{re.escape(problem)}"):
        parse_agent_tokens(spec, variable="X_TOKENS")


def test_agent_tokens_refuse_a_placeholder_given_directly() -> None:
    with pytest.raises(ValueError, match="placeholder"):
        AgentTokens({"secret": "agent-1"})


class _Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="KIT_TEST_")

    database_url: str
    token: SecretStr

    @field_validator("database_url")
    @classmethod
    def _url(cls, value: str) -> str:
        return database_url(value, "KIT_TEST_DATABASE_URL")

    @field_validator("token")
    @classmethod
    def _token(cls, value: SecretStr) -> SecretStr:
        return real_secret(value, "KIT_TEST_TOKEN")


class _Broken(Exception):
    pass


def test_load_settings_names_each_variable_once(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KIT_TEST_DATABASE_URL", "mysql://h/db")
    monkeypatch.setenv("KIT_TEST_TOKEN", "changeme")

    with pytest.raises(_Broken) as error:
        load_settings(_Settings, "KIT_TEST_", _Broken)

    assert str(error.value) == (
        "invalid configuration: "
        "KIT_TEST_DATABASE_URL must be a postgresql:// or postgresql+asyncpg:// URL; "
        "KIT_TEST_TOKEN is empty or a placeholder: set it to a real secret"
    )


def test_load_settings_names_a_missing_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("KIT_TEST_DATABASE_URL", raising=False)
    monkeypatch.setenv("KIT_TEST_TOKEN", "s3cret-1")

    with pytest.raises(_Broken, match="KIT_TEST_DATABASE_URL: Field required"):
        load_settings(_Settings, "KIT_TEST_", _Broken)
