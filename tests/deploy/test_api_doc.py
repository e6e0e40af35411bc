"""API.md against the OpenAPI schema of every FastAPI app (built with create_app, no server):
the same endpoints per service, the same query parameters, and every JSON example valid
against the schema of its request body or response."""

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from fastapi import FastAPI

from agents.simulator.app import create_app as simulator_app
from agents.simulator.settings import SimulatorSettings
from agents.supervisor.app import create_app as supervisor_app
from agents.supervisor.settings import SupervisorSettings
from analytics.app import create_app as analytics_app
from analytics.settings import AnalyticsSettings
from chat.app import create_app as chat_app
from chat.settings import ChatSettings
from launcher.config import Ports, RateLimit
from launcher.control import create_app as control_app
from launcher.stack import Stack, StackConfig
from launcher.state import StateDir
from text_node.app import create_app as node_app
from text_node.settings import NodeSettings

from .support import REPO

API_DOC = REPO / "API.md"
SECRET = "a-test-secret-0123456789"
ERROR_BODY = {
    "type": "object",
    "required": ["error", "message"],
    "properties": {"error": {"type": "string"}, "message": {"type": "string"}},
}
"""What every error answer carries (service_kit's ApiError), for statuses OpenAPI omits."""


@dataclass
class Endpoint:
    method: str
    path: str
    query: set[str] | None = None
    request: list[Any] = field(default_factory=list)
    responses: dict[str, list[Any]] = field(default_factory=dict)


def apps(state_root: Path) -> dict[str, FastAPI]:
    stack = Stack(StackConfig(StateDir(state_root), Ports(), RateLimit.parse("10r/m")))
    return {
        "text_node": node_app(
            NodeSettings.model_validate(
                {
                    "node": 0,
                    "database_url": "postgresql://chorus@db/chorus",
                    "peers": "1=http://b:8000,2=http://c:8000",
                    "service_token": SECRET,
                    "agent_tokens": f"agent-1:{SECRET}",
                }
            )
        ),
        "chat": chat_app(ChatSettings(agent_tokens=f"agent-1:{SECRET}")),
        "analytics": analytics_app(
            AnalyticsSettings.model_validate(
                {"database_url": "postgresql://chorus@db/chorus", "service_token": SECRET}
            )
        ),
        "supervisor": supervisor_app(SupervisorSettings(agent_tokens=f"operator:{SECRET}")),
        "simulator": simulator_app(SimulatorSettings()),
        "control": control_app(stack, SECRET),
    }


def parse_doc(text: str) -> dict[str, dict[tuple[str, str], Endpoint]]:
    """service → (METHOD, path) → what API.md says about it."""
    services: dict[str, dict[tuple[str, str], Endpoint]] = {}
    current: dict[tuple[str, str], Endpoint] | None = None
    endpoint: Endpoint | None = None
    expecting: str | None = None
    lines = text.splitlines()
    i = 0
    while i < len(lines):
        line = lines[i]
        if match := re.fullmatch(r"<!-- openapi: (\w+) -->", line):
            current = services.setdefault(match[1], {})
            endpoint = None
        elif line.startswith("## "):
            current, endpoint = None, None
        elif match := re.fullmatch(r"### `([A-Z]+) (\S+)`", line):
            assert current is not None, f"API.md: {line} outside a service section"
            endpoint = Endpoint(match[1], match[2])
            assert (endpoint.method, endpoint.path) not in current, f"API.md: twice {line}"
            current[(endpoint.method, endpoint.path)] = endpoint
        elif endpoint is not None and line.startswith("Query:"):
            endpoint.query = {
                name for name in re.findall(r"`([a-z_]+)`", line) if not name[0].isdigit()
            }
        elif endpoint is not None and line == "Request:":
            expecting = "request"
        elif endpoint is not None and (match := re.fullmatch(r"Response `(\d{3})`:", line)):
            expecting = match[1]
        elif line == "```json" and expecting is not None and endpoint is not None:
            end = lines.index("```", i + 1)
            example = json.loads("\n".join(lines[i + 1 : end]))
            if expecting == "request":
                endpoint.request.append(example)
            else:
                endpoint.responses.setdefault(expecting, []).append(example)
            expecting = None
            i = end
        i += 1
    return services


@pytest.fixture(scope="module")
def documented() -> dict[str, dict[tuple[str, str], Endpoint]]:
    return parse_doc(API_DOC.read_text())


@pytest.fixture(scope="module")
def schemas(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, Any]]:
    root = tmp_path_factory.mktemp("state")
    root.chmod(0o755)
    return {name: app.openapi() for name, app in apps(root).items()}


def operations(spec: dict[str, Any]) -> dict[tuple[str, str], dict[str, Any]]:
    return {
        (method.upper(), path): op
        for path, methods in spec["paths"].items()
        for method, op in methods.items()
    }


def validate(example: Any, schema: dict[str, Any], spec: dict[str, Any], where: str) -> None:
    resolvable = {**schema, "components": spec.get("components", {})}
    try:
        jsonschema.validate(example, resolvable, cls=jsonschema.Draft202012Validator)
    except jsonschema.ValidationError as exc:
        pytest.fail(f"API.md {where}: the example does not fit the schema: {exc.message}")


def test_every_service_has_its_section(documented: dict[str, Any], schemas: dict[str, Any]) -> None:
    assert set(documented) - {"none"} == set(schemas)


@pytest.mark.parametrize(
    "service", ["text_node", "chat", "analytics", "supervisor", "simulator", "control"]
)
def test_endpoints_and_examples_match_the_openapi_schema(
    service: str, documented: dict[str, Any], schemas: dict[str, Any]
) -> None:
    spec = schemas[service]
    actual = operations(spec)
    written: dict[tuple[str, str], Endpoint] = documented[service]
    assert set(written) == set(actual), (
        f"{service}: only in API.md {sorted(set(written) - set(actual))}, "
        f"only in the app {sorted(set(actual) - set(written))}"
    )
    for key, endpoint in written.items():
        op = actual[key]
        where = f"{service} {key[0]} {key[1]}"
        query = {p["name"] for p in op.get("parameters", []) if p["in"] == "query"}
        assert (endpoint.query or set()) == query, f"{where}: query parameters"
        body = op.get("requestBody", {}).get("content", {}).get("application/json", {})
        for example in endpoint.request:
            if "schema" in body:
                validate(example, body["schema"], spec, f"{where} request")
        for status, examples in endpoint.responses.items():
            answer = op.get("responses", {}).get(status)
            if answer is None:
                assert int(status) >= 400, f"{where}: {status} is not in the schema"
                schema = ERROR_BODY
            else:
                content = answer.get("content", {}).get("application/json", {})
                schema = content.get("schema", {})
            for example in examples:
                validate(example, schema, spec, f"{where} response {status}")


def test_the_parser_sees_what_the_tests_rely_on(documented: dict[str, Any]) -> None:
    edits = documented["text_node"][("POST", "/api/edits")]
    assert edits.request
    assert set(edits.responses) == {"201", "429"}
    assert documented["text_node"][("GET", "/api/edits")].query == {
        "limit",
        "offset",
        "status",
        "agent_id",
    }
