"""A read-only `QAbstractTableModel` over a list of records, described by its columns.

The concrete models (edits, chat, agents, cluster) only list their columns and, where rows
need marking, override `row_brush`/`row_font`. No widgets: models are tested without a window.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QObject, QPersistentModelIndex, Qt
from PySide6.QtGui import QBrush, QColor, QFont

Row = TypeVar("Row")
Index = QModelIndex | QPersistentModelIndex
ALERT_BACKGROUND = QColor("#fde2e1")
"""Rows that went wrong: a rejected edit, a failed agent, a node that is down."""


@dataclass(frozen=True)
class Column(Generic[Row]):
    """A header and how to show one record in it."""

    title: str
    text: Callable[[Row], str]
    numeric: bool = False
    """Right-aligned."""


class RecordTableModel(QAbstractTableModel, Generic[Row]):
    """Rows are records; `columns` say what each cell shows."""

    columns: Sequence[Column[Row]] = ()

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._rows: list[Row] = []

    # Qt's model interface

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.columns)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        row = self._rows[index.row()]
        column = self.columns[index.column()]
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            return column.text(row)
        if role == Qt.ItemDataRole.TextAlignmentRole:
            flag = Qt.AlignmentFlag
            return int((flag.AlignRight if column.numeric else flag.AlignLeft) | flag.AlignVCenter)
        if role == Qt.ItemDataRole.BackgroundRole:
            return self.row_brush(row)
        if role == Qt.ItemDataRole.FontRole:
            return self.row_font(row)
        return None

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        if orientation == Qt.Orientation.Horizontal and 0 <= section < len(self.columns):
            return self.columns[section].title
        if orientation == Qt.Orientation.Vertical:
            return str(section + 1)
        return None

    # Marking rows

    def row_brush(self, row: Row) -> QBrush | None:
        """Background of a row that needs attention; None: the view's own."""
        return None

    def row_font(self, row: Row) -> QFont | None:
        return None

    # Content

    def rows(self) -> list[Row]:
        return list(self._rows)

    def row(self, number: int) -> Row:
        return self._rows[number]

    def set_rows(self, rows: Sequence[Row]) -> None:
        """Replace every row."""
        self.beginResetModel()
        self._rows = list(rows)
        self.endResetModel()

    def append_rows(self, rows: Sequence[Row]) -> None:
        """Add rows at the end (a growing feed keeps its scroll position and selection)."""
        if not rows:
            return
        first = len(self._rows)
        self.beginInsertRows(QModelIndex(), first, first + len(rows) - 1)
        self._rows.extend(rows)
        self.endInsertRows()

    def replace_row(self, number: int, row: Row) -> None:
        """Change one row in place."""
        self._rows[number] = row
        self.dataChanged.emit(self.index(number, 0), self.index(number, len(self.columns) - 1))
