"""The main window: seven tabs over one `ApiClient`, the error banner, the menu."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QDateTime
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence
from PySide6.QtWidgets import QLabel, QMainWindow, QTabWidget, QVBoxLayout, QWidget

from ..net import ApiClient, ApiFailure, ChorusApi, FailureKind
from ..settings import ConnectionSettings, SettingsStore
from .analytics_tab import AnalyticsTab
from .chat_tab import ChatTab
from .cluster_tab import ClusterTab
from .document_tab import DocumentTab
from .edits_tab import EditsTab
from .error_banner import ErrorBanner
from .history_tab import HistoryTab
from .init_tab import InitTab
from .polling_tab import PollingTab
from .settings_dialog import SettingsDialog

TAB_NAMES = ("init", "document", "history", "edits", "chat", "analytics", "cluster")
"""Stable names of the tabs, in order (screenshots and tests use them)."""


class MainWindow(QMainWindow):
    def __init__(self, store: SettingsStore, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.store = store
        self.connection = store.load()
        self.setWindowTitle("Chorus — совместное редактирование")
        self.resize(1200, 800)
        self.client = ApiClient(self.connection.url, self.connection.token, parent=self)
        self.api = ChorusApi(self.client)

        self.banner = ErrorBanner()
        self.client.call_failed.connect(self._failed)
        self.client.call_succeeded.connect(self._succeeded)
        self.init_tab = InitTab(self.api)
        self.document_tab = DocumentTab(self.api)
        self.history_tab = HistoryTab(self.api)
        self.edits_tab = EditsTab(self.api)
        self.chat_tab = ChatTab(self.api)
        self.analytics_tab = AnalyticsTab(self.api)
        self.cluster_tab = ClusterTab(self.api)
        self.tabs = QTabWidget()
        for tab, title in zip(
            self.polling_tabs(),
            ("Инициализация", "Документ", "История", "Правки", "Чат", "Аналитика", "Кластер"),
            strict=True,
        ):
            self.tabs.addTab(tab, title)
        self.init_tab.initialized.connect(self._after_init)
        self.init_tab.roles_changed.connect(self.document_tab.set_roles)
        self.init_tab.roles_changed.connect(self.history_tab.set_roles)
        self.analytics_tab.budget_state.connect(self._budget_state)

        central = QWidget()
        layout = QVBoxLayout(central)
        layout.addWidget(self.banner)
        layout.addWidget(self.tabs, 1)
        self.setCentralWidget(central)
        self.server = QLabel()
        self.updated = QLabel()
        self.statusBar().addWidget(self.server, 1)
        self.statusBar().addPermanentWidget(self.updated)
        self._show_server()
        self._build_menu()

    def polling_tabs(self) -> list[PollingTab]:
        return [
            self.init_tab,
            self.document_tab,
            self.history_tab,
            self.edits_tab,
            self.chat_tab,
            self.analytics_tab,
            self.cluster_tab,
        ]

    def _build_menu(self) -> None:
        menu = self.menuBar().addMenu("Файл")
        save = QAction("Сохранить документ…", self)
        save.setShortcut(QKeySequence.StandardKey.Save)
        save.triggered.connect(self.document_tab._ask_where_to_save)
        settings = QAction("Настройки…", self)
        settings.triggered.connect(self.open_settings)
        quit_action = QAction("Выход", self)
        quit_action.setShortcut(QKeySequence.StandardKey.Quit)
        quit_action.triggered.connect(self.close)
        for action in (save, settings, quit_action):
            menu.addAction(action)

    def start(self) -> None:
        """Begin polling every tab."""
        for tab in self.polling_tabs():
            tab.start()

    def stop(self) -> None:
        for tab in self.polling_tabs():
            tab.stop()

    def show_tab(self, name: str) -> QWidget:
        self.tabs.setCurrentIndex(TAB_NAMES.index(name))
        return self.tabs.currentWidget()

    def apply_settings(self, connection: ConnectionSettings) -> None:
        """Save and use another URL or token; old failures no longer apply."""
        self.connection = connection
        self.store.save(connection)
        self.client.configure(connection.url, connection.token)
        self.banner.clear_all()
        self._show_server()
        for tab in self.polling_tabs():
            tab.refresh()

    def open_settings(self) -> None:
        dialog = SettingsDialog(self.connection, self)
        if dialog.exec():
            self.apply_settings(dialog.chosen())

    def save_screenshot(self, name: str, folder: Path, *, moment: str = "") -> Path:
        """The window with tab `name` shown, as `desktop-<name>[-<moment>].png` in `folder`."""
        self.show_tab(name)
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"desktop-{name}{'-' + moment if moment else ''}.png"
        self.grab().save(str(path))
        return path

    def _failed(self, source: str, failure: ApiFailure) -> None:
        self.banner.report(source, failure)

    def _succeeded(self, source: str) -> None:
        self.banner.clear(source)
        self.updated.setText("Обновлено " + QDateTime.currentDateTime().toString("HH:mm:ss"))

    def _budget_state(self, exhausted: bool) -> None:
        """A 429 for the budget no longer applies once the current budget is not exhausted."""
        if not exhausted:
            self.banner.clear_kind(FailureKind.BUDGET_EXHAUSTED)

    def _after_init(self) -> None:
        self.document_tab.refresh()
        self.edits_tab.first_page()

    def _show_server(self) -> None:
        token = "задан" if self.connection.token else "не задан"
        self.server.setText(f"Сервер: {self.connection.url} · токен оператора {token}")

    def closeEvent(self, event: QCloseEvent) -> None:
        self.stop()
        super().closeEvent(event)
