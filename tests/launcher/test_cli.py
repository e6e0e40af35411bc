"""The CLI on a real stack (its own state directory and free ports): up, status, logs, node
actions, down — and nothing of it left running afterwards."""

import re
import socket
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from launcher.cli import load_stack, main
from launcher.config import Ports, RateLimit, env_name
from launcher.daemon import process_state
from launcher.state import Saved, StateDir


def stack_env(root: Path, ports: Ports) -> dict[str, str]:
    env = {"CHORUS_STATE_DIR": str(root / "state"), "CHORUS_RATE_LIMIT": "600r/m"}
    env.update({env_name(name): str(port) for name, port in ports.to_json().items()})
    return env


def status_lines(
    capsys: pytest.CaptureFixture[str], env: dict[str, str]
) -> tuple[int, dict[str, list[str]]]:
    code = main(["status"], env)
    lines = capsys.readouterr().out.splitlines()
    return code, {line.split()[0]: line.split()[1:] for line in lines}


def test_up_status_node_actions_down(state_root: Path, capsys: pytest.CaptureFixture[str]) -> None:
    ports = Ports.free()
    env = stack_env(state_root, ports)
    pids: set[int] = set()
    try:
        assert main(["up", "--wait", "60", "--agents", "1"], env) == 0
        out = capsys.readouterr().out
        total = len(load_stack(env, for_up=False).components)
        assert f"[1/{total}] PostgreSQL a … initialised and started, ok" in out
        assert f"[11/{total}] nginx (load balancer) … started, ok" in out
        assert f"[13/{total}] Agent supervisor … started, ok" in out
        assert f"[14/{total}] Cluster control (local mode) … started, ok" in out
        assert "Document … initialised: «История искусственного интеллекта»" in out
        assert "Agents … 1 started (эксперт по теме)" in out
        assert f"balancer     http://127.0.0.1:{ports.nginx}" in out
        assert "rate limit   600r/m" in out
        balancer = f"http://127.0.0.1:{ports.nginx}"
        document = httpx.get(f"{balancer}/api/document/current", timeout=10).json()
        assert document["topic"] == "История искусственного интеллекта"
        listing = httpx.get(f"{balancer}/api/agents", timeout=10).json()
        assert [a["agent_id"] for a in listing["agents"]] == ["agent-1"]

        code, status = status_lines(capsys, env)
        assert code == 0
        assert set(status) == {
            *(f"postgres-{n}" for n in ("a", "b", "c", "analytics")),
            *(f"node-{n}" for n in "abc"),
            "redis",
            "analytics",
            "chat",
            "nginx",
            "simulator",
            "supervisor",
            "control",
            "dashboard",
        }
        assert all(fields[0] == "healthy" for fields in status.values()), status
        assert status["node-a"][-1] == str(ports.node_a)
        pids = {int(fields[2]) for fields in status.values()}

        # Safe to re-run: nothing restarts, the document is kept, the agent keeps running.
        assert main(["up", "--agents", "1"], env) == 0
        again = capsys.readouterr().out
        assert again.count("already running") == total + 1, again  # the agents too
        assert "Document … exists" in again

        assert main(["node", "kill", "a"], env) == 0
        assert "kill done, now stopped" in capsys.readouterr().out
        code, status = status_lines(capsys, env)
        assert code == 1
        assert status["node-a"][:2] == ["down", "-"]
        assert status["node-b"][0] == "healthy"

        assert main(["node", "freeze", "b"], env) == 0
        code, status = status_lines(capsys, env)
        assert status["node-b"][0] == "frozen"
        assert main(["node", "thaw", "b"], env) == 0

        assert main(["node", "start", "a"], env) == 0
        assert "node a: started, healthy" in capsys.readouterr().out
        code, status = status_lines(capsys, env)
        assert code == 0, status
        pids.add(int(status["node-a"][2]))

        assert main(["node", "stop", "c"], env) == 0
        assert main(["node", "stop", "c"], env) == 1  # not running
        assert main(["node", "start", "c"], env) == 0
        code, status = status_lines(capsys, env)
        assert code == 0, status
        pids.add(int(status["node-c"][2]))

        capsys.readouterr()
        assert main(["logs", "redis", "-n", "3"], env) == 0
        assert "Ready to accept connections" in capsys.readouterr().out
        assert main(["logs"], env) == 0
        assert "==> nginx:" in capsys.readouterr().out
        assert main(["logs", "nope"], env) == 1
        assert "no component 'nope'" in capsys.readouterr().err
    finally:
        assert main(["down"], env) == 0
    out = capsys.readouterr().out
    assert "PostgreSQL a … stopped" in out
    assert out.index("nginx (load balancer) … stopped") < out.index("PostgreSQL a … stopped")
    assert [pid for pid in pids if process_state(pid) is not None] == []
    code, status = status_lines(capsys, env)
    assert code == 1
    assert all(fields[0] == "down" for fields in status.values())
    assert main(["down"], env) == 0
    assert "not running" in capsys.readouterr().out
    assert list(StateDir(state_root / "state").run.glob("*.pid")) == []


def test_later_commands_use_the_ports_of_up(state_root: Path) -> None:
    """Resolution of the ports, without starting anything."""
    first, second = Ports.free(), Ports.free()
    env = stack_env(state_root, first)
    state = StateDir(state_root / "state")
    assert load_stack(env, for_up=True).config.ports == first
    state.save(Saved(first, RateLimit.parse("10r/m")))
    moved = stack_env(state_root, second)
    assert load_stack(moved, for_up=False).config.ports == first  # status/down: what up used
    assert load_stack(moved, for_up=True).config.ports == second  # nothing runs: env wins


def test_errors_and_help(state_root: Path, capsys: pytest.CaptureFixture[str]) -> None:
    env = stack_env(state_root, Ports.free())
    assert main(["node", "kill", "b"], env) == 1
    assert "узел b не запущен" in capsys.readouterr().out
    bad = {**env, "CHORUS_RATE_LIMIT": "lots"}
    assert main(["up"], bad) == 1
    assert "CHORUS_RATE_LIMIT" in capsys.readouterr().err
    assert main([], env) == 0
    assert "node" in capsys.readouterr().out
    with socket.socket() as squatter:  # another program on PostgreSQL a's port
        squatter.bind(("127.0.0.1", int(env["CHORUS_POSTGRES_A_PORT"])))
        squatter.listen()
        assert main(["up"], env) == 1
    captured = capsys.readouterr()
    assert re.search(r"\[1/\d+\] PostgreSQL a … FAILED", captured.out)
    assert "is in use by another program" in captured.err
    assert "CHORUS_POSTGRES_A_PORT" in captured.err
    with pytest.raises(SystemExit):
        main(["node", "explode", "a"], env)
    # The module entry point, as ./chorus runs it.
    result = subprocess.run(
        [sys.executable, "-m", "launcher", "status"],
        env={"PATH": "/usr/bin:/bin", **env},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 1
    assert "node-a" in result.stdout
    assert "down" in result.stdout
