"""Why a request failed, in the operator's words (Russian), from an HTTP status or a network error.

Pure: no Qt. `ApiClient` builds an `ApiFailure` for every failed call; the window shows its
`message` and clears it once the same source answers again.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from enum import StrEnum
from typing import Any


class FailureKind(StrEnum):
    """What kind of trouble, which decides the wording and whether waiting helps."""

    UNREACHABLE = "unreachable"  # connection refused, timeout, 502/503/504: the service is down
    UNAUTHORIZED = "unauthorized"  # 401: wrong or missing operator token
    FORBIDDEN = "forbidden"  # 403
    NOT_FOUND = "not_found"  # 404
    CONFLICT = "conflict"  # 409
    RATE_LIMITED = "rate_limited"  # 429 from nginx's per-token limit
    BUDGET_EXHAUSTED = "budget_exhausted"  # 429 from a node: the token budget is spent
    INVALID = "invalid"  # 400/422: the request was refused, naming the field
    SERVER = "server"  # 500 and other 5xx
    BAD_RESPONSE = "bad_response"  # the answer was not the JSON we expect


_UNREACHABLE_STATUSES = frozenset({502, 503, 504})


@dataclass(frozen=True)
class ApiFailure:
    """One failed call: `status` is None when no HTTP answer came at all."""

    kind: FailureKind
    what: str
    """The request, e.g. `GET /api/chat/messages`."""
    status: int | None
    detail: str
    """The service's own message (English), or the network error's text."""

    @property
    def message(self) -> str:
        """One Russian line for the window."""
        code = f" ({self.status})" if self.status is not None else ""
        head = _HEADLINES[self.kind]
        tail = f": {self.detail}" if self.detail else ""
        return f"{head}{code} — {self.what}{tail}"

    @property
    def transient(self) -> bool:
        """Whether the same request may succeed later without the operator doing anything."""
        return self.kind in (FailureKind.UNREACHABLE, FailureKind.RATE_LIMITED, FailureKind.SERVER)


_HEADLINES = {
    FailureKind.UNREACHABLE: "Сервис недоступен",
    FailureKind.UNAUTHORIZED: "Нет доступа: неверный или пустой токен оператора (Файл → Настройки)",
    FailureKind.FORBIDDEN: "Запрещено",
    FailureKind.NOT_FOUND: "Не найдено",
    FailureKind.CONFLICT: "Конфликт",
    FailureKind.RATE_LIMITED: "Слишком много запросов, повторите позже",
    FailureKind.BUDGET_EXHAUSTED: "Бюджет токенов исчерпан",
    FailureKind.INVALID: "Запрос отклонён",
    FailureKind.SERVER: "Ошибка сервера",
    FailureKind.BAD_RESPONSE: "Непонятный ответ сервера",
}


def _body_fields(body: bytes) -> dict[str, Any]:
    try:
        parsed = json.loads(body.decode("utf-8", errors="replace"))
    except ValueError:
        return {}
    return parsed if isinstance(parsed, dict) else {}


def failure_from_status(what: str, status: int, body: bytes) -> ApiFailure:
    """The failure an HTTP error answer means; the service's JSON `message` is the detail."""
    fields = _body_fields(body)
    detail = str(fields.get("message") or body.decode("utf-8", errors="replace")[:200]).strip()
    if status == 401:
        kind = FailureKind.UNAUTHORIZED
    elif status == 403:
        kind = FailureKind.FORBIDDEN
    elif status == 404:
        kind = FailureKind.NOT_FOUND
    elif status == 409:
        kind = FailureKind.CONFLICT
    elif status == 429:
        budget = fields.get("error") == "budget_exceeded" or fields.get("limit") == "token_budget"
        kind = FailureKind.BUDGET_EXHAUSTED if budget else FailureKind.RATE_LIMITED
    elif status in _UNREACHABLE_STATUSES:
        kind = FailureKind.UNREACHABLE
    elif status >= 500:
        kind = FailureKind.SERVER
    else:
        kind = FailureKind.INVALID
    return ApiFailure(kind, what, status, detail)


def failure_from_network(what: str, error: str) -> ApiFailure:
    """No HTTP answer: refused, timed out, host unknown."""
    return ApiFailure(FailureKind.UNREACHABLE, what, None, error)


def bad_response(what: str, problem: str) -> ApiFailure:
    """An answer whose body is not what the endpoint promises."""
    return ApiFailure(FailureKind.BAD_RESPONSE, what, None, problem)
