"""A node whose PostgreSQL stops answers 503 with a JSON message, and /health says why."""

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from launcher.postgres_cluster import PostgresCluster
from text_node import create_app

from ..conftest import new_cluster
from .conftest import agent, init, node_settings


@pytest.fixture
def own_cluster(pg_root: Path) -> Iterator[PostgresCluster]:
    with new_cluster(pg_root, "node-down") as cluster:
        cluster.create_database("node")
        yield cluster


async def test_database_down_gives_503_and_health_says_so(own_cluster: PostgresCluster) -> None:
    app = create_app(node_settings(own_cluster.dsn("node"), connect_timeout_s=1))
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
        own_cluster.start()
        assert (await client.get("/health")).status_code == 200
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
