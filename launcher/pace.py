"""How fast the agents and the offline model go: a room of people, or the same room N times
faster (for tests and the soak benchmark).

At speed 1 an agent pauses `CYCLE_DELAY_S` between cycles (reading the chat, thinking), the
simulated model answers in about `LLM_LATENCY_MS` (±50 %), a claim holds `CLAIM_TTL_S`, an
agent with nothing to edit backs off to `MAX_IDLE_DELAY_S`, and the balancer's rate limit is
the spec's 10 requests a minute per agent. At speed N every wait is N times shorter and the
rate limit N times higher, so N minutes of the demo play out in one.
"""

from __future__ import annotations

from dataclasses import dataclass

from .config import RateLimit
from .errors import LauncherError

CYCLE_DELAY_S = 8.0
LLM_LATENCY_MS = 4000
LLM_LATENCY_JITTER = 0.5
CLAIM_TTL_S = 30.0
MAX_IDLE_DELAY_S = 60.0
MAX_SPEED = 100.0


@dataclass(frozen=True)
class Pace:
    """The speed factor of the agents' room (1 = the demo's human pace)."""

    speed: float = 1.0

    def __post_init__(self) -> None:
        if not 0 < self.speed <= MAX_SPEED:
            raise LauncherError(f"speed: expected a factor above 0 and up to {MAX_SPEED:g}")

    def simulator_env(self) -> dict[str, str]:
        """The simulator's latency at this pace."""
        return {
            "SIMULATOR_LATENCY_MS": str(round(LLM_LATENCY_MS / self.speed)),
            "SIMULATOR_LATENCY_JITTER": str(LLM_LATENCY_JITTER),
        }

    def supervisor_env(self) -> dict[str, str]:
        """The agents' waits at this pace."""
        return {
            "SUPERVISOR_CYCLE_DELAY_S": f"{CYCLE_DELAY_S / self.speed:g}",
            "SUPERVISOR_CLAIM_TTL_S": f"{CLAIM_TTL_S / self.speed:g}",
            "SUPERVISOR_MAX_IDLE_DELAY_S": f"{MAX_IDLE_DELAY_S / self.speed:g}",
        }

    def rate_limit(self, base: RateLimit) -> RateLimit:
        """`base` (requests per minute or second) made `speed` times higher."""
        per_minute = base.count * 60 / base.period_s * self.speed
        return RateLimit.parse(f"{max(1, round(per_minute))}r/m")

    def minutes(self, real_s: float) -> float:
        """Demo minutes that `real_s` seconds at this pace stand for."""
        return real_s * self.speed / 60
