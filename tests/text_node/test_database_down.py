"""A node whose PostgreSQL stops answers 503 with a JSON message, and /health says why."""

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from launcher import free_port
from launcher.postgres_cluster import PostgresCluster
from text_node import create_app, projection
from text_node.errors import DatabaseUnavailableError

from ..conftest import new_cluster
from .conftest import agent, answered, init, node_settings, until

LOST = "0b7a3c52-5f0e-4d9b-9f6e-2f1c3d4e5a6b"


@pytest.fixture
def own_cluster(pg_root: Path) -> Iterator[PostgresCluster]:
    with new_cluster(pg_root, "node-down") as cluster:
        cluster.create_database("node")
        yield cluster


async def test_database_down_gives_503_and_health_says_so(own_cluster: PostgresCluster) -> None:
    port = free_port()
    reader = f"http://127.0.0.1:{port}/api/document/current"
    app = create_app(node_settings(own_cluster.dsn("node"), connect_timeout_s=1, reader_port=port))
    transport = httpx.ASGITransport(app=app)
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=transport, base_url="http://node.test") as client,
    ):
        await init(client)
        assert (await client.get("/health")).status_code == 200
        own_cluster.stop()
        health = await client.get("/health")
        assert health.status_code == 503
        assert health.json()["status"] == "unavailable"
        body = {"agent_id": "agent-1", "proposed_text": "!", "position": "end", "tokens_used": 1}
        refused = await client.post("/api/edits", json=body, headers=agent(1))
        assert refused.status_code == 503
        assert refused.json()["error"] == "database_unavailable"
        assert refused.headers["Retry-After"] == "1"
        # what was committed before is still what readers see
        assert (await client.get("/api/document/current")).json()["version"] == 1
        # but the reader process sends them elsewhere: this view stands still meanwhile
        async with httpx.AsyncClient(timeout=5) as http:
            answer = await until(lambda: answered(http, reader, 503))
            assert "своей базы данных" in answer.json()["message"]
            own_cluster.start()
            assert (await client.get("/health")).status_code == 200
            accepted = await client.post("/api/edits", json=body, headers=agent(1))
            assert accepted.status_code == 201
            assert (await until(lambda: answered(http, reader, 200))).json()["version"] == 2
        assert accepted.json()["version"] == 2


async def test_an_edit_whose_commit_and_reload_both_fail_is_not_kept_in_memory(
    own_cluster: PostgresCluster, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = create_app(node_settings(own_cluster.dsn("node"), connect_timeout_s=1))
    transport = httpx.ASGITransport(app=app)
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=transport, base_url="http://node.test") as client,
    ):
        await init(client)
        durable = app.state.service.durable
        project = projection.project

        def database_dies_mid_transaction(*args: object, **kwargs: object) -> None:
            own_cluster.stop()  # the commit fails, and so does the reload after it
            raise DatabaseUnavailableError("connection lost")

        monkeypatch.setattr(projection, "project", database_dies_mid_transaction)
        body = {
            "agent_id": "agent-1",
            "proposed_text": "!",
            "position": "end",
            "tokens_used": 1,
            "edit_id": LOST,
        }
        first = await client.post("/api/edits", json=body, headers=agent(1))
        assert first.status_code == 503
        monkeypatch.setattr(projection, "project", project)
        # The edit never reached the database: a retry must not be told it was accepted,
        # and a peer must not be sent it.
        retry = await client.post("/api/edits", json=body, headers=agent(1))
        assert retry.status_code == 503
        assert durable.replica.opset.held(LOST) is None
        assert (await client.get("/api/document/current")).json()["version"] == 1
        own_cluster.start()
        accepted = await client.post("/api/edits", json=body, headers=agent(1))
        assert accepted.status_code == 201
        assert accepted.json()["version"] == 2


async def test_openapi_documents_every_endpoint(client: httpx.AsyncClient) -> None:
    assert (await client.get("/docs")).status_code == 200
    paths = set((await client.get("/openapi.json")).json()["paths"])
    assert {
        "/api/document/current",
        "/api/document/init",
        "/api/document/versions",
        "/api/document/versions/{version}",
        "/api/edits",
        "/api/replication/sync",
        "/api/replication/catch-up",
        "/health",
    } <= paths
