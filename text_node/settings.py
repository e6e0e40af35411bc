"""Configuration of one Text Service node, from `TEXT_NODE_*` environment variables."""

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

import service_kit
from service_kit import AgentTokens

from .errors import SettingsError

ENV_PREFIX = "TEXT_NODE_"
NODE_NAMES = ("a", "b", "c")
LOCATIONS = ("Москва", "Санкт-Петербург", "Новосибирск")
SPEC_BUDGET_TOKENS = 15_000_000

OPERATOR = "operator"
"""The agent id of the operator's token (the dashboard, the desktop client, the launcher)."""


class NodeSettings(BaseSettings):
    """Settings of one node; every field is `TEXT_NODE_<NAME>`."""

    model_config = SettingsConfigDict(env_prefix=ENV_PREFIX, extra="ignore", frozen=True)

    node: int = Field(ge=0, le=2)
    """This node's index: 0 = a (Москва), 1 = b (Санкт-Петербург), 2 = c (Новосибирск)."""
    database_url: str
    peers: str
    """The other nodes as `index=url` pairs: `1=http://127.0.0.1:8102,2=http://127.0.0.1:8103`."""
    service_token: SecretStr
    """Bearer token between nodes (replication) and towards analytics ingest."""
    agent_tokens: str
    """`agent_id:token` pairs, comma separated."""
    analytics_url: str = ""
    """Base URL of the Analytics Service; empty keeps events in the outbox until it is set."""
    budget_limit: int = Field(default=SPEC_BUDGET_TOKENS, ge=0)
    """Token budget written to `token_budget` the first time; the database row rules after."""
    max_text_chars: int = Field(default=10_000, ge=1)
    ack_timeout_s: float = Field(default=0.5, ge=0)
    """How long an accepted edit waits for a peer's acknowledgement before answering anyway."""
    anti_entropy_interval_s: float = Field(default=1.0, gt=0)
    session_wait_s: float = Field(default=0.5, ge=0)
    """How long a request with a session token this node does not cover may wait while the
    node pulls the missing operations from its peers, before a 503 `session_unavailable`."""
    catch_up_timeout_s: float = Field(default=5.0, ge=0)
    """At start-up, how long to try unreachable peers before serving without them."""
    peer_timeout_s: float = Field(default=2.0, gt=0)
    checkpoint_every: int = Field(default=100, ge=1)
    """The `documents` table keeps the text of every N-th version (a checkpoint), N versions
    further apart per `projection.CHECKPOINT_CHARS` characters of text; the head's is served
    from memory."""
    host: str = "127.0.0.1"
    port: int = Field(default=8101, ge=1, le=65535)
    reader_port: int = Field(default=0, ge=0, le=65535)
    """Where the node's reader process answers reads of the current text (`reader`);
    0: no reader process."""
    pool_size: int = Field(default=10, ge=1)
    connect_timeout_s: float = Field(default=3.0, gt=0)
    statement_timeout_s: float = Field(default=10.0, gt=0)
    startup_timeout_s: float = Field(default=30.0, ge=0)

    @property
    def name(self) -> str:
        return NODE_NAMES[self.node]

    @property
    def location(self) -> str:
        return LOCATIONS[self.node]

    @property
    def peer_urls(self) -> dict[int, str]:
        urls = {}
        for pair in filter(None, (p.strip() for p in self.peers.split(","))):
            index, _, url = pair.partition("=")
            urls[int(index)] = url.rstrip("/")
        return urls

    @property
    def tokens(self) -> AgentTokens:
        return AgentTokens.parse(self.agent_tokens, variable=f"{ENV_PREFIX}AGENT_TOKENS")

    @field_validator("database_url")
    @classmethod
    def _database_url(cls, value: str) -> str:
        return service_kit.database_url(value, f"{ENV_PREFIX}DATABASE_URL")

    @field_validator("peers")
    @classmethod
    def _peers(cls, value: str) -> str:
        for pair in filter(None, (p.strip() for p in value.split(","))):
            index, sep, url = pair.partition("=")
            if not sep or not index.strip().isdigit() or not url.startswith("http"):
                raise ValueError(f"expected 'index=http://host:port' pairs, got {pair!r}")
        return value

    @field_validator("service_token")
    @classmethod
    def _service_token(cls, value: SecretStr) -> SecretStr:
        return service_kit.real_secret(value, f"{ENV_PREFIX}SERVICE_TOKEN")

    @field_validator("agent_tokens")
    @classmethod
    def _agent_tokens(cls, value: str) -> str:
        AgentTokens.parse(value, variable=f"{ENV_PREFIX}AGENT_TOKENS")
        return value


def load_settings() -> NodeSettings:
    """Settings from the environment, or a SettingsError naming every variable to fix."""
    return service_kit.load_settings(NodeSettings, ENV_PREFIX, SettingsError)
