"""The cluster next to its physical limit: `python -m bench.cluster_bench [--profile lan|wan]`.

1. pgbench runs a script equivalent to one accepted edit's transaction (lock the budget row
   FOR UPDATE; insert into doc_updates, edits, documents (the version row, no text) and three
   outbox rows; update token_budget; see `text_node/durable.py::DurableReplica.change`) against
   a copy of node a's schema in node a's own PostgreSQL: what this machine's disk and
   PostgreSQL allow.
2. 10 and then 50 agents, each with its own agent token, cycling GET /api/document/current →
   POST /api/edits (`bench.text_node_bench.client_loop`) through nginx (rate limit raised out
   of the way) onto three replicating nodes, in two ways:
   - at the agents' pace: each agent posts as often as the spec's rate limit lets it
     (10 requests a minute: one cycle every 6 s, open loop, random phase). This is the load
     50 agents put on the system, and the latency aims are read here;
   - saturated: each agent starts its next cycle as soon as the last one ends (closed loop).
     This is the capacity, compared with pgbench; latencies here are queueing.
3. After each load, every node's `replication_lag_ms` over that load (acceptance → peer
   acknowledgement).

`--profile lan` runs a launcher stack (everything but the dashboard) on free ports;
`--profile wan` runs `faults.FaultCluster` with the WAN delays on the replication links (nodes,
their databases and nginx; no analytics). Everything lives in a temporary directory and is
torn down at the end. Prints numbers and the ratios to the aims; asserts nothing about time.
"""

import argparse
import asyncio
import contextlib
import hashlib
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from faults import FaultCluster
from faults.wan import WAN, Profile
from faults.wan import profile as profile_named
from launcher.config import DEFAULT_RATE_LIMIT, Ports, RateLimit
from launcher.demo import INITIAL_TEXT, TOPIC
from launcher.postgres_cluster import SUPERUSER, PostgresCluster
from launcher.stack import DATABASE, Stack, StackConfig
from launcher.state import StateDir
from text_node import store

from .text_node_bench import client_loop, quantiles

NODES = ("a", "b", "c")
LOADS = (10, 50)
HIGH_RATE = "100000r/s"
PGBENCH_DATABASE = "chorus_pgbench"
AIMS = "POST p95 ≤ 20 ms and GET p95 ≤ 5 ms at 50 agents, lag p99 ≤ 100 ms, POST ≥ 25 % of pgbench"
SPEC_RATE = RateLimit.parse(DEFAULT_RATE_LIMIT)
PACE_S = SPEC_RATE.period_s / SPEC_RATE.count
"""An agent at the spec's rate limit posts one edit every 6 s (agents read unsigned)."""


@dataclass
class Target:
    """Where the benchmark talks to: the balancer, each node directly, one node's PostgreSQL."""

    balancer_url: str
    node_urls: dict[str, str]
    tokens: dict[str, str]
    """agent-1 … agent-50 and operator → bearer token."""
    postgres: PostgresCluster
    stack: Stack | None = None
    """The launcher stack, when the target is one (its nodes can be restarted)."""


@dataclass
class Load:
    """What one load measured."""

    agents: int
    paced: bool
    """At the agents' pace (one cycle per `PACE_S`), or saturated (closed loop)."""
    session: bool
    """Whether each agent kept a session token (X-Chorus-Session) and sent it."""
    elapsed_s: float
    stats: dict[str, list[float]]
    lag: dict[str, dict[str, Any]]

    @property
    def outcomes(self) -> dict[str, int]:
        return {k: len(v) for k, v in self.stats.items() if k not in ("get", "post")}

    @property
    def rejected_share(self) -> float:
        """Rejected edits over every edit posted."""
        return self.outcomes.get("rejected", 0) / max(1, len(self.stats["post"]))

    @property
    def how(self) -> str:
        pace = "paced" if self.paced else "saturated"
        return f"{self.agents} agents {pace}" + (", sessions" if self.session else "")

    @property
    def accepted_per_s(self) -> float:
        return self.outcomes.get("accepted", 0) / self.elapsed_s

    @property
    def lag_worst(self) -> tuple[float, float, float]:
        """The highest p50, p95, p99 over the three nodes (each node's own percentiles)."""
        known = [v for v in self.lag.values() if v.get("count")]
        if not known:
            return (float("nan"),) * 3
        p50, p95, p99 = (max(float(v[q]) for v in known) for q in ("p50", "p95", "p99"))
        return p50, p95, p99


# -- where it runs ------------------------------------------------------------------------
@contextlib.contextmanager
def lan_target(root: Path) -> Iterator[Target]:
    """A launcher stack without the dashboard, on free ports, the rate limit out of the way."""
    config = StackConfig(
        StateDir(root / "state"), Ports.free(), RateLimit.parse(HIGH_RATE), dashboard=False
    )
    stack = Stack(config)
    try:
        stack.up(report=lambda line: None)
        postgres = stack.get("postgres-a").cluster  # type: ignore[attr-defined]
        yield Target(
            stack.balancer_url,
            {name: f"http://127.0.0.1:{stack.node(name).port}" for name in NODES},
            stack.secrets.agent_tokens,
            postgres,
            stack,
        )
    finally:
        stack.down(report=lambda line: None)


@contextlib.contextmanager
def wan_target(root: Path, profile: Profile) -> Iterator[Target]:
    """The fault suite's cluster (nodes, their databases, nginx) with `profile`'s delays."""
    cluster = FaultCluster(root / "cluster", profile=profile)
    # the fault suite hands out eight agent tokens; the benchmark needs fifty, one per client
    cluster.tokens.update({f"agent-{n}": os.urandom(12).hex() for n in range(1, max(LOADS) + 1)})
    with cluster:
        yield Target(
            cluster.balancer_url,
            {name: cluster.node_url(name) for name in NODES},
            cluster.tokens,
            cluster.postgres["a"],
        )


# -- pgbench ------------------------------------------------------------------------------
@dataclass
class Pgbench:
    clients: int
    tps: float
    latencies_ms: list[float]


def pgbench_script() -> str:
    """One accepted edit's transaction as the node runs it (`DurableReplica.change`): the
    budget row locked, then `store.write_change`'s very statement, its named parameters
    written out as literals: the op's Yjs update, its edit row, the budget total, the new
    version's row (no text: the head is served from memory), three outbox rows."""

    def text(value: str) -> str:
        """A string literal; its colons escaped, which pgbench would take for variables."""
        escaped = value.replace("\\", "\\\\").replace("'", "''").replace(":", "\\x3a")
        return f"E'{escaped}'"

    event = (
        '{"event_type": "edit_applied", "event_id": "edit_applied:bench:x", '
        '"timestamp": "2024-01-01T00:00:00Z", "agent_id": "agent-1", "version": 2, '
        '"tokens": 100, "metadata": {"edit_id": "x", "node": "a", "latency_ms": 0, '
        '"budget_used": 100, "budget_limit": 15000000}}'
    )
    no_rows = "ARRAY[]"
    key = "(:key)::bigint"  # prepared: pgbench would bind it as int
    # about the size of one op's Yjs update, as the log holds it
    update = "convert_to(repeat('x', 400), 'UTF8')"
    arguments = {
        "update_body": f"ARRAY[{update}]",
        "edit_edit_id": "ARRAY[gen_random_uuid()]",
        "edit_document_id": "ARRAY['bench']",
        "edit_agent_id": "ARRAY['agent-1']",
        "edit_proposed_text": "ARRAY['правка агента']",
        "edit_position": "ARRAY['end']",
        "edit_tokens_used": "ARRAY[100]",
        "edit_status": "ARRAY['accepted']",
        "edit_created_at": "ARRAY[now()]",
        "edit_node": "ARRAY[0]",
        "edit_version_key": f"ARRAY[{key}]",
        "edit_base_version": "ARRAY[1]",
        "edit_reason": "ARRAY['']",
        "status_edit_id": no_rows,
        "status_status": no_rows,
        "document_id": "'bench'",
        "total_tokens": "100",
        "rebuild": "false",
        "version_version_key": f"ARRAY[{key}]",
        "version_version": "ARRAY[3]",
        "version_edit_id": "ARRAY[gen_random_uuid()]",
        "version_timestamp": "ARRAY[now()]",
        **dict.fromkeys(
            ["text_version_key", "text_version", "text_edit_id", "text_timestamp", "text_text"],
            no_rows,
        ),
        "outbox_destination": "ARRAY['peer-1', 'peer-2', 'analytics']",
        "outbox_version_key": f"ARRAY[{key}, {key}, NULL]",
        "outbox_payload": f"ARRAY[NULL, NULL, {text(event)}]",
    }
    statement = store.PARAMETER.sub(lambda m: f"({arguments[m[1]]})", store.WRITE_CHANGE.strip())
    return f"""\\set key random(1000, 9000000000000000)
BEGIN;
SELECT limit_tokens FROM token_budget WHERE id = 1 FOR UPDATE;
{statement};
END;
"""


def run_pgbench(postgres: PostgresCluster, work: Path, *, clients: int, seconds: float) -> Pgbench:
    """pgbench on a schema-only copy of the node's database, in the node's own server."""
    postgres.drop_database(PGBENCH_DATABASE)
    postgres.create_database(PGBENCH_DATABASE)
    connection = ["-h", "127.0.0.1", "-p", str(postgres.port), "-U", SUPERUSER]
    schema = subprocess.run(
        [str(postgres.bin_dir / "pg_dump"), "--schema-only", *connection, DATABASE],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    postgres.run_sql(schema, database=PGBENCH_DATABASE)
    postgres.run_sql(
        "INSERT INTO token_budget (id, total_tokens, limit_tokens) VALUES (1, 0, 15000000)",
        database=PGBENCH_DATABASE,
    )
    script = work / "edit.sql"
    script.write_text(pgbench_script())
    logs = work / "pgbench-log"
    result = subprocess.run(
        [
            str(postgres.bin_dir / "pgbench"),
            *connection,
            "--no-vacuum",
            "--protocol=prepared",  # as the node runs it (asyncpg prepares every statement)
            f"--file={script}",
            f"--client={clients}",
            f"--jobs={min(clients, os.cpu_count() or 1)}",
            f"--time={max(1, round(seconds))}",
            "--log",
            f"--log-prefix={logs}",
            PGBENCH_DATABASE,
        ],
        capture_output=True,
        text=True,
        cwd=work,
        check=False,
    )
    if result.returncode != 0:
        raise RuntimeError(f"pgbench failed:\n{result.stdout}\n{result.stderr}")
    found = re.search(r"tps = ([\d.]+) \(without initial connection time\)", result.stdout)
    if found is None:
        raise RuntimeError(f"no tps in pgbench's output:\n{result.stdout}")
    latencies = [
        int(line.split()[2]) / 1000
        for log in work.glob("pgbench-log*")
        for line in log.read_text().splitlines()
        if line.strip()
    ]
    postgres.drop_database(PGBENCH_DATABASE)
    return Pgbench(clients, float(found[1]), latencies)


# -- HTTP load ----------------------------------------------------------------------------
async def init_document(http: httpx.AsyncClient, target: Target, text: str) -> None:
    """A fresh document, then wait until every node shows it (edits name no document)."""
    response = await http.post(
        f"{target.balancer_url}/api/document/init",
        json={"topic": TOPIC, "initial_text": text},
        headers={"Authorization": f"Bearer {target.tokens['operator']}"},
    )
    response.raise_for_status()
    document_id = response.json()["document_id"]
    deadline = time.monotonic() + 15
    for url in target.node_urls.values():
        while (await http.get(f"{url}/api/document/current")).json()["document_id"] != document_id:
            if time.monotonic() > deadline:
                raise RuntimeError("the new document did not reach every node in 15 s")
            await asyncio.sleep(0.05)


async def node_lags(
    http: httpx.AsyncClient, target: Target, window_s: float
) -> dict[str, dict[str, Any]]:
    """Each node's replication lag percentiles over the last `window_s`, once its outbox to
    the peers has drained."""
    deadline = time.monotonic() + 30
    started = time.monotonic()
    while True:
        params = {"lag_window_s": window_s + time.monotonic() - started}
        views = {
            name: (await http.get(f"{url}/api/node", params=params)).json()
            for name, url in target.node_urls.items()
        }
        pending = sum(
            depth
            for view in views.values()
            for destination, depth in view["outbox"].items()
            if destination.startswith("peer")
        )
        if pending == 0 or time.monotonic() > deadline:
            return {name: view["replication_lag_ms"] for name, view in views.items()}
        await asyncio.sleep(0.1)


async def run_load(
    http: httpx.AsyncClient,
    target: Target,
    agents: int,
    seconds: float,
    *,
    paced: bool,
    session: bool = False,
) -> Load:
    stats: dict[str, list[float]] = {"get": [], "post": []}
    started = time.monotonic()
    until = started + seconds
    await asyncio.gather(
        *(
            client_loop(
                target.balancer_url,
                n,
                until,
                stats,
                token=target.tokens[f"agent-{n}"],
                period_s=PACE_S if paced else 0.0,
                session=session,
            )
            for n in range(1, agents + 1)
        )
    )
    elapsed = time.monotonic() - started
    return Load(agents, paced, session, elapsed, stats, await node_lags(http, target, elapsed))


async def run_loads(
    target: Target,
    seconds: float,
    paced_seconds: float,
    loads: tuple[int, ...],
    sessions: tuple[bool, ...] = (False,),
) -> tuple[list[Load], bool]:
    limits = httpx.Limits(max_connections=max(loads) + 10)
    async with httpx.AsyncClient(timeout=30, limits=limits) as http:
        results = []
        for paced, duration in ((True, paced_seconds), (False, seconds)):
            for agents in loads:
                for session in sessions:
                    print(
                        f"  {agents} agents, {'paced' if paced else 'saturated'}, "
                        f"{'with' if session else 'without'} sessions, {duration:g} s …",
                        flush=True,
                    )
                    await init_document(http, target, INITIAL_TEXT)  # the same start every time
                    await run_load(http, target, agents, min(2.0, duration), paced=False)
                    results.append(
                        await run_load(http, target, agents, duration, paced=paced, session=session)
                    )
        return results, await texts_agree(http, target)


async def texts_agree(http: httpx.AsyncClient, target: Target) -> bool:
    """Whether the three nodes show byte-identical text (waiting up to 30 s for replication)."""
    deadline = time.monotonic() + 30
    while True:
        digests = {
            name: hashlib.sha256(
                (await http.get(f"{url}/api/document/current")).json()["text"].encode()
            ).hexdigest()
            for name, url in target.node_urls.items()
        }
        if len(set(digests.values())) == 1 or time.monotonic() > deadline:
            print(f"texts: {', '.join(f'{n} {d[:16]}' for n, d in digests.items())}")
            return len(set(digests.values())) == 1
        await asyncio.sleep(0.2)


# -- the report ---------------------------------------------------------------------------
def ms(values: tuple[float, float, float]) -> str:
    return "  ".join(f"{v:7.1f}" for v in values)


def report(profile: Profile, pgbench: Pgbench, loads: list[Load]) -> None:
    load1, load5, load15 = os.getloadavg()
    print(f"\nChorus cluster benchmark — {profile.describe()}")
    print(
        f"{os.cpu_count()} CPUs, load average {load1:.2f} {load5:.2f} {load15:.2f}; "
        f"every figure in ms unless named; paced = one edit per agent every {PACE_S:g} s "
        "(the spec's rate limit), saturated = closed loop"
    )
    width = max(len(f"replication lag (worst node), {load.how}") for load in loads)
    print(f"{'':{width}} {'n':>6} {'per s':>7}  {'p50':>7}  {'p95':>7}  {'p99':>7}")
    print(
        f"{'pgbench edit transaction, ' + str(pgbench.clients) + ' clients':{width}} "
        f"{len(pgbench.latencies_ms):6d} {pgbench.tps:7.1f}  {ms(quantiles(pgbench.latencies_ms))}"
    )
    for load in loads:
        posts, gets = load.stats["post"], load.stats["get"]
        how = load.how
        print(
            f"{'POST /api/edits, ' + how:{width}} {len(posts):6d} "
            f"{len(posts) / load.elapsed_s:7.1f}  {ms(quantiles(posts))}"
        )
        print(
            f"{'GET /api/document/current, ' + how:{width}} {len(gets):6d} "
            f"{len(gets) / load.elapsed_s:7.1f}  {ms(quantiles(gets))}"
        )
        print(
            f"{'replication lag (worst node), ' + how:{width}} "
            f"{sum(int(v.get('count') or 0) for v in load.lag.values()):6d} {'':7}  "
            f"{ms(load.lag_worst)}"
        )
    for load in loads:
        per_node = ", ".join(
            f"{name} {v['p50']}/{v['p95']}/{v['p99']} (n={v['count']})"
            for name, v in load.lag.items()
        )
        print(f"outcomes, {load.how}: {load.outcomes}; lag p50/p95/p99: {per_node}")
    if any(load.session for load in loads):
        print("\nrejected edits (stale reads), without → with sessions")
        for load in loads:
            if load.session:
                continue
            twin = next(
                (
                    other
                    for other in loads
                    if other.session and (other.agents, other.paced) == (load.agents, load.paced)
                ),
                None,
            )
            print(
                f"  {load.how}: {_share(load)}" + (f" → {_share(twin)}" if twin is not None else "")
            )
    print("\nratios and aims")
    for paced in (True, False):
        chosen = [load for load in loads if load.paced == paced and not load.session]
        if len(chosen) < 2:
            continue
        low, high = chosen[0], chosen[-1]
        p95 = [quantiles(load.stats["post"])[1] for load in (low, high)]
        mean = [sum(load.stats["post"]) / len(load.stats["post"]) for load in (low, high)]
        print(
            f"  {'paced' if paced else 'saturated'}: POST latency {high.agents} vs {low.agents} "
            f"agents: mean ×{mean[1] / mean[0]:.2f} (spec ≤ 2×), p95 ×{p95[1] / p95[0]:.2f}"
        )
    top = max(load.agents for load in loads)
    for load in loads:
        if load.agents != top or load.session:
            continue
        if load.paced:
            print(
                f"  paced, {top} agents: POST p95 {quantiles(load.stats['post'])[1]:.1f} ms "
                f"(aim ≤ 20), GET p95 {quantiles(load.stats['get'])[1]:.1f} ms (aim ≤ 5), "
                f"lag p99 {load.lag_worst[2]:.0f} ms (aim ≤ 100)"
            )
        else:
            print(
                f"  saturated, {top} agents: POST throughput / pgbench tps "
                f"{len(load.stats['post']) / load.elapsed_s / pgbench.tps:.1%} (accepted only "
                f"{load.accepted_per_s / pgbench.tps:.1%}; aim ≥ 25 %), lag p99 "
                f"{load.lag_worst[2]:.0f} ms"
            )


def _share(load: Load) -> str:
    rejected = load.outcomes.get("rejected", 0)
    return f"{load.rejected_share:.1%} ({rejected} of {len(load.stats['post'])})"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--profile", choices=("lan", "wan"), default="lan")
    parser.add_argument(
        "--seconds", type=float, default=20.0, help="per saturated load (default 20)"
    )
    parser.add_argument(
        "--paced-seconds", type=float, default=60.0, help="per paced load (default 60)"
    )
    parser.add_argument(
        "--agents",
        default=",".join(map(str, LOADS)),
        help="the loads, comma-separated (default 10,50; at most 50)",
    )
    parser.add_argument("--pgbench-clients", type=int, default=8)
    parser.add_argument(
        "--sessions",
        choices=("off", "on", "both"),
        default="off",
        help="agents keep a session token (X-Chorus-Session) and send it: off (default), on, "
        "or both (every load twice, then the share of rejected edits without → with)",
    )
    args = parser.parse_args()
    loads = tuple(int(n) for n in args.agents.split(","))
    if not loads or not all(1 <= n <= max(LOADS) for n in loads):
        parser.error(f"--agents: each load between 1 and {max(LOADS)}")
    profile = profile_named(args.profile)
    root = Path(tempfile.mkdtemp(prefix="chorus-cluster-bench-"))
    root.chmod(0o755)  # the PostgreSQL servers run as the postgres user when we are root
    try:
        print(f"starting the {profile.name} cluster in {root} …", flush=True)
        target_of = lan_target(root) if profile.name == "lan" else wan_target(root, WAN)
        with target_of as target:
            print(f"pgbench, {args.seconds:g} s …", flush=True)
            pgbench = run_pgbench(
                target.postgres,
                root,
                clients=args.pgbench_clients,
                seconds=args.seconds,
            )
            print(f"HTTP loads of {loads} agents …", flush=True)
            sessions = {"off": (False,), "on": (True,), "both": (False, True)}[args.sessions]
            results, agree = asyncio.run(
                run_loads(target, args.seconds, args.paced_seconds, loads, sessions)
            )
        report(profile, pgbench, results)
    finally:
        shutil.rmtree(root, ignore_errors=True)
    print(f"three nodes byte-identical after the loads: {agree}")
    return 0 if agree else 1


if __name__ == "__main__":
    sys.exit(main())
