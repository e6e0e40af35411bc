"""What the tabs send over HTTP, against a small local server that records every request and
answers as told (no stack needed): the cluster buttons, the History tab, the failure wording
for a refused connection and a server that never answers."""

import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from typing import Any

import pytest
from PySide6.QtCore import Qt

from desktop.net import ApiClient, ChorusApi, FailureKind
from desktop.net.payloads import (
    ClusterControl,
    VersionList,
    parse_cluster,
    parse_document,
    parse_versions,
)
from desktop.views.cluster_tab import NO_CONTROL, ClusterTab
from desktop.views.history_tab import HistoryTab

from . import samples
from .local_server import Answer, local_server

TOKEN = "operator-secret"
WAIT_MS = 5000


@dataclass
class Recorder:
    """Requests seen (method, path with query, Authorization) and answers by path."""

    answers: dict[str, tuple[int, Any] | list[tuple[int, Any]]] = field(default_factory=dict)
    """By `METHOD /path` prefix; a list is answered in turn, its last answer from then on."""
    seen: list[tuple[str, str, str]] = field(default_factory=list)
    silent: threading.Event = field(default_factory=threading.Event)
    """Set: accept requests and never answer (a frozen node)."""

    def answer(self, method: str, path: str) -> tuple[int, Any]:
        for prefix, answer in self.answers.items():
            if f"{method} {path}".startswith(prefix):
                if isinstance(answer, list):
                    return answer.pop(0) if len(answer) > 1 else answer[0]
                return answer
        return 404, {"error": "not_found", "message": "Нет такого адреса"}


@pytest.fixture
def server() -> Iterator[tuple[str, Recorder]]:
    recorder = Recorder()

    def reply(request: BaseHTTPRequestHandler) -> Answer | None:
        authorization = request.headers.get("Authorization") or ""
        recorder.seen.append((request.command, request.path, authorization))
        if recorder.silent.is_set():
            threading.Event().wait(3)  # hold the connection without a word
            return None
        status, body = recorder.answer(request.command, request.path)
        return status, body, {}

    with local_server(reply) as url:
        yield url, recorder


def process(name: str, state: str) -> dict[str, Any]:
    return {"name": name, "location": "Санкт-Петербург", "state": state, "pid": None}


def test_kill_sends_the_operators_post_and_says_what_happened(server, qapp, qtbot) -> None:
    url, recorder = server
    recorder.answers["POST /api/cluster/nodes/b/kill"] = (200, process("b", "stopped"))
    tab = ClusterTab(ChorusApi(ApiClient(url, TOKEN)))
    qtbot.addWidget(tab)
    tab.show_control(_control({"a": "running", "b": "running", "c": "running"}))
    button = tab.buttons[("b", "kill")]
    assert button.isEnabled()
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: tab.action_status.text() == "Узел b убит (SIGKILL).", timeout=WAIT_MS)
    assert ("POST", "/api/cluster/nodes/b/kill", f"Bearer {TOKEN}") in recorder.seen
    killed = tab.model.node("b").process
    assert killed is not None
    assert killed.state == "stopped"


def test_freeze_without_cluster_control_says_so_in_russian(server, qapp, qtbot) -> None:
    url, recorder = server  # nothing answers /api/cluster/…: 404, as under compose
    tab = ClusterTab(ChorusApi(ApiClient(url, TOKEN)))
    qtbot.addWidget(tab)
    tab.act("c", "freeze")
    qtbot.waitUntil(lambda: NO_CONTROL in tab.action_status.text(), timeout=WAIT_MS)
    assert tab.action_status.text().startswith("Не удалось заморозить узел c.")
    assert recorder.seen[-1][:2] == ("POST", "/api/cluster/nodes/c/freeze")


def test_a_refused_action_shows_the_reason(server, qapp, qtbot) -> None:
    url, recorder = server
    recorder.answers["POST /api/cluster/nodes/a/thaw"] = (
        401,
        {"error": "unauthorized", "message": "acting on a node needs the operator token"},
    )
    tab = ClusterTab(ChorusApi(ApiClient(url, "")))
    qtbot.addWidget(tab)
    tab.act("a", "thaw")
    qtbot.waitUntil(lambda: "(401)" in tab.action_status.text(), timeout=WAIT_MS)
    assert tab.action_status.text().startswith("Не удалось разморозить узел a: Нет доступа")
    assert "operator token" not in tab.action_status.text()
    assert recorder.seen[-1][2] == ""


def test_the_cluster_tab_polls_nodes_control_and_timeline(server, qapp, qtbot) -> None:
    url, recorder = server
    for name in "ac":
        recorder.answers[f"GET /nodes/{name}/api/node"] = (200, samples.node_with_links(name))
    recorder.answers["GET /nodes/b/api/node"] = (502, {"error": "bad_gateway", "message": "…"})
    recorder.answers["GET /api/cluster"] = (
        200,
        {"mode": "local", "nodes": [process(n, "running") for n in "abc"]},
    )
    recorder.answers["GET /api/analytics/timeline"] = (200, samples.timeline())
    tab = ClusterTab(ChorusApi(ApiClient(url, TOKEN)))
    qtbot.addWidget(tab)
    tab.start()
    try:
        qtbot.waitUntil(lambda: tab.timeline.rowCount() == 2, timeout=WAIT_MS)
        qtbot.waitUntil(lambda: tab.model.node("a").healthy, timeout=WAIT_MS)
        qtbot.waitUntil(lambda: tab.model.node("b").problem == "не отвечает", timeout=WAIT_MS)
        qtbot.waitUntil(lambda: tab.buttons[("b", "freeze")].isEnabled(), timeout=WAIT_MS)
    finally:
        tab.stop()
    paths = {path for _, path, _ in recorder.seen}
    assert "/api/analytics/timeline?period=1h&limit=200" in paths
    assert all(auth == "" for method, _, auth in recorder.seen if method == "GET")


def test_history_asks_for_the_text_runs_and_edit_of_the_chosen_version(server, qapp, qtbot) -> None:
    url, recorder = server
    text = samples.authorship(4, [("Начало. ", "operator", 1), ("Вставка.", "agent-2", 4)])
    recorder.answers["GET /api/document/versions?limit=1&offset=0"] = (200, samples.versions(6))
    ahead = samples.versions(30, newest=30, count=21)  # a node 24 versions ahead: no 4
    recorder.answers["GET /api/document/versions?limit=21&offset=0"] = (200, ahead)
    recorder.answers["GET /api/document/versions?limit=21&offset=16"] = (
        200,
        samples.versions(30, newest=14, count=21),
    )
    recorder.answers["GET /api/document/versions/"] = (200, samples.document(4, text["text"]))
    behind = {"error": "validation_error", "message": "must be between 1 and 3", "field": "version"}
    recorder.answers["GET /api/document/authorship?version=4"] = [(422, behind), (200, text)]
    tab = HistoryTab(ChorusApi(ApiClient(url, "")))
    qtbot.addWidget(tab)
    tab.show_versions(_versions(6))
    tab.choose(4)
    qtbot.waitUntil(lambda: tab.authorship is not None and tab.entry is not None, timeout=WAIT_MS)
    qtbot.waitUntil(lambda: "узел" in tab.info.text(), timeout=WAIT_MS)
    assert tab.text.toPlainText() == text["text"]
    paths = [path for _, path, _ in recorder.seen]
    assert "/api/document/versions/4" in paths
    assert paths.count("/api/document/authorship?version=4") == 2  # a node behind: asked again
    assert "/api/document/versions?limit=21&offset=16" in paths  # its total: 30


def test_a_node_without_authorship_leaves_the_text_plain(server, qapp, qtbot) -> None:
    url, recorder = server
    recorder.answers["GET /api/document/versions/"] = (200, samples.document(2, "Текст."))
    tab = HistoryTab(ChorusApi(ApiClient(url, "")))
    qtbot.addWidget(tab)
    tab.show_versions(_versions(2))
    tab.choose(2)
    qtbot.waitUntil(lambda: "Авторство недоступно" in tab.legend.text(), timeout=WAIT_MS)
    qtbot.waitUntil(lambda: tab.text.toPlainText() == "Текст.", timeout=WAIT_MS)
    assert tab.legend.text() == "Авторство недоступно: Нет такого адреса"


def test_refused_and_silent_servers_read_in_russian(server, qapp, qtbot) -> None:
    url, recorder = server
    client = ApiClient("http://127.0.0.1:9", "")
    refused = client.get("/api/document/current", parse=parse_document)
    with qtbot.waitSignal(refused.failed, timeout=WAIT_MS) as failed:
        pass
    assert failed.args[0].kind is FailureKind.UNREACHABLE
    assert failed.args[0].detail == "соединение отклонено: сервис не запущен или порт закрыт"
    recorder.silent.set()
    patient = ApiClient(url, "", timeout_ms=300)
    silent = patient.get("/api/document/current")
    with qtbot.waitSignal(silent.failed, timeout=WAIT_MS) as failed:
        pass
    assert failed.args[0].detail == "сервис не ответил вовремя"


def _control(states: dict[str, str]) -> ClusterControl:
    return parse_cluster({"mode": "local", "nodes": [process(n, s) for n, s in states.items()]})


def _versions(total: int) -> VersionList:
    return parse_versions(samples.versions(total))
