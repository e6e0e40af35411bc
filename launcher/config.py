"""Ports and the rate limit of a local stack: fixed defaults, overridable by environment."""

from __future__ import annotations

import dataclasses
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from .errors import LauncherError
from .redis_server import free_port

RATE_ENV = "CHORUS_RATE_LIMIT"
DEFAULT_RATE_LIMIT = "10r/m"
"""Spec: 10 requests per minute per agent token on the Text Service."""
_RATE = re.compile(r"^([1-9]\d{0,6})r/([sm])$")


@dataclass(frozen=True)
class Ports:
    """Every TCP port of the stack on 127.0.0.1; each is `CHORUS_<FIELD>_PORT` in the env."""

    nginx: int = 8080
    node_a: int = 8101
    node_b: int = 8102
    node_c: int = 8103
    reader_a: int = 8111
    reader_b: int = 8112
    reader_c: int = 8113
    chat: int = 8201
    analytics: int = 8301
    supervisor: int = 8401
    control: int = 8501
    simulator: int = 8900
    dashboard: int = 3000
    postgres_a: int = 55431
    postgres_b: int = 55432
    postgres_c: int = 55433
    postgres_analytics: int = 55434
    redis: int = 56379

    def __post_init__(self) -> None:
        values = dataclasses.asdict(self)
        for name, port in values.items():
            if not 0 < port < 65536:
                raise LauncherError(f"{env_name(name)}: {port} is not a TCP port (1-65535)")
        if len(set(values.values())) != len(values):
            taken: dict[int, str] = {}
            for name, port in values.items():
                if port in taken:
                    raise LauncherError(
                        f"{env_name(name)} and {env_name(taken[port])} are both {port}: "
                        "every component needs its own port"
                    )
                taken[port] = name

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> Ports:
        """The defaults, with each `CHORUS_<FIELD>_PORT` that is set taking precedence."""
        values: dict[str, int] = {}
        for field in dataclasses.fields(cls):
            raw = env.get(env_name(field.name), "").strip()
            if not raw:
                continue
            if not raw.isdigit():
                raise LauncherError(f"{env_name(field.name)}: expected a port number, got {raw!r}")
            values[field.name] = int(raw)
        return cls(**values)

    def to_env(self) -> dict[str, str]:
        """Every port as its `CHORUS_<FIELD>_PORT` variable (for a process that loads the stack)."""
        return {env_name(name): str(port) for name, port in dataclasses.asdict(self).items()}

    @classmethod
    def free(cls) -> Ports:
        """Ports the kernel reports free right now (tests, so they never clash with a stack)."""
        chosen: list[int] = []
        while len(chosen) < len(dataclasses.fields(cls)):
            port = free_port()
            if port not in chosen:
                chosen.append(port)
        return cls(*chosen)

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Ports:
        names = {field.name for field in dataclasses.fields(cls)}
        return cls(**{key: int(value) for key, value in data.items() if key in names})

    def to_json(self) -> dict[str, int]:
        return dataclasses.asdict(self)

    def node(self, name: str) -> int:
        """The port of text node `name` (a, b or c)."""
        port: int = getattr(self, f"node_{name}")
        return port

    def reader(self, name: str) -> int:
        """The port of text node `name`'s reader process (reads of the current text)."""
        port: int = getattr(self, f"reader_{name}")
        return port

    def postgres(self, name: str) -> int:
        """The port of PostgreSQL cluster `name` (a, b, c or analytics)."""
        port: int = getattr(self, f"postgres_{name}")
        return port


def env_name(field: str) -> str:
    """The environment variable of a `Ports` field: node_a → CHORUS_NODE_A_PORT."""
    return f"CHORUS_{field.upper()}_PORT"


@dataclass(frozen=True)
class RateLimit:
    """nginx's `limit_req` settings for one agent token, from a rate such as `10r/m`."""

    rate: str
    count: int
    period_s: int

    @classmethod
    def parse(cls, rate: str) -> RateLimit:
        match = _RATE.match(rate.strip())
        if match is None:
            raise LauncherError(
                f"{RATE_ENV}: expected requests per second or minute such as '10r/m' or "
                f"'100r/s', got {rate!r}"
            )
        count, unit = int(match[1]), match[2]
        return cls(rate=f"{count}r/{unit}", count=count, period_s=60 if unit == "m" else 1)

    @property
    def burst(self) -> int:
        """`burst` with `nodelay`: a whole period's quota passes at once (10r/m → 10, not 11)."""
        return self.count - 1

    @property
    def retry_after_s(self) -> int:
        """Seconds until the bucket has room for one more request (10r/m → 6)."""
        return max(1, math.ceil(self.period_s / self.count))


def rate_limit_from_env(env: Mapping[str, str], override: str | None = None) -> RateLimit:
    """The rate of `override`, else `CHORUS_RATE_LIMIT`, else the spec's 10r/m."""
    return RateLimit.parse(override or env.get(RATE_ENV, "").strip() or DEFAULT_RATE_LIMIT)
