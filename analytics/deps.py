"""FastAPI dependencies of the Analytics routes, as named `Annotated` aliases."""

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Annotated, cast

from fastapi import Depends, Request

from service_kit import require_service_token

from .db import Database
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


async def get_database(request: Request) -> Database:
    """The app's connection pool (each repository call takes a connection from it)."""
    return cast(Database, request.app.state.database)


SettingsDep = Annotated[AnalyticsSettings, Depends(get_settings)]
ClockDep = Annotated[Clock, Depends(get_clock)]
DatabaseDep = Annotated[Database, Depends(get_database)]


async def require_ingest_token(request: Request, settings: SettingsDep) -> None:
    """401 unless the request carries `Authorization: Bearer <ANALYTICS_SERVICE_TOKEN>`."""
    require_service_token(request, settings.service_token.get_secret_value())
