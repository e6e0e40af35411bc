"""Settings of a service: loading them from the environment, and the checks every service
makes of its secrets and URLs, with errors that name the variable to set."""

from typing import TypeVar

from pydantic import SecretStr, ValidationError
from pydantic_settings import BaseSettings

from ._database import asyncpg_url

SettingsT = TypeVar("SettingsT", bound=BaseSettings)

PLACEHOLDER_SECRETS = frozenset({"", "changeme", "change-me", "secret", "token", "todo", "xxx"})
"""Values a template or a hurried operator leaves in a secret (compared trimmed, lower case)."""


def is_placeholder(value: str) -> bool:
    """Whether `value` is empty or one of `PLACEHOLDER_SECRETS`."""
    return value.strip().lower() in PLACEHOLDER_SECRETS


def real_secret(value: SecretStr, variable: str) -> SecretStr:
    """`value`, or a ValueError naming `variable` when it is empty or a placeholder."""
    if is_placeholder(value.get_secret_value()):
        raise ValueError(f"{variable} is empty or a placeholder: set it to a real secret")
    return value


def database_url(value: str, variable: str) -> str:
    """A PostgreSQL URL for the asyncpg driver, or a ValueError saying what `variable` needs."""
    if is_placeholder(value):
        raise ValueError(f"{variable} is empty: set it to a PostgreSQL URL")
    return asyncpg_url(value, variable)


def _problem(name: str, message: str) -> str:
    message = message.removeprefix("Value error, ")
    return message if message.startswith(name) else f"{name}: {message}"


def load_settings(
    settings_class: type[SettingsT], prefix: str, error: type[Exception]
) -> SettingsT:
    """`settings_class()` from the environment, or `error` naming every variable to fix."""
    try:
        return settings_class()
    except ValidationError as exc:
        problems = []
        for problem in exc.errors():
            name = prefix + "_".join(str(part) for part in problem["loc"]).upper()
            problems.append(_problem(name, problem["msg"]))
        raise error("invalid configuration: " + "; ".join(problems)) from exc
