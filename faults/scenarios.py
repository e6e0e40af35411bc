"""The fault scenarios: each injects its faults under the workload, then heals.

A scenario starts a fresh document, runs the workload for a couple of seconds, injects its
fault(s), heals, and returns the monotonic time of the heal. `run_scenario` then stops the
workload, measures how long after the heal every node shows the same document, reads every
node directly and judges the invariants (`report.judge`).

Everything random (the workload's edits and edit ids, the random mix's faults) comes from
the seed, so a failing run is replayed by its printed seed (timings of course differ).
"""

from __future__ import annotations

import asyncio
import random
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import httpx

from .cluster import AGENTS, OPERATOR, FaultCluster
from .report import Summary, judge, read_node, wait_identical
from .wan import NODES
from .workload import Workload, WorkloadConfig

WARM_UP_S = 2.0


@dataclass
class Run:
    """What a scenario's fault function works with."""

    cluster: FaultCluster
    rng: random.Random
    started: float = field(default_factory=time.monotonic)
    timeline: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def mark(self, what: str) -> None:
        self.timeline.append(f"t+{time.monotonic() - self.started:.1f}s {what}")

    async def do(self, what: str, action: Callable[..., Any], *args: Any) -> Any:
        """Run a blocking cluster action in a thread (the workload keeps going); mark it."""
        self.mark(what)
        return await asyncio.to_thread(action, *args)


Fault = Callable[[Run], Awaitable[float]]
"""Injects faults, heals, returns `time.monotonic()` of the heal."""


# -- the single faults --------------------------------------------------------------------
async def steady(run: Run, seconds: float = 5.0) -> float:
    """No fault: the baseline (and the replication lag of the profile)."""
    await asyncio.sleep(seconds)
    run.mark("workload stops")
    return time.monotonic()


async def kill_node(run: Run, name: str = "b", down_s: float = 4.0) -> float:
    await run.do(f"kill -9 node {name}", run.cluster.kill_node, name)
    await asyncio.sleep(down_s)
    took = await run.do(f"restart node {name}", run.cluster.start_node, name)
    run.mark(f"node {name} healthy (caught up, {took:.1f} s after start)")
    return time.monotonic()


async def freeze_node(run: Run, name: str = "c", frozen_s: float = 5.0) -> float:
    await run.do(f"SIGSTOP node {name}", run.cluster.freeze_node, name)
    await asyncio.sleep(frozen_s)
    await run.do(f"SIGCONT node {name}", run.cluster.thaw_node, name)
    return time.monotonic()


async def crash_database(run: Run, name: str = "a", down_s: float = 3.0) -> float:
    await run.do(f"kill -9 PostgreSQL of {name}", run.cluster.crash_database, name)
    await asyncio.sleep(down_s)
    took = await run.do(f"restart PostgreSQL of {name}", run.cluster.restart_database, name)
    run.mark(f"PostgreSQL of {name} up (recovered in {took:.1f} s)")
    return time.monotonic()


async def freeze_database(run: Run, name: str = "b", frozen_s: float = 5.0) -> float:
    await run.do(f"SIGSTOP PostgreSQL of {name}", run.cluster.freeze_database, name)
    await asyncio.sleep(frozen_s)
    await run.do(f"SIGCONT PostgreSQL of {name}", run.cluster.thaw_database, name)
    return time.monotonic()


async def partition(run: Run, name: str = "c", cut_s: float = 10.0) -> float:
    await run.do(f"partition node {name} from its peers (blackhole)", run.cluster.partition, name)
    await asyncio.sleep(cut_s)
    await run.do("heal the partition", run.cluster.heal_network)
    return time.monotonic()


async def cut_balancer(run: Run, name: str = "a", cut_s: float = 5.0) -> float:
    await run.do(f"cut nginx from node {name} (blackhole)", run.cluster.cut_balancer, name)
    await asyncio.sleep(cut_s)
    await run.do("heal the balancer link", run.cluster.heal_network)
    return time.monotonic()


def clock_skew(seconds: int, name: str = "b", for_s: float = 8.0) -> Fault:
    """Node `name`'s wall clock steps `seconds` off while the workload writes, then steps
    back (live, like an NTP correction: +2 then back is a step backwards)."""

    async def fault(run: Run) -> float:
        shown = await run.do(
            f"step node {name}'s clock {seconds:+g} s", run.cluster.skew_clock, name, seconds
        )
        run.mark(f"node {name}'s clock reads {shown:+g} s off")
        await asyncio.sleep(for_s)
        shown = await run.do(f"step node {name}'s clock back", run.cluster.skew_clock, name, 0)
        run.mark(f"node {name}'s clock reads {shown:+g} s off")
        return time.monotonic()

    return fault


async def outage(run: Run, name: str = "c", down_s: float = 30.0) -> float:
    """A long outage: the node is down while the others take edits, then catches up."""
    await run.do(f"kill -9 node {name} for {down_s:g} s", run.cluster.kill_node, name)
    await asyncio.sleep(down_s)
    took = await run.do(f"restart node {name}", run.cluster.start_node, name)
    run.mark(f"node {name} healthy (caught up, {took:.1f} s after start)")
    async with httpx.AsyncClient(timeout=5) as client:
        node = (await client.get(f"{run.cluster.node_url(name)}/api/node")).json()
    caught = node["catch_up"]
    per_op = caught["bytes"] / caught["ops"] if caught["ops"] else 0
    run.notes.append(
        f"catch-up after {down_s:g} s down: healthy {took:.1f} s after start; "
        f"{caught['ops']} operations missed, {caught['bytes']} bytes of Yjs update "
        f"({per_op:.0f} bytes per operation) of {sum(node['watermark'].values())} held"
    )
    return time.monotonic()


# -- the random mix -----------------------------------------------------------------------
MIX_KINDS = ("kill", "freeze", "db-crash", "db-freeze", "partition", "cut-balancer")


async def random_mix(run: Run, total_s: float = 60.0) -> float:
    """Seeded faults one after another for `total_s`: kind, node, duration and gap drawn
    from the scenario's seed; everything healed at the end."""
    cluster, rng = run.cluster, run.rng
    end = time.monotonic() + total_s
    while time.monotonic() < end - 2.0:
        kind, name = rng.choice(MIX_KINDS), rng.choice(NODES)
        hold = min(rng.uniform(1.5, 5.0), max(0.5, end - time.monotonic() - 1.0))
        if kind == "kill":
            await run.do(f"kill -9 node {name}", cluster.kill_node, name)
            await asyncio.sleep(hold)
            await run.do(f"restart node {name}", cluster.start_node, name)
        elif kind == "freeze":
            await run.do(f"SIGSTOP node {name}", cluster.freeze_node, name)
            await asyncio.sleep(hold)
            await run.do(f"SIGCONT node {name}", cluster.thaw_node, name)
        elif kind == "db-crash":
            await run.do(f"kill -9 PostgreSQL of {name}", cluster.crash_database, name)
            await asyncio.sleep(hold)
            await run.do(f"restart PostgreSQL of {name}", cluster.restart_database, name)
        elif kind == "db-freeze":
            await run.do(f"SIGSTOP PostgreSQL of {name}", cluster.freeze_database, name)
            await asyncio.sleep(hold)
            await run.do(f"SIGCONT PostgreSQL of {name}", cluster.thaw_database, name)
        elif kind == "partition":
            await run.do(f"partition {name}", cluster.partition, name)
            await asyncio.sleep(hold)
            await run.do("heal", cluster.heal_network)
        else:
            await run.do(f"cut nginx from {name}", cluster.cut_balancer, name)
            await asyncio.sleep(hold)
            await run.do("heal", cluster.heal_network)
        await asyncio.sleep(rng.uniform(0.3, 1.5))
    run.mark("mix over, all healed")
    return time.monotonic()


SCENARIOS: dict[str, Fault] = {
    "steady": steady,
    "kill-node": kill_node,
    "freeze-node": freeze_node,
    "crash-database": crash_database,
    "freeze-database": freeze_database,
    "partition-10s": partition,
    "cut-balancer": cut_balancer,
    "clock-skew+2s": clock_skew(+2),
    "clock-skew-2s": clock_skew(-2),
    "outage-30s": outage,
    "random-mix-60s": random_mix,
}


# -- running one ---------------------------------------------------------------------------
async def start_document(client: httpx.AsyncClient, cluster: FaultCluster, topic: str) -> str:
    """A new document through the balancer, present on every node before the workload."""
    response = await client.post(
        f"{cluster.balancer_url}/api/document/init",
        json={"topic": topic, "initial_text": "Начало документа для проверки отказов."},
        headers=cluster.bearer(OPERATOR),
    )
    response.raise_for_status()
    document_id = str(response.json()["document_id"])
    urls = {name: cluster.node_url(name) for name in NODES}
    await wait_identical(client, urls, limit_s=15)
    return document_id


async def run_scenario(
    cluster: FaultCluster,
    name: str,
    *,
    seed: int,
    fault: Fault | None = None,
    config: WorkloadConfig | None = None,
) -> Summary:
    """Run scenario `name` (or `fault`) on `cluster` under a fresh workload; its summary."""
    fault = fault or SCENARIOS[name]
    profile = cluster.profile.name
    rng = random.Random(f"{seed}:{profile}:{name}")
    wall = time.monotonic()
    async with httpx.AsyncClient(timeout=10) as client:
        run = Run(cluster, rng)
        await start_document(client, cluster, f"Отказ: {name}")
        workload = Workload(
            cluster.balancer_url,
            {agent: cluster.tokens[agent] for agent in AGENTS},
            seed=f"{seed}:{profile}:{name}",
            config=config or WorkloadConfig(),
        )
        run.mark("workload starts")
        workload.start()
        try:
            await asyncio.sleep(WARM_UP_S)
            healed_at = await fault(run)
        finally:
            drained_s = await workload.stop()
        urls = {node: cluster.node_url(node) for node in NODES}
        converge_s = await wait_identical(client, urls) - healed_at
        for _ in range(3):
            reads = [
                await read_node(client, n, u, cluster.service_headers) for n, u in urls.items()
            ]
            if all((r.head, r.history) == (reads[0].head, reads[0].history) for r in reads):
                break
            # an edit still in flight at the heal landed after the nodes first agreed: they
            # converged only when they agree again
            converge_s = await wait_identical(client, urls) - healed_at
            run.notes.append("a late edit landed after the first agreement")
    run.notes.append(f"workload drained in {drained_s:.2f} s")
    return Summary(
        scenario=name,
        profile=profile,
        seed=seed,
        timeline=run.timeline,
        counts=workload.counts(),
        verdict=judge(reads, workload),
        sha256={read.name: read.head.sha256 for read in reads},
        converge_s=converge_s,
        lag_ms={read.name: read.lag_ms for read in reads},
        wall_s=time.monotonic() - wall,
        notes=run.notes,
    )
