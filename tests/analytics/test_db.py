"""Which driver errors mean "database unavailable" (503) and which are bugs (propagate)."""

import pytest
from fastapi import FastAPI
from sqlalchemy import exc, text

from analytics import DatabaseUnavailableError
from analytics.db import database_errors, is_unavailable


async def test_sql_errors_are_not_outages(app: FastAPI) -> None:
    with pytest.raises(exc.ProgrammingError):
        async with database_errors(), app.state.engine.connect() as connection:
            await connection.execute(text("SELECT no_such_column FROM events"))


async def test_other_exceptions_pass_through() -> None:
    with pytest.raises(KeyError):
        async with database_errors():
            raise KeyError("not a database problem")


@pytest.mark.parametrize(
    "error",
    [
        ConnectionRefusedError(111, "refused"),
        TimeoutError(),
        exc.TimeoutError("pool exhausted"),
        exc.OperationalError("SELECT 1", {}, Exception("server closed the connection")),
        exc.InterfaceError("SELECT 1", {}, Exception("connection is closed")),
    ],
)
async def test_connection_failures_become_unavailable(error: Exception) -> None:
    assert is_unavailable(error)
    with pytest.raises(DatabaseUnavailableError) as raised:
        async with database_errors():
            raise error
    assert raised.value.__cause__ is error


def test_shutdown_sqlstate_is_an_outage() -> None:
    class AdminShutdown(Exception):
        sqlstate = "57P01"

    class UniqueViolation(Exception):
        sqlstate = "23505"

    assert is_unavailable(exc.DBAPIError("SELECT 1", {}, AdminShutdown()))
    assert not is_unavailable(exc.DBAPIError("SELECT 1", {}, UniqueViolation()))
    assert not is_unavailable(ValueError("nope"))
