"""The analytics pool: which driver errors mean "database unavailable" (503) and which are bugs."""

import asyncpg
import pytest
from fastapi import FastAPI

from analytics import DatabaseUnavailableError
from analytics.db import Database, create_database
from launcher import free_port

from .conftest import make_settings


def _database(app: FastAPI) -> Database:
    database: Database = app.state.database
    return database


async def test_sql_errors_are_not_outages(app: FastAPI) -> None:
    with pytest.raises(asyncpg.UndefinedColumnError):
        async with _database(app).connection() as connection:
            await connection.execute("SELECT no_such_column FROM events")


async def test_other_exceptions_pass_through(app: FastAPI) -> None:
    with pytest.raises(KeyError):
        async with _database(app).connection():
            raise KeyError("not a database problem")


@pytest.mark.parametrize(
    "error",
    [
        ConnectionRefusedError(111, "refused"),
        TimeoutError(),
        asyncpg.ConnectionDoesNotExistError("connection was closed in the middle of operation"),
        asyncpg.InterfaceError("connection is closed"),
        asyncpg.AdminShutdownError("terminating connection due to administrator command"),
        asyncpg.TooManyConnectionsError("sorry, too many clients already"),
    ],
)
async def test_connection_failures_become_unavailable(app: FastAPI, error: Exception) -> None:
    with pytest.raises(DatabaseUnavailableError, match="the analytics database is unavailable"):
        async with _database(app).connection():
            raise error


async def test_unreachable_server_is_unavailable() -> None:
    settings = make_settings(f"postgresql://postgres@127.0.0.1:{free_port()}/nowhere")
    async with create_database(settings) as database:
        with pytest.raises(DatabaseUnavailableError) as raised:
            async with database.connection():
                pass  # pragma: no cover - connecting fails
    assert isinstance(raised.value.__cause__, OSError)


async def test_jsonb_comes_back_as_python_values(app: FastAPI) -> None:
    async with _database(app).connection() as connection:
        value = await connection.fetchval("SELECT $1::jsonb", {"ключ": [1, None]})
    assert value == {"ключ": [1, None]}
