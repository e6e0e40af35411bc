"""The real local cluster with its faults: three nodes, three PostgreSQL servers, nginx, proxies.

`FaultCluster` starts what `./chorus up` starts for the Text Service, with a fault proxy on
every link a fault can cut: one per directed replication link (`a>b`: what node a sends to
node b, and b's answers) and one between nginx and each node (`lb>a`, and `lb>a.reader` to
the node's reader process, cut together). Each node has its own
PostgreSQL server, so one database can crash or freeze alone. Every fault is a method; each
blocks until the fault is in place (or healed), so async callers run them in a thread.

Used by the fault suite (`tests/faults/`) and usable by a benchmark that wants the geography:
`with FaultCluster(root, profile=WAN) as cluster: ...` then talk to `cluster.balancer_url`.
"""

from __future__ import annotations

import dataclasses
import glob
import math
import os
import secrets
import signal
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from types import TracebackType

import httpx

from launcher import Ports, RateLimit, ServiceProcess, free_port
from launcher.components import NginxComponent
from launcher.daemon import signal_pid
from launcher.nginx import NginxPaths, Upstreams, render
from launcher.postgres_cluster import PostgresCluster
from launcher.text_cluster import start_all, text_node_processes

from .proxy import Mode, ProxyNet
from .wan import LAN, NODES, Profile

DATABASE = "chorus"
AGENTS = tuple(f"agent-{n}" for n in range(1, 9))
OPERATOR = "operator"
RATE = "6000r/s"  # the suite measures faults, not the spec's 10 requests a minute
_FAKETIME_CACHE_S = 1
_FAKETIME_LIBS = (
    "/usr/lib/x86_64-linux-gnu/faketime/libfaketimeMT.so.1",
    "/usr/lib/*/faketime/libfaketimeMT.so.1",
    "/usr/lib/faketime/libfaketimeMT.so.1",
)


class FaultClusterError(RuntimeError):
    """The cluster could not start or a fault could not be applied; the message says why."""


def faketime_library() -> str:
    """libfaketime (multi-threaded build), preloaded into a node to skew its clock."""
    for pattern in _FAKETIME_LIBS:
        found = sorted(glob.glob(pattern))
        if found:
            return found[0]
    raise FaultClusterError("libfaketime not found: install the 'faketime' package (apt)")


def descendants(pid: int) -> list[int]:
    """Every process below `pid` (children first, then theirs), from /proc."""
    parents: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
        except OSError:
            continue
        parents.setdefault(int(stat.rsplit(")", 1)[1].split()[1]), []).append(int(entry))
    found, frontier = [], [pid]
    while frontier:
        children = [child for parent in frontier for child in parents.get(parent, [])]
        found += children
        frontier = children
    return found


class FaultCluster:
    """Three nodes behind nginx, every fault-prone link through a proxy; a context manager."""

    def __init__(
        self,
        root: Path,
        *,
        profile: Profile = LAN,
        seed: int = 0,
        node_env: dict[str, str] | None = None,
        skewable: tuple[str, ...] = (),
    ) -> None:
        self.root = Path(root).absolute()
        self.profile = profile
        self.net = ProxyNet(seed=seed)
        self.node_env = {"TEXT_NODE_CATCH_UP_TIMEOUT_S": "3", **(node_env or {})}
        self.service_token = secrets.token_urlsafe(24)
        self.tokens = {agent: secrets.token_urlsafe(16) for agent in (*AGENTS, OPERATOR)}
        self.postgres = {
            name: PostgresCluster(self.root / f"postgres-{name}", free_port()) for name in NODES
        }
        self.node_ports = {name: free_port() for name in NODES}
        self.reader_ports = {name: free_port() for name in NODES}
        self.nodes: dict[str, ServiceProcess] = {}
        self.balancer: NginxComponent | None = None
        self.skewable = skewable
        """Nodes started under libfaketime, so `skew_clock` can step their clocks live."""
        self.skews: dict[str, float] = {}

    # -- life cycle ----------------------------------------------------------------------
    def __enter__(self) -> FaultCluster:
        try:
            self.start()
        except BaseException:
            self.close()
            raise
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def start(self) -> None:
        """PostgreSQL ×3 (in parallel), proxies, the nodes (healthy), then nginx."""
        self.root.mkdir(parents=True, exist_ok=True)
        self.root.chmod(0o755)  # the PostgreSQL servers run as the postgres user
        with ThreadPoolExecutor(3) as pool:
            list(pool.map(self._start_database, NODES))
        self.net.start()
        for source in NODES:
            for target in NODES:
                if source != target:
                    self.net.add(f"{source}>{target}", self.node_ports[target])
            self.net.add(f"lb>{source}", self.node_ports[source])
            self.net.add(f"lb>{source}.reader", self.reader_ports[source])
        self.set_profile(self.profile)
        processes = text_node_processes(
            [self.postgres[name].dsn(DATABASE) for name in NODES],
            [self.node_ports[name] for name in NODES],
            [self.reader_ports[name] for name in NODES],
            logs=self.root / "logs",
            service_token=self.service_token,
            agent_tokens=",".join(f"{a}:{t}" for a, t in self.tokens.items()),
            prefix="fault-node",
            **self.node_env,
        )
        for source, process in zip(NODES, processes, strict=True):
            # each node reaches each peer through the proxy of that directed link
            process.env["TEXT_NODE_PEERS"] = ",".join(
                f"{index}={self.net.links[f'{source}>{target}'].url}"
                for index, target in enumerate(NODES)
                if target != source
            )
            if source in self.skewable:
                process.env.update(self._faketime_env(source))
        self.nodes = dict(zip(NODES, processes, strict=True))
        start_all(processes, wait_s=60)
        self._start_balancer()

    def _start_database(self, name: str) -> None:
        self.postgres[name].start()
        self.postgres[name].create_database(DATABASE)

    def _start_balancer(self) -> None:
        ports = Ports.free()
        paths = NginxPaths(self.root / "nginx")
        lb = {link: f"127.0.0.1:{proxy.port}" for link, proxy in self.net.links.items()}
        # the other services point at free ports nobody listens on: not part of this cluster
        upstreams = dataclasses.replace(
            Upstreams.local(ports),
            **{f"node_{name}": lb[f"lb>{name}"] for name in NODES},
            **{f"reader_{name}": lb[f"lb>{name}.reader"] for name in NODES},
        )
        self.balancer = NginxComponent(
            "fault-nginx",
            "nginx (fault suite)",
            ports.nginx,
            paths=paths,
            config=render(
                "local",
                ports=ports,
                paths=paths,
                rate_limit=RateLimit.parse(RATE),
                upstreams=upstreams,
            ),
            pid_path=self.root / "nginx.pid",
        )
        self.balancer.launch()
        self.balancer.wait_ready(30)

    def close(self) -> None:
        """Stop everything (thawing what is frozen first); safe to call twice."""
        for name in NODES:
            self._signal_database(name, signal.SIGCONT)
        if self.balancer is not None:
            self.balancer.stop()
        for node in self.nodes.values():
            node.stop()
        for cluster in self.postgres.values():
            if cluster.is_running():
                cluster.stop("immediate")
        self.net.close()

    # -- where things are ---------------------------------------------------------------
    @property
    def balancer_url(self) -> str:
        if self.balancer is None:
            raise FaultClusterError("the cluster is not started")
        return f"http://127.0.0.1:{self.balancer.port}"

    def node_url(self, name: str) -> str:
        """The node itself, bypassing every proxy (for reading its state)."""
        return f"http://127.0.0.1:{self.node_ports[name]}"

    def bearer(self, agent: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[agent]}"}

    @property
    def service_headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.service_token}"}

    def replication_links(self, name: str) -> list[str]:
        """The four directed replication links of node `name`."""
        return [f"{name}>{o}" for o in NODES if o != name] + [
            f"{o}>{name}" for o in NODES if o != name
        ]

    # -- network ------------------------------------------------------------------------
    def set_profile(self, profile: Profile) -> None:
        """Delay every replication link as `profile` says (balancer links stay local)."""
        self.profile = profile
        for source in NODES:
            for target in NODES:
                if source != target:
                    self.net.set_delay(f"{source}>{target}", profile.delay(source, target))

    def partition(self, name: str, mode: Mode = Mode.BLACKHOLE) -> None:
        """Cut node `name` off its peers (it keeps serving clients through nginx)."""
        self.net.set_mode(self.replication_links(name), mode)

    def cut_balancer(self, name: str, mode: Mode = Mode.BLACKHOLE) -> None:
        """nginx can no longer reach node `name` (the node and its replication are fine)."""
        self.net.set_mode([f"lb>{name}", f"lb>{name}.reader"], mode)

    def heal_network(self) -> None:
        self.net.heal()

    # -- node processes -----------------------------------------------------------------
    def kill_node(self, name: str) -> None:
        """kill -9 the node's process."""
        self.nodes[name].kill()

    def start_node(self, name: str, wait_s: float = 60.0) -> float:
        """Start the node and wait until healthy (it catches up first); seconds it took."""
        started = time.monotonic()
        self.nodes[name].start(wait_s=wait_s)
        return time.monotonic() - started

    def freeze_node(self, name: str) -> None:
        self._signal_node(name, signal.SIGSTOP)

    def thaw_node(self, name: str) -> None:
        self._signal_node(name, signal.SIGCONT)

    def _signal_node(self, name: str, signum: signal.Signals) -> None:
        pid = self.nodes[name].pid
        if pid is None or not signal_pid(pid, signum):
            raise FaultClusterError(f"node {name} is not running: cannot send {signum.name}")

    def skew_clock(self, name: str, seconds: int) -> int:
        """Step node `name`'s wall clock to `seconds` off the true time (0: back to true time),
        live, as an NTP step would; the offset the node then shows. The node must have been
        started `skewable`."""
        if name not in self.skewable:
            raise FaultClusterError(
                f"node {name} runs without libfaketime: start the cluster with skewable=({name!r},)"
            )
        self._clock_file(name).write_text(f"{seconds:+g}\n")
        self.skews[name] = seconds
        time.sleep(_FAKETIME_CACHE_S + 0.1)  # libfaketime rereads the file once a second
        deadline = time.monotonic() + 6.0
        while (shown := self.clock_offset(name)) != seconds:
            if time.monotonic() > deadline:
                raise FaultClusterError(
                    f"node {name}'s clock is {shown:+g} s off, not {seconds:+g} s: is "
                    "libfaketime working?"
                )
        return shown

    def clock_offset(self, name: str) -> int:
        """How many whole seconds node `name`'s wall clock is ahead of ours (behind if < 0),
        read from the `clock` its /health reports. The reading was taken somewhere between
        sending and receiving, so each sample is off by at most half its round trip; the
        fastest of a few samples decides, and a skew is always whole seconds."""
        best_round_trip, offset = math.inf, 0.0
        for _ in range(5):
            sent = time.time()
            response = httpx.get(f"{self.node_url(name)}/health", timeout=5.0)
            received = time.time()
            if received - sent < best_round_trip:
                best_round_trip = received - sent
                offset = response.json()["clock"] - (sent + received) / 2
            time.sleep(0.02)
        return round(offset)

    def _clock_file(self, name: str) -> Path:
        return self.root / f"clock-{name}"

    def _faketime_env(self, name: str) -> dict[str, str]:
        self._clock_file(name).write_text("+0\n")
        return {
            "LD_PRELOAD": faketime_library(),
            "FAKETIME_TIMESTAMP_FILE": str(self._clock_file(name)),
            "FAKETIME_CACHE_DURATION": str(_FAKETIME_CACHE_S),
            # Only the wall clock moves. Without these two, libfaketime also rewrites the
            # monotonic clock and every pthread_cond_timedwait, which makes each hand-off to a
            # worker thread take up to 150 ms (measured): a slow node, not a skewed one.
            "FAKETIME_DONT_FAKE_MONOTONIC": "1",
            "FAKETIME_FORCE_MONOTONIC_FIX": "0",
        }

    # -- databases ----------------------------------------------------------------------
    def _database_pids(self, name: str) -> list[int]:
        pid = self.postgres[name].pid()
        return [] if pid is None else [pid, *descendants(pid)]

    def _signal_database(self, name: str, signum: signal.Signals) -> None:
        pids = self._database_pids(name)
        if signum == signal.SIGCONT:
            pids.reverse()  # the backends first, the postmaster last
        for pid in pids:
            signal_pid(pid, signum)

    def crash_database(self, name: str) -> None:
        """kill -9 the node's PostgreSQL: the postmaster and every backend at once."""
        pids = self._database_pids(name)
        if not pids:
            raise FaultClusterError(f"PostgreSQL of node {name} is not running")
        for pid in pids:
            signal_pid(pid, signal.SIGKILL)

    def restart_database(self, name: str) -> float:
        """Start the node's PostgreSQL again (crash recovery); seconds it took."""
        started = time.monotonic()
        self.postgres[name].start()
        return time.monotonic() - started

    def freeze_database(self, name: str) -> None:
        """SIGSTOP the node's PostgreSQL (every process): queries hang, nothing errors."""
        if not self._database_pids(name):
            raise FaultClusterError(f"PostgreSQL of node {name} is not running")
        self._signal_database(name, signal.SIGSTOP)

    def thaw_database(self, name: str) -> None:
        self._signal_database(name, signal.SIGCONT)

    # -- state --------------------------------------------------------------------------
    def node_health(self, name: str) -> int | None:
        try:
            return httpx.get(f"{self.node_url(name)}/health", timeout=1.0).status_code
        except httpx.HTTPError:
            return None

    def log_tails(self, lines: int = 15) -> str:
        return "\n".join(
            f"--- node {name}:\n{node.log_tail(lines)}" for name, node in self.nodes.items()
        )
