"""A small, strict reader of the TypeScript the dashboard declares its API types in.

It understands what `frontend/lib/types.ts` uses and nothing more: `export interface X {...}`,
`export type X = ...;`, primitives, string/number literals, unions, `T[]`, inline object types,
`Record<K, V>` and references to other declarations. Anything else is a `TsSyntaxError` naming
the place, so a new construct makes the contract test fail loudly instead of being skipped.
"""

import re
from dataclasses import dataclass

PRIMITIVES = frozenset({"string", "number", "boolean", "null", "undefined", "unknown", "any"})

_TOKEN = re.compile(
    r"""(?P<space>\s+)
      | (?P<comment>/\*.*?\*/|//[^\n]*)
      | (?P<string>"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*')
      | (?P<number>-?\d+(?:\.\d+)?)
      | (?P<name>[A-Za-z_$][A-Za-z0-9_$]*)
      | (?P<punct>[{}\[\]()<>|;:,?=&])
    """,
    re.VERBOSE | re.DOTALL,
)


class TsSyntaxError(ValueError):
    """The source uses a construct this reader does not understand."""


@dataclass(frozen=True)
class Prim:
    name: str


@dataclass(frozen=True)
class Lit:
    value: str | float


@dataclass(frozen=True)
class Ref:
    name: str
    args: tuple["TsType", ...] = ()


@dataclass(frozen=True)
class Arr:
    item: "TsType"


@dataclass(frozen=True)
class Field:
    name: str
    type: "TsType"
    optional: bool


@dataclass(frozen=True)
class Obj:
    fields: tuple[Field, ...]


@dataclass(frozen=True)
class Union:
    members: tuple["TsType", ...]


TsType = Prim | Lit | Ref | Arr | Obj | Union


def tokenize(source: str) -> list[str]:
    """The tokens of `source`, comments and white space dropped."""
    tokens, position = [], 0
    while position < len(source):
        match = _TOKEN.match(source, position)
        if match is None:
            line = source.count("\n", 0, position) + 1
            raise TsSyntaxError(f"line {line}: unexpected {source[position : position + 20]!r}")
        if match.lastgroup not in ("space", "comment"):
            tokens.append(match.group())
        position = match.end()
    return tokens


class _Parser:
    def __init__(self, tokens: list[str]) -> None:
        self.tokens = tokens
        self.at = 0

    def peek(self) -> str:
        return self.tokens[self.at] if self.at < len(self.tokens) else ""

    def take(self, expected: str | None = None) -> str:
        token = self.peek()
        if not token or (expected is not None and token != expected):
            near = " ".join(self.tokens[max(0, self.at - 5) : self.at + 5])
            raise TsSyntaxError(f"expected {expected or 'more'!r}, got {token!r} near: {near}")
        self.at += 1
        return token

    def declarations(self) -> dict[str, TsType]:
        declared: dict[str, TsType] = {}
        while self.peek():
            if self.peek() == "export":
                self.take()
            keyword = self.take()
            name = self.take()
            if keyword == "interface":
                declared[name] = self.object_type()
            elif keyword == "type":
                self.take("=")
                declared[name] = self.type()
                self.take(";")
            else:
                raise TsSyntaxError(f"only interfaces and type aliases are read, got {keyword!r}")
        return declared

    def type(self) -> TsType:
        if self.peek() == "|":
            self.take()
        members = [self.postfix()]
        while self.peek() == "|":
            self.take()
            members.append(self.postfix())
        return members[0] if len(members) == 1 else Union(tuple(members))

    def postfix(self) -> TsType:
        result = self.primary()
        while self.peek() == "[":
            self.take("[")
            self.take("]")
            result = Arr(result)
        return result

    def primary(self) -> TsType:
        token = self.peek()
        if token == "{":
            return self.object_type()
        if token == "(":
            self.take()
            inner = self.type()
            self.take(")")
            return inner
        self.take()
        if token[0] in "\"'":
            return Lit(token[1:-1])
        if token[0].isdigit() or token[0] == "-":
            return Lit(float(token))
        if token in PRIMITIVES:
            return Prim(token)
        if not re.fullmatch(r"[A-Za-z_$][A-Za-z0-9_$]*", token):
            raise TsSyntaxError(f"a type cannot start with {token!r}")
        args: list[TsType] = []
        if self.peek() == "<":
            self.take()
            args.append(self.type())
            while self.peek() == ",":
                self.take()
                args.append(self.type())
            self.take(">")
        return Ref(token, tuple(args))

    def object_type(self) -> Obj:
        self.take("{")
        fields = []
        while self.peek() != "}":
            name = self.take()
            optional = self.peek() == "?"
            if optional:
                self.take()
            self.take(":")
            fields.append(Field(name, self.type(), optional))
            if self.peek() in (";", ","):
                self.take()
        self.take("}")
        return Obj(tuple(fields))


def parse_declarations(source: str) -> dict[str, TsType]:
    """Every `interface` and `type` of a module of declarations, by name."""
    return _Parser(tokenize(source)).declarations()


def parse_type(source: str) -> TsType:
    """One type expression, e.g. the `T` of `request<T>(...)`."""
    parser = _Parser(tokenize(source))
    result = parser.type()
    if parser.peek():
        raise TsSyntaxError(f"trailing {parser.peek()!r} after the type {source!r}")
    return result
