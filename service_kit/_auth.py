"""Static bearer tokens (spec: simplified auth): one per agent, one for services.

Agent tokens are configured as `agent_id:token` pairs separated by commas, e.g.
`AGENT_TOKENS="agent-1:s3cret1,agent-2:s3cret2"`.
"""

import hmac
from collections.abc import Mapping

from fastapi import Request

from ._errors import ApiError

_PLACEHOLDERS = {"", "changeme", "change-me", "secret", "token"}


def bearer_token(request: Request) -> str:
    """The bearer token of a request, or a 401 saying what is missing."""
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise ApiError(
            401,
            "unauthorized",
            "нет токена: передайте заголовок 'Authorization: Bearer <токен>'",
            field="Authorization",
            headers={"WWW-Authenticate": "Bearer"},
        )
    return token.strip()


def _check_secret(name: str, value: str) -> None:
    if value.strip().lower() in _PLACEHOLDERS:
        raise ValueError(f"{name} is empty or a placeholder: set it to a real secret")


class AgentTokens:
    """token → agent_id, parsed from `agent_id:token,...`."""

    def __init__(self, agents_by_token: Mapping[str, str]) -> None:
        for token in agents_by_token:
            _check_secret("an agent token", token)
        self._agents = dict(agents_by_token)

    @classmethod
    def parse(cls, spec: str, *, variable: str = "AGENT_TOKENS") -> "AgentTokens":
        agents: dict[str, str] = {}
        for pair in filter(None, (p.strip() for p in spec.split(","))):
            agent_id, sep, token = pair.partition(":")
            if not sep or not agent_id.strip() or not token.strip():
                raise ValueError(f"{variable}: expected 'agent_id:token' pairs, got {pair!r}")
            agents[token.strip()] = agent_id.strip()
        if not agents:
            raise ValueError(f"{variable} is empty: set at least one 'agent_id:token' pair")
        return cls(agents)

    def __len__(self) -> int:
        return len(self._agents)

    def agent_for(self, request: Request) -> str:
        """The agent id of the request's bearer token, or a 401."""
        token = bearer_token(request)
        for known, agent_id in self._agents.items():
            if hmac.compare_digest(known, token):
                return agent_id
        raise ApiError(401, "unauthorized", "неизвестный токен агента", field="Authorization")


def require_service_token(request: Request, expected: str) -> None:
    """401 unless the request carries the service token (replication, analytics ingest)."""
    token = bearer_token(request)
    if not hmac.compare_digest(token, expected):
        raise ApiError(401, "unauthorized", "неверный служебный токен", field="Authorization")
