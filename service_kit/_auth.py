"""Static bearer tokens (spec: simplified auth): one per agent, one for services.

Agent tokens are configured as `agent_id:token` pairs separated by commas, e.g.
`AGENT_TOKENS="agent-1:s3cret1,agent-2:s3cret2"`.
"""

import hmac
from collections.abc import Mapping

from fastapi import Request

from ._errors import ApiError
from ._settings import is_placeholder


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


def parse_agent_tokens(spec: str, *, variable: str) -> list[tuple[str, str]]:
    """`agent_id:token,...` → [(agent_id, token), ...], or a ValueError naming `variable` and
    what is wrong (a malformed pair, a placeholder token, nothing at all)."""
    tokens: list[tuple[str, str]] = []
    for pair in filter(None, (p.strip() for p in spec.split(","))):
        agent_id, sep, token = pair.partition(":")
        if not sep or not agent_id.strip() or not token.strip():
            raise ValueError(f"{variable}: expected 'agent_id:token' pairs, got {pair!r}")
        if is_placeholder(token):
            raise ValueError(
                f"{variable}: the token of {agent_id.strip()!r} is a placeholder: "
                "set it to a real secret"
            )
        tokens.append((agent_id.strip(), token.strip()))
    if not tokens:
        raise ValueError(f"{variable} is empty: set at least one 'agent_id:token' pair")
    return tokens


class AgentTokens:
    """token → agent_id, parsed from `agent_id:token,...`."""

    def __init__(self, agents_by_token: Mapping[str, str]) -> None:
        for token in agents_by_token:
            if is_placeholder(token):
                raise ValueError(
                    "an agent token is empty or a placeholder: set it to a real secret"
                )
        self._agents = dict(agents_by_token)

    @classmethod
    def parse(cls, spec: str, *, variable: str = "AGENT_TOKENS") -> "AgentTokens":
        """From `agent_id:token,...` (see `parse_agent_tokens`)."""
        tokens = parse_agent_tokens(spec, variable=variable)
        return cls({token: agent_id for agent_id, token in tokens})

    def __len__(self) -> int:
        return len(self._agents)

    def agent_for(self, request: Request) -> str:
        """The agent id of the request's bearer token, or a 401."""
        token = bearer_token(request)
        for known, agent_id in self._agents.items():
            if hmac.compare_digest(known, token):
                return agent_id
        raise ApiError(401, "unauthorized", "неизвестный токен агента", field="Authorization")

    def require(self, request: Request, agent_id: str, message: str) -> None:
        """401 with `message` unless the request's bearer token is `agent_id`'s (e.g. the
        operator's, for routes only the operator may call)."""
        if self.agent_for(request) != agent_id:
            raise ApiError(401, "unauthorized", message, field="Authorization")


def require_service_token(request: Request, expected: str) -> None:
    """401 unless the request carries the service token (replication, analytics ingest)."""
    token = bearer_token(request)
    if not hmac.compare_digest(token, expected):
        raise ApiError(401, "unauthorized", "неверный служебный токен", field="Authorization")
