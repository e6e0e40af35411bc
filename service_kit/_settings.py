"""Loading a service's settings from the environment with errors that name the variables."""

from typing import TypeVar

from pydantic import ValidationError
from pydantic_settings import BaseSettings

SettingsT = TypeVar("SettingsT", bound=BaseSettings)


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
            problems.append(f"{name}: {problem['msg']}")
        raise error("invalid configuration: " + "; ".join(problems)) from exc
