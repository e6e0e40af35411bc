"""Tabs and dialogs fed directly, without a stack: what they show for given answers."""

import json
from pathlib import Path

import pytest
from PySide6.QtWidgets import QCheckBox, QLineEdit

from desktop.net import ApiClient, ChorusApi
from desktop.net.failures import failure_from_network, failure_from_status
from desktop.net.payloads import parse_document, parse_metrics
from desktop.settings import ConnectionSettings
from desktop.views.analytics_tab import AnalyticsTab
from desktop.views.document_tab import HIGHLIGHT, DocumentTab
from desktop.views.error_banner import ErrorBanner
from desktop.views.settings_dialog import SettingsDialog

from . import samples


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
    assert tab.gauge.format() == "15 000 050 из 15 000 000 (100.0 %)"
    assert tab.figures["lag"].text() == "87 мс"
    unknown = {**samples.metrics(), "budget": {"limit": None, "used": None, "exceeded": False}}
    tab.show_metrics(parse_metrics(unknown))
    assert tab.gauge.format() == "нет данных"
    assert not tab.exhausted.isVisibleTo(tab)


def test_document_highlights_only_changes_within_one_document(api, qtbot, tmp_path: Path) -> None:
    tab = DocumentTab(api)
    qtbot.addWidget(tab)
    tab.show_document(parse_document({**samples.document(1, "Начало."), "document_id": None}))
    assert "не инициализирован" in tab.info.text()
    tab.show_document(parse_document(samples.document(1, "Начало.")))
    assert tab.highlighted == []  # another document: nothing to compare with
    tab.show_document(parse_document(samples.document(2, "Начало. 😀 Продолжение.")))
    assert tab.highlighted == [(7, 22)]
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
        "Сервис недоступен — GET /api/chat/messages: Connection refused",
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
