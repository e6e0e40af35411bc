"""One of our own Python services as a child process: start, wait for health, stop, kill.

The local launcher runs every service this way, and the integration and fault tests use the
same class to start real nodes, kill them with SIGKILL or freeze them with SIGSTOP.
"""

import os
import signal
import subprocess
import sys
import time
from collections.abc import Mapping
from pathlib import Path

import httpx


class ServiceError(RuntimeError):
    """A service did not start or become healthy in time; the message has its log tail."""


class ServiceProcess:
    """`python -m <module>` with `env`, logging to `log_path`, healthy when `health_url` is 200."""

    def __init__(
        self,
        name: str,
        module: str,
        *,
        env: Mapping[str, str],
        health_url: str,
        log_path: Path,
        cwd: Path | None = None,
    ) -> None:
        self.name = name
        self.module = module
        self.env = dict(env)
        self.health_url = health_url
        self.log_path = log_path
        self.cwd = cwd
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def pid(self) -> int | None:
        return self.process.pid if self.running and self.process else None

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def start(self, *, wait_s: float = 30.0, healthy: bool = True) -> None:
        """Start the process; with `healthy`, wait until /health answers 200."""
        if self.running:
            return
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        with self.log_path.open("ab") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", self.module],
                env={**os.environ, **self.env},
                stdout=log,
                stderr=subprocess.STDOUT,
                cwd=self.cwd,
                start_new_session=True,
            )
        if healthy:
            self.wait_healthy(wait_s)

    def wait_healthy(self, wait_s: float = 30.0) -> None:
        deadline = time.monotonic() + wait_s
        while time.monotonic() < deadline:
            if not self.running:
                raise ServiceError(f"{self.name} exited during start-up:\n{self.log_tail()}")
            if self.is_healthy():
                return
            time.sleep(0.1)
        raise ServiceError(f"{self.name} not healthy after {wait_s:.0f} s:\n{self.log_tail()}")

    def is_healthy(self) -> bool:
        try:
            return httpx.get(self.health_url, timeout=1.0).status_code == 200
        except httpx.HTTPError:
            return False

    def signal(self, signum: signal.Signals) -> None:
        """Send a signal (SIGKILL to crash, SIGSTOP/SIGCONT to freeze and thaw)."""
        if self.process is not None and self.running:
            self.process.send_signal(signum)

    def kill(self) -> None:
        """Crash it: SIGKILL, no clean-up."""
        self.signal(signal.SIGKILL)
        if self.process is not None:
            self.process.wait(timeout=10)

    def stop(self, timeout_s: float = 10.0) -> None:
        """Stop it cleanly (SIGTERM), killing it if it does not exit in time."""
        if self.process is None or not self.running:
            return
        self.process.send_signal(signal.SIGCONT)  # a frozen process cannot handle SIGTERM
        self.process.terminate()
        try:
            self.process.wait(timeout=timeout_s)
        except subprocess.TimeoutExpired:
            self.kill()

    def log_tail(self, lines: int = 30) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except FileNotFoundError:
            return "(no log)"
