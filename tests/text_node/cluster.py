"""Three real Text Service processes on loopback, each with its own database."""

import asyncio
import hashlib
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from launcher import ServiceProcess, free_port
from launcher.postgres_cluster import PostgresCluster

from .conftest import AGENT_TOKENS, SERVICE, SERVICE_TOKEN


@dataclass
class Cluster:
    nodes: list[ServiceProcess]
    urls: list[str]

    def stop(self) -> None:
        for node in self.nodes:
            node.stop()


def start_cluster(pg: PostgresCluster, logs: Path, prefix: str, **env: str) -> Cluster:
    ports = [free_port() for _ in range(3)]
    urls = [f"http://127.0.0.1:{port}" for port in ports]
    nodes = []
    for index in range(3):
        database = f"{prefix}_{'abc'[index]}"
        pg.create_database(database)
        peers = ",".join(f"{i}={urls[i]}" for i in range(3) if i != index)
        nodes.append(
            ServiceProcess(
                f"node-{'abc'[index]}",
                "text_node",
                env={
                    "TEXT_NODE_NODE": str(index),
                    "TEXT_NODE_PORT": str(ports[index]),
                    "TEXT_NODE_DATABASE_URL": pg.dsn(database),
                    "TEXT_NODE_PEERS": peers,
                    "TEXT_NODE_SERVICE_TOKEN": SERVICE_TOKEN,
                    "TEXT_NODE_AGENT_TOKENS": AGENT_TOKENS,
                    "TEXT_NODE_CATCH_UP_TIMEOUT_S": "3",
                    **env,
                },
                health_url=f"{urls[index]}/health",
                log_path=logs / f"{prefix}-{'abc'[index]}.log",
            )
        )
    for node in nodes:
        node.start(healthy=False)
    for node in nodes:
        node.wait_healthy()
    return Cluster(nodes, urls)


async def state(client: httpx.AsyncClient, url: str) -> dict[str, Any]:
    current = (await client.get(f"{url}/api/document/current")).json()
    edits = (await client.get(f"{url}/api/edits", params={"limit": 1})).json()
    return {
        "version": current["version"],
        "version_key": current["version_key"],
        "sha": hashlib.sha256(current["text"].encode()).hexdigest(),
        "edits": edits["total"],
    }


async def wait_converged(client: httpx.AsyncClient, urls: list[str], limit_s: float) -> float:
    """Seconds until every node shows the same head, text and edit count (or fail)."""
    start = time.monotonic()
    while True:
        states = [await state(client, url) for url in urls]
        if all(s == states[0] for s in states):
            return time.monotonic() - start
        if time.monotonic() - start > limit_s:
            raise AssertionError(f"not converged after {limit_s} s: {states}")
        await asyncio.sleep(0.05)


async def history(client: httpx.AsyncClient, url: str) -> list[tuple[int, int, str]]:
    body = (
        await client.get(f"{url}/api/replication/catch-up?since_version=0", headers=SERVICE)
    ).json()
    return [(v["version"], v["version_key"], v["edit_id"]) for v in body["versions"]]
