"""What every Chorus HTTP service shares: bearer-token auth, JSON error bodies, PostgreSQL."""

from ._auth import AgentTokens, bearer_token, require_service_token
from ._database import (
    alembic_config,
    asyncpg_url,
    create_engine,
    database_errors,
    is_unavailable,
    migrate,
)
from ._errors import ApiError, install_error_handlers
from ._settings import load_settings

__all__ = [
    "AgentTokens",
    "ApiError",
    "alembic_config",
    "asyncpg_url",
    "bearer_token",
    "create_engine",
    "database_errors",
    "install_error_handlers",
    "is_unavailable",
    "load_settings",
    "migrate",
    "require_service_token",
]
