"""Closed-loop appends, the way the Etherpad comparison was measured (issue 20):
`python -m bench.append_bench [--seconds 20] [--clients 10,50] [--sizes 10,100,1000]
[--ops 10000,100000] [--etherpad-url URL --etherpad-key KEY]`.

Every Chorus load has a reader alongside, in a process of its own (`read_probe`), that sends
`GET /api/document/current` ten times a second (as agents read before they edit); its latency
is in the last columns.

1. Side by side: each client sends the next request (the same 100 Cyrillic characters
   appended) as soon as the last one is answered, on a fresh document, for `--seconds`:
   Chorus by `POST /api/edits` position `end` through nginx (three replicas, durable commits),
   and, when `--etherpad-url` and `--etherpad-key` (or ETHERPAD_URL, ETHERPAD_API_KEY) name an
   Etherpad the user runs on this machine, Etherpad by its HTTP API `appendText` on a new pad.
2. Growth: for each of `--sizes`, a new document grown to that many KB, then the largest load
   again from there; and then, on that document, the largest number of clients at the agents'
   pace (each reads the document and appends once every 6 s, the spec's rate limit).
3. Size of the op set: each of `--ops` operations reached (short appends), each node's
   resident memory, and how long node b takes from a restart to healthy (it rebuilds from its
   PostgreSQL log).

Prints accepted/s, latency p50/p95/p99, the CPU cores the system under test used (the
machine's busy time minus this process's own) and whether the three nodes ended
byte-identical. Figures only: nothing is asserted about time.
"""

import argparse
import asyncio
import os
import random
import resource
import sys
import tempfile
import time
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path

import aiohttp
import httpx
import orjson
import uvloop

from .cluster_bench import PACE_S, Target, init_document, lan_target, texts_agree
from .text_node_bench import quantiles

APPEND = "Агенты пишут документ вместе, и каждый добавляет свою мысль к общему тексту здесь. "[:100]
"""100 Cyrillic characters (200 bytes of UTF-8)."""
SHORT = "Ещё шаг. "
"""What grows the op set to `--ops` operations without a document of gigabytes."""

Send = Callable[[aiohttp.ClientSession, int], Awaitable[bool]]
"""One request of client `n`; whether it was accepted."""


@dataclass
class Result:
    what: str
    clients: int
    accepted: int
    seconds: float
    latencies_ms: list[float]
    cores: float
    size_kb: tuple[float, float] = (0.0, 0.0)
    """The document's size when the load started and when it ended."""
    reads_ms: list[float] | None = None
    """The reader's latencies, if one ran alongside."""

    def line(self) -> str:
        p50, p95, p99 = quantiles(self.latencies_ms)
        reads = f"{'-':>9} {'-':>7}"
        if self.reads_ms is not None:
            r50, r95, _ = quantiles(self.reads_ms)
            reads = f"{r50:>9.1f} {r95:>7.1f}"
        return (
            f"{self.what:<28} {self.clients:>7} {self.accepted / self.seconds:>10.1f}"
            f" {p50:>7.1f} {p95:>7.1f} {p99:>7.1f} {self.cores:>6.2f}"
            f" {self.size_kb[0]:>7.0f} → {self.size_kb[1]:<7.0f} {reads}"
        )


HEADER = (
    f"{'':<28} {'clients':>7} {'accepted/s':>10} {'p50':>7} {'p95':>7} {'p99':>7} {'cores':>6}"
    f" {'doc KB from → to':>17} {'GET p50':>9} {'p95':>7}"
)


def _busy_s() -> float:
    """Seconds of CPU the whole machine spent busy (all cores), from /proc/stat."""
    fields = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = fields[3] + fields[4]  # idle + iowait
    return (sum(fields[:8]) - idle) / 100  # USER_HZ


def _own_s() -> float:
    """This process's CPU seconds, and those of its children it has waited for (the reader)."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


async def closed_loop(
    send: Send, clients: int, seconds: float, *, read_url: str | None = None
) -> tuple[int, list[float], float, list[float]]:
    """(accepted, latencies in ms, CPU cores the system under test used, the reader's
    latencies) of `clients` sending as fast as they are answered, and with `read_url` a
    reader alongside in a process of its own (`read_probe`), ten reads a second.

    The clients use aiohttp on uvloop: with httpx the harness itself took 0.74 of the
    machine's two cores at 120 requests/s, and the stack was measured starved of CPU."""
    latencies: list[float] = []
    accepted = 0
    deadline = time.monotonic() + seconds

    async def client(http: aiohttp.ClientSession, n: int) -> None:
        nonlocal accepted
        while time.monotonic() < deadline:
            started = time.monotonic()
            ok = await send(http, n)
            latencies.append((time.monotonic() - started) * 1000)
            accepted += ok

    connector = aiohttp.TCPConnector(limit=clients)
    async with aiohttp.ClientSession(
        connector=connector, timeout=aiohttp.ClientTimeout(total=30)
    ) as http:
        busy, own, wall = _busy_s(), _own_s(), time.monotonic()
        probe = None
        if read_url is not None:
            probe = await asyncio.create_subprocess_exec(
                sys.executable,
                "-m",
                "bench.read_probe",
                read_url,
                str(seconds),
                stdout=asyncio.subprocess.PIPE,
            )
        await asyncio.gather(*(client(http, n) for n in range(1, clients + 1)))
        read = orjson.loads((await probe.communicate())[0]) if probe is not None else []
        stack_s = (_busy_s() - busy) - (_own_s() - own)
    return accepted, latencies, stack_s / (time.monotonic() - wall), read


# -- Chorus --------------------------------------------------------------------------------
def chorus_append(target: Target, text: str) -> Send:
    url = f"{target.balancer_url}/api/edits"

    async def send(http: aiohttp.ClientSession, n: int) -> bool:
        agent = f"agent-{n}"
        body = {"agent_id": agent, "proposed_text": text, "position": "end", "tokens_used": 0}
        headers = {"Authorization": f"Bearer {target.tokens[agent]}"}
        async with http.post(url, json=body, headers=headers) as response:
            await response.read()
            return response.status == 201

    return send


def current_url(target: Target) -> str:
    return f"{target.balancer_url}/api/document/current"


def chorus_read(target: Target) -> Send:
    url = current_url(target)

    async def send(http: aiohttp.ClientSession, _: int) -> bool:
        async with http.get(url) as response:
            await response.read()
            return response.status == 200

    return send


async def size_kb(http: httpx.AsyncClient, target: Target) -> float:
    text = (await http.get(f"{target.balancer_url}/api/document/current")).json()["text"]
    return len(text.encode()) / 1000


async def chorus_loads(
    http: httpx.AsyncClient, target: Target, loads: list[int], seconds: float
) -> None:
    for clients in loads:
        await init_document(http, target, "Начало.")  # each load on a fresh document
        accepted, latencies, cores, read = await closed_loop(
            chorus_append(target, APPEND), clients, seconds, read_url=current_url(target)
        )
        end = await size_kb(http, target)
        result = Result(
            "Chorus, fresh document", clients, accepted, seconds, latencies, cores, (0, end), read
        )
        print(result.line(), flush=True)


async def growth(
    http: httpx.AsyncClient, target: Target, clients: int, sizes: list[int], seconds: float
) -> None:
    print(f"\ngrowth: {clients} clients appending to a document grown to each size first")
    append = chorus_append(target, APPEND)
    for kb in sizes:
        await init_document(http, target, "Начало.")
        while await size_kb(http, target) < kb:
            await closed_loop(append, clients, 0.25)  # grow, not measured
        start = await size_kb(http, target)
        accepted, latencies, cores, read = await closed_loop(
            append, clients, seconds, read_url=current_url(target)
        )
        end = await size_kb(http, target)
        what = f"Chorus, from {start:.0f} KB"
        result = Result(what, clients, accepted, seconds, latencies, cores, (start, end), read)
        print(result.line(), flush=True)
    size = await size_kb(http, target)
    reads, writes = await paced(target, clients, 2 * PACE_S + seconds)
    (r50, r95, r99), (w50, w95, w99) = quantiles(reads), quantiles(writes)
    print(
        f"{clients} agents at the spec's pace (read, then append, every {PACE_S:g} s) on"
        f" {size:.0f} KB: GET current p50/p95/p99 {r50:.1f}/{r95:.1f}/{r99:.1f} ms,"
        f" POST p50/p95/p99 {w50:.1f}/{w95:.1f}/{w99:.1f} ms ({len(writes)} edits)",
        flush=True,
    )


async def paced(target: Target, clients: int, seconds: float) -> tuple[list[float], list[float]]:
    """(GET latencies, POST latencies) in ms of `clients` agents each reading the document and
    appending once every `PACE_S`, in random phase."""
    reads: list[float] = []
    writes: list[float] = []
    read, append = chorus_read(target), chorus_append(target, APPEND)
    deadline = time.monotonic() + seconds

    async def agent(http: aiohttp.ClientSession, n: int) -> None:
        await asyncio.sleep(random.uniform(0, PACE_S))
        while time.monotonic() < deadline:
            started = time.monotonic()
            await read(http, n)
            reads.append((time.monotonic() - started) * 1000)
            posted = time.monotonic()
            await append(http, n)
            writes.append((time.monotonic() - posted) * 1000)
            await asyncio.sleep(max(0.0, started + PACE_S - time.monotonic()))

    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=30)) as http:
        await asyncio.gather(*(agent(http, n) for n in range(1, clients + 1)))
    return reads, writes


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


async def op_counts(http: httpx.AsyncClient, target: Target, counts: list[int]) -> None:
    """Each node's memory and node b's restart time as the op set reaches `counts`."""
    stack = target.stack
    assert stack is not None, "the op-set sizes need the launcher stack (lan)"
    print("\nthe op set: operations held, resident memory per node, node b's restart to healthy")
    await init_document(http, target, "Начало.")
    append = chorus_append(target, SHORT)
    for count in counts:
        while True:
            held = (await http.get(f"{target.node_urls['b']}/api/document/current")).json()
            if held["version"] >= count:
                break
            await closed_loop(append, 50, 2)
            print(f"  … version {held['version']} of {count}", flush=True)
        pids = {name: stack.node(name).pid() for name in target.node_urls}
        memory = {name: rss_mb(pid) for name, pid in pids.items() if pid is not None}
        node = stack.node("b")
        node.stop()
        started = time.monotonic()
        node.launch()
        await asyncio.to_thread(node.wait_ready, 600)
        restart_s = time.monotonic() - started
        size = await size_kb(http, target)
        print(
            f"  {held['version']:>7} ops ({size:.0f} KB of text): RSS "
            + ", ".join(f"{name} {mb:.0f} MB" for name, mb in memory.items())
            + f"; node b restarted in {restart_s:.1f} s",
            flush=True,
        )


# -- Etherpad --------------------------------------------------------------------------------
async def etherpad_loads(url: str, key: str, loads: list[int], seconds: float) -> None:
    """The same closed loop against an Etherpad's HTTP API: `appendText` on a new pad."""
    api = f"{url.rstrip('/')}/api/1.2.13"
    async with httpx.AsyncClient(timeout=30) as http:
        for clients in loads:
            pad = f"chorus-bench-{uuid.uuid4().hex[:12]}"
            created = await http.post(
                f"{api}/createPad", data={"apikey": key, "padID": pad, "text": "Начало."}
            )
            if created.json().get("code") != 0:
                raise RuntimeError(f"Etherpad refused createPad: {created.text}")

            async def send(session: aiohttp.ClientSession, _: int, pad: str = pad) -> bool:
                form = {"apikey": key, "padID": pad, "text": APPEND}
                async with session.post(f"{api}/appendText", data=form) as response:
                    body = await response.json(content_type=None)
                    return response.status == 200 and body.get("code") == 0

            accepted, latencies, cores, _ = await closed_loop(send, clients, seconds)
            text = (await http.get(f"{api}/getText", params={"apikey": key, "padID": pad})).json()
            end = len(text["data"]["text"].encode()) / 1000
            print(
                Result(
                    "Etherpad, appendText", clients, accepted, seconds, latencies, cores, (0, end)
                ).line(),
                flush=True,
            )


async def run(args: argparse.Namespace, target: Target | None) -> None:
    loads = [int(n) for n in args.clients.split(",")]
    print(HEADER)
    if args.etherpad_url:
        await etherpad_loads(args.etherpad_url, args.etherpad_key, loads, args.seconds)
    if target is None:
        return
    limits = httpx.Limits(max_connections=20, max_keepalive_connections=20)
    async with httpx.AsyncClient(timeout=60, limits=limits) as http:
        await chorus_loads(http, target, loads, args.seconds)
        sizes = [int(n) for n in args.sizes.split(",") if n]
        if sizes:
            await growth(http, target, max(loads), sizes, args.seconds)
        counts = [int(n) for n in args.ops.split(",") if n]
        if counts:
            await op_counts(http, target, counts)
        print(f"three nodes byte-identical after the loads: {await texts_agree(http, target)}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=20.0, help="per load (default 20)")
    parser.add_argument("--clients", default="10,50", help="fresh-document loads (default 10,50)")
    parser.add_argument("--sizes", default="10,100,1000", help="document sizes in KB to grow to")
    parser.add_argument("--ops", default="", help="op-set sizes for memory and restart time")
    parser.add_argument("--etherpad-url", default=os.environ.get("ETHERPAD_URL", ""))
    parser.add_argument("--etherpad-key", default=os.environ.get("ETHERPAD_API_KEY", ""))
    parser.add_argument("--etherpad-only", action="store_true", help="measure Etherpad alone")
    args = parser.parse_args()
    if args.etherpad_url and not args.etherpad_key:
        parser.error("--etherpad-key (or ETHERPAD_API_KEY) is needed with --etherpad-url")
    if args.etherpad_only:
        uvloop.run(run(args, None))
        return 0
    root = Path(tempfile.mkdtemp(prefix="chorus-append-bench-"))
    root.chmod(0o755)  # the PostgreSQL servers run as the postgres user when we are root
    print(f"starting the lan cluster in {root} …", flush=True)
    with lan_target(root) as target:
        uvloop.run(run(args, target))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
