"""The error bridge: a service's exception becomes one JSON body, with Retry-After where asked."""

import httpx
import pytest
from fastapi import FastAPI

from service_kit import ApiError, domain_error, install_error_handlers, on_error


class Unavailable(Exception):
    pass


class OverBudget(Exception):
    def __init__(self, used: int) -> None:
        super().__init__(f"бюджет исчерпан: {used}")
        self.used = used


class Stale(Exception):
    pass


class VeryStale(Stale):
    pass


def _app() -> FastAPI:
    app = FastAPI()
    install_error_handlers(app)
    domain_error(app, Unavailable, 503, "database_unavailable", retry_after_s=5)
    domain_error(app, Stale, 409, "stale_document", field="document_id")
    on_error(
        app,
        OverBudget,
        lambda exc: ApiError(429, "budget_exceeded", str(exc), extra={"used": exc.used}),
    )

    @app.get("/unavailable")
    async def unavailable() -> None:
        raise Unavailable("база недоступна")

    @app.get("/stale")
    async def stale() -> None:
        raise VeryStale("документ сменился")

    @app.get("/budget")
    async def budget() -> None:
        raise OverBudget(7)

    @app.get("/api-error")
    async def api_error() -> None:
        raise ApiError(503, "redis_unavailable", "нет Redis", retry_after_s=1, headers={"X": "y"})

    return app


async def _get(path: str) -> httpx.Response:
    transport = httpx.ASGITransport(app=_app())
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        return await client.get(path)


async def test_domain_error_with_retry_after() -> None:
    response = await _get("/unavailable")

    assert response.status_code == 503
    assert response.json() == {"error": "database_unavailable", "message": "база недоступна"}
    assert response.headers["Retry-After"] == "5"


async def test_domain_error_covers_subclasses_and_names_the_field() -> None:
    response = await _get("/stale")

    assert response.status_code == 409
    assert response.json() == {
        "error": "stale_document",
        "message": "документ сменился",
        "field": "document_id",
    }
    assert "Retry-After" not in response.headers


async def test_on_error_builds_the_body_from_the_exception() -> None:
    response = await _get("/budget")

    assert response.status_code == 429
    assert response.json() == {
        "error": "budget_exceeded",
        "message": "бюджет исчерпан: 7",
        "used": 7,
    }


async def test_retry_after_joins_other_headers() -> None:
    response = await _get("/api-error")

    assert response.status_code == 503
    assert (response.headers["Retry-After"], response.headers["X"]) == ("1", "y")


@pytest.mark.parametrize(
    ("retry_after_s", "headers", "expected"),
    [(None, None, None), (3, None, {"Retry-After": "3"}), (None, {"A": "b"}, {"A": "b"})],
)
def test_api_error_headers(
    retry_after_s: int | None, headers: dict[str, str] | None, expected: dict[str, str] | None
) -> None:
    error = ApiError(503, "x", "y", headers=headers, retry_after_s=retry_after_s)
    assert error.headers == expected
