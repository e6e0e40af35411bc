"""A process that outlives the command that started it, found again through its pid file.

`up` starts every process in its own session (so closing the terminal does not stop it) and
writes `<name>.pid` with the pid and the process's start time from /proc: a later `status`,
`down` or `node kill` reads the file, and a pid that the kernel has since given to another
process does not match the start time, so it is never signalled by mistake.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Literal

from .errors import LauncherError

State = Literal["running", "frozen", "stopped"]

_children: dict[int, subprocess.Popen[bytes]] = {}
"""Processes this Python process started and has not reaped yet: a killed child stays a
zombie until its parent waits for it, so we poll these (as `subprocess` does internally)."""


def _stat_fields(pid: int) -> list[str] | None:
    """Fields of /proc/<pid>/stat after the command name, or None when the pid is gone."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return text.rsplit(")", 1)[1].split()


def _reap(pid: int) -> None:
    child = _children.get(pid)
    if child is not None and child.poll() is not None:
        del _children[pid]


def process_state(pid: int) -> str | None:
    """The kernel's state letter of `pid` (R, S, T, ...); None when gone or a zombie."""
    _reap(pid)
    fields = _stat_fields(pid)
    if fields is None or fields[0] in ("Z", "X"):
        return None
    return fields[0]


def start_ticks(pid: int) -> int | None:
    """When `pid` started, in clock ticks since boot (field 22 of /proc/<pid>/stat)."""
    fields = _stat_fields(pid)
    return int(fields[19]) if fields is not None else None


def signal_pid(pid: int, signum: signal.Signals) -> bool:
    """Send `signum`; False when the process is already gone. SIGSTOP and SIGCONT return once
    the kernel shows the process stopped or running again (delivery is asynchronous)."""
    try:
        os.kill(pid, signum)
    except ProcessLookupError:
        return False
    if signum in (signal.SIGSTOP, signal.SIGCONT):
        frozen = signum == signal.SIGSTOP
        deadline = time.monotonic() + 2.0
        while (process_state(pid) in ("T", "t")) != frozen and time.monotonic() < deadline:
            time.sleep(0.005)
    return True


def wait_gone(pid: int, timeout_s: float) -> bool:
    """Wait until `pid` has exited; True if it did within `timeout_s`."""
    deadline = time.monotonic() + timeout_s
    while process_state(pid) is not None:
        if time.monotonic() >= deadline:
            return False
        time.sleep(0.05)
    return True


def terminate(pid: int, timeout_s: float, *, stop_signal: signal.Signals) -> None:
    """Wake it (SIGCONT: a frozen process cannot exit), send `stop_signal`, and SIGKILL its
    whole session (its own process group: nginx's workers too) if it does not exit in time."""
    signal_pid(pid, signal.SIGCONT)
    if not signal_pid(pid, stop_signal) or wait_gone(pid, timeout_s):
        return
    with contextlib.suppress(ProcessLookupError):
        os.killpg(pid, signal.SIGKILL)
    if not wait_gone(pid, 10.0):
        raise LauncherError(f"process {pid} survived SIGKILL for 10 s")


class Daemon:
    """`argv` with `env` added to ours, output appended to `log_path`, pid in `pid_path`.

    `argv` may be a function, called only when starting: finding a program that is not
    installed must not stop `status` or `down` from working.
    """

    def __init__(
        self,
        name: str,
        argv: Sequence[str] | Callable[[], Sequence[str]],
        *,
        env: Mapping[str, str],
        log_path: Path,
        pid_path: Path,
        cwd: Path | None = None,
        stop_signal: signal.Signals = signal.SIGTERM,
    ) -> None:
        self.name = name
        self.argv = argv
        self.env = dict(env)
        self.log_path = log_path
        self.pid_path = pid_path
        self.cwd = cwd
        self.stop_signal = stop_signal

    def __repr__(self) -> str:
        return f"Daemon({self.name!r}, pid={self.pid()})"

    def pid(self) -> int | None:
        """The pid of the live process of the pid file, or None."""
        try:
            record = json.loads(self.pid_path.read_text())
            pid, started = int(record["pid"]), int(record["started"])
        except (FileNotFoundError, ValueError, KeyError, TypeError):
            return None
        if process_state(pid) is None or start_ticks(pid) != started:
            return None
        return pid

    def state(self) -> State:
        pid = self.pid()
        if pid is None:
            return "stopped"
        return "frozen" if process_state(pid) in ("T", "t") else "running"

    def start(self) -> int:
        """Start it unless it runs already; its pid."""
        running = self.pid()
        if running is not None:
            return running
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        self.pid_path.parent.mkdir(parents=True, exist_ok=True)
        with self.log_path.open("ab") as log:
            child = subprocess.Popen(
                list(self.argv() if callable(self.argv) else self.argv),
                env={**os.environ, **self.env},
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                cwd=self.cwd,
                start_new_session=True,
            )
        _children[child.pid] = child
        started = start_ticks(child.pid)
        if started is None:  # gone already: `wait_ready` reports it with the log tail
            self.pid_path.unlink(missing_ok=True)
            return child.pid
        temporary = self.pid_path.with_suffix(".tmp")
        temporary.write_text(json.dumps({"pid": child.pid, "started": started}) + "\n")
        temporary.replace(self.pid_path)
        return child.pid

    def send(self, signum: signal.Signals) -> bool:
        """Signal the process (see `signal_pid`); False when it is not running."""
        pid = self.pid()
        return pid is not None and signal_pid(pid, signum)

    def stop(self, timeout_s: float = 10.0) -> bool:
        """Stop it (its stop signal, SIGKILL after `timeout_s`); False if it was not running."""
        pid = self.pid()
        if pid is None:
            self.pid_path.unlink(missing_ok=True)
            return False
        terminate(pid, timeout_s, stop_signal=self.stop_signal)
        self.pid_path.unlink(missing_ok=True)
        return True

    def kill(self) -> bool:
        """Crash it with SIGKILL (the pid file stays, like after a real crash)."""
        pid = self.pid()
        if pid is None:
            return False
        signal_pid(pid, signal.SIGKILL)
        if not wait_gone(pid, 10.0):
            raise LauncherError(f"{self.name} (pid {pid}) survived SIGKILL for 10 s")
        return True
