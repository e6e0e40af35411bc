"""The kinds of component a stack is made of: a PostgreSQL cluster, a process, nginx.

Every component answers the same questions (`pid`, `state`, `healthy`) and does the same
things (`launch`, `wait_ready`, `stop`), so the stack is just an ordered list of them.
`launch` returns at once where it can; `wait_ready` then waits for health, bounded, and fails
with the log tail.
"""

from __future__ import annotations

import signal
import subprocess
import time
from abc import ABC, abstractmethod
from collections.abc import Callable, Sequence
from pathlib import Path

import httpx
import redis
from redis.backoff import NoBackoff
from redis.retry import Retry

from . import nginx
from .daemon import Daemon, State, process_state, signal_pid
from .errors import LauncherError
from .postgres_cluster import PostgresCluster

Probe = Callable[[], bool]


def http_probe(url: str, timeout_s: float = 1.0) -> Probe:
    """Healthy when GET `url` answers 200."""

    def probe() -> bool:
        try:
            return httpx.get(url, timeout=timeout_s).status_code == 200
        except httpx.HTTPError:
            return False

    return probe


def redis_probe(port: int, timeout_s: float = 0.5) -> Probe:
    """Healthy when Redis on 127.0.0.1:`port` answers PING."""

    def probe() -> bool:
        client = redis.Redis(
            host="127.0.0.1",
            port=port,
            socket_connect_timeout=timeout_s,
            socket_timeout=timeout_s,
            retry=Retry(NoBackoff(), 0),
        )
        try:
            return bool(client.ping())
        except redis.RedisError:
            return False
        finally:
            client.close()

    return probe


class Component(ABC):
    """One thing `up` starts. `group`: consecutive components of one group start together."""

    def __init__(self, name: str, title: str, port: int, *, group: str | None = None) -> None:
        self.name = name
        self.title = title
        self.port = port
        self.group = group or name

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.name!r}, port={self.port})"

    @property
    @abstractmethod
    def log_path(self) -> Path: ...

    @abstractmethod
    def pid(self) -> int | None: ...

    @abstractmethod
    def healthy(self) -> bool: ...

    @abstractmethod
    def launch(self) -> str:
        """Start it unless it runs; what was done ("started", "already running", ...)."""

    @abstractmethod
    def stop(self) -> bool:
        """Stop it; False if it was not running."""

    def state(self) -> State:
        pid = self.pid()
        if pid is None:
            return "stopped"
        return "frozen" if process_state(pid) in ("T", "t") else "running"

    def thaw(self) -> bool:
        """SIGCONT a frozen process; False when there was nothing to thaw."""
        pid = self.pid()
        if pid is None or self.state() != "frozen":
            return False
        return signal_pid(pid, signal.SIGCONT)

    def log_tail(self, lines: int = 30) -> str:
        try:
            text = self.log_path.read_text(errors="replace")
        except FileNotFoundError:
            return f"(no log at {self.log_path})"
        return "\n".join(text.splitlines()[-lines:]) or f"(empty log: {self.log_path})"

    def wait_ready(self, timeout_s: float) -> None:
        """Wait until healthy; LauncherError with the log tail if it dies or times out."""
        deadline = time.monotonic() + timeout_s
        while not self.healthy():
            if self.pid() is None:
                raise LauncherError(
                    f"{self.title} exited during start-up; log {self.log_path}:\n{self.log_tail()}"
                )
            if time.monotonic() >= deadline:
                raise LauncherError(
                    f"{self.title} not healthy after {timeout_s:.0f} s (state {self.state()}); "
                    f"log {self.log_path}:\n{self.log_tail()}"
                )
            time.sleep(0.1)


class PostgresComponent(Component):
    """A PostgreSQL cluster (initdb on first use) with the databases the services need."""

    def __init__(
        self, name: str, title: str, cluster: PostgresCluster, databases: Sequence[str]
    ) -> None:
        super().__init__(name, title, cluster.port)
        self.cluster = cluster
        self.databases = tuple(databases)

    @property
    def log_path(self) -> Path:
        return self.cluster.log_path

    def pid(self) -> int | None:
        return self.cluster.pid()

    def healthy(self) -> bool:
        if self.state() != "running":
            return False
        try:
            result = subprocess.run(
                [
                    str(self.cluster.bin_dir / "pg_isready"),
                    "--quiet",
                    "--host=127.0.0.1",
                    f"--port={self.port}",
                    "--timeout=2",
                ],
                capture_output=True,
                timeout=5,
                check=False,
            )
        except subprocess.TimeoutExpired:
            return False
        return result.returncode == 0

    def launch(self) -> str:
        action = "already running"
        if self.thaw():
            action = "thawed"
        elif not self.cluster.is_running():
            action = "initialised and started" if not self.cluster.is_initialised() else "started"
            self.cluster.start()
        for database in self.databases:
            self.cluster.create_database(database)
        return action

    def stop(self) -> bool:
        if not self.cluster.is_running():
            return False
        self.thaw()
        self.cluster.stop("fast")
        return True

    def dsn(self, database: str) -> str:
        return self.cluster.dsn(database)


class ProcessComponent(Component):
    """A long-running process (our services, Redis) with a health probe."""

    def __init__(
        self,
        name: str,
        title: str,
        port: int,
        daemon: Daemon,
        probe: Probe,
        *,
        url: str | None = None,
        group: str | None = None,
    ) -> None:
        super().__init__(name, title, port, group=group)
        self.daemon = daemon
        self.probe = probe
        self.url = url

    @property
    def log_path(self) -> Path:
        return self.daemon.log_path

    def pid(self) -> int | None:
        return self.daemon.pid()

    def healthy(self) -> bool:
        return self.state() == "running" and self.probe()

    def launch(self) -> str:
        if self.thaw():
            return "thawed"
        if self.daemon.pid() is not None:
            return "already running"
        self.daemon.start()
        return "started"

    def stop(self) -> bool:
        return self.daemon.stop()

    def kill(self) -> bool:
        return self.daemon.kill()

    def send(self, signum: signal.Signals) -> bool:
        return self.daemon.send(signum)


class NginxComponent(ProcessComponent):
    """nginx on our rendered config: validated with `nginx -t` before every start or reload."""

    def __init__(
        self,
        name: str,
        title: str,
        port: int,
        *,
        paths: nginx.NginxPaths,
        config: str,
        pid_path: Path,
    ) -> None:
        self.paths = paths
        self.config = config
        daemon = Daemon(
            name,
            lambda: nginx.command(paths),
            env={},
            log_path=paths.error_log,
            pid_path=pid_path,
            stop_signal=signal.SIGQUIT,  # graceful: finish the requests in flight
        )
        url = f"http://127.0.0.1:{port}"
        super().__init__(name, title, port, daemon, http_probe(f"{url}/health"), url=url)

    def launch(self) -> str:
        changed = nginx.write(self.paths, self.config)
        if changed or self.daemon.pid() is None:
            nginx.check(self.paths)
        thawed = self.thaw()
        if self.daemon.pid() is not None:
            if changed:
                # Reload: the master starts workers on the new file and lets the old ones
                # finish their requests; nothing is dropped.
                self.daemon.send(signal.SIGHUP)
                return "configuration reloaded"
            return "thawed" if thawed else "already running"
        self.daemon.start()
        return "started"
