"""Tabs and dialogs fed directly, without a stack: what they show for given answers."""

import json
import os
from pathlib import Path

import pytest
from PySide6.QtCore import QEvent, QSettings, Qt
from PySide6.QtGui import QHelpEvent, QTextCharFormat, QTextCursor
from PySide6.QtWidgets import QApplication, QCheckBox, QLineEdit, QToolTip

from desktop.authorship import agent_colour
from desktop.ghosts import FADE_REFRESHES, FADE_S
from desktop.net import ApiClient, ChorusApi
from desktop.net.failures import failure_from_network, failure_from_status
from desktop.net.payloads import (
    parse_agents,
    parse_authorship,
    parse_cluster,
    parse_document,
    parse_metrics,
    parse_node_state,
    parse_timeline,
    parse_versions,
)
from desktop.settings import ConnectionSettings, SettingsStore
from desktop.views import TAB_NAMES, MainWindow
from desktop.views.analytics_tab import AnalyticsTab
from desktop.views.authored_text import GHOST_PROPERTY
from desktop.views.cluster_tab import ClusterTab
from desktop.views.document_tab import HIGHLIGHT, DocumentTab
from desktop.views.error_banner import ErrorBanner
from desktop.views.history_tab import HistoryTab
from desktop.views.settings_dialog import SettingsDialog

from . import samples

SCREENSHOTS = Path(
    os.environ.get("CHORUS_DESKTOP_SCREENSHOTS", Path(__file__).parent / "screenshots")
)


@pytest.fixture
def api(qapp) -> ChorusApi:
    """An API on a port nothing listens on; the tabs here are never started."""
    return ChorusApi(ApiClient("http://127.0.0.1:9", ""))


def test_budget_exhausted_shows_the_banner_and_a_full_gauge(api, qtbot) -> None:
    tab = AnalyticsTab(api)
    qtbot.addWidget(tab)
    tab.show_metrics(parse_metrics(samples.metrics(used=15_000_050, exceeded=True)))
    assert tab.exhausted.isVisibleTo(tab)
    assert tab.gauge.value() == tab.gauge.maximum()
    assert tab.gauge.format() == "15 000 050 из 15 000 000 (100.0 %) — исчерпан"
    assert tab.figures["lag"].text() == "p50 66 мс · p95 87 мс"
    assert tab.figures["latency"].text() == "13 мс"
    unknown = {**samples.metrics(), "budget": {"limit": None, "used": None, "exceeded": False}}
    with qtbot.waitSignal(tab.budget_state) as state:
        tab.show_metrics(parse_metrics(unknown))
    assert state.args == [False]
    assert tab.gauge.format() == "нет данных"
    assert not tab.exhausted.isVisibleTo(tab)


def test_a_restored_budget_clears_the_banner_at_the_next_answer(api, qtbot) -> None:
    """The state is the current budget's: a limit restored after an exhausted one shows as
    a healthy gauge, not a lingering «исчерпан»."""
    tab = AnalyticsTab(api)
    qtbot.addWidget(tab)
    tab.show_metrics(parse_metrics(samples.metrics(used=600_000, limit=599_000, exceeded=True)))
    assert tab.exhausted.isVisibleTo(tab)
    restored = samples.metrics(used=600_000, limit=15_000_000, exceeded=False)
    restored["edit_latency_ms"] = {"p50": 12.0, "p95": 2400.0}
    tab.show_metrics(parse_metrics(restored))
    assert not tab.exhausted.isVisibleTo(tab)
    assert tab.gauge.format() == "600 000 из 15 000 000 (4.0 %)"
    assert tab.figures["latency"].text() == "p50 12 мс · p95 2,4 с"


def test_document_highlights_only_changes_within_one_document(api, qtbot, tmp_path: Path) -> None:
    tab = DocumentTab(api)
    qtbot.addWidget(tab)
    tab.show_document(parse_document({**samples.document(1, "Начало."), "document_id": None}))
    assert "не инициализирован" in tab.info.text()
    tab.show_document(parse_document(samples.document(1, "Начало.")))
    assert tab.highlighted == []  # another document: nothing to compare with
    tab.show_document(parse_document(samples.document(2, "Начало. 😀 Продолжение.")))
    assert tab.highlighted == [(7, 22)]
    assert tab.latest_button.isEnabled()
    cursor = tab.text.textCursor()
    cursor.setPosition(12)  # inside «Продолжение» (UTF-16: the emoji counts twice)
    assert cursor.charFormat().background().color() == HIGHLIGHT
    tab.show_document(parse_document(samples.document(2, "Начало. 😀 Продолжение.")))
    assert tab.highlighted == [(7, 22)]  # the same version again changes nothing
    tab.show_document(parse_document(samples.document(1, "Другое.", document_id="doc-2")))
    assert tab.highlighted == []
    assert tab.title.text() == "История искусственного интеллекта"
    tab.save_to(tmp_path / "out.txt")
    assert (tmp_path / "out.txt").read_text(encoding="utf-8") == "Другое."


def test_the_banner_lists_failures_by_source_until_each_answers(qtbot) -> None:
    banner = ErrorBanner()
    qtbot.addWidget(banner)
    budget = failure_from_status(
        "POST /api/edits", 429, json.dumps({"error": "budget_exceeded"}).encode()
    )
    banner.report("write", budget)
    banner.report("chat", failure_from_network("GET /api/chat/messages", "Connection refused"))
    assert not banner.isHidden()
    assert banner.text().splitlines() == [
        budget.message,
        "Сервис недоступен — GET /api/chat/messages: нет связи с сервером",
    ]
    banner.clear("chat")
    banner.clear("never reported")
    assert banner.failures() == [budget]
    banner.clear_all()
    assert banner.failures() == []
    assert banner.isHidden()


def test_settings_dialog_hides_the_token_until_asked(qtbot) -> None:
    dialog = SettingsDialog(ConnectionSettings("http://lb:8080", "secret"))
    qtbot.addWidget(dialog)
    assert dialog.token.echoMode() == QLineEdit.EchoMode.Password
    show = dialog.findChild(QCheckBox)
    assert show is not None
    show.setChecked(True)
    assert dialog.token.echoMode() == QLineEdit.EchoMode.Normal
    show.setChecked(False)
    assert dialog.token.echoMode() == QLineEdit.EchoMode.Password
    dialog.url.setText(" http://other:1 ")
    assert dialog.chosen() == ConnectionSettings("http://other:1", "secret")


def test_charts_have_whole_ticks_time_labels_and_event_marks(api, qtbot) -> None:
    tab = AnalyticsTab(api)
    qtbot.addWidget(tab)
    metrics = samples.metrics()
    metrics["active_agents_by_time"] = [
        {"timestamp": f"2026-11-25T01:{minute:02d}:00Z", "agents": minute % 3}
        for minute in range(30)
    ]
    metrics["edits_by_time"] = [
        {"timestamp": f"2026-11-25T01:{minute:02d}:00Z", "edits": minute % 4}
        for minute in range(30)
    ]
    tab.show_metrics(parse_metrics(metrics))
    agents = tab.agents_chart
    assert agents.y_ticks == [0, 1, 2]  # not «0, 1, 1, 2»
    assert agents.y_axis.max() == 2
    assert len(agents.x_labels) >= 4
    assert all(len(label) == 5 and label[2] == ":" for label in agents.x_labels)
    assert tab.edits_chart.y_ticks == [0, 1, 2, 3]
    assert len(tab.edits_chart.x_labels) >= 4
    tab.show_events(parse_timeline(samples.timeline()))
    assert [event.kind for event, _ in agents.marks] == ["node_caught_up", "node_down"]
    assert [event.kind for event, _ in tab.edits_chart.marks] == ["node_caught_up", "node_down"]
    line = agents.marks[1][1]  # node_down
    assert line.pen().color().name() == "#c92a2a"
    assert [point.y() for point in line.points()] == [0, 2]
    line.hovered.emit(line.points()[0], True)  # the tooltip names the event
    assert "Узел b недоступен" in QToolTip.text()
    line.hovered.emit(line.points()[0], False)
    # its buckets 01:00–01:02: the chart runs to 01:03, through the bucket still filling
    assert [event.kind for event, _ in tab.tokens_chart.marks] == ["node_caught_up", "node_down"]
    later = samples.timeline()
    later["events"][0]["timestamp"] = "2026-11-25T01:03:30Z"
    tab.show_events(parse_timeline(later))
    assert [event.kind for event, _ in tab.tokens_chart.marks] == ["node_down"]
    empty = {**samples.metrics(), "edits_by_time": [], "token_usage_by_time": []}
    tab.show_metrics(parse_metrics(empty))
    assert tab.edits_chart.marks == []
    assert tab.tokens_chart.y_ticks == [0, 1]


def test_document_colours_the_text_by_author_and_underlines_new_runs(api, qtbot) -> None:
    tab = DocumentTab(api)
    qtbot.addWidget(tab)
    tab.set_roles({"agent-2": "редактор стиля"})
    first = samples.authorship(2, [("Начало. ", "operator", 1), ("Вставка.", "agent-2", 2)])
    tab.show_document(parse_document(samples.document(2, first["text"])))
    tab.show_authorship(parse_authorship(first))
    second = samples.authorship(
        3, [("Начало. ", "operator", 1), ("Вставка.", "agent-2", 2), (" 😀 Конец.", "agent-3", 3)]
    )
    tab.show_document(parse_document(samples.document(3, second["text"])))
    stale = samples.authorship(2, [("Другой текст", "agent-1", 2)])
    tab.show_authorship(parse_authorship(stale))  # not the version shown: ignored
    assert tab.authorship is None
    tab.show_authorship(parse_authorship(second))
    assert tab.highlighted == [(16, 25)]
    cursor = tab.text.textCursor()
    cursor.setPosition(3)
    assert cursor.charFormat().background().color().name() == agent_colour("operator")
    assert not cursor.charFormat().fontUnderline()
    cursor.setPosition(12)
    assert cursor.charFormat().background().color().name() == agent_colour("agent-2")
    cursor.setPosition(22)  # inside «Конец» (the emoji counts twice in UTF-16)
    assert cursor.charFormat().background().color().name() == agent_colour("agent-3")
    assert cursor.charFormat().fontUnderline()
    run = tab.text.run_at(22)
    assert run is not None
    assert run.agent_id == "agent-3"
    assert tab.text.run_at(500) is None
    assert tab.latest_button.isEnabled()
    assert tab.latest_range() == (16, 25)
    tab.jump_to_latest()
    assert tab.text.textCursor().selectedText() == " 😀 Конец."
    assert "agent-2 (редактор стиля)" in tab.legend.text()
    assert "Авторы:" in tab.legend.text()
    tab.set_roles({"agent-2": "эксперт по теме"})
    assert "agent-2 (эксперт по теме)" in tab.legend.text()
    tab.show()
    qtbot.waitExposed(tab)
    point = tab.text.cursorRect(cursor).center()
    assert tab.text.tooltip_at(point).startswith("Правка e0000003 · agent-3 · версия 3")
    event = QHelpEvent(QEvent.Type.ToolTip, point, tab.text.viewport().mapToGlobal(point))
    QApplication.sendEvent(tab.text.viewport(), event)
    assert QToolTip.text().startswith("Правка e0000003 · agent-3")


def test_document_says_when_the_nodes_do_not_report_authorship(api, qtbot) -> None:
    tab = DocumentTab(api)
    qtbot.addWidget(tab)
    tab._no_authorship(failure_from_status("GET /api/document/authorship", 404, b""))
    assert tab.legend.text() == "Авторство недоступно: такого адреса на сервере нет"


def test_history_follows_the_newest_version_until_moved(api, qtbot) -> None:
    tab = HistoryTab(api)
    qtbot.addWidget(tab)
    assert not tab.slider.isEnabled()
    tab.show_versions(parse_versions(samples.versions(5)))
    assert (tab.slider.minimum(), tab.slider.maximum(), tab.chosen) == (1, 5, 5)
    assert tab.shown_version is None  # asked once the slider rests
    qtbot.waitUntil(lambda: tab.shown_version == 5, timeout=2000)
    assert tab.position.text() == "Версия 5 из 5"
    assert not tab.next_button.isEnabled()
    qtbot.mouseClick(tab.previous_button, Qt.MouseButton.LeftButton)
    tab.load_chosen()
    assert tab.shown_version == 4
    assert tab.latest_button.isEnabled()
    tab.show_versions(parse_versions(samples.versions(6)))
    assert tab.chosen == 4  # moved away from the newest: stays
    text = samples.authorship(4, [("Начало. ", "operator", 1), ("Вставка.", "agent-2", 4)])
    tab._got_runs(3, parse_authorship(text))  # an answer for another version: dropped
    assert tab.authorship is None
    tab._got_text(4, parse_document(samples.document(4, text["text"])))
    assert tab.text.toPlainText() == text["text"]
    tab._got_runs(4, parse_authorship(text))
    tab._got_entry(4, parse_versions(samples.versions(6, newest=4)))
    tab.set_roles({"agent-2": "редактор стиля"})
    assert tab.info.text().startswith("Версия 4: ")
    assert tab.position.text() == "Версия 4 из 6"
    assert "подчёркнуто: что внесла эта версия" in tab.legend.text()
    assert "правка: agent-2 (редактор стиля), принята · узел b" in tab.info.text()
    cursor = tab.text.textCursor()
    cursor.setPosition(10)
    assert cursor.charFormat().background().color().name() == agent_colour("agent-2")
    assert cursor.charFormat().fontUnderline()  # what version 4 wrote
    tab._no_text(3, failure_from_status("GET /api/document/versions/3", 502, b""))  # not shown
    assert tab.info.text().startswith("Версия 4: ")
    tab._no_text(4, failure_from_status("GET /api/document/versions/4", 502, b""))
    assert tab.info.text() == ("Версия 4 не загружена: балансировщик не получил ответа от сервиса")
    tab._no_runs(4, failure_from_status("GET /api/document/authorship", 404, b""))
    assert "Авторство недоступно" in tab.legend.text()
    tab.choose(1)
    assert tab.shown_version == 1
    first = samples.versions(6, newest=1)
    first["versions"][0]["agent_id"] = ""  # as the nodes list the initial text
    tab._got_entry(1, parse_versions(first))
    assert "начальный текст: оператор" in tab.info.text()
    another = {**samples.versions(2), "document_id": "doc-2"}
    tab.show_versions(parse_versions(another))
    assert tab.chosen == 2  # a new document: follow its newest version again
    tab.show_versions(parse_versions({"document_id": None, "total": 0, "versions": []}))
    assert tab.position.text() == "Версий пока нет: документ не инициализирован"
    no_document = json.dumps({"error": "no_document", "message": "документа ещё нет"}).encode()
    tab._no_versions(failure_from_status("GET /api/document/versions", 409, no_document))
    assert tab.position.text() == "Версий пока нет: документа ещё нет"
    tab._no_versions(failure_from_status("GET /api/document/versions", 404, b""))
    assert tab.position.text() == (
        "История недоступна: Не найдено (404) — GET /api/document/versions: "
        "такого адреса на сервере нет"
    )


def test_cluster_tab_shows_links_summary_buttons_and_events(api, qtbot) -> None:
    tab = ClusterTab(api)
    qtbot.addWidget(tab)
    tab.show_node(parse_node_state(samples.node_with_links("a", version=9)))
    tab.show_node(parse_node_state(samples.node_with_links("c", version=9)))
    tab._node_failed("b", failure_from_network("GET /nodes/b/api/node", "ConnectionRefusedError"))
    assert tab.severity == "error"
    assert tab.status.text().startswith("Узел b недоступен (не отвечает)")
    assert tab.links.link("b", "a").source_answering is False
    assert not any(button.isEnabled() for button in tab.buttons.values())
    control = parse_cluster(
        {
            "mode": "local",
            "nodes": [
                {"name": "a", "state": "running", "pid": 10},
                {"name": "b", "state": "stopped", "pid": None},
                {"name": "c", "state": "frozen", "pid": 12},
            ],
        }
    )
    tab.show_control(control)
    enabled = {key for key, button in tab.buttons.items() if button.isEnabled()}
    assert enabled == {
        ("a", "stop"),
        ("a", "kill"),
        ("a", "freeze"),
        ("b", "start"),
        ("c", "stop"),
        ("c", "kill"),
        ("c", "thaw"),
    }
    assert tab.buttons[("a", "kill")].text() == "Убить"
    assert tab.mode.text() == "Режим: локальный (узлами управляет лаунчер)"
    tab._no_control(failure_from_status("GET /api/cluster", 404, b""))
    assert not any(button.isEnabled() for button in tab.buttons.values())
    assert "docker compose" in tab.mode.text()
    tab._no_control(failure_from_status("GET /api/cluster", 502, b""))
    assert tab.mode.text().startswith("Управление узлами сейчас недоступно: Сервис недоступен")
    with qtbot.waitSignal(tab.events_changed) as changed:
        tab.show_timeline(parse_timeline(samples.timeline()))
    assert len(changed.args[0]) == 2
    assert tab.timeline.rowCount() == 2
    tab._no_timeline(failure_from_status("GET /api/analytics/timeline", 404, b""))
    assert tab.timeline_note.text() == "Лента событий недоступна: такого адреса на сервере нет"
    assert tab.node_states()["b"] is None


def test_the_window_drops_a_stale_budget_refusal_once_the_budget_is_restored(
    qapp, qtbot, tmp_path: Path
) -> None:
    store = SettingsStore(QSettings(str(tmp_path / "d.ini"), QSettings.Format.IniFormat), {})
    window = MainWindow(store)
    qtbot.addWidget(window)
    assert TAB_NAMES[2] == "history"
    assert window.tabs.tabText(2) == "История"
    refused = failure_from_status(
        "POST /api/edits", 429, json.dumps({"error": "budget_exceeded"}).encode()
    )
    window.banner.report("write", refused)
    window.banner.report("chat", failure_from_network("GET /api/chat/messages", ""))
    window.analytics_tab.show_metrics(parse_metrics(samples.metrics(exceeded=True)))
    assert refused in window.banner.failures()
    window.analytics_tab.show_metrics(parse_metrics(samples.metrics(exceeded=False)))
    assert [f.what for f in window.banner.failures()] == ["GET /api/chat/messages"]
    window.init_tab.show_agents(parse_agents(samples.agents()))
    assert window.document_tab.roles == {"agent-1": "эксперт по теме", "agent-2": "эксперт по теме"}
    assert window.history_tab.roles == window.document_tab.roles


def test_to_the_latest_edit_scrolls_below_the_fold(api, qtbot) -> None:
    tab = DocumentTab(api)
    qtbot.addWidget(tab)
    tab.resize(800, 400)
    tab.show()
    qtbot.waitExposed(tab)
    body = "\n\n".join(f"Абзац {n}: старый текст." for n in range(200))
    tab.show_document(parse_document(samples.document(2, body)))
    assert not tab.latest_button.isEnabled()  # nothing new yet
    tab.show_document(parse_document(samples.document(3, body + " Новое в конце.")))
    assert tab.latest_range() == (len(body), len(body) + len(" Новое в конце."))
    tab.text.verticalScrollBar().setValue(0)
    qtbot.mouseClick(tab.latest_button, Qt.MouseButton.LeftButton)
    assert tab.text.verticalScrollBar().value() > 0
    assert tab.text.textCursor().selectedText() == " Новое в конце."


def ghost_format(tab: DocumentTab, position: int) -> QTextCharFormat:
    """The character format after Qt position `position` of the tab's text."""
    cursor = tab.text.textCursor()
    cursor.setPosition(position + 1)
    return cursor.charFormat()


def test_deleted_text_shows_struck_through_where_it_was_and_fades(api, qtbot) -> None:
    tab = DocumentTab(api)
    qtbot.addWidget(tab)
    tab.resize(800, 300)
    now = [100.0]
    tab.clock = lambda: now[0]
    tab.set_roles({"agent-3": "редактор стиля"})
    first = samples.authorship(
        2,
        [
            ("Начало 😀 ", "operator", 1),
            ("Старая фраза. ", "agent-2", 2),
            ("Конец.", "operator", 1),
        ],
    )
    tab.show_document(parse_document(samples.document(2, first["text"])))
    tab.show_authorship(parse_authorship(first))
    assert tab.ghosts == []
    second = samples.authorship(
        3,
        [
            ("Начало 😀 ", "operator", 1),
            ("Новая", "agent-3", 3),
            (" фраза. ", "agent-2", 2),
            ("Конец.", "operator", 1),
        ],
    )
    real = second["text"]
    tab.show_document(parse_document(samples.document(3, real)))
    assert [(ghost.at, ghost.text) for ghost in tab.ghosts] == [(9, "Старая")]
    assert tab.text.toPlainText() == "Начало 😀 СтараяНовая фраза. Конец."
    assert tab.text.document_text() == real
    assert ghost_format(tab, 10).fontStrikeOut()  # UTF-16: the emoji counts twice
    assert tab.text.ghost_at(12) is not None
    tab.show_authorship(parse_authorship(second))
    assert tab.highlighted == [(9, 14)]  # «Новая», by its run
    ghost = ghost_format(tab, 10)
    assert ghost.fontStrikeOut()
    assert ghost.foreground().color().name() == "#808080"
    assert ghost.property(GHOST_PROPERTY) is True
    assert not ghost.fontUnderline()
    assert ghost.toolTip() == "удалено правкой e0000003 · agent-3 (редактор стиля) · версия 3"
    new = ghost_format(tab, 17)  # «Новая», after the ghost
    assert new.fontUnderline()
    assert not new.fontStrikeOut()
    assert new.background().color().name() == agent_colour("agent-3")
    assert tab.text.run_at(12) is None  # on the ghost
    run = tab.text.run_at(17)
    assert run is not None
    assert run.agent_id == "agent-3"
    assert "зачёркнуто серым: удалённое" in tab.legend.text()
    tab.jump_to_latest()
    assert tab.text.textCursor().selectedText() == "Новая"
    tab.text.selectAll()
    assert tab.text.createMimeDataFromSelection().text() == real  # copying leaves ghosts out
    tab.text.copy()
    assert QApplication.clipboard().text() == real
    cursor = tab.text.textCursor()
    cursor.setPosition(10)
    cursor.setPosition(16, QTextCursor.MoveMode.KeepAnchor)  # the ghost alone
    tab.text.setTextCursor(cursor)
    assert tab.text.selected_text() == ""
    tab.show()
    qtbot.waitExposed(tab)
    cursor.setPosition(12)
    point = tab.text.cursorRect(cursor).center()
    assert tab.text.tooltip_at(point).startswith("удалено правкой e0000003")
    cursor.clearSelection()
    tab.text.setTextCursor(cursor)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    tab.grab().save(str(SCREENSHOTS / "desktop-document-deleted.png"))

    assert tab.fade_timer.isActive()
    tab.text.reveal(0, 6)  # a selection survives the ghosts fading
    now[0] += FADE_S / 2
    tab.fade()
    assert ghost_format(tab, 10).foreground().color().name() != "#808080"  # lighter
    assert tab.text.selected_text() == "Начало"
    now[0] += FADE_S / 2
    tab.fade()
    assert tab.ghosts == []
    assert tab.text.toPlainText() == real
    assert tab.text.selected_text() == "Начало"
    assert not tab.fade_timer.isActive()
    assert "зачёркнуто" not in tab.legend.text()


def test_ghosts_fade_after_a_few_refreshes_and_show_a_split(api, qtbot) -> None:
    tab = DocumentTab(api)
    qtbot.addWidget(tab)
    tab.clock = lambda: 0.0
    text = "Первое решений. Проще говоря."
    tab.show_document(parse_document(samples.document(2, text)))
    text = "решений.\n\nПроще говоря."
    tab.show_document(parse_document(samples.document(4, text)))
    assert [ghost.text for ghost in tab.ghosts] == ["Первое ", " "]
    assert tab.text.toPlainText() == "Первое решений.␣\n\nПроще говоря."
    assert ghost_format(tab, 0).toolTip() == "удалено одной из правок версий 3–4"
    assert tab.highlighted == [(8, 10)]
    for version in range(5, 5 + FADE_REFRESHES):
        assert tab.ghosts, version
        text += f" {version}"
        tab.show_document(parse_document(samples.document(version, text)))
    assert tab.ghosts == []
    assert tab.text.toPlainText() == text
    tab.show_document(parse_document(samples.document(20, "Ничего.")))
    assert tab.text.toPlainText() == "решенийНичего.¶¶Проще говоря. 5 6 7 8"  # ¶: a removed break
    tab.show_document(parse_document(samples.document(1, "Другой.", document_id="doc-2")))
    assert tab.ghosts == []  # another document: nothing was deleted from it
    assert tab.text.toPlainText() == "Другой."
