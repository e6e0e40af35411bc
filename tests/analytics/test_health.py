"""Database outages: /health and every endpoint answer 503 JSON, and recover with the database.

These tests stop and freeze a cluster of their own, never the session's shared one.
"""

import asyncio
import os
import signal
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI

from analytics import DatabaseUnavailableError, create_app
from launcher.postgres_cluster import PostgresCluster

from ..conftest import new_cluster
from .conftest import AUTH, make_settings, running

ENDPOINTS = [
    ("GET", "/health", None),
    ("GET", "/api/analytics/metrics?period=24h", None),
    ("POST", "/api/analytics/events", {"event_type": "node_recovered"}),
    ("POST", "/api/analytics/events/batch", {"events": [{"event_type": "node_recovered"}]}),
]


@pytest.fixture(scope="module")
def own_cluster(pg_root: Path) -> Iterator[PostgresCluster]:
    with new_cluster(pg_root, "health") as cluster:
        cluster.create_database("analytics")
        yield cluster


@pytest.fixture
def cluster(own_cluster: PostgresCluster) -> Iterator[PostgresCluster]:
    """The module's cluster, running again after each test whatever the test did to it."""
    own_cluster.start()
    yield own_cluster
    pid = own_cluster.pid()
    if pid is not None:
        os.kill(pid, signal.SIGCONT)
    own_cluster.start()


def unavailable_app(cluster: PostgresCluster) -> FastAPI:
    return create_app(make_settings(cluster.dsn("analytics"), connect_timeout_s=1.0))


async def call(client: httpx.AsyncClient, method: str, path: str, body: object) -> httpx.Response:
    return await client.request(method, path, json=body, headers=AUTH)


async def test_health_is_200_while_the_database_answers(cluster: PostgresCluster) -> None:
    async with running(unavailable_app(cluster)) as client:
        response = await client.get("/health")
    assert (response.status_code, response.json()) == (200, {"status": "ok", "database": "ok"})


async def test_stopped_database_gives_503_everywhere_then_recovers(
    cluster: PostgresCluster,
) -> None:
    async with running(unavailable_app(cluster)) as client:
        cluster.stop()

        for method, path, body in ENDPOINTS:
            response = await call(client, method, path, body)
            assert response.status_code == 503, (path, response.text)
            assert response.json()["error"] == "database_unavailable"
            assert "unavailable" in response.json()["message"]
            assert response.headers["Retry-After"] == "5"

        cluster.start()
        for method, path, body in ENDPOINTS:
            assert (await call(client, method, path, body)).status_code == 200, path


async def test_frozen_postmaster_gives_503_within_the_connect_timeout(
    cluster: PostgresCluster,
) -> None:
    app = unavailable_app(cluster)
    async with running(app) as client:
        await app.state.database.close()  # no pooled connection: the next one must connect
        await app.state.database.open()
        pid = cluster.pid()
        assert pid is not None
        os.kill(pid, signal.SIGSTOP)
        try:
            started = time.monotonic()
            response = await client.get("/health")
            elapsed = time.monotonic() - started
        finally:
            os.kill(pid, signal.SIGCONT)

        assert response.status_code == 503
        assert response.json()["error"] == "database_unavailable"
        assert elapsed < 5
        assert (await client.get("/health")).status_code == 200


async def test_startup_waits_for_the_database_then_fails(cluster: PostgresCluster) -> None:
    cluster.stop()
    app = create_app(make_settings(cluster.dsn("analytics"), startup_timeout_s=0.6))

    started = time.monotonic()
    with pytest.raises(DatabaseUnavailableError, match="unavailable"):
        async with app.router.lifespan_context(app):
            pass  # pragma: no cover - start-up must fail

    assert 0.5 <= time.monotonic() - started < 5


def _start_later(cluster: PostgresCluster) -> None:
    time.sleep(0.5)
    cluster.start()


async def test_startup_succeeds_once_the_database_comes_up(cluster: PostgresCluster) -> None:
    cluster.stop()
    app = create_app(make_settings(cluster.dsn("analytics"), startup_timeout_s=60))
    loop = asyncio.get_running_loop()
    starting = loop.run_in_executor(None, _start_later, cluster)

    async with running(app) as client:
        assert (await client.get("/health")).status_code == 200
    await starting
