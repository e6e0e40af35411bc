"""Processes found again through their pid files: start, freeze, thaw, stop, kill."""

import json
import signal
import sys
from pathlib import Path

import pytest

from launcher.daemon import Daemon, process_state, start_ticks, terminate

SLEEPER = [sys.executable, "-c", "import time; print('up', flush=True); time.sleep(60)"]
STUBBORN = [
    sys.executable,
    "-c",
    "import signal, time; signal.signal(signal.SIGTERM, signal.SIG_IGN); time.sleep(60)",
]


def daemon(tmp_path: Path, argv: list[str] = SLEEPER) -> Daemon:
    return Daemon(
        "sleeper",
        argv,
        env={"CHORUS_TEST": "1"},
        log_path=tmp_path / "logs" / "sleeper.log",
        pid_path=tmp_path / "run" / "sleeper.pid",
    )


def test_start_writes_a_pid_file_and_is_idempotent(tmp_path: Path) -> None:
    process = daemon(tmp_path)
    pid = process.start()
    try:
        record = json.loads(process.pid_path.read_text())
        assert record == {"pid": pid, "started": start_ticks(pid)}
        assert process.start() == pid
        assert process.state() == "running"
        # A second object (a later CLI call) finds the same process through the file.
        assert daemon(tmp_path).pid() == pid
        assert "Daemon('sleeper'" in repr(process)
    finally:
        assert process.stop()
    assert process.pid() is None
    assert not process.pid_path.exists()
    assert not process.stop()


def test_freeze_thaw_and_kill(tmp_path: Path) -> None:
    process = daemon(tmp_path)
    pid = process.start()
    assert process.send(signal.SIGSTOP)
    assert process.state() == "frozen"
    assert process.send(signal.SIGCONT)
    assert process.state() == "running"
    assert process.kill()
    assert process_state(pid) is None
    assert process.state() == "stopped"
    assert process.pid_path.exists()  # like after a real crash
    assert not process.kill()
    assert not process.send(signal.SIGCONT)


def test_a_frozen_process_still_stops(tmp_path: Path) -> None:
    process = daemon(tmp_path)
    process.start()
    process.send(signal.SIGSTOP)
    assert process.stop(timeout_s=5)
    assert process.state() == "stopped"


def test_one_that_ignores_sigterm_is_killed(tmp_path: Path) -> None:
    process = daemon(tmp_path, STUBBORN)
    pid = process.start()
    terminate(pid, 0.5, stop_signal=signal.SIGTERM)
    assert process_state(pid) is None


def test_a_reused_pid_is_not_ours(tmp_path: Path) -> None:
    process = daemon(tmp_path)
    process.pid_path.parent.mkdir(parents=True)
    # pid 1 exists, but it did not start when this record says: never signal it.
    process.pid_path.write_text(json.dumps({"pid": 1, "started": 1}))
    assert process.pid() is None
    assert not process.send(signal.SIGTERM)
    process.pid_path.write_text("garbage")
    assert process.pid() is None


@pytest.mark.parametrize("argv", [[sys.executable, "-c", "raise SystemExit(3)"]])
def test_a_process_that_exits_at_once_reads_as_stopped(tmp_path: Path, argv: list[str]) -> None:
    process = daemon(tmp_path, argv)
    pid = process.start()
    terminate(pid, 5, stop_signal=signal.SIGTERM)
    assert process.state() == "stopped"
