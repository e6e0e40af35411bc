"""Analytics events go through the outbox: kept while analytics is down, delivered after."""

import asyncio
import time
from pathlib import Path

import httpx

from launcher import ServiceProcess, free_port
from launcher.postgres_cluster import PostgresCluster

from .cluster import start_cluster, wait_converged
from .conftest import OPERATOR, SERVICE_TOKEN, agent


async def test_events_wait_for_analytics_and_match_accepted_edits(
    pg_cluster: PostgresCluster, pg_root: Path
) -> None:
    port = free_port()
    analytics_url = f"http://127.0.0.1:{port}"
    pg_cluster.create_database("events_analytics")
    analytics = ServiceProcess(
        "analytics",
        "analytics",
        env={
            "ANALYTICS_DATABASE_URL": pg_cluster.dsn("events_analytics"),
            "ANALYTICS_SERVICE_TOKEN": SERVICE_TOKEN,
            "ANALYTICS_PORT": str(port),
        },
        health_url=f"{analytics_url}/health",
        log_path=pg_root / "logs" / "events-analytics.log",
    )
    cluster = start_cluster(
        pg_cluster, pg_root / "logs", "events", TEXT_NODE_ANALYTICS_URL=analytics_url
    )
    try:
        async with httpx.AsyncClient(timeout=5) as client:
            urls = cluster.urls
            await client.post(
                f"{urls[0]}/api/document/init",
                json={"topic": "т", "initial_text": "Начало."},
                headers=OPERATOR,
            )
            accepted = 0
            for i in range(30):
                response = await client.post(
                    f"{urls[i % 3]}/api/edits",
                    json={
                        "agent_id": "agent-1",
                        "proposed_text": f" {i}",
                        "position": "end",
                        "tokens_used": 3,
                        "cycle_ms": 1500 + i,
                    },
                    headers=agent(1),
                )
                accepted += response.json()["status"] == "accepted"
            await wait_converged(client, urls, 3)
            queued = [(await client.get(f"{url}/api/node")).json()["outbox"] for url in urls]
            assert sum(q.get("analytics", 0) for q in queued) >= accepted  # nothing lost
            analytics.start()
            deadline = time.monotonic() + 10
            metrics: dict[str, object] = {}
            while time.monotonic() < deadline:
                metrics = (
                    await client.get(f"{analytics_url}/api/analytics/metrics?period=1h")
                ).json()
                if metrics["total_edits"] == accepted:
                    break
                await asyncio.sleep(0.2)
            assert metrics["total_edits"] == accepted == 30
            assert metrics["total_tokens"] == 90
            latency, cycle = metrics["edit_latency_ms"], metrics["cycle_ms"]
            assert isinstance(latency, dict)
            assert isinstance(cycle, dict)
            assert 0 < latency["p50"] <= latency["p95"] < 3000  # the nodes' own request time
            assert 1500 <= cycle["p50"] <= cycle["p95"] <= 1529  # what the agents said
            replication = metrics["replication"]
            assert isinstance(replication, dict)
            assert replication["count"] >= 60  # each edit acknowledged by both peers
    finally:
        cluster.stop()
        analytics.stop()
