"""What every Chorus HTTP service shares: bearer-token auth, JSON error bodies, PostgreSQL."""

from ._auth import AgentTokens, bearer_token, parse_agent_tokens, require_service_token
from ._database import (
    Connection,
    Database,
    asyncpg_url,
    database_errors,
    driver_dsn,
    is_unavailable,
)
from ._errors import ApiError, domain_error, error_response, install_error_handlers, on_error
from ._migrate import Migration, MigrationError, migrate, read_migrations
from ._settings import (
    PLACEHOLDER_SECRETS,
    database_url,
    is_placeholder,
    load_settings,
    real_secret,
)

__all__ = [
    "PLACEHOLDER_SECRETS",
    "AgentTokens",
    "ApiError",
    "Connection",
    "Database",
    "Migration",
    "MigrationError",
    "asyncpg_url",
    "bearer_token",
    "database_errors",
    "database_url",
    "domain_error",
    "driver_dsn",
    "error_response",
    "install_error_handlers",
    "is_placeholder",
    "is_unavailable",
    "load_settings",
    "migrate",
    "on_error",
    "parse_agent_tokens",
    "read_migrations",
    "real_secret",
    "require_service_token",
]
