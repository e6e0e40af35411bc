"""Документ: the current text with what changed since the last version shown highlighted."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtGui import QColor, QTextCharFormat, QTextCursor
from PySide6.QtWidgets import (
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QTextEdit,
    QVBoxLayout,
    QWidget,
)

from ..changes import changed_ranges, to_utf16
from ..labels import clock_time
from ..net import ChorusApi
from ..net.payloads import Document
from .polling_tab import PollingTab

HIGHLIGHT = QColor("#fff3a3")


class DocumentTab(PollingTab):
    def __init__(self, api: ChorusApi, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.document: Document | None = None
        self.highlighted: list[tuple[int, int]] = []
        """Character ranges of the shown text that the last new version changed."""
        self.title = QLabel("Документ ещё не загружен")
        self.title.setStyleSheet("font-size: 16px; font-weight: bold;")
        self.info = QLabel()
        self.saved = QLabel()
        self.text = QTextEdit()
        self.text.setReadOnly(True)
        self.save_button = QPushButton("Сохранить в файл…")
        self.save_button.clicked.connect(self._ask_where_to_save)
        bar = QHBoxLayout()
        bar.addWidget(self.info, 1)
        bar.addWidget(self.saved)
        bar.addWidget(self.save_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.title)
        layout.addLayout(bar)
        layout.addWidget(self.text, 1)
        self.poller = self.poll(api.current_document, self.show_document)

    def show_document(self, document: Document) -> None:
        """Show `document`; highlight what changed if it is a newer version of the same one."""
        previous = self.document
        self.document = document
        self.title.setText(document.topic or "Без темы")
        self.info.setText(
            f"Версия {document.version} · узел {document.node} · {clock_time(document.timestamp)}"
            if document.document_id
            else "Документ не инициализирован: откройте вкладку «Инициализация»"
        )
        if previous is not None and previous.text == document.text:
            return
        same = previous is not None and previous.document_id == document.document_id
        self.highlighted = changed_ranges(previous.text, document.text) if previous and same else []
        scroll = self.text.verticalScrollBar().value()
        self.text.setPlainText(document.text)
        self._paint(document.text)
        self.text.verticalScrollBar().setValue(scroll)

    def _paint(self, text: str) -> None:
        mark = QTextCharFormat()
        mark.setBackground(HIGHLIGHT)
        for start, end in self.highlighted:
            cursor = QTextCursor(self.text.document())
            cursor.setPosition(to_utf16(text, start))
            cursor.setPosition(to_utf16(text, end), QTextCursor.MoveMode.KeepAnchor)
            cursor.mergeCharFormat(mark)

    def save_to(self, path: Path) -> None:
        """Write the shown text to `path` as UTF-8."""
        text = self.document.text if self.document else ""
        path.write_text(text, encoding="utf-8")
        self.saved.setText(f"Сохранено: {path}")

    def _ask_where_to_save(self) -> None:
        topic = self.document.topic if self.document and self.document.topic else "документ"
        name, _ = QFileDialog.getSaveFileName(
            self, "Сохранить документ", f"{topic}.txt", "Текст (*.txt);;Все файлы (*)"
        )
        if name:
            try:
                self.save_to(Path(name))
            except OSError as exc:
                self.saved.setText(f"Не удалось сохранить: {exc}")
