"""Settings of the offline LLM simulator (environment variables `SIMULATOR_*`)."""

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

MODEL_ID = "chorus-simulator"
FINGERPRINT = "chorus-offline-simulator"


class SimulatorSettings(BaseSettings):
    """Where the simulator listens, how slow it is, and its seed."""

    model_config = SettingsConfigDict(env_prefix="SIMULATOR_")

    host: str = "127.0.0.1"
    port: int = Field(default=8900, ge=0, le=65535)
    latency_ms: int = Field(default=0, ge=0, le=600_000)
    seed: int = 0
    model: str = MODEL_ID


class SimulatorError(Exception):
    """The simulator cannot start as configured."""
