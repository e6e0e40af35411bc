"""`python -m analytics`: configuration errors, usage, and the migrate command."""

import pytest

from analytics.__main__ import main

from .conftest import SERVICE_TOKEN


def test_missing_configuration_is_reported(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("ANALYTICS_DATABASE_URL", raising=False)
    monkeypatch.setenv("ANALYTICS_SERVICE_TOKEN", SERVICE_TOKEN)

    assert main([]) == 1
    assert "ANALYTICS_DATABASE_URL" in capsys.readouterr().err


def test_unknown_command_shows_usage(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], database_url: str
) -> None:
    monkeypatch.setenv("ANALYTICS_DATABASE_URL", database_url)
    monkeypatch.setenv("ANALYTICS_SERVICE_TOKEN", SERVICE_TOKEN)

    assert main(["serve-forever"]) == 2
    assert "usage" in capsys.readouterr().err


def test_migrate_command(monkeypatch: pytest.MonkeyPatch, database_url: str) -> None:
    monkeypatch.setenv("ANALYTICS_DATABASE_URL", database_url)
    monkeypatch.setenv("ANALYTICS_SERVICE_TOKEN", SERVICE_TOKEN)

    assert main(["migrate"]) == 0
    assert main(["migrate"]) == 0
