"""Closed-loop appends, the way the Etherpad comparison was measured (issue 20):
`python -m bench.append_bench [--seconds 20] [--clients 10,50] [--sizes 100,1000]`.

Each client posts the next `POST /api/edits` (position `end`, the same 100 Cyrillic
characters) as soon as the last one is answered, through nginx, on a fresh document; then the
document is grown to each of `--sizes` KB by more appends and the largest load is measured
again from there (the last column: the size when the load ended).
Prints accepted/s, latency p50/p95/p99 and the CPU cores the stack used (the machine's busy
time minus this process's own), and whether the three nodes ended byte-identical. Figures
only: nothing is asserted about time.
"""

import argparse
import asyncio
import resource
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import aiohttp
import httpx
import uvloop

from .cluster_bench import Target, init_document, lan_target, texts_agree
from .text_node_bench import quantiles

APPEND = "Агенты пишут документ вместе, и каждый добавляет свою мысль к общему тексту здесь. "[:100]
"""100 Cyrillic characters (200 bytes of UTF-8)."""


@dataclass
class Result:
    what: str
    clients: int
    accepted: int
    seconds: float
    latencies_ms: list[float]
    cores: float
    size_kb: float

    def line(self) -> str:
        p50, p95, p99 = quantiles(self.latencies_ms)
        return (
            f"{self.what:<28} {self.clients:>7} {self.accepted / self.seconds:>10.1f}"
            f" {p50:>7.1f} {p95:>7.1f} {p99:>7.1f} {self.cores:>9.2f} {self.size_kb:>9.0f}"
        )


def _busy_s() -> float:
    """Seconds of CPU the whole machine spent busy (all cores), from /proc/stat."""
    fields = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = fields[3] + fields[4]  # idle + iowait
    return (sum(fields[:8]) - idle) / 100  # USER_HZ


def _own_s() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


async def closed_loop(
    target: Target, clients: int, seconds: float
) -> tuple[int, list[float], float]:
    """(accepted, latencies in ms, CPU cores the stack used) of `clients` appending.

    The clients use aiohttp on uvloop: with httpx the harness itself took 0.74 of the
    machine's two cores at 120 requests/s, and the stack was measured starved of CPU."""
    latencies: list[float] = []
    accepted = 0
    deadline = time.monotonic() + seconds
    url = f"{target.balancer_url}/api/edits"

    async def client(http: aiohttp.ClientSession, n: int) -> None:
        nonlocal accepted
        agent = f"agent-{n}"
        headers = {"Authorization": f"Bearer {target.tokens[agent]}"}
        body = {"agent_id": agent, "proposed_text": APPEND, "position": "end", "tokens_used": 0}
        while time.monotonic() < deadline:
            started = time.monotonic()
            async with http.post(url, json=body, headers=headers) as response:
                await response.read()
            latencies.append((time.monotonic() - started) * 1000)
            if response.status == 201:
                accepted += 1

    connector = aiohttp.TCPConnector(limit=clients)
    async with aiohttp.ClientSession(
        connector=connector, timeout=aiohttp.ClientTimeout(total=30)
    ) as http:
        busy, own, wall = _busy_s(), _own_s(), time.monotonic()
        await asyncio.gather(*(client(http, n) for n in range(1, clients + 1)))
        stack_s = (_busy_s() - busy) - (_own_s() - own)
    return accepted, latencies, stack_s / (time.monotonic() - wall)


async def size_kb(http: httpx.AsyncClient, target: Target) -> float:
    text = (await http.get(f"{target.balancer_url}/api/document/current")).json()["text"]
    return len(text.encode()) / 1000


async def run(target: Target, loads: list[int], sizes: list[int], seconds: float) -> None:
    limits = httpx.Limits(max_connections=200, max_keepalive_connections=200)
    async with httpx.AsyncClient(timeout=30, limits=limits) as http:
        print(
            f"{'':<28} {'clients':>7} {'accepted/s':>10} {'p50':>7} {'p95':>7} {'p99':>7}"
            f" {'cores':>9} {'doc KB':>9}"
        )
        for clients in loads:
            await init_document(http, target, "Начало.")  # each load on a fresh document
            accepted, latencies, cores = await closed_loop(target, clients, seconds)
            size = await size_kb(http, target)
            result = Result("fresh document", clients, accepted, seconds, latencies, cores, size)
            print(result.line(), flush=True)
        await init_document(http, target, "Начало.")
        for kb in sizes:
            while await size_kb(http, target) < kb:
                await closed_loop(target, max(loads), 2)  # grow, not measured
            size = await size_kb(http, target)
            accepted, latencies, cores = await closed_loop(target, max(loads), seconds)
            result = Result(
                f"from {size:.0f} KB",
                max(loads),
                accepted,
                seconds,
                latencies,
                cores,
                await size_kb(http, target),
            )
            print(result.line(), flush=True)
        print(f"three nodes byte-identical after the loads: {await texts_agree(http, target)}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=20.0, help="per load (default 20)")
    parser.add_argument("--clients", default="10,50", help="fresh-document loads (default 10,50)")
    parser.add_argument("--sizes", default="100,1000", help="document sizes in KB to grow to")
    args = parser.parse_args()
    loads = [int(n) for n in args.clients.split(",")]
    sizes = [int(n) for n in args.sizes.split(",") if n]
    root = Path(tempfile.mkdtemp(prefix="chorus-append-bench-"))
    root.chmod(0o755)  # the PostgreSQL servers run as the postgres user when we are root
    print(f"starting the lan cluster in {root} …", flush=True)
    with lan_target(root) as target:
        uvloop.run(run(target, loads, sizes, args.seconds))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
