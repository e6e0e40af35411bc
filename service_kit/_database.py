"""PostgreSQL plumbing shared by the services: one asyncpg pool each, driver-error translation.

Every service speaks to PostgreSQL through asyncpg directly, with no ORM and no SQL toolkit in
between. The Text Service measured it: a statement cost 95 µs through asyncpg against 300 µs
through SQLAlchemy's async engine (`text_node/db.py`), and an accepted edit runs about nine of
them on each of two nodes before the agent is answered. Two ways to reach the same database
(asyncpg in the node, SQLAlchemy sessions in analytics and the migrations) meant two sets of
error translation and two pool configurations, so SQLAlchemy and Alembic are gone: queries are
SQL text with `$n` parameters, migrations are frozen SQL files (`service_kit._migrate`).

Every database call of a service goes through `database_errors(...)` (or a `Database`
connection, which does it): a refused or dropped connection, a timeout or a server shutting
down becomes the service's "unavailable" exception (answered as 503); anything else (a bug)
propagates unchanged.
"""

import asyncio
import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import TypeAlias

import asyncpg
from asyncpg.pool import PoolConnectionProxy

# SQLSTATE classes that mean "the server cannot serve now": connection exception,
# insufficient resources, operator intervention (shutdown, starting up, statement timeout).
_UNAVAILABLE_SQLSTATE_CLASSES = ("08", "53", "57")
_ASYNC_SCHEME = "postgresql+asyncpg://"
_DRIVER_SCHEME = "postgresql://"

Connection: TypeAlias = "asyncpg.Connection[asyncpg.Record] | PoolConnectionProxy[asyncpg.Record]"
"""What `Database.connection()` yields: a pooled connection (or a plain one, in tests)."""


def asyncpg_url(url: str, variable: str) -> str:
    """Normalise a PostgreSQL URL to the `postgresql+asyncpg://` form the settings keep, or
    explain what `variable` needs."""
    url = url.strip()
    for scheme in (_DRIVER_SCHEME, "postgres://"):
        if url.startswith(scheme):
            return _ASYNC_SCHEME + url.removeprefix(scheme)
    if not url.startswith(_ASYNC_SCHEME):
        raise ValueError(f"{variable} must be a postgresql:// or {_ASYNC_SCHEME} URL")
    return url


def driver_dsn(url: str) -> str:
    """The DSN asyncpg accepts (`postgresql://`) for a settings URL in either form."""
    return (
        _DRIVER_SCHEME + url.removeprefix(_ASYNC_SCHEME) if url.startswith(_ASYNC_SCHEME) else url
    )


def is_unavailable(error: BaseException) -> bool:
    """Whether `error` means the database is unreachable or not serving (rather than a bug)."""
    if isinstance(error, asyncpg.PostgresError):
        return (error.sqlstate or "")[:2] in _UNAVAILABLE_SQLSTATE_CLASSES
    return isinstance(error, OSError | TimeoutError | asyncpg.InterfaceError)


@asynccontextmanager
async def database_errors(what: str, unavailable: type[Exception]) -> AsyncIterator[None]:
    """Translate "database unavailable" driver errors into `unavailable(f"{what} ...")`."""
    try:
        yield
    except (asyncpg.PostgresError, asyncpg.InterfaceError, OSError, TimeoutError) as error:
        if not is_unavailable(error):
            raise
        reason = str(error).splitlines()[0] if str(error) else type(error).__name__
        raise unavailable(f"{what} is unavailable: {reason}") from error


async def _prepare(conn: "asyncpg.Connection[asyncpg.Record]") -> None:
    """`jsonb` in and out as Python values (asyncpg's default is the JSON text)."""
    await conn.set_type_codec("jsonb", encoder=json.dumps, decoder=json.loads, schema="pg_catalog")


async def _keep(conn: "asyncpg.Connection[asyncpg.Record]") -> None:
    """Given back to the pool as it is: the services set no session state (no advisory locks
    held past a transaction, LISTEN or SET), so asyncpg's default reset would be one more round
    trip per use for nothing. A transaction left open is still rolled back by the pool."""


class Database:
    """A pool of asyncpg connections to one service's PostgreSQL.

    The pool opens no connection up front (the database may be down when the service starts,
    or go down later: each use connects again as needed), bounds how long a connection and a
    statement may take, and decodes `jsonb` to Python values. Use it with `open()`/`close()`
    (or `async with`), then `connection()` or `transaction()`.
    """

    def __init__(
        self,
        url: str,
        *,
        application_name: str,
        what: str,
        unavailable: type[Exception],
        pool_size: int = 5,
        connect_timeout_s: float = 5.0,
        statement_timeout_s: float = 15.0,
    ) -> None:
        self.url = url
        self.application_name = application_name
        self.what = what
        self.unavailable = unavailable
        self.pool_size = pool_size
        self.connect_timeout_s = connect_timeout_s
        self.statement_timeout_s = statement_timeout_s
        self._pool: asyncpg.Pool[asyncpg.Record] | None = None

    async def open(self) -> None:
        """Create the pool (it connects lazily, so this does not touch the database)."""
        self._pool = await asyncpg.create_pool(
            driver_dsn(self.url),
            min_size=0,
            max_size=self.pool_size,
            timeout=self.connect_timeout_s,
            command_timeout=self.statement_timeout_s,
            server_settings={"application_name": self.application_name},
            init=_prepare,
            reset=_keep,
        )

    async def close(self) -> None:
        """Close gracefully, or, when a connection is not given back within the connect
        timeout (a statement cut off by a cancelled task), drop every connection."""
        pool, self._pool = self._pool, None
        if pool is None:
            return
        try:
            async with asyncio.timeout(self.connect_timeout_s):
                await pool.close()
        except TimeoutError:
            pool.terminate()

    async def __aenter__(self) -> "Database":
        await self.open()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.close()

    @asynccontextmanager
    async def connection(self) -> AsyncIterator[Connection]:
        """A connection with no transaction (every statement commits on its own); driver errors
        meaning "unavailable" inside the block become `self.unavailable`."""
        if self._pool is None:
            raise RuntimeError("Database.open() first")
        async with (
            database_errors(self.what, self.unavailable),
            self._pool.acquire(timeout=self.connect_timeout_s) as conn,
        ):
            yield conn

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[Connection]:
        """A connection inside one transaction, committed when the block ends normally."""
        async with self.connection() as conn, conn.transaction():
            yield conn
