"""The contract checks have teeth: a renamed, retyped or newly nullable field is caught, and
TypeScript this reader does not understand is an error, not a silent pass."""

import copy
from typing import Any

import pytest

from desktop.net import payloads

from .conformance import SampleBuilder, TsChecker
from .services import endpoint
from .test_api_types import dashboard_declarations
from .typescript import Arr, Field, Lit, Obj, Prim, Ref, TsSyntaxError, Union, parse_declarations


def _document_schema() -> tuple[dict[str, Any], dict[str, Any], str]:
    """A copy of the components of `GET /api/document/current`, and its answer's name."""
    found = endpoint("GET", "/api/document/current")
    name = found.schema["$ref"].removeprefix("#/components/schemas/")
    return found.schema, copy.deepcopy(found.components), name


def test_the_real_schema_passes() -> None:
    schema, components, _ = _document_schema()
    checker = TsChecker(components, dashboard_declarations())
    assert checker.problems(schema, Ref("DocumentState"), "DocumentState") == []


def test_a_renamed_field_fails_the_dashboard_and_the_desktop() -> None:
    schema, components, name = _document_schema()
    answer = components["schemas"][name]
    answer["properties"]["body"] = answer["properties"].pop("text")

    problems = TsChecker(components, dashboard_declarations()).problems(
        schema, Ref("DocumentState"), "DocumentState"
    )
    builder = SampleBuilder(components, nulls=False)
    with pytest.raises(payloads.PayloadError, match="text"):
        payloads.parse_document(builder.sample(schema, "document"))

    assert [p.split(":")[0] for p in problems] == ["DocumentState.text"]
    assert [m.split(":")[0] for m in builder.misses] == ["document.text"]


def test_a_retyped_field_fails_the_dashboard_and_the_desktop() -> None:
    schema, components, name = _document_schema()
    components["schemas"][name]["properties"]["version"] = {"type": "string"}

    problems = TsChecker(components, dashboard_declarations()).problems(
        schema, Ref("DocumentState"), "DocumentState"
    )

    assert problems == [
        "DocumentState.version: the schema sends string, the client's type is number"
    ]
    with pytest.raises(payloads.PayloadError, match="version"):
        payloads.parse_document(SampleBuilder(components, nulls=False).sample(schema, "doc"))


def test_a_field_that_may_become_null_fails() -> None:
    nullable = {"anyOf": [{"type": "string"}, {"type": "null"}]}
    components: dict[str, Any] = {
        "schemas": {"A": {"type": "object", "properties": {"x": nullable}}}
    }
    ts = Obj((Field("x", Prim("string"), optional=False),))

    problems = TsChecker(components, {}).problems({"$ref": "#/components/schemas/A"}, ts, "A")

    assert problems == ["A.x: the schema sends null, the client's type is string"]


def test_an_enum_value_the_client_lacks_fails() -> None:
    schema = {"type": "array", "items": {"enum": ["ok", "failing", "unknown"], "type": "string"}}
    ts = Arr(Union((Lit("ok"), Lit("failing"))))

    problems = TsChecker({}, {}).problems(schema, ts, "links")

    assert problems == ["links[]: the schema may send 'unknown', the client's type lacks it"]


def test_the_dashboard_types_parse() -> None:
    declarations = dashboard_declarations()
    assert {"DocumentState", "EditPage", "Metrics", "NodeState"} <= set(declarations)
    metrics = declarations["Metrics"]
    assert isinstance(metrics, Obj)
    assert Field("edit_latency_ms", Ref("Percentiles"), optional=True) in metrics.fields


@pytest.mark.parametrize(
    "source",
    [
        "export const x = 1;",
        "export interface A extends B { x: string }",
        "export type F = (x: number) => string;",
        "export type M = { [key: string]: number };",
    ],
)
def test_what_the_reader_does_not_understand_is_an_error(source: str) -> None:
    with pytest.raises(TsSyntaxError):
        parse_declarations(source)
