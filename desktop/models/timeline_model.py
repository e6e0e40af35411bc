"""The cluster's event timeline (`GET /api/analytics/timeline`), newest first."""

from __future__ import annotations

from PySide6.QtGui import QBrush, QColor

from ..net.payloads import TimelineEvent
from .record_table import ALERT_BACKGROUND, Column, RecordTableModel

SEVERITY_BACKGROUND = {
    "error": ALERT_BACKGROUND,
    "warning": QColor("#fff3c4"),
    "ok": QColor("#e3f4dc"),
}
SEVERITY_COLOUR = {"error": "#c92a2a", "warning": "#e8a100", "ok": "#2f9e44", "info": "#5c7cfa"}
"""Marks on the charts, by severity."""


class TimelineTableModel(RecordTableModel[TimelineEvent]):
    columns = (
        Column("Время", lambda e: e.at.astimezone().strftime("%H:%M:%S")),
        Column("Событие", lambda e: e.title),
        Column("Подробности", lambda e: e.detail),
    )

    def set_events(self, events: list[TimelineEvent]) -> None:
        """Replace the events unless they are the ones shown (keeps the selection)."""
        if events != self._rows:
            self.set_rows(events)

    def row_brush(self, row: TimelineEvent) -> QBrush | None:
        colour = SEVERITY_BACKGROUND.get(row.severity)
        return QBrush(colour) if colour is not None else None
