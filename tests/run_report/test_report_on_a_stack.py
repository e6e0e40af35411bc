"""`./chorus report` on a real stack (PostgreSQL ×4, Redis, nginx, the services, the agents on
the simulator): after a short run in which node b is killed and comes back, and again with
node c stopped."""

import hashlib
import re
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from launcher.cli import main
from launcher.config import env_name
from launcher.stack import Stack
from tests.integration.conftest import HIGH_RATE, running_stack

AGENTS = 4
EXTERNAL = re.compile(r"https?:|//|\burl\(|\b(?:src|href)\s*=", re.IGNORECASE)
"""Anything that would make the page reach outside itself."""


def cli_env(stack: Stack) -> dict[str, str]:
    """What `./chorus` would find for this stack: its state directory and ports."""
    env = {"CHORUS_STATE_DIR": str(stack.config.state.root), "CHORUS_RATE_LIMIT": HIGH_RATE}
    env.update({env_name(n): str(p) for n, p in stack.config.ports.to_json().items()})
    return env


def accepted(http: httpx.Client) -> int:
    return sum(agent["accepted"] for agent in http.get("/api/agents").json()["agents"])


def wait_for_accepted(http: httpx.Client, count: int, limit_s: float = 40) -> None:
    deadline = time.monotonic() + limit_s
    while accepted(http) < count:
        assert time.monotonic() < deadline, f"fewer than {count} accepted edits in {limit_s} s"
        time.sleep(0.3)


def node_hashes(http: httpx.Client) -> dict[str, str]:
    return {
        name: hashlib.sha256(
            http.get(f"/nodes/{name}/api/document/current").json()["text"].encode()
        ).hexdigest()
        for name in "abc"
    }


def wait_until_both_peers_fail_to_reach_b(http: httpx.Client, limit_s: float = 30) -> None:
    """Analytics calls a node down once every peer has failed to push to it: the agents'
    edits reach a and c, whose relays then find b gone (on a loaded machine, later)."""
    deadline = time.monotonic() + limit_s
    while True:
        states = [
            http.get(f"/nodes/{peer}/api/node").json()["peers"]["b"]["state"] for peer in "ac"
        ]
        if states == ["failing", "failing"]:
            return
        assert time.monotonic() < deadline, f"a and c see b as {states} after {limit_s} s"
        time.sleep(0.3)


@pytest.fixture(scope="module")
def stack() -> Iterator[Stack]:
    with running_stack("chorus-test-report-", dashboard=False) as running:
        yield running


@pytest.fixture(scope="module")
def run_with_a_kill(stack: Stack) -> Stack:
    """A document, four agents, node b killed halfway until both peers have failed to reach
    it, then started again; the agents stopped."""
    operator = stack.secrets.bearer("operator")
    with httpx.Client(base_url=stack.balancer_url, timeout=15) as http:
        init = http.post(
            "/api/document/init",
            json={"topic": "История искусственного интеллекта", "initial_text": "Начало."},
            headers=operator,
        )
        assert init.status_code == 201, init.text
        started = http.post("/api/agents/start", json={"count": AGENTS}, headers=operator)
        assert started.status_code == 200, started.text
        wait_for_accepted(http, 6)
        node = stack.node("b")
        node.kill()
        wait_until_both_peers_fail_to_reach_b(http)
        node.launch()
        node.wait_ready(60)
        wait_for_accepted(http, accepted(http) + 6)
        assert http.post("/api/agents/stop", headers=operator).status_code == 200
    return stack


def test_report_after_a_run_with_a_node_kill(
    run_with_a_kill: Stack, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "report.html"

    assert main(["report", "--out", str(out)], cli_env(run_with_a_kill)) == 0

    printed = capsys.readouterr().out
    assert "Кластер синхронизирован" in printed
    html = out.read_text(encoding="utf-8")
    assert EXTERNAL.search(html) is None, EXTERNAL.search(html)
    assert out.with_suffix(".pdf").read_bytes().startswith(b"%PDF")
    # The kill is an event of the timeline, listed and drawn as a numbered mark on the charts.
    assert "Узел b недоступен" in html
    assert html.count('<g class="mark">') >= 5  # on every chart
    assert "Правки в минуту по статусу" in html
    assert "Задержка репликации a → b" in html
    assert "POST /api/edits p95" in html
    # The consistency section: pass, with the hash every node has, three times.
    assert "Кластер синхронизирован: все проверки пройдены." in html
    assert "✘" not in html
    with httpx.Client(base_url=run_with_a_kill.balancer_url, timeout=15) as http:
        hashes = node_hashes(http)
        agents = http.get("/api/agents").json()["agents"]
    assert len(set(hashes.values())) == 1
    assert html.count(f'<span class="hash">{hashes["a"]}</span>') == 3
    # Every agent is in the table, with its role.
    for agent in agents:
        assert f"<td>{agent['agent_id']}</td><td>{agent['role']}</td>" in html
    assert "офлайн-симулятор (chorus-simulator)" in html


def test_report_with_a_node_stopped_says_which_is_missing(
    run_with_a_kill: Stack, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "stopped.html"
    node = run_with_a_kill.node("c")
    node.stop()
    try:
        code = main(
            ["report", "--out", str(out), "--no-pdf", "--settle", "1"], cli_env(run_with_a_kill)
        )
    finally:
        node.launch()
        node.wait_ready(60)

    assert code == 1
    assert "Кластер НЕ синхронизирован: узел c не отвечает." in capsys.readouterr().out
    html = out.read_text(encoding="utf-8")
    assert '<div class="verdict fail">Кластер НЕ синхронизирован: узел c не отвечает.</div>' in html
    assert "узел c не отвечает: 502" in html
    assert not out.with_suffix(".pdf").exists()


def test_report_without_a_stack_names_what_is_missing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from launcher.config import Ports

    env = {"CHORUS_STATE_DIR": str(tmp_path / "state")}
    env.update({env_name(n): str(p) for n, p in Ports.free().to_json().items()})

    assert main(["report", "--out", str(tmp_path / "r.html")], env) == 1

    err = capsys.readouterr().err
    assert "chorus report: ошибка: балансировщик Chorus" in err
    assert "Запустите ./chorus up" in err
    assert "Traceback" not in err
    assert not (tmp_path / "r.html").exists()
