"""Where the client connects and with which token: QSettings, else the environment.

`CHORUS_API_URL` and `CHORUS_OPERATOR_TOKEN` are the defaults until the operator saves other
values in the settings dialog. Without either, the token is read from a local stack's
`secrets.json` (`CHORUS_STATE_DIR`, else `.state/` in the repository), so `./chorus up` then
`python -m desktop` works with nothing to type.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QSettings

URL_ENV = "CHORUS_API_URL"
TOKEN_ENV = "CHORUS_OPERATOR_TOKEN"
STATE_ENV = "CHORUS_STATE_DIR"
DEFAULT_URL = "http://127.0.0.1:8080"
OPERATOR = "operator"
_REPO_STATE = Path(__file__).resolve().parent.parent / ".state"


@dataclass(frozen=True)
class ConnectionSettings:
    """The balancer's URL and the operator's bearer token."""

    url: str
    token: str


def local_operator_token(env: Mapping[str, str]) -> str:
    """The operator token of the local stack, or "" when there is none readable."""
    configured = env.get(STATE_ENV, "").strip()
    path = (Path(configured) if configured else _REPO_STATE) / "secrets.json"
    try:
        tokens = json.loads(path.read_text(encoding="utf-8")).get("agent_tokens", {})
    except (OSError, ValueError, AttributeError):
        return ""
    token = tokens.get(OPERATOR, "") if isinstance(tokens, dict) else ""
    return token if isinstance(token, str) else ""


def defaults(env: Mapping[str, str]) -> ConnectionSettings:
    """What the client uses before anything is saved."""
    token = env.get(TOKEN_ENV, "").strip() or local_operator_token(env)
    return ConnectionSettings(env.get(URL_ENV, "").strip() or DEFAULT_URL, token)


class SettingsStore:
    """Reads and writes the connection settings in a `QSettings` (a seam: tests pass one on a
    temporary file)."""

    def __init__(self, qsettings: QSettings, env: Mapping[str, str] | None = None) -> None:
        self._qsettings = qsettings
        self._env = os.environ if env is None else env

    def load(self) -> ConnectionSettings:
        fallback = defaults(self._env)
        url = self._qsettings.value("connection/url", fallback.url)
        token = self._qsettings.value("connection/token", fallback.token)
        return ConnectionSettings(
            str(url) if url else fallback.url, str(token) if token else fallback.token
        )

    def save(self, settings: ConnectionSettings) -> None:
        self._qsettings.setValue("connection/url", settings.url.strip())
        self._qsettings.setValue("connection/token", settings.token.strip())
        self._qsettings.sync()
