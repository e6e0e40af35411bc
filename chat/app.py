"""Assembly of the Chat Service: `create_app(settings)`."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from service_kit import ApiError, install_error_handlers, on_error

from .api import router
from .settings import ChatSettings
from .store import ChatStore, ChatStoreError, RedisUnavailable, connect


def _as_api_error(exc: ChatStoreError) -> ApiError:
    if isinstance(exc, RedisUnavailable):
        return ApiError(
            503,
            "redis_unavailable",
            f"хранилище чата недоступно, повторите позже ({exc})",
            retry_after_s=1,
        )
    return ApiError(500, "storage_error", f"хранилище чата отклонило запрос ({exc})")


def create_app(settings: ChatSettings) -> FastAPI:
    """A Chat Service app; its lifespan opens and closes the Redis connection pool."""
    tokens = settings.tokens()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        client = connect(settings.redis_url, timeout_s=settings.redis_timeout_s)
        try:
            app.state.store = ChatStore(client, stream=settings.stream, maxlen=settings.maxlen)
            yield
        finally:
            await client.aclose()

    app = FastAPI(title="Chorus Chat Service", lifespan=lifespan)
    app.state.tokens = tokens
    install_error_handlers(app)
    on_error(app, ChatStoreError, _as_api_error)
    app.include_router(router)
    return app
