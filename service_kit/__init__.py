"""What every Chorus HTTP service shares: bearer-token auth and JSON error bodies."""

from ._auth import AgentTokens, bearer_token, require_service_token
from ._errors import ApiError, install_error_handlers

__all__ = [
    "AgentTokens",
    "ApiError",
    "bearer_token",
    "install_error_handlers",
    "require_service_token",
]
