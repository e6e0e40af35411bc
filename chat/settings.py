"""Chat Service settings, read from `CHAT_*` environment variables."""

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

import service_kit
from service_kit import AgentTokens

ENV_PREFIX = "CHAT_"
TOKENS_VARIABLE = f"{ENV_PREFIX}AGENT_TOKENS"


class SettingsError(Exception):
    """The configuration is missing or unusable; the message names the variable to set."""


class ChatSettings(BaseSettings):
    """Where Redis is, who may post, and how much history the stream keeps."""

    model_config = SettingsConfigDict(env_prefix=ENV_PREFIX, extra="ignore")

    redis_url: str = "redis://127.0.0.1:6379/0"
    agent_tokens: str = Field(
        default="",
        validate_default=True,
        description="agent bearer tokens as 'agent_id:token,...'",
    )
    stream: str = Field(default="chat:messages", min_length=1)
    maxlen: int = Field(default=1000, ge=1, description="messages kept (MAXLEN ~)")
    redis_timeout_s: float = Field(default=2.0, gt=0)
    host: str = "127.0.0.1"
    port: int = Field(default=8002, ge=1, le=65535)

    @field_validator("agent_tokens")
    @classmethod
    def _tokens_parse(cls, value: str) -> str:
        AgentTokens.parse(value, variable=TOKENS_VARIABLE)
        return value

    def tokens(self) -> AgentTokens:
        """The parsed agent tokens."""
        return AgentTokens.parse(self.agent_tokens, variable=TOKENS_VARIABLE)


def load_settings() -> ChatSettings:
    """Settings from the environment, or a SettingsError naming every variable to fix."""
    return service_kit.load_settings(ChatSettings, ENV_PREFIX, SettingsError)
