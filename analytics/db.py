"""Engine, sessions, migrations, and the translation of driver errors into our own.

Every database call goes through `database_errors()`: a refused or dropped connection, a timeout
or a server shutting down becomes `DatabaseUnavailableError` (answered as 503); anything else (a
bug) propagates unchanged.
"""

import asyncio
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Connection, exc, text
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

from .errors import DatabaseUnavailableError
from .settings import AnalyticsSettings

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
_MIGRATION_LOCK = 0x616E616C  # pg_advisory_xact_lock key: one migrating instance at a time
# SQLSTATE classes that mean "the server cannot serve now": connection exception,
# insufficient resources, operator intervention (shutdown, starting up, statement timeout).
_UNAVAILABLE_SQLSTATE_CLASSES = ("08", "53", "57")


def create_engine(settings: AnalyticsSettings) -> AsyncEngine:
    """An asyncpg engine with bounded connect and statement times and stale-connection checks."""
    return create_async_engine(
        settings.database_url,
        pool_size=settings.pool_size,
        pool_timeout=settings.connect_timeout_s,
        pool_pre_ping=True,
        connect_args={
            "timeout": settings.connect_timeout_s,
            "command_timeout": settings.statement_timeout_s,
            "server_settings": {"application_name": "chorus-analytics"},
        },
    )


def create_sessionmaker(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    """Sessions that keep loaded values after commit."""
    return async_sessionmaker(engine, expire_on_commit=False)


def _sqlstate(error: exc.DBAPIError) -> str:
    original = error.orig
    code = getattr(original, "sqlstate", None) or getattr(original, "pgcode", None)
    return code if isinstance(code, str) else ""


def is_unavailable(error: BaseException) -> bool:
    """Whether `error` means the database is unreachable or not serving (rather than a bug)."""
    if isinstance(error, exc.DBAPIError):
        return (
            error.connection_invalidated
            or isinstance(error, exc.OperationalError | exc.InterfaceError)
            or _sqlstate(error)[:2] in _UNAVAILABLE_SQLSTATE_CLASSES
            or isinstance(error.orig, OSError | TimeoutError)
        )
    return isinstance(error, OSError | TimeoutError | exc.TimeoutError)


@asynccontextmanager
async def database_errors() -> AsyncIterator[None]:
    """Translate driver errors that mean "database unavailable" into DatabaseUnavailableError."""
    try:
        yield
    except (exc.DBAPIError, exc.TimeoutError, OSError, TimeoutError) as error:
        if not is_unavailable(error):
            raise
        reason = str(error).splitlines()[0] if str(error) else type(error).__name__
        raise DatabaseUnavailableError(
            f"the analytics database is unavailable: {reason}"
        ) from error


def alembic_config() -> Config:
    """Alembic configuration built in code: no alembic.ini, independent of the working dir."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    return config


def _upgrade(connection: Connection) -> None:
    connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _MIGRATION_LOCK})
    config = alembic_config()
    config.attributes["connection"] = connection
    command.upgrade(config, "head")


async def migrate(engine: AsyncEngine, *, wait_s: float = 0.0) -> None:
    """Bring the schema to the newest revision, waiting up to `wait_s` for the database."""
    deadline = time.monotonic() + wait_s
    while True:
        try:
            async with database_errors(), engine.begin() as connection:
                await connection.run_sync(_upgrade)
            return
        except DatabaseUnavailableError:
            if time.monotonic() >= deadline:
                raise
            await asyncio.sleep(0.5)
