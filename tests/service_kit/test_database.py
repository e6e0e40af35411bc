"""The shared asyncpg pool and driver-error translation: outages become the service's
"unavailable" error, bugs propagate; the pool connects lazily and survives the database."""

import asyncio
import itertools
from collections.abc import AsyncIterator

import asyncpg
import pytest

from launcher import free_port
from launcher.postgres_cluster import PostgresCluster
from service_kit import Database, asyncpg_url, database_errors, driver_dsn, is_unavailable

_names = itertools.count()


class Unavailable(Exception):
    pass


def database(
    url: str, *, connect_timeout_s: float = 5.0, statement_timeout_s: float = 15.0
) -> Database:
    return Database(
        url,
        application_name="chorus-test",
        what="the test database",
        unavailable=Unavailable,
        connect_timeout_s=connect_timeout_s,
        statement_timeout_s=statement_timeout_s,
    )


@pytest.fixture
async def url(pg_cluster: PostgresCluster) -> str:
    name = f"service_kit_database_{next(_names)}"
    pg_cluster.create_database(name)
    return pg_cluster.dsn(name)


@pytest.fixture
async def db(url: str) -> AsyncIterator[Database]:
    async with database(url) as opened:
        yield opened


@pytest.mark.parametrize(
    "error",
    [
        ConnectionRefusedError(111, "refused"),
        TimeoutError(),
        asyncpg.ConnectionDoesNotExistError("connection was closed in the middle of operation"),
        asyncpg.InterfaceError("connection is closed"),
        asyncpg.AdminShutdownError("terminating connection due to administrator command"),
        asyncpg.CannotConnectNowError("the database system is starting up"),
        asyncpg.TooManyConnectionsError("sorry, too many clients already"),
        asyncpg.QueryCanceledError("canceling statement due to statement timeout"),
    ],
)
async def test_outages_become_unavailable(error: Exception) -> None:
    assert is_unavailable(error)
    with pytest.raises(Unavailable, match=r"^the test database is unavailable: ") as raised:
        async with database_errors("the test database", Unavailable):
            raise error
    assert raised.value.__cause__ is error


@pytest.mark.parametrize(
    "error",
    [
        asyncpg.UniqueViolationError("duplicate key"),
        asyncpg.UndefinedColumnError("column does not exist"),
        asyncpg.CharacterNotInRepertoireError("invalid byte sequence"),
        ValueError("not a database problem"),
    ],
)
async def test_bugs_propagate(error: Exception) -> None:
    assert not is_unavailable(error)
    with pytest.raises(type(error)):
        async with database_errors("the test database", Unavailable):
            raise error


def test_urls() -> None:
    assert asyncpg_url(" postgres://u@h/db ", "X_URL") == "postgresql+asyncpg://u@h/db"
    assert asyncpg_url("postgresql://u@h/db", "X_URL") == "postgresql+asyncpg://u@h/db"
    with pytest.raises(ValueError, match="X_URL must be a postgresql://"):
        asyncpg_url("mysql://u@h/db", "X_URL")
    assert driver_dsn("postgresql+asyncpg://u@h/db") == "postgresql://u@h/db"
    assert driver_dsn("postgresql://u@h/db") == "postgresql://u@h/db"


async def test_a_pool_must_be_opened_first(url: str) -> None:
    with pytest.raises(RuntimeError, match=r"Database\.open\(\) first"):
        async with database(url).connection():
            pass  # pragma: no cover - never entered


async def test_opening_does_not_connect() -> None:
    """A service starts while its database is down; the first use says it is unavailable."""
    async with database(f"postgresql://postgres@127.0.0.1:{free_port()}/x") as unreachable:
        with pytest.raises(Unavailable) as raised:
            async with unreachable.connection():
                pass  # pragma: no cover - connecting fails
    assert isinstance(raised.value.__cause__, OSError)


async def insert_then_fail(db: Database) -> None:
    async with db.transaction() as conn:
        await conn.execute("INSERT INTO t VALUES ($1)", {"lost": True})
        raise KeyError("rolled back")


async def test_jsonb_is_python_values_and_transactions_commit_or_roll_back(db: Database) -> None:
    async with db.connection() as conn:
        await conn.execute("CREATE TABLE t (body jsonb)")
    async with db.transaction() as conn:
        await conn.execute("INSERT INTO t VALUES ($1)", {"текст": ["а", 1, None]})
    with pytest.raises(KeyError):
        await insert_then_fail(db)

    async with db.connection() as conn:
        assert await conn.fetchval("SELECT array_agg(body) FROM t") == [{"текст": ["а", 1, None]}]


async def test_a_statement_over_its_time_is_unavailable(url: str) -> None:
    async with database(url, statement_timeout_s=0.1) as slow:
        with pytest.raises(Unavailable):
            async with slow.connection() as conn:
                await conn.execute("SELECT pg_sleep(2)")
        async with slow.connection() as conn:
            assert await conn.fetchval("SELECT 1") == 1


async def test_closing_does_not_wait_for_a_connection_never_given_back(url: str) -> None:
    db = database(url, connect_timeout_s=0.3)
    await db.open()
    held = asyncio.Event()

    async def hold() -> None:
        async with db.connection():
            held.set()
            await asyncio.sleep(60)

    task = asyncio.create_task(hold())
    await held.wait()
    try:
        async with asyncio.timeout(5):
            await db.close()
        await db.close()  # closing twice is harmless
    finally:
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
