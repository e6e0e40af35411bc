"""What the window says for each kind of failure."""

import json

import pytest

from desktop.net.failures import (
    FailureKind,
    bad_response,
    failure_from_network,
    failure_from_status,
    in_russian,
)


def body(**fields: object) -> bytes:
    return json.dumps(fields).encode()


@pytest.mark.parametrize(
    ("status", "payload", "kind"),
    [
        (401, body(error="unauthorized", message="missing token"), FailureKind.UNAUTHORIZED),
        (403, body(error="forbidden", message="no"), FailureKind.FORBIDDEN),
        (404, body(error="not_found", message="no route"), FailureKind.NOT_FOUND),
        (409, body(error="already_running", message="stop first"), FailureKind.CONFLICT),
        (422, body(error="validation_error", message="topic: too short"), FailureKind.INVALID),
        (429, body(error="rate_limited", limit="rate", message="slow"), FailureKind.RATE_LIMITED),
        (
            429,
            body(error="budget_exceeded", limit="token_budget", message="spent"),
            FailureKind.BUDGET_EXHAUSTED,
        ),
        (500, b"Internal Server Error", FailureKind.SERVER),
        (502, body(error="bad_gateway", message="no upstream"), FailureKind.UNREACHABLE),
        (503, body(error="database_unavailable", message="db"), FailureKind.UNREACHABLE),
        (504, body(error="gateway_timeout", message="late"), FailureKind.UNREACHABLE),
    ],
)
def test_status_decides_the_kind(status: int, payload: bytes, kind: FailureKind) -> None:
    failure = failure_from_status("GET /api/x", status, payload)
    assert failure.kind is kind
    assert failure.status == status
    assert f"({status})" in failure.message
    assert "GET /api/x" in failure.message


def test_an_english_service_message_is_replaced_by_what_the_status_means() -> None:
    failure = failure_from_status("POST /api/document/init", 401, body(message="missing token"))
    assert failure.message.startswith("Нет доступа")
    assert failure.message.endswith(": нужен токен оператора")
    assert "missing token" not in failure.message
    assert not failure.transient


def test_a_russian_service_message_is_shown_as_is() -> None:
    message = "Инициализировать документ может только оператор"
    failure = failure_from_status("POST /api/document/init", 403, body(message=message))
    assert failure.detail == message
    assert failure.message == f"Запрещено (403) — POST /api/document/init: {message}"


def test_a_refused_field_is_named_and_an_html_page_is_never_shown() -> None:
    invalid = failure_from_status("POST /x", 422, body(message="too short", field="topic"))
    assert invalid.detail == "запрос не прошёл проверку (поле topic)"
    page = failure_from_status("GET /x", 502, b"<html><body>502 Bad Gateway</body></html>")
    assert page.detail == "балансировщик не получил ответа от сервиса"
    assert failure_from_status("GET /x", 418, b"").detail == "ошибка HTTP 418"


def test_budget_and_rate_limits_read_differently() -> None:
    budget = failure_from_status("POST /api/edits", 429, body(error="budget_exceeded"))
    rate = failure_from_status("POST /api/edits", 429, body(error="rate_limited"))
    assert budget.message.startswith("Бюджет токенов исчерпан")
    assert rate.message.startswith("Слишком много запросов")
    assert rate.transient
    assert not budget.transient


@pytest.mark.parametrize(
    ("error", "detail"),
    [
        ("ConnectionRefusedError", "соединение отклонено: сервис не запущен или порт закрыт"),
        ("OperationCanceledError", "сервис не ответил вовремя"),
        ("TimeoutError", "сервис не ответил вовремя"),
        ("HostNotFoundError", "адрес сервера не найден (проверьте его в настройках)"),
        ("SomethingQtAddsLater", "нет связи с сервером"),
    ],
)
def test_no_answer_at_all_is_unreachable_and_said_in_russian(error: str, detail: str) -> None:
    failure = failure_from_network("GET /api/chat/messages", error)
    assert failure.kind is FailureKind.UNREACHABLE
    assert failure.status is None
    assert failure.message == f"Сервис недоступен — GET /api/chat/messages: {detail}"
    assert failure.transient


@pytest.mark.parametrize(
    ("text", "russian"),
    [
        (
            "ClientConnectorError Cannot connect to host 127.0.0.1:8002 ssl:default "
            "[Connect call failed ('127.0.0.1', 8002)]",
            "Нет соединения с 127.0.0.1:8002",
        ),
        ("ConnectError: [Errno 111] Connection refused", "Нет соединения с сервисом"),
        ("ReadTimeout", "Сервис не ответил вовремя"),
        ("ServerDisconnectedError: Server disconnected", "Сервис оборвал соединение"),
        ("[Errno -2] Name or service not known", "Адрес сервиса не найден"),
        (
            "POST /api/edits: HTTP 429 token budget exhausted: 5 of 3 tokens used",
            "POST /api/edits: Бюджет токенов исчерпан",
        ),
        (
            "GET /api/document/current: HTTP 503 database down",
            "GET /api/document/current: Сервис временно недоступен",
        ),
        (
            "range 5706:5777 of version 110 was changed by edit 3f2a",
            "Фрагмент уже изменила другая правка: нужно перечитать документ",
        ),
        ("RuntimeError: boom", "Непредвиденная ошибка (подробности — в журнале сервиса)"),
        ("Узел b не отвечает", "Узел b не отвечает"),
        (
            "POST /api/edits: HTTP 409 Фрагмент изменён",
            "POST /api/edits: HTTP 409 Фрагмент изменён",
        ),
        ("  ", ""),
    ],
)
def test_free_error_texts_are_put_in_russian(text: str, russian: str) -> None:
    assert in_russian(text) == russian


def test_a_body_that_is_not_an_object_is_not_shown() -> None:
    assert failure_from_status("GET /x", 500, b"[1]").detail == "внутренняя ошибка сервиса"
    assert bad_response("GET /x", "version: ожидалось целое число").kind is FailureKind.BAD_RESPONSE
