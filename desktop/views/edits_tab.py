"""Правки: the edit history page by page, filtered by status and agent."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from ..labels import EDIT_STATUS_FILTERS
from ..models import EditsTableModel
from ..net import ApiCall, ChorusApi
from ..net.payloads import EditPage
from .polling_tab import PollingTab
from .table_view import record_table

PAGE_SIZES = (10, 25, 50, 100)
DEFAULT_PAGE_SIZE = 50  # the spec's scenario: GET /api/edits?limit=50&offset=0


class EditsTab(PollingTab):
    def __init__(self, api: ChorusApi, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._api = api
        self.offset = 0
        self.total = 0
        self.model = EditsTableModel(self)
        self.status_filter = QComboBox()
        for value, title in EDIT_STATUS_FILTERS:
            self.status_filter.addItem(title, value)
        self.agent_filter = QLineEdit()
        self.agent_filter.setPlaceholderText("агент, например agent-1")
        self.agent_filter.setClearButtonEnabled(True)
        self.page_size = QComboBox()
        for size in PAGE_SIZES:
            self.page_size.addItem(str(size), size)
        self.page_size.setCurrentIndex(PAGE_SIZES.index(DEFAULT_PAGE_SIZE))
        self.previous_button = QPushButton("← Новее")
        self.next_button = QPushButton("Старее →")
        self.page_label = QLabel()
        self.status_filter.currentIndexChanged.connect(self.first_page)
        self.agent_filter.editingFinished.connect(self.first_page)
        self.page_size.currentIndexChanged.connect(self.first_page)
        self.previous_button.clicked.connect(self.previous_page)
        self.next_button.clicked.connect(self.next_page)

        filters = QHBoxLayout()
        filters.addWidget(QLabel("Статус:"))
        filters.addWidget(self.status_filter)
        filters.addWidget(QLabel("Агент:"))
        filters.addWidget(self.agent_filter)
        filters.addStretch(1)
        filters.addWidget(QLabel("На странице:"))
        filters.addWidget(self.page_size)
        pages = QHBoxLayout()
        pages.addWidget(self.previous_button)
        pages.addWidget(self.page_label, 1)
        pages.addWidget(self.next_button)
        layout = QVBoxLayout(self)
        layout.addLayout(filters)
        layout.addWidget(record_table(self.model, stretch_column=4), 1)
        layout.addLayout(pages)
        self.poller = self.poll(self._fetch, self.show_page)
        self._update_pager()

    @property
    def limit(self) -> int:
        return int(self.page_size.currentData())

    def _fetch(self) -> ApiCall:
        return self._api.edits(
            limit=self.limit,
            offset=self.offset,
            status=str(self.status_filter.currentData()) or None,
            agent_id=self.agent_filter.text().strip() or None,
        )

    def show_page(self, page: EditPage) -> None:
        self.total = page.total
        if page.offset >= page.total > 0:  # the list shrank (a new document): back to page 1
            self.first_page()
            return
        self.model.set_rows(page.edits)
        self._update_pager()

    def first_page(self) -> None:
        self._go(0)

    def next_page(self) -> None:
        if self.offset + self.limit < self.total:
            self._go(self.offset + self.limit)

    def previous_page(self) -> None:
        self._go(max(0, self.offset - self.limit))

    def _go(self, offset: int) -> None:
        self.offset = offset
        self._update_pager()
        self.poller.refresh()

    def _update_pager(self) -> None:
        pages = max(1, -(-self.total // self.limit))
        page = self.offset // self.limit + 1
        self.page_label.setText(f"Страница {page} из {pages} · всего правок: {self.total}")
        self.previous_button.setEnabled(self.offset > 0)
        self.next_button.setEnabled(self.offset + self.limit < self.total)
