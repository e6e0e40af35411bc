"""Configuration of the Analytics Service, from `ANALYTICS_*` environment variables."""

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

import service_kit

from .errors import SettingsError

ENV_PREFIX = "ANALYTICS_"


class AnalyticsSettings(BaseSettings):
    """Settings of one Analytics Service instance; every field is `ANALYTICS_<NAME>`."""

    model_config = SettingsConfigDict(env_prefix=ENV_PREFIX, extra="ignore", frozen=True)

    database_url: str
    """SQLAlchemy URL of the analytics database; plain `postgresql://` gets the asyncpg driver."""
    service_token: SecretStr
    """Bearer token that the Text Service nodes send with events."""
    host: str = "127.0.0.1"
    port: int = Field(default=8003, ge=1, le=65535)
    connect_timeout_s: float = Field(default=5.0, gt=0)
    """How long a new database connection may take before the request answers 503."""
    statement_timeout_s: float = Field(default=15.0, gt=0)
    """How long one statement may run before the request answers 503."""
    startup_timeout_s: float = Field(default=30.0, ge=0)
    """How long start-up waits for the database (migrations) before giving up."""
    pool_size: int = Field(default=5, ge=1)

    @field_validator("database_url")
    @classmethod
    def _database_url(cls, value: str) -> str:
        return service_kit.database_url(value, f"{ENV_PREFIX}DATABASE_URL")

    @field_validator("service_token")
    @classmethod
    def _service_token(cls, value: SecretStr) -> SecretStr:
        return service_kit.real_secret(value, f"{ENV_PREFIX}SERVICE_TOKEN")


def load_settings() -> AnalyticsSettings:
    """Settings from the environment, or a SettingsError naming every variable to fix."""
    return service_kit.load_settings(AnalyticsSettings, ENV_PREFIX, SettingsError)
