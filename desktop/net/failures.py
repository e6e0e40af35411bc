"""Why a request failed, in the operator's words (Russian), from an HTTP status or a network error.

Pure: no Qt. `ApiClient` builds an `ApiFailure` for every failed call; the window shows its
`message` and clears it once the same source answers again.
"""

from __future__ import annotations

import json
import re
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
    """A Russian sentence: the service's own Russian `message`, else what the status or the
    network error means (never the raw English text of an exception)."""

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


_STATUS_DETAILS = {
    400: "сервер не принял запрос",
    401: "нужен токен оператора",
    403: "этому токену действие запрещено",
    404: "такого адреса на сервере нет",
    405: "сервер не поддерживает этот метод",
    409: "действие противоречит текущему состоянию",
    413: "запрос слишком большой",
    422: "запрос не прошёл проверку",
    429: "превышен лимит запросов",
    500: "внутренняя ошибка сервиса",
    502: "балансировщик не получил ответа от сервиса",
    503: "сервис временно недоступен",
    504: "сервис не ответил балансировщику вовремя",
}

_NETWORK_DETAILS = {
    "ConnectionRefusedError": "соединение отклонено: сервис не запущен или порт закрыт",
    "RemoteHostClosedError": "сервис закрыл соединение, не ответив",
    "HostNotFoundError": "адрес сервера не найден (проверьте его в настройках)",
    "TimeoutError": "сервис не ответил вовремя",
    "OperationCanceledError": "сервис не ответил вовремя",  # Qt's transfer timeout cancels
    "SslHandshakeFailedError": "не удалось установить защищённое соединение",
    "TemporaryNetworkFailureError": "сеть временно недоступна",
    "NetworkSessionFailedError": "сеть недоступна",
    "ProxyConnectionRefusedError": "прокси-сервер отклонил соединение",
    "ProxyNotFoundError": "прокси-сервер не найден",
    "ProxyTimeoutError": "прокси-сервер не ответил вовремя",
}
_NO_CONNECTION = "нет связи с сервером"

_CYRILLIC = re.compile(r"[А-Яа-яЁё]")

# Free-text errors (an agent's last error, a node's link error) as English exception text.
_TEXT_PATTERNS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"cannot connect to host (\S+?:\d+)", re.I), "Нет соединения с {0}"),
    (
        re.compile(r"connect(ion)? ?(error|refused)|clientconnectorerror|connecterror", re.I),
        "Нет соединения с сервисом",
    ),
    (re.compile(r"time(d)? ?out", re.I), "Сервис не ответил вовремя"),
    (
        re.compile(r"disconnected|connection reset|remoteprotocolerror|broken pipe", re.I),
        "Сервис оборвал соединение",
    ),
    (
        re.compile(r"name or service not known|nodename|getaddrinfo|name resolution", re.I),
        "Адрес сервиса не найден",
    ),
    (re.compile(r"budget", re.I), "Бюджет токенов исчерпан"),
    (
        re.compile(r"was changed|changed by|stale", re.I),
        "Фрагмент уже изменила другая правка: нужно перечитать документ",
    ),
    (re.compile(r"\b(?:status|http)\D{0,3}([45]\d\d)\b", re.I), "status"),
)


_REQUEST_PREFIX = re.compile(r"(GET|POST|PUT|PATCH|DELETE) /\S*: ")


def is_russian(text: str) -> bool:
    """Whether `text` is already written for a Russian reader."""
    return bool(_CYRILLIC.search(text))


def in_russian(text: str) -> str:
    """A Russian sentence for an error text the services report as is (an agent's last error,
    a failing replication link): Russian text unchanged, known English exception texts mapped,
    anything else a general sentence (the details stay in the service's log)."""
    text = text.strip()
    if not text or is_russian(text):
        return text
    request = _REQUEST_PREFIX.match(text)
    if request is not None:
        return f"{request.group(0)}{_sentence(text[request.end() :])}"
    return _sentence(text)


def _sentence(text: str) -> str:
    for pattern, sentence in _TEXT_PATTERNS:
        found = pattern.search(text)
        if found is None:
            continue
        if sentence == "status":
            status = int(found.group(1))
            return _STATUS_DETAILS.get(status, f"ошибка HTTP {status}").capitalize()
        return sentence.format(*found.groups())
    return "Непредвиденная ошибка (подробности — в журнале сервиса)"


def _detail(status: int, fields: dict[str, Any]) -> str:
    message = fields.get("message")
    if isinstance(message, str) and is_russian(message):
        return message.strip()
    detail = _STATUS_DETAILS.get(status, f"ошибка HTTP {status}")
    field = fields.get("field")
    return f"{detail} (поле {field})" if isinstance(field, str) and field else detail


def failure_from_status(what: str, status: int, body: bytes) -> ApiFailure:
    """The failure an HTTP error answer means. The detail is the service's `message` when it
    is Russian (the services and nginx answer so), else what the status means."""
    fields = _body_fields(body)
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
    return ApiFailure(kind, what, status, _detail(status, fields))


def failure_from_network(what: str, error: str) -> ApiFailure:
    """No HTTP answer: refused, timed out, host unknown. `error` is the name of Qt's
    `QNetworkReply.NetworkError` (e.g. `ConnectionRefusedError`)."""
    return ApiFailure(
        FailureKind.UNREACHABLE, what, None, _NETWORK_DETAILS.get(error, _NO_CONNECTION)
    )


def bad_response(what: str, problem: str) -> ApiFailure:
    """An answer whose body is not what the endpoint promises."""
    return ApiFailure(FailureKind.BAD_RESPONSE, what, None, problem)
