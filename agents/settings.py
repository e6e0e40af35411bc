"""Settings of one agent, from the environment (spec scenario 2 plus the OpenAI endpoint)."""

import socket
from typing import Literal

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from service_kit import real_secret

SIMULATOR_BASE_URL = "http://127.0.0.1:8900/v1"
SIMULATOR_MODEL = "chorus-simulator"
SIMULATOR_KEY = "offline-simulator"


class AgentSettings(BaseSettings):
    """`AGENT_ROLE`, `API_TOKEN`, the service URLs and the OpenAI endpoint; tuning `AGENT_*`.

    With no `OPENAI_API_KEY` the agent talks to the offline simulator (`OPENAI_BASE_URL`
    defaults to it); with a key and no base URL it talks to OpenAI.
    """

    model_config = SettingsConfigDict(env_prefix="")

    agent_role: str = Field(min_length=1)
    api_token: SecretStr
    text_service_url: str = "http://127.0.0.1:8080"
    chat_service_url: str = "http://127.0.0.1:8080"
    openai_api_key: SecretStr = SecretStr("")
    openai_base_url: str | None = None
    openai_model: str | None = None
    openai_api_style: Literal["responses", "chat"] = "responses"
    agent_id: str = Field(default_factory=socket.gethostname, min_length=1, max_length=100)
    agent_cycle_delay_s: float = Field(default=1.0, ge=0)
    agent_max_attempts: int = Field(default=5, ge=1, le=5)
    agent_backoff_s: float = Field(default=0.5, ge=0)
    agent_edits_per_minute: float = Field(default=0, ge=0)
    """Self-pacing under the balancer's per-token limit; 0 = no pacing."""
    agent_claim_ttl_s: float = Field(default=30.0, ge=0)
    agent_use_claims: bool = True
    agent_use_sessions: bool = True
    """Carry a session token to the Text Service (read your own edits; issue 19)."""
    agent_max_idle_delay_s: float = Field(default=60.0, ge=0)
    agent_llm_timeout_s: float = Field(default=60.0, gt=0)

    @field_validator("api_token")
    @classmethod
    def _token(cls, value: SecretStr) -> SecretStr:
        return real_secret(value, "API_TOKEN")

    @property
    def offline(self) -> bool:
        """True when no OpenAI key is configured: the simulator stands in for the model."""
        return not self.openai_api_key.get_secret_value()

    def llm_endpoint(self) -> tuple[str | None, str, str]:
        """(base URL, model, API key) to give the openai SDK."""
        if self.offline:
            return (
                self.openai_base_url or SIMULATOR_BASE_URL,
                self.openai_model or SIMULATOR_MODEL,
                SIMULATOR_KEY,
            )
        return (
            self.openai_base_url,
            self.openai_model or "gpt-4o-mini",
            self.openai_api_key.get_secret_value(),
        )


class AgentConfigError(Exception):
    """The agent's environment is incomplete or wrong; the message names the variable."""
