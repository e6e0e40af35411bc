"""Settings of the agent supervisor (environment variables `SUPERVISOR_*`)."""

from typing import Literal

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from service_kit import AgentTokens, is_placeholder, parse_agent_tokens

from ..settings import SIMULATOR_BASE_URL, SIMULATOR_KEY, SIMULATOR_MODEL

TOKENS_VARIABLE = "SUPERVISOR_AGENT_TOKENS"
ANALYTICS_TOKEN_VARIABLE = "SUPERVISOR_ANALYTICS_SERVICE_TOKEN"
OPERATOR = "operator"


class SupervisorSettings(BaseSettings):
    """Where it listens, where the services are (through nginx), the tokens, the LLM.

    With no `SUPERVISOR_OPENAI_API_KEY` the agents talk to the offline simulator.
    """

    model_config = SettingsConfigDict(env_prefix="SUPERVISOR_", extra="ignore")

    host: str = "127.0.0.1"
    port: int = Field(default=8401, ge=1, le=65535)
    text_service_url: str = "http://127.0.0.1:8080"
    chat_service_url: str = "http://127.0.0.1:8080"
    agent_tokens: str = Field(
        default="",
        validate_default=True,
        description="'agent_id:token,...' for agent-1..agent-N and the operator",
    )
    openai_base_url: str | None = None
    openai_model: str | None = None
    openai_api_key: SecretStr = SecretStr("")
    openai_api_style: Literal["responses", "chat"] = "responses"
    llm_timeout_s: float = Field(default=60.0, gt=0)
    cycle_delay_s: float = Field(default=1.0, ge=0)
    edits_per_minute: float = Field(default=8.0, ge=0)
    """Self-pacing under nginx's per-token limit (10r/m by default); 0 = no pacing."""
    max_attempts: int = Field(default=5, ge=1, le=5)
    backoff_s: float = Field(default=0.5, ge=0)
    use_claims: bool = True
    use_sessions: bool = True
    """Agents carry a session token to the Text Service (read their own edits)."""
    claim_ttl_s: float = Field(default=30.0, ge=0)
    max_idle_delay_s: float = Field(default=60.0, ge=0)
    """An agent with nothing to edit doubles its pause up to this."""
    analytics_url: str | None = None
    """The Analytics Service itself (not the balancer, which refuses event posts), e.g.
    `http://127.0.0.1:8003`; unset: agent_started/agent_stopped events are not sent."""
    analytics_service_token: SecretStr = SecretStr("")
    """The Analytics Service's `ANALYTICS_SERVICE_TOKEN`; needed with `analytics_url`."""
    analytics_timeout_s: float = Field(default=2.0, gt=0)
    """How long one event post may take; agents never wait for it."""

    @model_validator(mode="after")
    def _analytics_token(self) -> "SupervisorSettings":
        if self.analytics_url and is_placeholder(self.analytics_service_token.get_secret_value()):
            raise ValueError(
                f"{ANALYTICS_TOKEN_VARIABLE} is empty or a placeholder: set it to the "
                "Analytics Service's ANALYTICS_SERVICE_TOKEN, or unset SUPERVISOR_ANALYTICS_URL"
            )
        return self

    @field_validator("agent_tokens")
    @classmethod
    def _tokens_parse(cls, value: str) -> str:
        if OPERATOR not in parse_tokens(value):
            raise ValueError(f"{TOKENS_VARIABLE}: add an '{OPERATOR}:<token>' pair")
        return value

    def tokens(self) -> dict[str, str]:
        """agent_id → bearer token, the operator included."""
        return parse_tokens(self.agent_tokens)

    def auth(self) -> AgentTokens:
        """The tokens as the services check them (token → agent_id)."""
        return AgentTokens({token: agent for agent, token in self.tokens().items()})

    def llm_endpoint(self) -> tuple[str | None, str, str]:
        """(base URL, model, API key) to give the openai SDK."""
        key = self.openai_api_key.get_secret_value()
        if not key:
            return (
                self.openai_base_url or SIMULATOR_BASE_URL,
                self.openai_model or SIMULATOR_MODEL,
                SIMULATOR_KEY,
            )
        return self.openai_base_url, self.openai_model or "gpt-4o-mini", key


def parse_tokens(spec: str) -> dict[str, str]:
    """`SUPERVISOR_AGENT_TOKENS` → {agent_id: token}; ValueError naming the bad pair."""
    return dict(parse_agent_tokens(spec, variable=TOKENS_VARIABLE))


class SupervisorError(Exception):
    """The supervisor cannot start as configured; the message names the variable."""
