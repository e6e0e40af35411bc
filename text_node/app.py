"""`create_app(settings)`: one Text Service node as a FastAPI application."""

import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from crdt_core import EditConflict, InvalidPosition
from service_kit import ApiError, install_error_handlers

from .api import router
from .db import Database, migrate
from .errors import DatabaseUnavailableError
from .node import BudgetExceeded, DocumentMismatch, NoDocument, TextNode
from .replication import HttpTransport, Replicator
from .settings import NodeSettings


def _json(error: ApiError) -> JSONResponse:
    return JSONResponse(error.body(), status_code=error.status, headers=error.headers)


def _install_domain_errors(app: FastAPI) -> None:
    @app.exception_handler(InvalidPosition)
    async def _invalid(request: Request, exc: InvalidPosition) -> JSONResponse:
        return _json(ApiError(422, "validation_error", str(exc), field=exc.field))

    @app.exception_handler(EditConflict)
    async def _conflict(request: Request, exc: EditConflict) -> JSONResponse:
        return _json(ApiError(409, "conflict", str(exc)))

    @app.exception_handler(NoDocument)
    async def _no_document(request: Request, exc: NoDocument) -> JSONResponse:
        return _json(ApiError(409, "no_document", str(exc)))

    @app.exception_handler(DocumentMismatch)
    async def _mismatch(request: Request, exc: DocumentMismatch) -> JSONResponse:
        return _json(ApiError(409, "stale_document", str(exc), field="document_id"))

    @app.exception_handler(BudgetExceeded)
    async def _budget(request: Request, exc: BudgetExceeded) -> JSONResponse:
        extra = {"limit": "token_budget", "used": exc.used, "limit_tokens": exc.limit}
        return _json(ApiError(429, "budget_exceeded", str(exc), extra=extra))

    @app.exception_handler(DatabaseUnavailableError)
    async def _database(request: Request, exc: DatabaseUnavailableError) -> JSONResponse:
        error = ApiError(503, "database_unavailable", str(exc), headers={"Retry-After": "1"})
        return _json(error)


def create_app(
    settings: NodeSettings,
    *,
    now_ms: Callable[[], int] = lambda: int(time.time() * 1000),
) -> FastAPI:
    """The node; its lifespan migrates, loads the op set, and runs replication."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        db = Database(settings)
        peers = HttpTransport(
            peers=settings.peer_urls,
            analytics_url=settings.analytics_url,
            token=settings.service_token.get_secret_value(),
            timeout_s=settings.peer_timeout_s,
        )
        try:
            await migrate(settings, wait_s=settings.startup_timeout_s)
            await db.open()
            node = TextNode(settings, db, now_ms=now_ms)
            await node.load()
            async with Replicator(node, peers) as replicator:
                app.state.node = node
                app.state.replicator = replicator
                yield
        finally:
            await peers.close()
            await db.close()

    app = FastAPI(
        title=f"Chorus Text Service — node {settings.name} ({settings.location})",
        version="0.1.0",
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.tokens = settings.tokens
    install_error_handlers(app)
    _install_domain_errors(app)
    app.include_router(router)
    return app
