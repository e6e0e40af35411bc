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
from launcher.text_cluster import databases_on, start_all, text_node_processes

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
    nodes = text_node_processes(
        databases_on(pg, prefix),
        ports,
        logs=logs,
        service_token=SERVICE_TOKEN,
        agent_tokens=AGENT_TOKENS,
        prefix=prefix,
        TEXT_NODE_CATCH_UP_TIMEOUT_S="3",
        **env,
    )
    start_all(nodes)
    return Cluster(nodes, [f"http://127.0.0.1:{port}" for port in ports])


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
