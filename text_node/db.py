"""The node's database: an asyncpg pool for every statement; migrations as frozen SQL files.

The node speaks to PostgreSQL through asyncpg directly. An accepted edit runs about nine
statements on its own node and as many on the peer that acknowledges it before the agent is
answered, and each statement cost 300 µs through SQLAlchemy's async engine against 95 µs
through asyncpg on the 2-core machine the benchmarks run on (`bench/cluster_bench.py`). So every
service talks to PostgreSQL through asyncpg (`service_kit`), and the schema is written once, in
`migrations/NNNN_name.sql`, applied by `service_kit.migrate` at start-up.

Every use goes through `Database.connection()` or `Database.transaction()`: a refused or
dropped connection, a timeout or a server shutting down becomes DatabaseUnavailableError
(answered 503); any other database error is a bug and propagates unchanged.
"""

import asyncio
import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import TypeAlias

import asyncpg
from asyncpg.pool import PoolConnectionProxy

import service_kit

from .errors import DatabaseUnavailableError
from .settings import NodeSettings

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
_MIGRATION_LOCK = 0x74657874  # pg_advisory_xact_lock key
# Databases migrated by Alembic before issue 18: its revision 0001 created what 0001_*.sql does.
_ALEMBIC_REVISIONS = {"0001": 1}
_WHAT = "the node's database"

Connection: TypeAlias = "asyncpg.Connection[asyncpg.Record] | PoolConnectionProxy[asyncpg.Record]"


@asynccontextmanager
async def database_errors() -> AsyncIterator[None]:
    """Driver errors meaning "database unavailable" become DatabaseUnavailableError."""
    async with service_kit.database_errors(_WHAT, DatabaseUnavailableError):
        yield


async def _prepare(conn: "asyncpg.Connection[asyncpg.Record]") -> None:
    await conn.set_type_codec("jsonb", encoder=json.dumps, decoder=json.loads, schema="pg_catalog")


async def _keep(conn: "asyncpg.Connection[asyncpg.Record]") -> None:
    """Given back to the pool as it is: the node sets no session state (no advisory locks,
    LISTEN or SET), so asyncpg's default reset would be one more round trip per use for
    nothing. A transaction left open is still rolled back by the pool."""


class Database:
    """A pool of connections to the node's PostgreSQL, opened lazily (the database may be
    down when the node starts, or later: each use reconnects)."""

    def __init__(self, settings: NodeSettings) -> None:
        self.settings = settings
        self._pool: asyncpg.Pool[asyncpg.Record] | None = None

    async def open(self) -> None:
        self._pool = await asyncpg.create_pool(
            self.settings.database_url.replace("postgresql+asyncpg://", "postgresql://", 1),
            min_size=0,
            max_size=self.settings.pool_size,
            timeout=self.settings.connect_timeout_s,
            command_timeout=self.settings.statement_timeout_s,
            server_settings={"application_name": f"chorus-text-node-{self.settings.name}"},
            init=_prepare,
            reset=_keep,
        )

    async def close(self) -> None:
        """Close gracefully, or, when a connection is not given back within the connect
        timeout (a statement cut off by a cancelled task), drop every connection."""
        if self._pool is None:
            return
        try:
            async with asyncio.timeout(self.settings.connect_timeout_s):
                await self._pool.close()
        except TimeoutError:
            self._pool.terminate()

    @asynccontextmanager
    async def connection(self) -> AsyncIterator[Connection]:
        """A connection with no transaction: every statement commits on its own."""
        if self._pool is None:
            raise RuntimeError("Database.open() first")
        async with (
            database_errors(),
            self._pool.acquire(timeout=self.settings.connect_timeout_s) as conn,
        ):
            yield conn

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[Connection]:
        """A connection inside one transaction, committed when the block ends normally."""
        async with self.connection() as conn, conn.transaction():
            yield conn


async def migrate(settings: NodeSettings, *, wait_s: float = 0.0) -> None:
    """Apply the migrations not yet applied, waiting up to `wait_s` for the database."""
    await service_kit.migrate(
        settings.database_url,
        MIGRATIONS_DIR,
        lock_key=_MIGRATION_LOCK,
        what=_WHAT,
        unavailable=DatabaseUnavailableError,
        wait_s=wait_s,
        application_name=f"chorus-text-node-{settings.name}-migrate",
        connect_timeout_s=settings.connect_timeout_s,
        statement_timeout_s=settings.statement_timeout_s,
        alembic_revisions=_ALEMBIC_REVISIONS,
    )
