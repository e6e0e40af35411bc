"""Settings of the offline LLM simulator (environment variables `SIMULATOR_*`)."""

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from ._flaws import FlawRates

MODEL_ID = "chorus-simulator"
FINGERPRINT = "chorus-offline-simulator"


class SimulatorSettings(BaseSettings):
    """Where the simulator listens, how slow it is, its seed, the writers' slips and the size
    the room aims the document at."""

    model_config = SettingsConfigDict(env_prefix="SIMULATOR_")

    host: str = "127.0.0.1"
    port: int = Field(default=8900, ge=0, le=65535)
    latency_ms: int = Field(default=0, ge=0, le=600_000)
    latency_jitter: float = Field(default=0.0, ge=0, le=1)
    """Each answer takes latency_ms × (1 ± up to this share), drawn."""
    seed: int = 0
    model: str = MODEL_ID
    flaws: str = ""
    """Slip rates as 'kind=rate,...' (e.g. 'typo=0.5,filler=0'); unnamed kinds keep theirs."""
    target_chars: int = Field(default=6000, ge=200, le=1_000_000)
    """Writers append below this size and rewrite above it; the concision editor trims."""

    @field_validator("flaws")
    @classmethod
    def _flaws(cls, value: str) -> str:
        FlawRates.parse(value)
        return value

    def flaw_rates(self) -> FlawRates:
        return FlawRates.parse(self.flaws)


class SimulatorError(Exception):
    """The simulator cannot start as configured."""
