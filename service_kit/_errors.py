"""Errors as JSON bodies that name the field or the limit.

Every error response is `{"error": <code>, "message": <text>, "field"?: <name>}`; validation
errors add `"fields": [{"field", "message"}, ...]`. Malformed JSON is a 400, a well-formed body
with a bad field a 422.
"""

from collections.abc import Callable
from typing import Any, TypeVar

import asyncpg
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

UNSTORABLE_TEXT_SQLSTATES = frozenset({"22021", "22P05"})
"""PostgreSQL refusing a character: NUL (U+0000) in text, `\\u0000` in JSONB."""


ExcT = TypeVar("ExcT", bound=Exception)


class ApiError(Exception):
    """An error answered as JSON with `status`.

    `retry_after_s` (a 503 or 429 the client may retry) becomes the `Retry-After` header;
    `headers` carries any other header (e.g. `WWW-Authenticate`).
    """

    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        *,
        field: str | None = None,
        headers: dict[str, str] | None = None,
        extra: dict[str, Any] | None = None,
        retry_after_s: int | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.field = field
        if retry_after_s is not None:
            headers = {**(headers or {}), "Retry-After": str(retry_after_s)}
        self.headers = headers
        self.extra = extra or {}

    def body(self) -> dict[str, Any]:
        body: dict[str, Any] = {"error": self.code, "message": self.message, **self.extra}
        if self.field is not None:
            body["field"] = self.field
        return body


def error_response(error: ApiError) -> JSONResponse:
    """The response of `error`: its status, its JSON body and its headers."""
    return JSONResponse(error.body(), status_code=error.status, headers=error.headers)


def on_error(app: FastAPI, exc_type: type[ExcT], to_error: Callable[[ExcT], ApiError]) -> None:
    """Answer `exc_type` (and its subclasses) raised by a route with `to_error(exc)`.

    The bridge from a service's own exceptions to the JSON error body: the route raises its
    domain exception, the app says once how it is answered.
    """

    async def handler(request: Request, exc: Exception) -> Response:
        if not isinstance(exc, exc_type):  # Starlette dispatches by type: never happens
            raise exc
        return error_response(to_error(exc))

    app.add_exception_handler(exc_type, handler)


def domain_error(
    app: FastAPI,
    exc_type: type[Exception],
    status: int,
    code: str,
    *,
    field: str | None = None,
    retry_after_s: int | None = None,
) -> None:
    """Answer `exc_type` with `status` and `{"error": code, "message": str(exc), "field"?}`,
    plus `Retry-After: retry_after_s` when given (503 "unavailable", 429)."""
    on_error(
        app,
        exc_type,
        lambda exc: ApiError(status, code, str(exc), field=field, retry_after_s=retry_after_s),
    )


def _field_name(location: tuple[Any, ...] | list[Any]) -> str:
    parts = [str(p) for p in location if p not in ("body", "query", "path", "header")]
    return ".".join(parts) or "body"


_RUSSIAN = {
    "missing": "обязательное поле",
    "string_type": "должно быть строкой",
    "int_type": "должно быть целым числом",
    "int_parsing": "должно быть целым числом",
    "bool_type": "должно быть true или false",
    "list_type": "должно быть списком",
    "dict_type": "должно быть объектом",
    "model_type": "должно быть объектом",
    "string_too_short": "не короче {min_length} симв.",
    "string_too_long": "не длиннее {max_length} симв.",
    "too_short": "не меньше {min_length} элементов",
    "too_long": "не больше {max_length} элементов",
    "greater_than": "должно быть больше {gt}",
    "greater_than_equal": "должно быть не меньше {ge}",
    "less_than": "должно быть меньше {lt}",
    "less_than_equal": "должно быть не больше {le}",
    "literal_error": "допустимо: {expected}",
    "enum": "допустимо: {expected}",
    "extra_forbidden": "лишнее поле",
}


def _russian(error: Any) -> str:
    """Pydantic's message in Russian where the error type is known; our own `ValueError`
    messages (already Russian or naming the field) as they are."""
    template = _RUSSIAN.get(error.get("type", ""))
    if template is None:
        return str(error.get("msg", "")).removeprefix("Value error, ")
    try:
        return template.format(**(error.get("ctx") or {}))
    except (KeyError, IndexError):
        return str(error.get("msg", ""))


def validation_body(exc: RequestValidationError) -> tuple[int, dict[str, Any]]:
    """Status and body for a request that failed validation."""
    errors = exc.errors()
    if any(e.get("type") == "json_invalid" for e in errors):
        message = "тело запроса — не JSON"
        return 400, {"error": "invalid_json", "message": message, "field": "body"}
    fields = [{"field": _field_name(e.get("loc", ())), "message": _russian(e)} for e in errors]
    message = "; ".join(f"{f['field']}: {f['message']}" for f in fields)
    return 422, {
        "error": "validation_error",
        "message": message,
        "field": fields[0]["field"] if fields else "body",
        "fields": fields,
    }


def install_error_handlers(app: FastAPI) -> None:
    """Answer ApiError, validation errors and HTTP errors with JSON error bodies."""

    @app.exception_handler(ApiError)
    async def _api_error(request: Request, exc: ApiError) -> JSONResponse:
        return error_response(exc)

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError) -> JSONResponse:
        status, body = validation_body(exc)
        return JSONResponse(body, status_code=status)

    async def _unstorable(request: Request, exc: Exception) -> JSONResponse:
        # Input PostgreSQL cannot hold is the client's mistake (422), not a server error;
        # every other database error goes on as before (a 500, logged).
        sqlstate = getattr(exc, "sqlstate", None)
        if sqlstate not in UNSTORABLE_TEXT_SQLSTATES:
            raise exc
        message = "в запросе символ NUL (\\u0000), его нельзя сохранить: уберите его"
        return JSONResponse({"error": "invalid_text", "message": message}, status_code=422)

    app.add_exception_handler(asyncpg.PostgresError, _unstorable)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        body = {"error": "http_error", "message": str(exc.detail)}
        return JSONResponse(body, status_code=exc.status_code, headers=exc.headers)
