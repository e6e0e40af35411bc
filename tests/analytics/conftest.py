"""A real PostgreSQL cluster for the session, a database per module, the app in-process.

Tests pin the app's clock (`clock.now`) so that window and bucket figures are exact.
"""

import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from pydantic import SecretStr

from analytics import AnalyticsSettings, create_app
from analytics.db import Database
from launcher.postgres_cluster import PostgresCluster

SERVICE_TOKEN = "analytics-test-service-token"
AUTH = {"Authorization": f"Bearer {SERVICE_TOKEN}"}
NOW = datetime(2026, 1, 10, 12, 0, 30, tzinfo=UTC)


class FixedClock:
    """A clock that says `now` until told otherwise."""

    def __init__(self, now: datetime = NOW) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture(scope="module")
def database_url(pg_cluster: PostgresCluster, request: pytest.FixtureRequest) -> str:
    """A fresh database for the test module.

    Not dropped afterwards: DROP DATABASE forces a checkpoint (seconds with fsync on), and the
    whole cluster is thrown away at the end of the session anyway.
    """
    name = "analytics_" + re.sub(r"\W", "_", request.module.__name__.rsplit(".", 1)[-1])
    pg_cluster.create_database(name)
    return pg_cluster.dsn(name)


def make_settings(database_url: str, **overrides: Any) -> AnalyticsSettings:
    """Settings for `database_url` with the test service token."""
    token = SecretStr(SERVICE_TOKEN)
    return AnalyticsSettings(database_url=database_url, service_token=token, **overrides)


@asynccontextmanager
async def running(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    """Run `app`'s lifespan and yield an in-process client for it."""
    transport = httpx.ASGITransport(app=app)
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=transport, base_url="http://analytics.test") as client,
    ):
        yield client


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock()


@pytest.fixture
async def app(database_url: str, clock: FixedClock) -> AsyncIterator[FastAPI]:
    """The app with its lifespan running, on an empty events table."""
    application = create_app(make_settings(database_url), clock=clock)
    async with application.router.lifespan_context(application):
        database: Database = application.state.database
        async with database.connection() as connection:
            await connection.execute("TRUNCATE events RESTART IDENTITY")
        yield application


@pytest.fixture
async def client(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://analytics.test") as http:
        yield http


async def fetch_all(app: FastAPI, sql: str, *params: Any) -> list[dict[str, Any]]:
    """Rows of `sql` (with `$n` parameters) run on the app's pool, as dicts."""
    database: Database = app.state.database
    async with database.connection() as connection:
        return [dict(row) for row in await connection.fetch(sql, *params)]
