"""The spec's final stress test on the offline simulator: `python -m bench.stress`.

A whole stack (no dashboard) on free ports in a temporary directory, the nodes' budget at
10 000 rubles (10 000 000 tokens); a document on «История искусственного интеллекта»; 50
agents started through the supervisor (`POST /api/agents/start`) until at least 500 edits are
accepted. Halfway there one node, chosen by the seed, is killed with SIGKILL and started again
after `--down-s` seconds. Then the agents stop and the run is checked:

- the three nodes' texts are byte-identical (sha256 of each);
- the accepted edits the nodes hold = analytics' `total_edits` (once every outbox has
  drained), and the agents' own count of accepted edits matches them (short by at most one
  per agent: stopping cancels an agent mid-request, after the node accepted its edit);
- no agent is stuck: none ended `failed`, and every one made progress (a cycle) after the
  node came back.

Prints progress lines, then the checks and the figures (wall time, accepted edits per second,
the agents' POST /api/edits and GET /api/document/current latency at the balancer, from
nginx's access log). Exits 1 when a check fails; timings are printed, never asserted. Last,
while the stack is still up, the run report (`run_report`: charts, evidence, these verdict
lines) is written to `--report` (stress-report.html) and its PDF.
"""

import argparse
import asyncio
import contextlib
import hashlib
import json
import random
import shutil
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx

from launcher.config import Ports, RateLimit
from launcher.demo import INITIAL_TEXT, TOPIC
from launcher.nginx import NginxPaths
from launcher.pace import Pace
from launcher.stack import Stack, StackConfig
from launcher.state import StateDir
from run_report import stack_report

from .text_node_bench import quantiles

NODES = ("a", "b", "c")
BUDGET = 10_000_000
"""10 000 rubles at 1 000 tokens a ruble (the spec's CI figure: 500 rubles ≈ 500 000 tokens)."""


class Run:
    """The stack's balancer as the operator sees it."""

    def __init__(self, stack: Stack, http: httpx.AsyncClient) -> None:
        self.stack = stack
        self.http = http
        self.operator = stack.secrets.bearer("operator")

    async def agents(self) -> list[dict[str, Any]]:
        response = await self.http.get("/api/agents")
        response.raise_for_status()
        agents: list[dict[str, Any]] = response.json()["agents"]
        return agents

    async def accepted(self) -> int:
        return sum(agent["accepted"] for agent in await self.agents())

    async def init(self) -> None:
        response = await self.http.post(
            "/api/document/init",
            json={"topic": TOPIC, "initial_text": INITIAL_TEXT},
            headers=self.operator,
        )
        response.raise_for_status()
        document_id = response.json()["document_id"]
        deadline = time.monotonic() + 15
        while {(await self.current(name))["document_id"] for name in NODES} != {document_id}:
            if time.monotonic() > deadline:
                raise RuntimeError("the new document did not reach every node in 15 s")
            await asyncio.sleep(0.05)

    async def current(self, node: str) -> dict[str, Any]:
        response = await self.http.get(f"/nodes/{node}/api/document/current")
        response.raise_for_status()
        body: dict[str, Any] = response.json()
        return body

    async def analytics_total(self) -> int:
        response = await self.http.get("/api/analytics/metrics", params={"period": "1h"})
        response.raise_for_status()
        return int(response.json()["total_edits"])

    async def outbox_depth(self) -> int:
        """Deliveries the three nodes still hold (to peers and to analytics)."""
        total = 0
        for name in NODES:
            response = await self.http.get(f"/nodes/{name}/api/node")
            response.raise_for_status()
            total += sum(response.json()["outbox"].values())
        return total


def say(line: str) -> None:
    print(line, flush=True)


async def wait_until(run: Run, accepted: int, started: float, limit_s: float) -> int:
    """Poll the agents until `accepted` edits, a progress line every 5 s; the count reached."""
    last_line = 0.0
    while True:
        now = await run.accepted()
        if time.monotonic() - last_line >= 5:
            last_line = time.monotonic()
            say(f"  {time.monotonic() - started:6.1f} s: {now} accepted")
        if now >= accepted:
            return now
        if time.monotonic() - started > limit_s:
            raise TimeoutError(f"{now} accepted edits after {limit_s:g} s, not {accepted}")
        await asyncio.sleep(0.5)


async def stress(
    stack: Stack,
    *,
    agents: int,
    target: int,
    seed: int,
    down_s: float,
    limit_s: float,
    report: Path | None = None,
) -> bool:
    """The run and its checks, then the run report at `report` (and its PDF) while the stack
    is still up; True when every check passed."""
    victim = random.Random(seed).choice(NODES)
    async with httpx.AsyncClient(base_url=stack.balancer_url, timeout=30) as http:
        run = Run(stack, http)
        await run.init()
        before = await run.analytics_total()
        say(f"document «{TOPIC}» initialised; starting {agents} agents, until {target} accepted")
        started = time.monotonic()
        response = await http.post(
            "/api/agents/start", json={"count": agents}, headers=run.operator
        )
        response.raise_for_status()
        stopped: list[dict[str, Any]] = []
        try:
            at_kill = await wait_until(run, target // 2, started, limit_s)
            node = stack.node(victim)
            node.kill()
            killed_at = time.monotonic() - started
            say(f"  {killed_at:6.1f} s: kill -9 node {victim} (seed {seed}) at {at_kill} accepted")
            await asyncio.sleep(down_s)
            node.launch()
            await asyncio.to_thread(node.wait_ready, 60)
            back_at = time.monotonic() - started
            say(f"  {back_at:6.1f} s: node {victim} healthy again")
            progress_from = {a["agent_id"]: a["cycles"] for a in await run.agents()}
            reached = await wait_until(run, target, started, limit_s)
            # every agent gets the chance of a cycle after the restart before it is called stuck
            deadline = time.monotonic() + 30
            while time.monotonic() < deadline:
                now = await run.agents()
                if all(a["cycles"] > progress_from[a["agent_id"]] for a in now):
                    break
                await asyncio.sleep(0.5)
        finally:
            response = await http.post("/api/agents/stop", headers=run.operator)
            response.raise_for_status()
            stopped = response.json()["agents"]
        wall_s = time.monotonic() - started
        say(f"  {wall_s:6.1f} s: agents stopped ({reached} accepted when the target was seen)")
        passed, lines = await check(
            run, stopped, progress_from, before, wall_s, victim, killed_at, back_at
        )
    if report is not None:
        parameters = [
            ("Профиль", "стресс-тест (bench.stress), локальный стенд на одной машине"),
            (
                "Стресс-тест",
                f"{agents} агентов до {target} принятых правок; узел {victim} убит (kill -9) "
                f"на {down_s:g} с посередине (seed {seed})",
            ),
        ]
        files = await asyncio.to_thread(
            stack_report, stack, out=report, parameters=parameters, verdicts=lines
        )
        say(f"report: {files.html}" + (f" and {files.pdf}" if files.pdf else ""))
    return passed


async def check(
    run: Run,
    agents: list[dict[str, Any]],
    progress_from: dict[str, int],
    before: int,
    wall_s: float,
    victim: str,
    killed_at: float,
    back_at: float,
) -> tuple[bool, list[str]]:
    """The checks; whether they passed, and the lines printed (the report's verdict lines)."""
    failures: list[str] = []
    lines: list[str] = []

    def out(line: str) -> None:
        lines.append(line)
        say(line)

    # the texts: byte-identical once replication has settled
    deadline = time.monotonic() + 30
    while True:
        views = {name: await run.current(name) for name in NODES}
        digests = {
            name: hashlib.sha256(view["text"].encode()).hexdigest() for name, view in views.items()
        }
        if len(set(digests.values())) == 1 or time.monotonic() > deadline:
            break
        await asyncio.sleep(0.2)
    for name, view in views.items():
        out(
            f"node {name}: version {view['version']}, {len(view['text'].encode())} bytes, "
            f"sha256 {digests[name]}"
        )
    if len(set(digests.values())) != 1:
        failures.append("the three nodes' texts differ")

    accepted = sum(a["accepted"] for a in agents)
    held = views["a"]["version"] - 1  # every accepted edit is a version; the init is version 1
    deadline = time.monotonic() + 30
    while True:
        depth = await run.outbox_depth()
        counted = await run.analytics_total() - before
        if (depth == 0 and counted == held) or time.monotonic() > deadline:
            break
        await asyncio.sleep(0.2)
    out(
        f"accepted edits: {held} on the nodes, {counted} in analytics (total_edits), "
        f"{accepted} by the agents' count; outboxes {depth}"
    )
    if counted != held:
        failures.append(f"analytics counts {counted} edits, the nodes hold {held}")
    # Stopping cancels agents mid-request: an edit the node accepted may never reach the
    # agent's count (at most one per agent). One the agents counted must be on the nodes.
    if not held - len(agents) <= accepted <= held:
        failures.append(f"the agents counted {accepted} accepted edits, the nodes hold {held}")

    states: dict[str, int] = {}
    for agent in agents:
        states[agent["state"]] = states.get(agent["state"], 0) + 1
    stuck = [a["agent_id"] for a in agents if a["cycles"] <= progress_from.get(a["agent_id"], 0)]
    failed = [f"{a['agent_id']}: {a['last_error']}" for a in agents if a["state"] == "failed"]
    out(
        f"agents: {len(agents)}, states {states}; no cycle after node {victim} came back: "
        f"{stuck or 'none'}"
    )
    if failed:
        failures.append(f"agents failed: {failed}")
    if stuck:
        failures.append(f"agents stuck: {stuck}")

    rejected = sum(a["rejected"] for a in agents)
    out(
        f"wall {wall_s:.1f} s (node {victim} down from {killed_at:.1f} s to {back_at:.1f} s); "
        f"{accepted} accepted, {rejected} rejected, {sum(a['stale'] for a in agents)} stale, "
        f"{sum(a['retries'] for a in agents)} retries; {accepted / wall_s:.2f} accepted edits/s; "
        f"{sum(a['tokens'] for a in agents)} tokens"
    )
    for method, uri, latencies in balancer_latencies(run.stack):
        p50, p95, p99 = quantiles(latencies)
        out(
            f"agents' {method} {uri} at the balancer: p50 {p50:.1f} ms  p95 {p95:.1f} ms  "
            f"p99 {p99:.1f} ms  (n={len(latencies)})"
        )
    for failure in failures:
        out(f"FAILED: {failure}")
    out("all checks passed" if not failures else f"{len(failures)} check(s) failed")
    return not failures, lines


def balancer_latencies(stack: Stack) -> list[tuple[str, str, list[float]]]:
    """The request times (ms) nginx logged for the agents' edits and document reads."""
    wanted: dict[tuple[str, str], list[float]] = {
        ("POST", "/api/edits"): [],
        ("GET", "/api/document/current"): [],
    }
    log = NginxPaths(stack.config.state.nginx).access_log
    for line in log.read_text().splitlines():
        record = json.loads(line)
        samples = wanted.get((record["method"], record["uri"]))
        if samples is not None and record["status"] != 499:  # 499: cancelled by the stop
            samples.append(float(record["rt"]) * 1000)
    return [(method, uri, samples) for (method, uri), samples in wanted.items()]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--agents", type=int, default=50, help="1–50 (default 50)")
    parser.add_argument("--edits", type=int, default=500, help="accepted edits to reach")
    parser.add_argument("--seed", type=int, default=0, help="chooses the node to kill")
    parser.add_argument("--down-s", type=float, default=5.0, help="how long the node stays down")
    parser.add_argument(
        "--rate",
        default="10r/m",
        help="nginx's per-token limit (default the spec's 10r/m; agents pace at 80 %% of it)",
    )
    parser.add_argument("--limit-s", type=float, default=900.0, help="give up after this long")
    parser.add_argument(
        "--speed", type=float, default=1.0, help="the agents' pace factor (default 1: the demo's)"
    )
    parser.add_argument(
        "--report",
        type=Path,
        default=Path("stress-report.html"),
        help="the run report written at the end, with its PDF beside it "
        "(default stress-report.html)",
    )
    args = parser.parse_args()
    rate = RateLimit.parse(args.rate)
    with temporary_stack("chorus-stress-", rate, BUDGET, Pace(args.speed)) as stack:
        passed = asyncio.run(
            stress(
                stack,
                agents=args.agents,
                target=args.edits,
                seed=args.seed,
                down_s=args.down_s,
                limit_s=args.limit_s,
                report=args.report.absolute(),
            )
        )
    return 0 if passed else 1


@contextlib.contextmanager
def temporary_stack(prefix: str, rate: RateLimit, budget: int, pace: Pace) -> Iterator[Stack]:
    """A whole stack without the dashboard, on free ports in a temporary directory, up for
    the `with` block, then down and removed."""
    root = Path(tempfile.mkdtemp(prefix=prefix))
    root.chmod(0o755)  # the PostgreSQL clusters run as the postgres user when we are root
    config = StackConfig(
        StateDir(root / "state"),
        Ports.free(),
        rate,
        budget_limit=budget,
        dashboard=False,
        pace=pace,
    )
    stack = Stack(config)
    try:
        say(
            f"starting the stack in {root} (rate {rate.rate}, speed {pace.speed:g}, "
            f"budget {budget} tokens) …"
        )
        stack.up(report=lambda line: None)
        yield stack
    finally:
        stack.down(report=lambda line: None)
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
