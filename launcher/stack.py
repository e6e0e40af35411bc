"""What a local Chorus runs, in start order, and how to bring it all up and down.

`components()` is the whole topology as one list: four PostgreSQL clusters, Redis, the
Analytics Service, the three Text Service nodes, the Chat Service, nginx, the offline LLM
simulator, the agent supervisor, cluster control and the web dashboard.
"""

from __future__ import annotations

import fcntl
import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from . import nginx
from .components import (
    Component,
    NginxComponent,
    PostgresComponent,
    ProcessComponent,
    http_probe,
    redis_probe,
)
from .config import RATE_ENV, Ports, RateLimit, env_name
from .daemon import Daemon
from .errors import LauncherError
from .pace import Pace
from .postgres_cluster import PostgresCluster, PostgresClusterError
from .redis_server import RedisServer, RedisServerError
from .service_process import ServiceError
from .state import OPERATOR, REPO_ROOT, STATE_ENV, Secrets, StateDir
from .text_cluster import NODE_NAMES, text_node_processes

DATABASE = "chorus"
"""The database name inside each PostgreSQL cluster."""
FRONTEND = REPO_ROOT / "frontend"
"""The web dashboard's Next.js project."""
START_WAIT_S = 60.0
"""How long `up` waits for one component to become healthy."""

Report = Callable[[str], None]
ERRORS = (LauncherError, PostgresClusterError, RedisServerError, ServiceError)
"""What starting or stopping a component can raise; each message says what to do."""


def say(line: str) -> None:
    """Print a progress line at once, even when stdout is a pipe."""
    print(line, flush=True)


@dataclass(frozen=True)
class StackConfig:
    """Everything that decides what runs where."""

    state: StateDir
    ports: Ports
    rate_limit: RateLimit
    budget_limit: int | None = None
    """The nodes' token budget (TEXT_NODE_BUDGET_LIMIT) for a fresh database; None: theirs."""
    dashboard: bool = True
    """Run the web dashboard (`next start`, built on first use); stacks that test other parts
    may leave it out."""
    pace: Pace = field(default_factory=Pace)
    """How fast the agents and the simulated model go (the demo's human pace by default)."""


def _url(port: int) -> str:
    return f"http://127.0.0.1:{port}"


def _python_service(
    config: StackConfig,
    name: str,
    title: str,
    module: str,
    port: int,
    env: dict[str, str],
    *,
    group: str | None = None,
    health: str = "/health",
) -> ProcessComponent:
    daemon = Daemon(
        name,
        [sys.executable, "-m", module],
        env={"PYTHONUNBUFFERED": "1", **env},
        log_path=config.state.log(name),
        pid_path=config.state.pid_file(name),
        cwd=REPO_ROOT,
    )
    url = _url(port)
    return ProcessComponent(
        name, title, port, daemon, http_probe(f"{url}{health}"), url=url, group=group
    )


def components(config: StackConfig, secrets: Secrets) -> list[Component]:
    """Every component, in the order `up` starts them (`down` stops them in reverse)."""
    state, ports = config.state, config.ports
    postgres = {
        name: PostgresComponent(
            f"postgres-{name}",
            f"PostgreSQL {name}",
            PostgresCluster(state.postgres(name), ports.postgres(name)),
            [DATABASE],
        )
        for name in (*NODE_NAMES, "analytics")
    }
    redis_server = RedisServer(state.redis, ports.redis)
    redis = ProcessComponent(
        "redis",
        "Redis",
        ports.redis,
        Daemon(
            "redis",
            redis_server.command_line,
            env={},
            log_path=state.log("redis"),
            pid_path=state.pid_file("redis"),
        ),
        redis_probe(ports.redis),
    )
    analytics = _python_service(
        config,
        "analytics",
        "Analytics Service",
        "analytics",
        ports.analytics,
        {
            "ANALYTICS_DATABASE_URL": postgres["analytics"].dsn(DATABASE),
            "ANALYTICS_SERVICE_TOKEN": secrets.service_token,
            "ANALYTICS_HOST": "127.0.0.1",
            "ANALYTICS_PORT": str(ports.analytics),
        },
    )
    budget = {}
    if config.budget_limit is not None:
        budget["TEXT_NODE_BUDGET_LIMIT"] = str(config.budget_limit)
    nodes = [
        _python_service(
            config,
            process.name,
            f"text node {letter}",
            process.module,
            ports.node(letter),
            {"TEXT_NODE_HOST": "127.0.0.1", **process.env},
            group="text-nodes",  # started together: each catches up from the others
        )
        for letter, process in zip(
            NODE_NAMES,
            text_node_processes(
                [postgres[letter].dsn(DATABASE) for letter in NODE_NAMES],
                [ports.node(letter) for letter in NODE_NAMES],
                [ports.reader(letter) for letter in NODE_NAMES],
                logs=state.logs,
                service_token=secrets.service_token,
                agent_tokens=secrets.agent_tokens_spec(),
                TEXT_NODE_ANALYTICS_URL=_url(ports.analytics),
                **budget,
            ),
            strict=True,
        )
    ]
    chat = _python_service(
        config,
        "chat",
        "Chat Service",
        "chat",
        ports.chat,
        {
            "CHAT_REDIS_URL": redis_server.url,
            "CHAT_AGENT_TOKENS": secrets.agent_tokens_spec(),
            "CHAT_HOST": "127.0.0.1",
            "CHAT_PORT": str(ports.chat),
        },
    )
    paths = nginx.NginxPaths(state.nginx)
    balancer = NginxComponent(
        "nginx",
        "nginx (load balancer)",
        ports.nginx,
        paths=paths,
        config=nginx.render("local", ports=ports, paths=paths, rate_limit=config.rate_limit),
        pid_path=state.pid_file("nginx"),
    )
    simulator = _python_service(
        config,
        "simulator",
        "LLM simulator (offline)",
        "agents.simulator",
        ports.simulator,
        {
            "SIMULATOR_HOST": "127.0.0.1",
            "SIMULATOR_PORT": str(ports.simulator),
            **config.pace.simulator_env(),
        },
        health="/v1/models",
    )
    supervisor = _python_service(
        config,
        "supervisor",
        "Agent supervisor",
        "agents.supervisor",
        ports.supervisor,
        {
            "SUPERVISOR_HOST": "127.0.0.1",
            "SUPERVISOR_PORT": str(ports.supervisor),
            # The agents are users: they go through the balancer and its rate limit.
            "SUPERVISOR_TEXT_SERVICE_URL": _url(ports.nginx),
            "SUPERVISOR_CHAT_SERVICE_URL": _url(ports.nginx),
            "SUPERVISOR_AGENT_TOKENS": secrets.agent_tokens_spec(),
            "SUPERVISOR_OPENAI_BASE_URL": f"{_url(ports.simulator)}/v1",
            "SUPERVISOR_ANALYTICS_URL": _url(ports.analytics),
            "SUPERVISOR_ANALYTICS_SERVICE_TOKEN": secrets.service_token,
            "SUPERVISOR_EDITS_PER_MINUTE": str(edits_per_minute(config.rate_limit)),
            **config.pace.supervisor_env(),
        },
        health="/api/agents",
    )
    control = _python_service(
        config,
        "control",
        "Cluster control (local mode)",
        "launcher.control",
        ports.control,
        {STATE_ENV: str(state.root), RATE_ENV: config.rate_limit.rate, **ports.to_env()},
        health="/api/cluster",
    )
    components: list[Component] = [
        *postgres.values(),
        redis,
        analytics,
        *nodes,
        chat,
        balancer,
        simulator,
        supervisor,
        control,
    ]
    if config.dashboard:
        components.append(_dashboard(config, secrets))
    return components


def _dashboard(config: StackConfig, secrets: Secrets) -> ProcessComponent:
    """The web dashboard: `next start` in frontend/, reading through the balancer and writing
    with the operator's token (which stays on the server side)."""
    port = config.ports.dashboard
    log_path = config.state.log("dashboard")
    daemon = Daemon(
        "dashboard",
        lambda: _dashboard_command(port, log_path),
        env={
            "CHORUS_API_URL": _url(config.ports.nginx),
            "CHORUS_OPERATOR_TOKEN": secrets.agent_tokens[OPERATOR],
            "NEXT_TELEMETRY_DISABLED": "1",
        },
        log_path=log_path,
        pid_path=config.state.pid_file("dashboard"),
        cwd=FRONTEND,
    )
    url = _url(port)
    return ProcessComponent(
        "dashboard", "Dashboard (Next.js)", port, daemon, http_probe(url), url=url
    )


def _dashboard_command(port: int, log_path: Path) -> list[str]:
    """`next start`, after `next build` when there is no build yet (the first `up`)."""
    node = shutil.which("node")
    next_cli = FRONTEND / "node_modules" / "next" / "dist" / "bin" / "next"
    if node is None or not next_cli.exists():
        raise LauncherError(
            "the dashboard needs Node.js and frontend/node_modules: ./chorus installs them "
            "(or run: cd frontend && npm ci)"
        )
    # One build at a time (`npm run check` takes the same lock): a stack starting while
    # another builds waits, then finds the build done.
    with (FRONTEND / ".next.lock").open("a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if _dashboard_outdated():
            _build_dashboard(node, next_cli, log_path)
    return [node, str(next_cli), "start", "-p", str(port), "-H", "127.0.0.1"]


_DASHBOARD_SOURCES = ("app", "ui", "lib", "package.json", "next.config.mjs", "tailwind.config.ts")


def _dashboard_outdated() -> bool:
    """No build yet, or a source changed since it was made (a `git pull`, an edit): the
    dashboard must never serve screens older than its code."""
    build_id = FRONTEND / ".next" / "BUILD_ID"
    if not build_id.exists():
        return True
    built = build_id.stat().st_mtime
    for name in _DASHBOARD_SOURCES:
        source = FRONTEND / name
        files = source.rglob("*") if source.is_dir() else [source]
        if any(f.is_file() and f.stat().st_mtime > built for f in files):
            return True
    return False


def _build_dashboard(node: str, next_cli: Path, log_path: Path) -> None:
    log_path.parent.mkdir(parents=True, exist_ok=True)
    with log_path.open("ab") as log:
        built = subprocess.run(
            [node, str(next_cli), "build"],
            cwd=FRONTEND,
            env={**os.environ, "NEXT_TELEMETRY_DISABLED": "1"},
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            check=False,
        )
    if built.returncode != 0:
        raise LauncherError(f"building the dashboard failed (next build); log {log_path}")


def edits_per_minute(rate_limit: RateLimit) -> float:
    """The agents' self-pacing: 80 % of the balancer's per-token allowance (10r/m → 8)."""
    per_minute = rate_limit.count * 60 / rate_limit.period_s
    return round(per_minute * 0.8, 2)


class Stack:
    """The components of one state directory, with `up`, `down` and `status`."""

    def __init__(self, config: StackConfig) -> None:
        self.config = config
        config.state.prepare()
        self.secrets = config.state.secrets()
        self.components = components(config, self.secrets)

    def get(self, name: str) -> Component:
        for component in self.components:
            if component.name == name:
                return component
        known = ", ".join(c.name for c in self.components)
        raise LauncherError(f"no component {name!r}: expected one of {known}")

    def node(self, letter: str) -> ProcessComponent:
        """Text node a, b or c."""
        if letter not in NODE_NAMES:
            raise LauncherError(f"node: expected one of {', '.join(NODE_NAMES)}, got {letter!r}")
        component = self.get(f"node-{letter}")
        assert isinstance(component, ProcessComponent)
        return component

    @property
    def balancer_url(self) -> str:
        return _url(self.config.ports.nginx)

    def groups(self) -> list[list[Component]]:
        """The components in start order, consecutive members of one group together."""
        grouped: list[list[Component]] = []
        for component in self.components:
            if grouped and grouped[-1][0].group == component.group:
                grouped[-1].append(component)
            else:
                grouped.append([component])
        return grouped

    def up(self, report: Report = say, *, wait_s: float = START_WAIT_S) -> None:
        """Start what is not running, in order, each group healthy before the next starts."""
        total = len(self.components)
        done = 0
        for group in self.groups():
            started = time.monotonic()
            actions: dict[str, str] = {}
            for component in group:
                prefix = f"[{done + len(actions) + 1}/{total}] {component.title} …"
                try:
                    if component.pid() is None:
                        self._check_port_free(component)
                    actions[component.name] = component.launch()
                except ERRORS:
                    report(f"{prefix} FAILED")
                    raise
            for component in group:
                done += 1
                prefix = f"[{done}/{total}] {component.title} …"
                try:
                    component.wait_ready(wait_s)
                except ERRORS:
                    report(f"{prefix} FAILED")
                    raise
                elapsed = time.monotonic() - started
                report(f"{prefix} {actions[component.name]}, ok ({elapsed:.1f} s)")

    @staticmethod
    def _check_port_free(component: Component) -> None:
        """Refuse to start on a port another program holds: its health check would answer
        for ours, or ours would die on bind."""
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
            probe.settimeout(0.5)
            taken = probe.connect_ex(("127.0.0.1", component.port)) == 0
        if taken:
            variable = env_name(component.name.replace("-", "_"))
            raise LauncherError(
                f"port {component.port} for {component.title} is in use by another program: "
                f"stop it, or choose another port with {variable}"
            )

    def down(self, report: Report = say) -> None:
        """Stop everything, in reverse order; what was not running is skipped."""
        for component in reversed(self.components):
            started = time.monotonic()
            if component.stop():
                report(f"{component.title} … stopped ({time.monotonic() - started:.1f} s)")
            else:
                report(f"{component.title} … not running")

    def urls(self) -> dict[str, str]:
        """Where to reach the stack from outside."""
        ports = self.config.ports
        urls = {"dashboard": _url(ports.dashboard)} if self.config.dashboard else {}
        urls["balancer"] = self.balancer_url
        for letter in NODE_NAMES:
            urls[f"node {letter}"] = _url(ports.node(letter))
        urls["chat"] = _url(ports.chat)
        urls["analytics"] = _url(ports.analytics)
        urls["agents"] = f"{self.balancer_url}/api/agents"
        urls["simulator"] = f"{_url(ports.simulator)}/v1"
        return urls
