"""`create_app(settings)`: one Text Service node as a FastAPI application."""

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager

from fastapi import FastAPI
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from crdt_core import SESSION_HEADER, EditConflict, InvalidPosition
from service_kit import ApiError, domain_error, install_error_handlers, on_error

from .anti_entropy import AntiEntropy
from .api import router
from .db import migrate, node_database
from .durable import DurableReplica
from .errors import (
    BudgetExceeded,
    CatchingUp,
    DatabaseUnavailableError,
    DocumentMismatch,
    NoDocument,
    SessionUnavailable,
)
from .outbox import Outbox
from .reader_feed import ReaderFeed
from .relay import Relay
from .service import NodeService
from .settings import NodeSettings
from .transport import Transport, http_transport


def _install_domain_errors(app: FastAPI) -> None:
    """The node's own exceptions as JSON errors (the rest: `install_error_handlers`)."""
    on_error(
        app,
        InvalidPosition,
        lambda exc: ApiError(422, "validation_error", str(exc), field=exc.field),
    )
    domain_error(app, EditConflict, 409, "conflict")
    domain_error(app, NoDocument, 409, "no_document")
    domain_error(app, DocumentMismatch, 409, "stale_document", field="document_id")
    on_error(
        app,
        BudgetExceeded,
        lambda exc: ApiError(
            429,
            "budget_exceeded",
            str(exc),
            extra={"limit": "token_budget", "used": exc.used, "limit_tokens": exc.limit},
        ),
    )
    domain_error(app, DatabaseUnavailableError, 503, "database_unavailable", retry_after_s=1)
    domain_error(app, CatchingUp, 503, "catching_up", retry_after_s=1)
    domain_error(app, SessionUnavailable, 503, "session_unavailable", retry_after_s=1)


_SESSION_PATHS = ("/api/document", "/api/edits")
_HEADER = SESSION_HEADER.lower().encode("ascii")


class SessionHeader:
    """Every answer that reflects the document says what this node holds, as a session token
    (`X-Chorus-Session`): a client keeps the pointwise maximum of them and sends it back
    (session guarantees). Plain ASGI, so the other routes (replication) pay nothing."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not scope["path"].startswith(_SESSION_PATHS):
            await self.app(scope, receive, send)
            return

        async def with_token(message: Message) -> None:
            service = getattr(scope["app"].state, "service", None)
            if message["type"] == "http.response.start" and service is not None:
                token = str(service.session()).encode("ascii")
                message["headers"] = [*message.get("headers", []), (_HEADER, token)]
            await send(message)

        await self.app(scope, receive, with_token)


def create_app(
    settings: NodeSettings,
    *,
    now_ms: Callable[[], int] = lambda: int(time.time() * 1000),
    transport: Transport | None = None,
) -> FastAPI:
    """The node; its lifespan migrates, loads the op set, and runs replication.

    `transport` carries its requests to peers and analytics: HTTP between processes by
    default; the in-process cluster tests pass one over ASGI (and close it themselves)."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        db = node_database(settings)
        network = transport or http_transport(
            peers=settings.peer_urls,
            analytics_url=settings.analytics_url,
            token=settings.service_token.get_secret_value(),
            timeout_s=settings.peer_timeout_s,
        )
        tasks: list[asyncio.Task[None]] = []
        feed: ReaderFeed | None = None
        try:
            await migrate(settings, wait_s=settings.startup_timeout_s)
            await db.open()
            outbox = Outbox(settings, db)
            durable = DurableReplica(settings, db, outbox, now_ms=now_ms)
            await durable.load()
            relay = Relay(durable, outbox, network)
            anti_entropy = AntiEntropy(durable, network)
            app.state.service = NodeService(durable, relay, anti_entropy)
            if settings.reader_port:
                feed = app.state.feed = ReaderFeed(settings, durable, anti_entropy.ready)
                durable.on_publish = feed.published
                await feed.start()
                tasks.append(asyncio.create_task(feed.run(), name="reader-feed"))
            tasks.append(asyncio.create_task(anti_entropy.run(), name="anti-entropy"))
            tasks += [
                asyncio.create_task(relay.run(d), name=f"outbox-relay-{d}")
                for d in outbox.destinations
            ]
            yield
        finally:
            for task in tasks:
                task.cancel()
            for task in tasks:
                with contextlib.suppress(asyncio.CancelledError):
                    await task
            if feed is not None:
                await feed.close()
            if transport is None:
                await network.close()
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
    app.add_middleware(SessionHeader)
    app.include_router(router)
    return app
