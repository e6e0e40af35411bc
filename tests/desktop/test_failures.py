"""What the window says for each kind of failure."""

import json

import pytest

from desktop.net.failures import (
    FailureKind,
    bad_response,
    failure_from_network,
    failure_from_status,
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


def test_the_service_message_is_the_detail_and_the_headline_is_russian() -> None:
    failure = failure_from_status("POST /api/document/init", 401, body(message="missing token"))
    assert failure.message.startswith("Нет доступа")
    assert failure.message.endswith(": missing token")
    assert not failure.transient


def test_budget_and_rate_limits_read_differently() -> None:
    budget = failure_from_status("POST /api/edits", 429, body(error="budget_exceeded"))
    rate = failure_from_status("POST /api/edits", 429, body(error="rate_limited"))
    assert budget.message.startswith("Бюджет токенов исчерпан")
    assert rate.message.startswith("Слишком много запросов")
    assert rate.transient
    assert not budget.transient


def test_no_answer_at_all_is_unreachable() -> None:
    failure = failure_from_network("GET /api/chat/messages", "Connection refused")
    assert failure.kind is FailureKind.UNREACHABLE
    assert failure.status is None
    assert failure.message == "Сервис недоступен — GET /api/chat/messages: Connection refused"
    assert failure.transient


def test_a_body_that_is_not_an_object_falls_back_to_its_text() -> None:
    assert failure_from_status("GET /x", 500, b"[1]").detail == "[1]"
    assert bad_response("GET /x", "version: expected an integer").kind is FailureKind.BAD_RESPONSE
