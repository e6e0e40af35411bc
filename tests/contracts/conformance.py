"""Does a client's idea of an answer fit what the service's OpenAPI schema says it sends?

Two clients, two ways of saying what they read:
- the dashboard declares TypeScript types: `ts_problems(schema, type)` checks that every
  value the schema allows fits the type, and that every field the type names exists in the
  schema (a field renamed in the service is a field the client reads and the schema lacks);
- the desktop parses with Python functions: `schema_sample(...)` builds an answer shaped as
  the schema says, whose objects record every key a parser asks for that the schema lacks.

Every property of a response schema counts as sent (FastAPI serialises every field of a
response model unless a route excludes unset/None/default ones; `test_api_types` checks that
no route the clients read does).
"""

from typing import Any

from .services import JsonSchema, is_untyped
from .typescript import Arr, Lit, Obj, Prim, Ref, TsType, Union

ISO_TIME = "2025-11-03T12:00:00.000Z"


class _Walk:
    def __init__(self, components: dict[str, JsonSchema]) -> None:
        self.schemas: dict[str, JsonSchema] = components.get("schemas", {})

    def resolve(self, schema: JsonSchema) -> JsonSchema:
        while "$ref" in schema:
            schema = self.schemas[schema["$ref"].removeprefix("#/components/schemas/")]
        return schema

    def branches(self, schema: JsonSchema) -> list[JsonSchema]:
        """A union schema as its alternatives; anything else as itself."""
        schema = self.resolve(schema)
        for key in ("anyOf", "oneOf"):
            if key in schema:
                return [b for branch in schema[key] for b in self.branches(branch)]
        if isinstance(schema.get("type"), list):
            return [{**schema, "type": kind} for kind in schema["type"]]
        return [schema]


def _kind(schema: JsonSchema) -> str:
    if "enum" in schema or "const" in schema:
        return "literal"
    if "properties" in schema or "additionalProperties" in schema:
        return "object"
    return str(schema.get("type", "any"))


class TsChecker(_Walk):
    """Whether schemas fit TypeScript types declared in `declarations`."""

    def __init__(self, components: dict[str, JsonSchema], declarations: dict[str, TsType]):
        super().__init__(components)
        self.declarations = declarations

    def expand(self, ts: TsType, where: str) -> TsType:
        while isinstance(ts, Ref) and ts.name != "Record":
            if ts.name not in self.declarations:
                raise LookupError(f"{where}: TypeScript type {ts.name!r} is not declared")
            ts = self.declarations[ts.name]
        return ts

    def problems(self, schema: JsonSchema, ts: TsType, where: str) -> list[str]:
        """What the schema may send that `ts` does not allow, one line each."""
        ts = self.expand(ts, where)
        if isinstance(ts, Prim) and ts.name in ("unknown", "any"):
            return []
        branches = self.branches(schema)
        if len(branches) > 1:
            return [p for branch in branches for p in self.problems(branch, ts, where)]
        schema = branches[0]
        if is_untyped(schema):
            return [f"{where}: untyped in the schema (no response model), nothing to check"]
        if isinstance(ts, Union):
            return self._union(schema, ts, where)
        return self._single(schema, ts, where)

    def _union(self, schema: JsonSchema, ts: Union, where: str) -> list[str]:
        members = [self.expand(m, where) for m in ts.members]
        results = [self.problems(schema, m, where) for m in members]
        if any(not r for r in results):
            return []
        if _kind(schema) == "literal":
            return self._literals(schema, members, where)
        kind = {"integer": "number"}.get(_kind(schema), _kind(schema))
        if kind == "string" and all(isinstance(m, Lit) for m in members):
            return [
                f"{where}: the schema sends any string, the client's type allows only {_ts(ts)} "
                "(declare the values in the service: a Literal or an enum)"
            ]
        alike = [r for r, m in zip(results, members, strict=True) if _ts_kind(m) == kind]
        if len(alike) == 1:
            return alike[0]
        return [f"{where}: the schema sends {_describe(schema)}, which fits none of the union"]

    def _literals(self, schema: JsonSchema, members: list[TsType], where: str) -> list[str]:
        values = schema.get("enum", [schema.get("const")])
        problems = []
        for value in values:
            if not any(not self._single({"const": value}, m, where) for m in members):
                problems.append(
                    f"{where}: the schema may send {value!r}, the client's type lacks it"
                )
        return problems

    def _single(self, schema: JsonSchema, ts: TsType, where: str) -> list[str]:
        kind = _kind(schema)
        if kind == "literal":
            values = schema.get("enum", [schema.get("const")])
            fits = [_literal_fits(value, ts) for value in values]
            if all(fits):
                return []
            bad = [v for v, ok in zip(values, fits, strict=True) if not ok]
            return [f"{where}: the schema may send {bad!r}, the client's type is {_ts(ts)}"]
        simple = {"string": "string", "integer": "number", "number": "number"}
        simple |= {"boolean": "boolean", "null": "null"}
        if kind in simple:
            if isinstance(ts, Prim) and ts.name == simple[kind]:
                return []
            return [
                f"{where}: the schema sends {_describe(schema)}, the client's type is {_ts(ts)}"
            ]
        if kind == "array":
            if not isinstance(ts, Arr):
                return [f"{where}: the schema sends an array, the client's type is {_ts(ts)}"]
            return self.problems(schema.get("items", {}), ts.item, f"{where}[]")
        if kind == "object":
            return self._object(schema, ts, where)
        return [f"{where}: schema {_describe(schema)} is not understood by this check"]

    def _object(self, schema: JsonSchema, ts: TsType, where: str) -> list[str]:
        properties: dict[str, JsonSchema] = schema.get("properties", {})
        if isinstance(ts, Ref) and ts.name == "Record" and len(ts.args) == 2:
            values = schema.get("additionalProperties")
            if isinstance(values, dict) and not properties:
                return self.problems(values, ts.args[1], f"{where}[*]")
            return [f"{where}: the client reads a map, the schema sends {_describe(schema)}"]
        if not isinstance(ts, Obj):
            return [f"{where}: the schema sends an object, the client's type is {_ts(ts)}"]
        problems = []
        for field in ts.fields:
            if field.name not in properties:
                known = ", ".join(sorted(properties)) or "none"
                problems.append(
                    f"{where}.{field.name}: the client reads it, the schema has no such field "
                    f"(the schema's fields: {known})"
                )
                continue
            problems += self.problems(properties[field.name], field.type, f"{where}.{field.name}")
        return problems


def _literal_fits(value: Any, ts: TsType) -> bool:
    if isinstance(ts, Lit):
        return bool(ts.value == value)
    if isinstance(ts, Prim):
        wanted = {"string": str, "number": int | float, "boolean": bool}.get(ts.name)
        if value is None:
            return ts.name == "null"
        return wanted is not None and isinstance(value, wanted)
    return False


def _ts_kind(ts: TsType) -> str:
    if isinstance(ts, Obj) or (isinstance(ts, Ref) and ts.name == "Record"):
        return "object"
    if isinstance(ts, Arr):
        return "array"
    if isinstance(ts, Lit):
        return "literal"
    if isinstance(ts, Prim):
        return ts.name
    return "other"


def _describe(schema: JsonSchema) -> str:
    return str(schema.get("title") or schema.get("type") or schema)


def _ts(ts: TsType) -> str:
    if isinstance(ts, Prim):
        return ts.name
    if isinstance(ts, Lit):
        return repr(ts.value)
    if isinstance(ts, Arr):
        return f"{_ts(ts.item)}[]"
    if isinstance(ts, Union):
        return " | ".join(_ts(m) for m in ts.members)
    if isinstance(ts, Ref):
        return ts.name
    return "{" + "; ".join(f.name for f in ts.fields) + "}"


class RecordingObject(dict[str, Any]):
    """A JSON object of a sample answer that notes each key asked for that its schema lacks."""

    def __init__(self, where: str, values: dict[str, Any], misses: list[str]) -> None:
        super().__init__(values)
        self.where = where
        self.misses = misses

    def _note(self, key: object) -> None:
        if not super().__contains__(key):
            known = ", ".join(sorted(self)) or "none"
            self.misses.append(
                f"{self.where}.{key}: the client reads it, the schema has no such field "
                f"(the schema's fields: {known})"
            )

    def get(self, key: str, default: Any = None) -> Any:
        self._note(key)
        return super().get(key, default)

    def __getitem__(self, key: str) -> Any:
        self._note(key)
        return super().__getitem__(key)

    def __contains__(self, key: object) -> bool:
        self._note(key)
        return super().__contains__(key)


class Untyped(Exception):
    """The schema declares no shape for a part of the answer."""


class SampleBuilder(_Walk):
    """Answers shaped as a schema says: every property present; in `nulls` mode every
    nullable value null (the leanest answer the service may send)."""

    def __init__(self, components: dict[str, JsonSchema], *, nulls: bool) -> None:
        super().__init__(components)
        self.nulls = nulls
        self.misses: list[str] = []

    def sample(self, schema: JsonSchema, where: str) -> Any:
        branches = self.branches(schema)
        values = [b for b in branches if b.get("type") != "null"]
        if len(values) < len(branches) and (self.nulls or not values):
            return None
        schema = values[0]
        if "enum" in schema or "const" in schema:
            return schema.get("enum", [schema.get("const")])[0]
        kind = _kind(schema)
        scalars = {"string": ISO_TIME, "integer": 3, "number": 2.5, "boolean": True}
        if kind in scalars:
            return scalars[kind]
        if kind == "array":
            return [self.sample(schema.get("items", {}), f"{where}[]")]
        if kind == "object" and "properties" in schema:
            properties = schema["properties"]
            values_by_key = {k: self.sample(v, f"{where}.{k}") for k, v in properties.items()}
            return RecordingObject(where, values_by_key, self.misses)
        extra = schema.get("additionalProperties")
        if kind == "object" and isinstance(extra, dict) and extra:
            return {"b": self.sample(extra, f"{where}[*]")}
        raise Untyped(f"{where}: untyped in the schema (no response model), nothing to check")
