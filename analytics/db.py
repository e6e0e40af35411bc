"""Engine, sessions and migrations of the Analytics Service (plumbing from `service_kit`).

Every database call goes through `database_errors()`: a refused or dropped connection, a timeout
or a server shutting down becomes `DatabaseUnavailableError` (answered as 503); anything else (a
bug) propagates unchanged.
"""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from alembic.config import Config
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

import service_kit
from service_kit import is_unavailable

from .errors import DatabaseUnavailableError
from .settings import AnalyticsSettings

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
_MIGRATION_LOCK = 0x616E616C  # pg_advisory_xact_lock key: one migrating instance at a time
_WHAT = "the analytics database"

__all__ = [
    "MIGRATIONS_DIR",
    "alembic_config",
    "create_engine",
    "create_sessionmaker",
    "database_errors",
    "is_unavailable",
    "migrate",
]


def create_engine(settings: AnalyticsSettings) -> AsyncEngine:
    """An asyncpg engine with bounded connect and statement times and stale-connection checks."""
    return service_kit.create_engine(
        settings.database_url,
        application_name="chorus-analytics",
        pool_size=settings.pool_size,
        connect_timeout_s=settings.connect_timeout_s,
        statement_timeout_s=settings.statement_timeout_s,
    )


def create_sessionmaker(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    """Sessions that keep loaded values after commit."""
    return async_sessionmaker(engine, expire_on_commit=False)


@asynccontextmanager
async def database_errors() -> AsyncIterator[None]:
    """Translate driver errors that mean "database unavailable" into DatabaseUnavailableError."""
    async with service_kit.database_errors(_WHAT, DatabaseUnavailableError):
        yield


def alembic_config() -> Config:
    """Alembic configuration built in code: no alembic.ini, independent of the working dir."""
    return service_kit.alembic_config(MIGRATIONS_DIR)


async def migrate(engine: AsyncEngine, *, wait_s: float = 0.0) -> None:
    """Bring the schema to the newest revision, waiting up to `wait_s` for the database."""
    await service_kit.migrate(
        engine,
        migrations_dir=MIGRATIONS_DIR,
        lock_key=_MIGRATION_LOCK,
        what=_WHAT,
        unavailable=DatabaseUnavailableError,
        wait_s=wait_s,
    )
