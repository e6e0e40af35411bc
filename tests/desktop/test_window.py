"""The desktop client against a real stack (nginx, three nodes, chat, analytics, supervisor,
the offline LLM), offscreen: what an operator does and sees, tab by tab.

The tests share one window and run in order: initialise, watch the document, page through
edits, see the chat and the charts grow, lose a node and a service, and save a screenshot of
every tab at the end.
"""

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings, Qt

from desktop.authorship import agent_colour
from desktop.net import ApiClient, FailureKind
from desktop.net.failures import is_russian
from desktop.net.payloads import Authorship, Document, parse_document
from desktop.settings import ConnectionSettings, SettingsStore
from desktop.views import TAB_NAMES, MainWindow
from desktop.views.document_tab import DocumentTab
from desktop.views.history_tab import HistoryTab
from launcher.stack import Stack
from launcher.state import OPERATOR

WAIT_MS = 30_000
SCREENSHOTS = Path(
    os.environ.get("CHORUS_DESKTOP_SCREENSHOTS", Path(__file__).parent / "screenshots")
)
TOPIC = "Распределённые системы"
INITIAL_TEXT = "Распределённая система — это набор узлов, которые работают как одно целое."


def runs_shown(tab: DocumentTab | HistoryTab) -> Authorship:
    """The authorship the tab paints (it has one by then)."""
    authorship = tab.authorship
    assert authorship is not None
    return authorship


def link_state(window: MainWindow, source: str, target: str) -> str:
    """The state `source` reports of its link to `target` ("" before it has)."""
    link = window.cluster_tab.links.link(source, target).link
    return link.state if link is not None else ""


def shown(window: MainWindow) -> Document:
    """The document the Document tab shows (it has shown one by then)."""
    document = window.document_tab.document
    assert document is not None
    return document


@pytest.fixture(scope="module")
def window(stack: Stack, qapp, tmp_path_factory) -> Iterator[MainWindow]:
    ini = tmp_path_factory.mktemp("desktop") / "desktop.ini"
    store = SettingsStore(QSettings(str(ini), QSettings.Format.IniFormat), {})
    store.save(ConnectionSettings(stack.balancer_url, stack.secrets.agent_tokens[OPERATOR]))
    main = MainWindow(store)
    main.show()
    main.start()
    yield main
    main.close()


def test_initialise_from_the_desktop(window: MainWindow, qtbot) -> None:
    tab = window.init_tab
    window.show_tab("init")
    tab.topic.setText(TOPIC)
    tab.initial_text.setPlainText(INITIAL_TEXT)
    tab.agent_count.setValue(2)
    for row in range(tab.roles.count()):
        item = tab.roles.item(row)
        keep = item.data(Qt.ItemDataRole.UserRole) in ("expert", "style")
        item.setCheckState(Qt.CheckState.Checked if keep else Qt.CheckState.Unchecked)
    assert tab.chosen_roles() == ["expert", "style"]
    with qtbot.waitSignal(tab.initialized, timeout=WAIT_MS):
        qtbot.mouseClick(tab.start_button, Qt.MouseButton.LeftButton)
    assert "запущено агентов: 2" in tab.status.text()
    assert [agent.agent_id for agent in tab.agents.rows()] == ["agent-1", "agent-2"]
    document = window.document_tab
    qtbot.waitUntil(
        lambda: document.document is not None and document.document.topic == TOPIC, timeout=WAIT_MS
    )
    assert document.title.text() == TOPIC


def test_the_document_updates_coloured_by_author(window: MainWindow, qtbot, tmp_path) -> None:
    document = window.document_tab
    window.show_tab("document")
    qtbot.waitUntil(
        lambda: (
            shown(window).version >= 3
            and bool(document.highlighted)
            and document.authorship is not None
        ),
        timeout=WAIT_MS,
    )
    assert document.text.document_text() == shown(window).text  # ghosts aside
    runs = runs_shown(document).runs
    assert "".join(shown(window).text[run.start : run.end] for run in runs) == shown(window).text
    assert {run.agent_id for run in runs} <= {"operator", "agent-1", "agent-2"}
    assert runs[0].agent_id == "operator"  # the initial text
    start, _end = document.highlighted[0]
    cursor = document.text.textCursor()
    cursor.setPosition(document.text.qt_position(start) + 1)  # past any removed text's ghost
    assert cursor.charFormat().fontUnderline()
    run = document.text.run_at(cursor.position())
    assert run is not None
    assert cursor.charFormat().background().color().name() == agent_colour(run.agent_id)
    assert "Авторы:" in document.legend.text()
    assert f"Версия {shown(window).version}" in document.info.text()
    saved = tmp_path / "документ.txt"
    document.save_to(saved)
    assert saved.read_text(encoding="utf-8") == shown(window).text
    assert "Сохранено" in document.saved.text()


def test_history_shows_any_version_by_author(window: MainWindow, qtbot) -> None:
    history = window.history_tab
    window.show_tab("history")
    qtbot.waitUntil(lambda: history.total >= 3 and history.authorship is not None, timeout=WAIT_MS)
    history.choose(1)
    qtbot.waitUntil(
        lambda: history.authorship is not None and history.authorship.version == 1,
        timeout=WAIT_MS,
    )
    assert history.text.toPlainText() == INITIAL_TEXT
    assert {run.agent_id for run in runs_shown(history).runs} == {"operator"}
    qtbot.waitUntil(lambda: "начальный текст: оператор" in history.info.text(), timeout=WAIT_MS)
    history.choose(3)
    qtbot.waitUntil(
        lambda: history.authorship is not None and history.authorship.version == 3,
        timeout=WAIT_MS,
    )
    authorship = runs_shown(history)
    assert "".join(authorship.text[run.start : run.end] for run in authorship.runs) == (
        authorship.text
    )
    assert history.text.toPlainText() == authorship.text
    assert max(run.version for run in authorship.runs) <= 3
    qtbot.mouseClick(history.latest_button, Qt.MouseButton.LeftButton)
    assert history.chosen == history.total


def test_page_through_edits_and_filter_them(window: MainWindow, qtbot) -> None:
    edits = window.edits_tab
    window.show_tab("edits")
    edits.page_size.setCurrentIndex(0)  # 10 per page
    qtbot.waitUntil(lambda: edits.total > 10 and edits.model.rowCount() == 10, timeout=WAIT_MS)
    first_page = {edit.edit_id for edit in edits.model.rows()}
    assert edits.next_button.isEnabled()
    assert not edits.previous_button.isEnabled()
    qtbot.mouseClick(edits.next_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(
        lambda: (
            edits.model.rowCount() > 0 and not first_page & {e.edit_id for e in edits.model.rows()}
        ),
        timeout=WAIT_MS,
    )
    assert edits.offset == 10
    assert "Страница 2 из" in edits.page_label.text()
    qtbot.mouseClick(edits.previous_button, Qt.MouseButton.LeftButton)
    assert edits.offset == 0
    author = edits.model.row(0).agent_id
    edits.agent_filter.setText(author)
    edits.agent_filter.editingFinished.emit()
    qtbot.waitUntil(
        lambda: (
            edits.model.rowCount() > 0
            and {edit.agent_id for edit in edits.model.rows()} == {author}
        ),
        timeout=WAIT_MS,
    )
    edits.agent_filter.clear()
    edits.agent_filter.editingFinished.emit()
    edits.status_filter.setCurrentIndex(1)  # accepted only
    qtbot.waitUntil(
        lambda: (
            edits.model.rowCount() > 0
            and {edit.status for edit in edits.model.rows()} == {"accepted"}
        ),
        timeout=WAIT_MS,
    )
    edits.status_filter.setCurrentIndex(0)


def test_the_chat_grows(window: MainWindow, qtbot) -> None:
    chat = window.chat_tab
    window.show_tab("chat")
    qtbot.waitUntil(lambda: chat.model.rowCount() > 0, timeout=WAIT_MS)
    seen = chat.model.rowCount()
    qtbot.waitUntil(lambda: chat.model.rowCount() > seen, timeout=WAIT_MS)
    assert chat.count.text() == f"Сообщений: {chat.model.rowCount()}"
    agents = {message.agent_id for message in chat.model.rows()}
    assert agents <= {"agent-1", "agent-2"}
    assert agents


def test_the_charts_get_points(window: MainWindow, qtbot) -> None:
    analytics = window.analytics_tab
    window.show_tab("analytics")
    qtbot.waitUntil(
        lambda: analytics.metrics is not None and analytics.metrics.total_edits > 0, timeout=WAIT_MS
    )
    assert analytics.tokens_chart.series.count() > 0
    assert max(p.y() for p in analytics.tokens_chart.series.points()) > 0
    assert analytics.edits_chart.bars.count() > 0
    assert (
        sum(analytics.edits_chart.bars.at(i) for i in range(analytics.edits_chart.bars.count())) > 0
    )
    assert analytics.agents_chart.series.count() > 0
    assert analytics.figures["edits"].text() != "—"
    assert "из 15 000 000" in analytics.gauge.format()
    assert not analytics.exhausted.isVisible()
    analytics.period.setCurrentIndex(1)  # 24 h: 15-minute buckets
    qtbot.waitUntil(
        lambda: analytics.metrics is not None and analytics.metrics.period == "24h", timeout=WAIT_MS
    )
    analytics.period.setCurrentIndex(0)


def test_a_stopped_node_shows_as_down_and_back(window: MainWindow, stack: Stack, qtbot) -> None:
    cluster = window.cluster_tab
    window.show_tab("cluster")
    qtbot.waitUntil(lambda: all(cluster.model.node(n).healthy for n in "abc"), timeout=WAIT_MS)
    assert cluster.model.node("b").location == "Санкт-Петербург"
    node = stack.node("c")
    node.stop()
    try:
        qtbot.waitUntil(lambda: not cluster.model.node("c").healthy, timeout=WAIT_MS)
        assert cluster.model.node("c").problem == "не отвечает"
        assert cluster.model.node("a").healthy
        assert cluster.model.node("b").healthy
        assert not window.banner.isVisible(), window.banner.text()  # the balancer fails over
    finally:
        node.launch()
        node.wait_ready(60)
    qtbot.waitUntil(lambda: cluster.model.node("c").healthy, timeout=WAIT_MS)


def test_kill_and_start_a_node_from_the_cluster_tab(window: MainWindow, qtbot) -> None:
    """Where a launcher runs the nodes (`/api/cluster` answers), kill b: it shows as down with
    its last version, then catches up after start. Where it is 404 the buttons stay off and
    say why."""
    cluster = window.cluster_tab
    window.show_tab("cluster")
    qtbot.waitUntil(lambda: cluster.mode.text() != "Режим: неизвестен", timeout=WAIT_MS)
    if cluster.control is None:
        assert not any(button.isEnabled() for button in cluster.buttons.values())
        assert "docker compose" in cluster.mode.text()
        return
    qtbot.waitUntil(lambda: all(cluster.model.node(n).healthy for n in "abc"), timeout=WAIT_MS)
    assert cluster.links.link("a", "b").link is not None
    assert cluster.buttons[("b", "kill")].isEnabled()
    qtbot.mouseClick(cluster.buttons[("b", "kill")], Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not cluster.model.node("b").answering, timeout=WAIT_MS)
    b = cluster.model.node("b")
    assert b.state is not None  # its last report stays
    version_cell = cluster.model.data(cluster.model.index(1, 4))
    assert version_cell == f"{b.state.version} (последняя известная)"
    assert cluster.severity == "error"
    assert cluster.status.text().startswith("Узел b недоступен")
    qtbot.waitUntil(lambda: "отстаёт на" in cluster.status.text(), timeout=WAIT_MS)
    qtbot.waitUntil(lambda: link_state(window, "a", "b") == "failing", timeout=WAIT_MS)
    failing = cluster.links.data(cluster.links.index(0, 6))
    assert failing
    assert is_russian(failing), failing
    outage = window.save_screenshot("cluster", SCREENSHOTS, moment="outage")
    assert outage.name == "desktop-cluster-outage.png"
    qtbot.waitUntil(lambda: cluster.buttons[("b", "start")].isEnabled(), timeout=WAIT_MS)
    qtbot.mouseClick(cluster.buttons[("b", "start")], Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: cluster.model.node("b").healthy, timeout=60_000)
    caught_up = cluster.model.data(cluster.model.index(1, 6))
    assert caught_up.startswith("догнал") or caught_up == "не отставал", caught_up
    qtbot.waitUntil(lambda: cluster.severity != "error", timeout=WAIT_MS)


def test_a_service_that_goes_down_is_shown_and_the_window_recovers(
    window: MainWindow, stack: Stack, qtbot
) -> None:
    chat = stack.get("chat")
    chat.stop()
    try:
        qtbot.waitUntil(
            lambda: any(f.what == "GET /api/chat/messages" for f in window.banner.failures()),
            timeout=WAIT_MS,
        )
        assert window.banner.isVisible()
        assert "Сервис недоступен (502)" in window.banner.text()
        version = shown(window).version
        qtbot.waitUntil(lambda: shown(window).version > version, timeout=WAIT_MS)
    finally:
        chat.launch()
        chat.wait_ready(60)
    qtbot.waitUntil(lambda: not window.banner.isVisible(), timeout=WAIT_MS)


def test_a_wrong_token_is_shown_as_401(window: MainWindow, stack: Stack, qtbot) -> None:
    good = window.connection
    window.apply_settings(ConnectionSettings(stack.balancer_url, "wrong-token"))
    try:
        window.init_tab.stop_agents()
        qtbot.waitUntil(
            lambda: any(f.kind is FailureKind.UNAUTHORIZED for f in window.banner.failures()),
            timeout=WAIT_MS,
        )
        assert "Нет доступа" in window.banner.text()
        assert "(401)" in window.banner.text()
        assert "(401)" in window.init_tab.status.text()
    finally:
        window.apply_settings(good)
    assert not window.banner.isVisible()
    assert window.store.load() == good


def test_an_unreachable_balancer_and_an_unexpected_answer(stack: Stack, qtbot) -> None:
    client = ApiClient("http://127.0.0.1:9", "", timeout_ms=2000)
    call = client.get("/api/document/current", parse=parse_document)
    with qtbot.waitSignal(call.failed, timeout=WAIT_MS) as failed:
        pass
    assert failed.args[0].kind is FailureKind.UNREACHABLE
    assert failed.args[0].status is None
    client.configure(stack.balancer_url, "")
    call = client.get("/api/chat/messages", parse=parse_document)
    with qtbot.waitSignal(call.failed, timeout=WAIT_MS) as failed:
        pass
    assert failed.args[0].kind is FailureKind.BAD_RESPONSE
    assert client.in_flight() == 0


def test_screenshot_of_every_tab(window: MainWindow, qtbot) -> None:
    qtbot.waitUntil(lambda: window.chat_tab.model.rowCount() > 0, timeout=WAIT_MS)
    for name in TAB_NAMES:
        path = window.save_screenshot(name, SCREENSHOTS)
        assert path.stat().st_size > 10_000, path
