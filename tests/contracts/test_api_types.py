"""The dashboard's and the desktop's API types against the services' OpenAPI schemas.

What each client reads is taken from its code, not from a list kept here: every
`request<T>("GET", "/api/...")` of `frontend/lib/api.ts` (T is checked against the schema of
that endpoint) and every `self.client.get/post("/api/...", parse=parse_x)` of
`desktop/net/chorus_api.py` (parse_x is run on answers built from that schema). A field
renamed or retyped in a service, or read by a client and missing from the schema, fails here.
"""

import ast
import re
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from desktop.net import payloads

from .conformance import SampleBuilder, TsChecker, Untyped
from .services import SERVICES, api_routes, endpoint, is_untyped, resolve, template
from .typescript import TsType, parse_declarations, parse_type

ROOT = Path(__file__).resolve().parents[2]
DASHBOARD_TYPES = ROOT / "frontend" / "lib" / "types.ts"
DASHBOARD_API = ROOT / "frontend" / "lib" / "api.ts"
DESKTOP_API = ROOT / "desktop" / "net" / "chorus_api.py"

UNTYPED: dict[tuple[str, str], str] = {}
"""Answers a service does not declare yet: nothing to check a client against. Each is an
expected failure (strict): once the service gets a response model, the test passes, and the
entry must go so the check runs for real."""

KNOWN_GAPS: dict[str, str] = {}
"""Problems of the dashboard check that a service must fix (each an expected failure until
then, strict: a gap that closes must leave this list)."""

_REQUEST = re.compile(
    r'\brequest<(?P<type>[^()]+?)>\(\s*"(?P<method>GET|POST)",\s*[`"](?P<path>[^`"]+)[`"]'
)


@cache
def dashboard_declarations() -> dict[str, TsType]:
    return parse_declarations(DASHBOARD_TYPES.read_text(encoding="utf-8"))


def dashboard_reads() -> list[tuple[str, str, str]]:
    """(method, path, TypeScript type) of each typed request of the dashboard."""
    source = DASHBOARD_API.read_text(encoding="utf-8")
    reads = [(m["method"], m["path"], m["type"]) for m in _REQUEST.finditer(source)]
    calls = len(re.findall(r"\brequest<", source)) - len(re.findall(r"function request<", source))
    assert len(reads) == calls, "a request<T>(...) call of api.ts has a shape this test misses"
    return reads


def _path(node: ast.expr) -> str:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr):
        return "".join(
            _path(part) if isinstance(part, ast.Constant) else "{}" for part in node.values
        )
    raise AssertionError(f"desktop request path is not a literal: {ast.unparse(node)}")


def desktop_reads() -> list[tuple[str, str, str]]:
    """(method, path, parser name) of each parsed request of the desktop's `ChorusApi`."""
    source = DESKTOP_API.read_text(encoding="utf-8")
    calls = [
        node
        for node in ast.walk(ast.parse(source))
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr in ("get", "post")
        and ast.unparse(node.func.value) == "self.client"
    ]
    assert len(calls) == len(re.findall(r"self\.client\.(?:get|post)\(", source))
    reads = []
    for call in calls:
        assert isinstance(call.func, ast.Attribute)
        parse = [k.value for k in call.keywords if k.arg == "parse"]
        if parse:
            assert isinstance(parse[0], ast.Name), ast.unparse(call)
            reads.append((call.func.attr.upper(), _path(call.args[0]), parse[0].id))
    return reads


def _cases(reads: list[tuple[str, str, str]]) -> list[Any]:
    cases = []
    for method, path, what in reads:
        reason = UNTYPED.get((method, template(path)))
        marks = [pytest.mark.xfail(strict=True, raises=Untyped, reason=reason)] if reason else []
        cases.append(pytest.param(method, path, what, marks=marks, id=f"{method} {path}"))
    return cases


def _typed_schema(method: str, path: str) -> tuple[dict[str, Any], dict[str, Any]]:
    found = endpoint(method, path)
    schema = resolve(found.schema, found.components)
    if is_untyped(schema):
        raise Untyped(f"{found.service} declares no response model for {method} {found.path}")
    return found.schema, found.components


@pytest.mark.parametrize(("method", "path", "ts"), _cases(dashboard_reads()))
def test_dashboard_type_fits_the_schema(method: str, path: str, ts: str) -> None:
    schema, components = _typed_schema(method, path)
    checker = TsChecker(components, dashboard_declarations())

    problems = checker.problems(schema, parse_type(ts), ts.strip())

    gaps = [gap for gap in KNOWN_GAPS if gap.startswith(f"{ts.strip()}.")]
    unexpected = [p for p in problems if not any(p.startswith(f"{gap}:") for gap in gaps)]
    assert not unexpected, "\n".join(unexpected)
    still_open = [gap for gap in gaps if any(p.startswith(f"{gap}:") for p in problems)]
    assert still_open == gaps, f"closed, remove from KNOWN_GAPS: {set(gaps) - set(still_open)}"
    if gaps:
        pytest.xfail("; ".join(f"{gap}: {KNOWN_GAPS[gap]}" for gap in gaps))


@pytest.mark.parametrize("nulls", [False, True], ids=["every-value", "nulls"])
@pytest.mark.parametrize(("method", "path", "parser"), _cases(desktop_reads()))
def test_desktop_parser_fits_the_schema(method: str, path: str, parser: str, nulls: bool) -> None:
    schema, components = _typed_schema(method, path)
    builder = SampleBuilder(components, nulls=nulls)
    answer = builder.sample(schema, parser)

    try:
        getattr(payloads, parser)(answer)
    except payloads.PayloadError as exc:
        pytest.fail(f"{parser} refuses an answer shaped as the schema says: {exc}")

    assert not builder.misses, "\n".join(builder.misses)


def test_the_clients_read_every_public_api() -> None:
    """The checks above cover the APIs the issue names (a regex gone blind would not)."""
    read = {template(path) for _, path, _ in dashboard_reads() + desktop_reads()}
    for path in (
        "/api/document/current",
        "/api/document/versions",
        "/api/document/authorship",
        "/api/edits",
        "/api/node",
        "/api/chat/messages",
        "/api/analytics/metrics",
        "/api/analytics/timeline",
    ):
        assert path in read


@pytest.mark.parametrize("service", sorted(SERVICES))
def test_every_property_of_an_answer_is_sent(service: str) -> None:
    """The checks treat each schema property as present: no route may leave fields out."""
    routes = list(api_routes(service))
    assert routes
    for route in routes:
        assert not route.response_model_exclude_unset, route.path
        assert not route.response_model_exclude_none, route.path
        assert not route.response_model_exclude_defaults, route.path
