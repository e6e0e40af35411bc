"""FastAPI dependencies of the Analytics routes, as named `Annotated` aliases."""

from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime
from typing import Annotated, cast

from fastapi import Depends, Request
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from service_kit import require_service_token

from .settings import AnalyticsSettings

Clock = Callable[[], datetime]


def utc_now() -> datetime:
    """The current time, time-zone aware (UTC)."""
    return datetime.now(UTC)


async def get_settings(request: Request) -> AnalyticsSettings:
    """The settings the app was created with."""
    return cast(AnalyticsSettings, request.app.state.settings)


async def get_clock(request: Request) -> Clock:
    """The app's clock (a seam: tests pin "now")."""
    return cast(Clock, request.app.state.clock)


async def get_session(request: Request) -> AsyncIterator[AsyncSession]:
    """A session for one request, closed afterwards."""
    sessionmaker = cast(async_sessionmaker[AsyncSession], request.app.state.sessionmaker)
    async with sessionmaker() as session:
        yield session


SettingsDep = Annotated[AnalyticsSettings, Depends(get_settings)]
ClockDep = Annotated[Clock, Depends(get_clock)]
SessionDep = Annotated[AsyncSession, Depends(get_session)]


async def require_ingest_token(request: Request, settings: SettingsDep) -> None:
    """401 unless the request carries `Authorization: Bearer <ANALYTICS_SERVICE_TOKEN>`."""
    require_service_token(request, settings.service_token.get_secret_value())
