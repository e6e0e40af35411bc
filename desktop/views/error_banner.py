"""The strip above the tabs that says what is failing, one line per source, until it answers."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QWidget

from ..net import ApiFailure, FailureKind


class ErrorBanner(QFrame):
    """Hidden while nothing fails. A write's failure stays until the next write succeeds or
    the operator closes it; a poll's clears when that poll answers again."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._failures: dict[str, ApiFailure] = {}
        self.setObjectName("errorBanner")
        self.setStyleSheet(
            "#errorBanner { background: #fde2e1; border: 1px solid #e0a3a0; border-radius: 4px; }"
        )
        self.label = QLabel()
        self.label.setWordWrap(True)
        self.label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        close = QPushButton("Скрыть")
        close.clicked.connect(self.clear_all)
        layout = QHBoxLayout(self)
        layout.addWidget(self.label, 1)
        layout.addWidget(close)
        self.hide()

    def report(self, source: str, failure: ApiFailure) -> None:
        self._failures[source] = failure
        self._show()

    def clear(self, source: str) -> None:
        if self._failures.pop(source, None) is not None:
            self._show()

    def clear_kind(self, kind: FailureKind) -> None:
        """Drop every failure of `kind` (e.g. a 429 for the budget once it is restored)."""
        stale = [source for source, failure in self._failures.items() if failure.kind is kind]
        for source in stale:
            del self._failures[source]
        if stale:
            self._show()

    def clear_all(self) -> None:
        self._failures.clear()
        self._show()

    def failures(self) -> list[ApiFailure]:
        return list(self._failures.values())

    def text(self) -> str:
        return self.label.text()

    def _show(self) -> None:
        self.label.setText("\n".join(f.message for f in self._failures.values()))
        self.setVisible(bool(self._failures))
