"""Чат: the agents' messages as a feed that grows with each `since` poll and follows the end."""

from __future__ import annotations

from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from ..models import ChatTableModel
from ..net import ApiCall, ChorusApi
from ..net.payloads import ChatMessage
from .polling_tab import PollingTab
from .table_view import record_table


class ChatTab(PollingTab):
    def __init__(self, api: ChorusApi, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._api = api
        self.model = ChatTableModel(self)
        self.view = record_table(self.model, stretch_column=2)
        self.view.setWordWrap(True)
        self.count = QLabel("Сообщений: 0")
        layout = QVBoxLayout(self)
        layout.addWidget(self.count)
        layout.addWidget(self.view, 1)
        self.poller = self.poll(self._fetch, self.add_messages)

    def _fetch(self) -> ApiCall:
        return self._api.chat(since=self.model.last_timestamp)

    def add_messages(self, messages: list[ChatMessage]) -> None:
        bar = self.view.verticalScrollBar()
        following = bar.value() >= bar.maximum() - 4
        if self.model.add_messages(messages) and following:
            self.view.resizeRowsToContents()
            self.view.scrollToBottom()
        self.count.setText(f"Сообщений: {self.model.rowCount()}")
