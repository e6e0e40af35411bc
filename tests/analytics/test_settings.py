"""Settings come from ANALYTICS_* variables and fail fast naming the variable to set."""

import pytest
from pydantic import SecretStr

from analytics import AnalyticsSettings, SettingsError, load_settings


def test_loads_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ANALYTICS_DATABASE_URL", "postgresql://u@db:5432/analytics")
    monkeypatch.setenv("ANALYTICS_SERVICE_TOKEN", "a-real-secret")
    monkeypatch.setenv("ANALYTICS_PORT", "9100")

    settings = load_settings()

    assert settings.database_url == "postgresql+asyncpg://u@db:5432/analytics"
    assert settings.service_token.get_secret_value() == "a-real-secret"
    assert settings.port == 9100
    assert "a-real-secret" not in repr(settings)


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("postgres://h/db", "postgresql+asyncpg://h/db"),
        ("postgresql+asyncpg://h/db", "postgresql+asyncpg://h/db"),
    ],
)
def test_database_url_gets_the_asyncpg_driver(url: str, expected: str) -> None:
    settings = AnalyticsSettings(database_url=url, service_token=SecretStr("s3cret!"))
    assert settings.database_url == expected


def test_missing_variables_are_named(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("ANALYTICS_DATABASE_URL", raising=False)
    monkeypatch.delenv("ANALYTICS_SERVICE_TOKEN", raising=False)

    with pytest.raises(SettingsError) as error:
        load_settings()

    assert "ANALYTICS_DATABASE_URL" in str(error.value)
    assert "ANALYTICS_SERVICE_TOKEN" in str(error.value)


@pytest.mark.parametrize("token", ["", "changeme", "  secret ", "TOKEN"])
def test_placeholder_token_is_refused(monkeypatch: pytest.MonkeyPatch, token: str) -> None:
    monkeypatch.setenv("ANALYTICS_DATABASE_URL", "postgresql://h/db")
    monkeypatch.setenv("ANALYTICS_SERVICE_TOKEN", token)

    with pytest.raises(SettingsError, match="ANALYTICS_SERVICE_TOKEN"):
        load_settings()


@pytest.mark.parametrize("url", ["", "mysql://h/db", "sqlite:///x.db"])
def test_unusable_database_url_is_refused(monkeypatch: pytest.MonkeyPatch, url: str) -> None:
    monkeypatch.setenv("ANALYTICS_DATABASE_URL", url)
    monkeypatch.setenv("ANALYTICS_SERVICE_TOKEN", "a-real-secret")

    with pytest.raises(SettingsError, match="ANALYTICS_DATABASE_URL"):
        load_settings()
