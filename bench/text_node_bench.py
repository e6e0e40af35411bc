"""Three-node Text Service benchmark: `python -m bench.text_node_bench [--clients N] [--seconds S]`.

Starts a throwaway PostgreSQL and three nodes on loopback, then runs N concurrent clients, each
looping GET /api/document/current → POST /api/edits (small appends and replacements, exact
base version keys), straight to the nodes (no balancer: that comes with the launcher). Prints
latency percentiles and throughput, and the replication lag the nodes measured (acceptance →
peer acknowledgement). Prints numbers only; asserts nothing about time.
"""

import argparse
import asyncio
import random
import shutil
import statistics
import tempfile
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

import aiohttp
import httpx

from crdt_core import SESSION_HEADER, SessionToken
from launcher import free_port
from launcher.postgres_cluster import PostgresCluster
from launcher.text_cluster import databases_on, start_all, text_node_processes

TOKEN = "bench-service-token"
AGENTS = 50
AGENT_TOKENS = ",".join(
    [*(f"agent-{i}:bench-token-{i}" for i in range(1, AGENTS + 1)), "operator:bench-operator"]
)
KEEPALIVE_S = 15.0  # aiohttp's default
WORDS = ["мир", "текст", "агент", "правка", "узел", "версия", "документ", "история", "тема"]


def quantiles(samples: list[float]) -> tuple[float, float, float]:
    """p50, p95, p99 of `samples` (nearest rank; NaN when there are none)."""
    if not samples:
        return (float("nan"),) * 3
    ordered = sorted(samples)
    p50, p95, p99 = (
        ordered[min(len(ordered) - 1, int(q * len(ordered)))] for q in (0.5, 0.95, 0.99)
    )
    return p50, p95, p99


def percentiles(samples: list[float]) -> str:
    if not samples:
        return "no samples"
    pick = quantiles(samples)
    return "p50 {:7.1f} ms  p95 {:7.1f} ms  p99 {:7.1f} ms  (n={})".format(*pick, len(samples))


@dataclass
class Session:
    """A client's session (issue 19): the merge of every `X-Chorus-Session` it was answered,
    sent with each request, so its edit is built on, and judged by, a node that holds at
    least what it read."""

    token: SessionToken | None = None

    def headers(self) -> dict[str, str]:
        return {} if self.token is None else {SESSION_HEADER: str(self.token)}

    def keep(self, response: aiohttp.ClientResponse) -> None:
        text = response.headers.get(SESSION_HEADER)
        if text is not None:
            answer = SessionToken.parse(text)
            self.token = answer if self.token is None else self.token.merge(answer)


async def edit_cycle(
    http: aiohttp.ClientSession,
    url: str,
    agent: int,
    rng: random.Random,
    stats: dict[str, list[float]],
    headers: dict[str, str],
    session: Session | None = None,
) -> None:
    """Read the head, send one small edit on it (both within `session`, if given).
    Latencies (ms) go to stats["get"] and stats["post"], one entry per outcome to the rest."""
    started = time.perf_counter()
    sent = session.headers() if session else {}  # agents read unsigned
    async with http.get(f"{url}/api/document/current", headers=sent) as response:
        current = await response.json()
        if session:
            session.keep(response)
        if response.status != 200:  # a session no node could serve in time: no edit
            stats.setdefault(f"read http {response.status}", []).append(1)
            return
    stats["get"].append((time.perf_counter() - started) * 1000)
    text = current["text"]
    if rng.random() < 0.5 or len(text) < 10:
        position, proposed = "end", f" {rng.choice(WORDS)}."
    else:
        start = rng.randrange(len(text) - 4)
        position, proposed = f"{start}:{start + 4}", rng.choice(WORDS)
    started = time.perf_counter()
    body = {
        "agent_id": f"agent-{agent}",
        "proposed_text": proposed,
        "position": position,
        "tokens_used": 10,
        "base_version_key": current["version_key"],
        "edit_id": str(uuid.uuid4()),
    }
    sent = {**headers, **(session.headers() if session else {})}
    async with http.post(f"{url}/api/edits", headers=sent, json=body) as response:
        answer = await response.json()
        status = response.status
        if session:
            session.keep(response)
    stats["post"].append((time.perf_counter() - started) * 1000)
    stats.setdefault(answer.get("status", f"http {status}"), []).append(1)


async def client_loop(
    url: str,
    agent: int,
    until: float,
    stats: dict[str, list[float]],
    *,
    token: str | None = None,
    period_s: float = 0.0,
    session: bool = False,
) -> None:
    """One client editing until `until`. With `period_s` 0, a closed loop (the next cycle
    as soon as the last one ends: saturation); else one cycle every `period_s`, starting at
    a random phase (open loop: a late cycle does not push the next ones back). With
    `session`, the client keeps a session token and sends it (`Session`).

    The load generator runs on the cores it measures, so it is made to cost them little:
    aiohttp, at a third of httpx's CPU per request, and a session (a connection pool) per
    client, as separate agents have (one httpx pool shared by 50 clients spent O(clients)
    per request). Its connection stays open between cycles: closed after 5 s idle, as by
    default, every paced cycle would start with a new connection, and the benchmark would
    time the client's connection set-up."""
    rng = random.Random(agent)
    headers = {"Authorization": f"Bearer {token or f'bench-token-{agent}'}"}
    due = time.monotonic() + rng.uniform(0, period_s)
    connector = aiohttp.TCPConnector(keepalive_timeout=max(KEEPALIVE_S, 2 * period_s))
    timeout = aiohttp.ClientTimeout(total=30)
    kept = Session() if session else None
    async with aiohttp.ClientSession(connector=connector, timeout=timeout) as http:
        while True:
            if period_s:
                await asyncio.sleep(max(0.0, due - time.monotonic()))
                due += period_s
            if time.monotonic() >= until:
                return
            await edit_cycle(http, url, agent, rng, stats, headers, kept)


async def run(urls: list[str], clients: int, seconds: float) -> None:
    async with httpx.AsyncClient(timeout=30, limits=httpx.Limits(max_connections=200)) as http:
        await http.post(
            f"{urls[0]}/api/document/init",
            json={"topic": "Бенчмарк", "initial_text": "Начало. " * 50},
            headers={"Authorization": "Bearer bench-operator"},
        )
        await asyncio.sleep(0.5)
        stats: dict[str, list[float]] = {"get": [], "post": []}
        until = time.monotonic() + seconds
        started = time.monotonic()
        await asyncio.gather(
            *(client_loop(urls[i % 3], 1 + i % AGENTS, until, stats) for i in range(clients))
        )
        elapsed = time.monotonic() - started
        nodes = [(await http.get(f"{url}/api/node")).json() for url in urls]
    posts = len(stats["post"])
    print(f"\nthree nodes, {clients} concurrent clients, {elapsed:.1f} s (direct to nodes)")
    print(f"POST /api/edits          {percentiles(stats['post'])}  {posts / elapsed:7.1f} req/s")
    print(f"GET /api/document/current {percentiles(stats['get'])}")
    outcomes = {k: len(v) for k, v in stats.items() if k not in ("get", "post")}
    print(f"outcomes                 {outcomes}")
    for node in nodes:
        lag = node["replication_lag_ms"]
        print(
            f"replication lag from {node['node']}: p50 {lag['p50']} ms  p95 {lag['p95']} ms  "
            f"p99 {lag['p99']} ms  (n={lag['count']})  version {node['version']}"
        )
    versions = {node["version_key"] for node in nodes}
    print(f"nodes agree on the head: {len(versions) == 1}")
    print(f"mean POST {statistics.fmean(stats['post']):.1f} ms")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=20.0)
    args = parser.parse_args()
    root = Path(tempfile.mkdtemp(prefix="chorus-bench-"))
    root.chmod(0o755)
    try:
        with PostgresCluster(root / "pg", free_port()) as pg:
            ports = [free_port() for _ in range(3)]
            nodes = text_node_processes(
                databases_on(pg, "bench"),
                ports,
                logs=root / "logs",
                service_token=TOKEN,
                agent_tokens=AGENT_TOKENS,
                TEXT_NODE_CATCH_UP_TIMEOUT_S="2",
            )
            start_all(nodes)
            try:
                asyncio.run(
                    run([f"http://127.0.0.1:{p}" for p in ports], args.clients, args.seconds)
                )
            finally:
                for node in nodes:
                    node.stop()
    finally:
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
