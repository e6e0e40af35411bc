"""The desktop's session with the Text Service (issue 19), against a small local server that
answers with `X-Chorus-Session` tokens and records what it was sent: the client keeps their
pointwise maximum, sends it with every document and edits request (and with nothing else), and
the Cluster tab shows the session's vector next to each node's."""

import json
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler
from typing import Any

import pytest
from PySide6.QtCore import Qt

from crdt_core import SESSION_HEADER, SessionToken
from desktop.models import ClusterTableModel
from desktop.models.cluster_model import coverage_text, session_text, vector_text
from desktop.net import ApiClient, ChorusApi
from desktop.net.failures import failure_from_status
from desktop.net.payloads import parse_node_state
from desktop.views.cluster_tab import ClusterTab

from . import samples
from .local_server import Answer, local_server

WAIT_MS = 5000
DISPLAY = Qt.ItemDataRole.DisplayRole


class Balancer:
    """Answers each path with the next of its tokens; records (path, session header sent)."""

    def __init__(self) -> None:
        self.tokens: dict[str, list[str]] = {}
        self.bodies: dict[str, Any] = {}
        self.seen: list[tuple[str, str | None]] = []


@pytest.fixture
def balancer() -> Iterator[tuple[str, Balancer]]:
    state = Balancer()

    def reply(request: BaseHTTPRequestHandler) -> Answer:
        path = request.path.split("?")[0]
        state.seen.append((path, request.headers.get(SESSION_HEADER)))
        tokens = state.tokens.get(path, [])
        token = tokens.pop(0) if len(tokens) > 1 else tokens[0] if tokens else None
        headers = {SESSION_HEADER: token} if token is not None else {}
        return 200, state.bodies.get(path, {}), headers

    with local_server(reply) as url:
        yield url, state


def test_the_client_keeps_the_merged_token_and_sends_it_to_the_text_service_only(
    balancer: tuple[str, Balancer], qapp: Any, qtbot: Any
) -> None:
    url, state = balancer
    state.tokens["/api/document/current"] = ["d;0:3", "d;0:2,1:1", "d;0:3,1:1"]
    state.tokens["/api/chat/messages"] = ["d;0:99"]  # not the Text Service: ignored
    state.tokens["/api/edits"] = ["d;0:4,1:1"]
    state.bodies["/api/chat/messages"] = []
    state.bodies["/nodes/a/api/node"] = samples.node("a")
    client = ApiClient(url, "operator-secret")
    grown: list[SessionToken | None] = []
    client.session_changed.connect(grown.append)
    api = ChorusApi(client)
    for _ in range(3):
        call = client.get("/api/document/current")
        with qtbot.waitSignal(call.succeeded, timeout=WAIT_MS):
            pass
    with qtbot.waitSignal(api.chat(since=None).succeeded, timeout=WAIT_MS):
        pass
    with qtbot.waitSignal(client.post("/api/edits", {}).succeeded, timeout=WAIT_MS):
        pass
    with qtbot.waitSignal(api.node_state("a").succeeded, timeout=WAIT_MS):
        pass
    assert state.seen == [
        ("/api/document/current", None),
        ("/api/document/current", "d;0:3"),
        ("/api/document/current", "d;0:3,1:1"),
        ("/api/chat/messages", None),
        ("/api/edits", "d;0:3,1:1"),
        ("/nodes/a/api/node", None),
    ]
    assert [str(token) for token in grown] == ["d;0:3", "d;0:3,1:1", "d;0:4,1:1"]
    assert str(client.session) == "d;0:4,1:1"
    # Another balancer is another cluster: the session starts anew.
    client.configure("http://127.0.0.1:9", "operator-secret")
    assert client.session is None
    assert grown[-1] is None


def test_an_unreadable_token_leaves_the_session_as_it_was(
    balancer: tuple[str, Balancer], qapp: Any, qtbot: Any
) -> None:
    url, state = balancer
    state.tokens["/api/document/current"] = ["d;0:3", "garbage"]
    client = ApiClient(url, "")
    for _ in range(2):
        with qtbot.waitSignal(client.get("/api/document/current").succeeded, timeout=WAIT_MS):
            pass
    assert str(client.session) == "d;0:3"


def test_the_cluster_model_shows_each_nodes_vector_beside_the_session(qapp: Any) -> None:
    model = ClusterTableModel()
    a = samples.node("a") | {"watermark": {"0": 17, "1": 9, "2": 12}}
    b = samples.node("b") | {"watermark": {"0": 15, "1": 9, "2": 12}}
    c = samples.node("c") | {"watermark": {}}  # a node older than sessions
    for raw in (a, b, c):
        model.set_state(parse_node_state(raw))
    columns = [
        model.headerData(i, Qt.Orientation.Horizontal, DISPLAY) for i in range(model.columnCount())
    ]
    seen, session = columns.index("Узел видел"), columns.index("Ваш сеанс")

    def cell(row: int, column: int) -> str:
        return str(model.data(model.index(row, column), DISPLAY))

    assert cell(0, seen) == "a 17 · b 9 · c 12"
    assert cell(0, session) == "сеанс пуст"
    model.set_session(SessionToken.parse("d;0:17,1:9,2:12"))
    assert cell(0, session) == "покрывает ваш сеанс"
    assert cell(1, seen) == "a 15 · b 9 · c 12"
    assert cell(1, session) == "не хватает операций сеанса: от a — 2"
    assert cell(2, seen) == "—"
    model.set_down("a", "не отвечает")
    assert cell(0, session) == "покрывает ваш сеанс (последнее известное)"
    assert vector_text({2: 3}) == "a 0 · b 0 · c 3"
    assert coverage_text(None, {}) == "—"
    assert session_text(None).startswith("Ваш сеанс ещё ничего не читал")


def test_the_cluster_tab_shows_the_clients_session(
    balancer: tuple[str, Balancer], qapp: Any, qtbot: Any
) -> None:
    url, state = balancer
    state.tokens["/api/document/current"] = ["d;0:17,1:9,2:12"]
    client = ApiClient(url, "")
    tab = ClusterTab(ChorusApi(client))
    qtbot.addWidget(tab)
    assert tab.session.text().startswith("Ваш сеанс ещё ничего не читал")
    with qtbot.waitSignal(client.get("/api/document/current").succeeded, timeout=WAIT_MS):
        pass
    assert tab.session.text() == "Ваш сеанс видел: a 17 · b 9 · c 12"
    assert tab.model.session == SessionToken.parse("d;0:17,1:9,2:12")


def test_a_session_no_node_could_serve_reads_in_russian_and_is_retried() -> None:
    message = "узел c ещё не получил всё, что видел ваш сеанс: повторите на другом узле"
    body = json.dumps({"error": "session_unavailable", "message": message}).encode()
    failure = failure_from_status("GET /api/document/current", 503, body)
    assert failure.transient  # the poller asks again; a node will have caught up
    assert failure.message == f"Сервис недоступен (503) — GET /api/document/current: {message}"
