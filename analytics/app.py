"""`create_app(settings)`: the Analytics Service as a FastAPI application."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from service_kit import domain_error, install_error_handlers

from .api import router
from .db import create_database, migrate
from .deps import Clock, utc_now
from .errors import DatabaseUnavailableError
from .settings import AnalyticsSettings

RETRY_AFTER_S = 5


def create_app(settings: AnalyticsSettings, *, clock: Clock = utc_now) -> FastAPI:
    """The app; its lifespan migrates the schema, opens the pool, and closes it.

    Start-up waits up to `settings.startup_timeout_s` for the database, then fails.
    """

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        await migrate(settings, wait_s=settings.startup_timeout_s)
        async with create_database(settings) as database:
            app.state.database = database
            yield

    app = FastAPI(title="Chorus Analytics Service", version="0.1.0", lifespan=lifespan)
    app.state.settings = settings
    app.state.clock = clock
    install_error_handlers(app)
    domain_error(
        app, DatabaseUnavailableError, 503, "database_unavailable", retry_after_s=RETRY_AFTER_S
    )
    app.include_router(router)
    return app
