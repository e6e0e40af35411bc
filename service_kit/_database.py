"""PostgreSQL plumbing shared by the services: engines, driver-error translation, migrations.

Every database call of a service goes through `database_errors(...)`: a refused or dropped
connection, a timeout or a server shutting down becomes the service's "unavailable" exception
(answered as 503); anything else (a bug) propagates unchanged.
"""

import asyncio
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import asyncpg
from alembic import command
from alembic.config import Config
from sqlalchemy import Connection, exc, text
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

# SQLSTATE classes that mean "the server cannot serve now": connection exception,
# insufficient resources, operator intervention (shutdown, starting up, statement timeout).
_UNAVAILABLE_SQLSTATE_CLASSES = ("08", "53", "57")
_ASYNC_SCHEME = "postgresql+asyncpg://"


def asyncpg_url(url: str, variable: str) -> str:
    """Normalise a PostgreSQL URL to the asyncpg driver, or explain what `variable` needs."""
    url = url.strip()
    for scheme in ("postgresql://", "postgres://"):
        if url.startswith(scheme):
            return _ASYNC_SCHEME + url.removeprefix(scheme)
    if not url.startswith(_ASYNC_SCHEME):
        raise ValueError(f"{variable} must be a postgresql:// or {_ASYNC_SCHEME} URL")
    return url


def create_engine(
    url: str,
    *,
    application_name: str,
    pool_size: int = 5,
    connect_timeout_s: float = 5.0,
    statement_timeout_s: float = 15.0,
) -> AsyncEngine:
    """An asyncpg engine with bounded connect and statement times and stale-connection checks."""
    return create_async_engine(
        url,
        pool_size=pool_size,
        pool_timeout=connect_timeout_s,
        # No pre-ping: asyncpg's costs three round trips per checkout. A connection the server
        # dropped fails on use instead, which invalidates the whole pool, and that call answers
        # "unavailable" (callers retry); the next checkout gets a fresh connection.
        pool_pre_ping=False,
        connect_args={
            "timeout": connect_timeout_s,
            "command_timeout": statement_timeout_s,
            "server_settings": {"application_name": application_name},
        },
    )


def _sqlstate(error: exc.DBAPIError) -> str:
    original = error.orig
    code = getattr(original, "sqlstate", None) or getattr(original, "pgcode", None)
    return code if isinstance(code, str) else ""


def is_unavailable(error: BaseException) -> bool:
    """Whether `error` means the database is unreachable or not serving (rather than a bug),
    through SQLAlchemy or straight from asyncpg."""
    if isinstance(error, exc.DBAPIError):
        return (
            error.connection_invalidated
            or isinstance(error, exc.OperationalError | exc.InterfaceError)
            or _sqlstate(error)[:2] in _UNAVAILABLE_SQLSTATE_CLASSES
            or isinstance(error.orig, OSError | TimeoutError)
        )
    if isinstance(error, asyncpg.PostgresError):
        return (error.sqlstate or "")[:2] in _UNAVAILABLE_SQLSTATE_CLASSES
    return isinstance(error, OSError | TimeoutError | exc.TimeoutError | asyncpg.InterfaceError)


@asynccontextmanager
async def database_errors(what: str, unavailable: type[Exception]) -> AsyncIterator[None]:
    """Translate "database unavailable" driver errors into `unavailable(f"{what} ...")`."""
    try:
        yield
    except (
        exc.DBAPIError,
        exc.TimeoutError,
        asyncpg.PostgresError,
        asyncpg.InterfaceError,
        OSError,
        TimeoutError,
    ) as error:
        if not is_unavailable(error):
            raise
        reason = str(error).splitlines()[0] if str(error) else type(error).__name__
        raise unavailable(f"{what} is unavailable: {reason}") from error


def alembic_config(migrations_dir: Path) -> Config:
    """Alembic configuration built in code: no alembic.ini, independent of the working dir."""
    config = Config()
    config.set_main_option("script_location", str(migrations_dir))
    return config


async def migrate(
    engine: AsyncEngine,
    *,
    migrations_dir: Path,
    lock_key: int,
    what: str,
    unavailable: type[Exception],
    wait_s: float = 0.0,
) -> None:
    """Bring the schema to the newest revision, waiting up to `wait_s` for the database.

    An advisory lock keeps two instances from migrating the same database at once.
    """

    def upgrade(connection: Connection) -> None:
        connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": lock_key})
        config = alembic_config(migrations_dir)
        config.attributes["connection"] = connection
        command.upgrade(config, "head")

    deadline = time.monotonic() + wait_s
    while True:
        try:
            async with database_errors(what, unavailable), engine.begin() as connection:
                await connection.run_sync(upgrade)
            return
        except unavailable:
            if time.monotonic() >= deadline:
                raise
            await asyncio.sleep(0.5)
