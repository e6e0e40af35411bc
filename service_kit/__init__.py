"""What every Chorus HTTP service shares: bearer-token auth, JSON error bodies, PostgreSQL."""

from ._auth import AgentTokens, bearer_token, parse_agent_tokens, require_service_token
from ._database import (
    alembic_config,
    asyncpg_url,
    create_engine,
    database_errors,
    is_unavailable,
    migrate,
)
from ._errors import ApiError, domain_error, error_response, install_error_handlers, on_error
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
    "alembic_config",
    "asyncpg_url",
    "bearer_token",
    "create_engine",
    "database_errors",
    "database_url",
    "domain_error",
    "error_response",
    "install_error_handlers",
    "is_placeholder",
    "is_unavailable",
    "load_settings",
    "migrate",
    "on_error",
    "parse_agent_tokens",
    "real_secret",
    "require_service_token",
]
