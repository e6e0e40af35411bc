"""The services' OpenAPI documents, built in process, and the response schema of an endpoint.

Creating an app does not run its lifespan, so no database, Redis or peer is needed.
"""

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import cache
from typing import Any, cast

from fastapi import FastAPI
from fastapi.routing import APIRoute
from pydantic import SecretStr

JsonSchema = dict[str, Any]

_TOKEN = "contract-test-token"


def _text_node() -> FastAPI:
    from text_node.app import create_app
    from text_node.settings import NodeSettings

    settings = NodeSettings(
        node=0,
        database_url="postgresql://contract@127.0.0.1/none",
        peers="1=http://127.0.0.1:1,2=http://127.0.0.1:2",
        service_token=SecretStr(_TOKEN),
        agent_tokens=f"operator:{_TOKEN}",
    )
    return create_app(settings)


def _analytics() -> FastAPI:
    from analytics import AnalyticsSettings, create_app

    settings = AnalyticsSettings(
        database_url="postgresql://contract@127.0.0.1/none", service_token=SecretStr(_TOKEN)
    )
    return create_app(settings)


def _chat() -> FastAPI:
    from chat import ChatSettings, create_app

    return create_app(ChatSettings(agent_tokens=f"agent-1:{_TOKEN}"))


def _supervisor() -> FastAPI:
    from agents.supervisor import SupervisorSettings, create_app

    return create_app(SupervisorSettings(agent_tokens=f"operator:{_TOKEN}"))


def _launcher_control() -> FastAPI:
    from launcher.control.app import create_app
    from launcher.stack import Stack

    # The app only keeps the stack for its routes; building the schema never touches it.
    return create_app(cast(Stack, object()), _TOKEN)


SERVICES: dict[str, Callable[[], FastAPI]] = {
    "text_node": _text_node,
    "analytics": _analytics,
    "chat": _chat,
    "supervisor": _supervisor,
    "launcher": _launcher_control,
}


@cache
def app(service: str) -> FastAPI:
    return SERVICES[service]()


@cache
def document(service: str) -> JsonSchema:
    return app(service).openapi()


def template(path: str) -> str:
    """A path with its parameters blanked (`{version}`, `${version}` → `{}`), without the
    balancer's `/nodes/{name}` prefix that reaches one node directly."""
    blank = re.sub(r"\$?\{[^}]*\}", "{}", path)
    return blank.removeprefix("/nodes/{}")


def api_routes(service: str) -> Iterator[APIRoute]:
    """Every route of a service's API, through the routers it includes."""
    pending: list[object] = list(app(service).routes)
    while pending:
        route = pending.pop()
        if isinstance(route, APIRoute):
            yield route
        elif hasattr(route, "original_router"):  # FastAPI >= 0.165 includes routers lazily
            pending += route.original_router.routes
        elif not hasattr(route, "path"):
            raise TypeError(f"{service}: a route of unknown kind {route!r}")


@dataclass(frozen=True)
class Endpoint:
    service: str
    method: str
    path: str
    """As the service declares it."""

    @property
    def schema(self) -> JsonSchema:
        """The JSON schema of the 2xx answer (`{}` when the route declares none)."""
        operation = document(self.service)["paths"][self.path][self.method.lower()]
        for status, response in sorted(operation["responses"].items()):
            if status.startswith("2"):
                content = response.get("content", {}).get("application/json", {})
                return cast(JsonSchema, content.get("schema", {}))
        return {}

    @property
    def components(self) -> dict[str, JsonSchema]:
        return cast(dict[str, JsonSchema], document(self.service).get("components", {}))


ROUTES = (
    ("/api/analytics/", "analytics"),
    ("/api/chat/", "chat"),
    ("/api/agents", "supervisor"),
    ("/api/cluster", "launcher"),
    ("/", "text_node"),
)
"""Which service answers a path, by prefix, as the balancer routes it (`nginx/`)."""


def endpoint(method: str, path: str) -> Endpoint:
    """The service endpoint a client's `method path` reaches."""
    wanted = template(path)
    service = next(service for prefix, service in ROUTES if wanted.startswith(prefix))
    for declared, operations in document(service)["paths"].items():
        if method.lower() in operations and template(declared) == wanted:
            return Endpoint(service, method, declared)
    raise LookupError(f"{method} {path}: {service} has no such endpoint")


def resolve(schema: JsonSchema, components: dict[str, JsonSchema]) -> JsonSchema:
    """`schema` with a top-level `$ref` followed."""
    while "$ref" in schema:
        name = schema["$ref"].removeprefix("#/components/schemas/")
        schema = components["schemas"][name]
    return schema


def is_untyped(schema: JsonSchema) -> bool:
    """An answer the service declares as "any JSON" or "any object" (`dict[str, Any]`)."""
    if not schema or schema == {"title": schema.get("title")}:
        return True
    return (
        schema.get("type") == "object"
        and "properties" not in schema
        and schema.get("additionalProperties", True) in (True, {})
    )
