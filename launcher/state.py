"""The state directory of a local stack: secrets, pid files, logs, data, the settings of `up`.

Default `.state/` at the repository root; `CHORUS_STATE_DIR` moves it (the tests use a
temporary one). Secrets are generated once and kept in `secrets.json` (mode 0600).
"""

from __future__ import annotations

import json
import os
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .config import Ports, RateLimit
from .errors import LauncherError

STATE_ENV = "CHORUS_STATE_DIR"
REPO_ROOT = Path(__file__).resolve().parent.parent
AGENT_COUNT = 50
OPERATOR = "operator"
"""The token the dashboard and the operator use (init, reading state)."""


def agent_ids() -> list[str]:
    """`agent-1` … `agent-50`, then `operator`: everyone who gets a token."""
    return [f"agent-{n}" for n in range(1, AGENT_COUNT + 1)] + [OPERATOR]


@dataclass(frozen=True)
class Secrets:
    """The service token (node ↔ node, node → analytics) and one bearer token per agent."""

    service_token: str
    agent_tokens: dict[str, str]
    """agent_id → token."""

    @classmethod
    def generate(cls) -> Secrets:
        return cls(
            service_token=secrets.token_urlsafe(32),
            agent_tokens={agent: secrets.token_urlsafe(24) for agent in agent_ids()},
        )

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Secrets:
        return cls(
            service_token=str(data["service_token"]),
            agent_tokens={str(k): str(v) for k, v in data["agent_tokens"].items()},
        )

    def to_json(self) -> dict[str, Any]:
        return {"service_token": self.service_token, "agent_tokens": self.agent_tokens}

    def agent_tokens_spec(self) -> str:
        """`agent_id:token,...`, the format of TEXT_NODE_AGENT_TOKENS and CHAT_AGENT_TOKENS."""
        return ",".join(f"{agent}:{token}" for agent, token in self.agent_tokens.items())

    def bearer(self, agent_id: str) -> dict[str, str]:
        """The Authorization header of `agent_id`."""
        return {"Authorization": f"Bearer {self.agent_tokens[agent_id]}"}


@dataclass(frozen=True)
class Saved:
    """What `up` ran with, so `status`, `down` and `node` find the same ports later."""

    ports: Ports
    rate_limit: RateLimit


class StateDir:
    """Paths inside the state directory; nothing is created until `prepare()`."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root).absolute()

    def __repr__(self) -> str:
        return f"StateDir({str(self.root)!r})"

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> StateDir:
        """`CHORUS_STATE_DIR`, else `.state/` at the repository root."""
        configured = env.get(STATE_ENV, "").strip()
        return cls(Path(configured) if configured else REPO_ROOT / ".state")

    @property
    def secrets_path(self) -> Path:
        return self.root / "secrets.json"

    @property
    def saved_path(self) -> Path:
        return self.root / "stack.json"

    @property
    def logs(self) -> Path:
        return self.root / "logs"

    @property
    def run(self) -> Path:
        """Pid files, one per process the launcher started."""
        return self.root / "run"

    def postgres(self, name: str) -> Path:
        """The data directory of PostgreSQL cluster `name`."""
        return self.root / "postgres" / name

    @property
    def redis(self) -> Path:
        return self.root / "redis"

    @property
    def nginx(self) -> Path:
        return self.root / "nginx"

    def log(self, name: str) -> Path:
        return self.logs / f"{name}.log"

    def pid_file(self, name: str) -> Path:
        return self.run / f"{name}.pid"

    def prepare(self) -> None:
        """Create the directories. The root and `postgres/` stay traversable (0755) because
        the PostgreSQL clusters run as the `postgres` user when we are root."""
        for directory in (self.root, self.root / "postgres"):
            directory.mkdir(parents=True, exist_ok=True)
            directory.chmod(0o755)
        for directory in (self.logs, self.run, self.redis, self.nginx):
            directory.mkdir(exist_ok=True)

    def secrets(self) -> Secrets:
        """The secrets, generated and written on first use; the same ones ever after."""
        try:
            return Secrets.from_json(json.loads(self.secrets_path.read_text()))
        except FileNotFoundError:
            pass
        except (ValueError, KeyError, AttributeError) as exc:
            raise LauncherError(
                f"{self.secrets_path} is damaged ({exc}): delete it to generate new secrets "
                "(running services keep the old ones until restarted)"
            ) from exc
        generated = Secrets.generate()
        self.prepare()
        descriptor = os.open(self.secrets_path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w") as handle:
            json.dump(generated.to_json(), handle, indent=2)
        return generated

    def save(self, saved: Saved) -> None:
        self.prepare()
        data = {"ports": saved.ports.to_json(), "rate_limit": saved.rate_limit.rate}
        self.saved_path.write_text(json.dumps(data, indent=2) + "\n")

    def load(self) -> Saved | None:
        """What the last `up` ran with, or None before the first one."""
        try:
            data = json.loads(self.saved_path.read_text())
            return Saved(Ports.from_json(data["ports"]), RateLimit.parse(data["rate_limit"]))
        except FileNotFoundError:
            return None
        except (ValueError, KeyError, TypeError) as exc:
            raise LauncherError(
                f"{self.saved_path} is damaged ({exc}): run 'down', delete it and run 'up' again"
            ) from exc
