"""The Edits tab's table: one page of `GET /api/edits`, rejected and superseded edits marked."""

from __future__ import annotations

from PySide6.QtGui import QBrush, QColor, QFont

from ..labels import EDIT_STATUS, REJECTION_REASON, clock_time, word
from ..net.failures import in_russian
from ..net.payloads import Edit
from .record_table import ALERT_BACKGROUND, Column, RecordTableModel

SUPERSEDED_BACKGROUND = QColor("#eeeeee")
PREVIEW_CHARS = 120


def _preview(edit: Edit) -> str:
    text = " ".join(edit.proposed_text.split())
    if not text:
        return "(удаление)"
    return text if len(text) <= PREVIEW_CHARS else text[: PREVIEW_CHARS - 1] + "…"


def _position(edit: Edit) -> str:
    return "в конец" if edit.position == "end" else edit.position


def _reason(edit: Edit) -> str:
    """The node's Russian explanation; for an older node, its reason code in Russian."""
    if edit.message:
        return edit.message
    return REJECTION_REASON.get(edit.reason) or in_russian(edit.reason)


class EditsTableModel(RecordTableModel[Edit]):
    """Newest first, as the API pages them."""

    columns = (
        Column("Время", lambda e: clock_time(e.created_at)),
        Column("Агент", lambda e: e.agent_id),
        Column("Статус", lambda e: word(EDIT_STATUS, e.status)),
        Column("Позиция", _position),
        Column("Текст правки", _preview),
        Column("Токены", lambda e: str(e.tokens_used), numeric=True),
        Column("Версия", lambda e: "" if e.version is None else str(e.version), numeric=True),
        Column("Узел", lambda e: e.node),
        Column("Причина", _reason),
    )

    def row_brush(self, row: Edit) -> QBrush | None:
        if row.status == "rejected":
            return QBrush(ALERT_BACKGROUND)
        if row.status == "superseded":
            return QBrush(SUPERSEDED_BACKGROUND)
        return None

    def row_font(self, row: Edit) -> QFont | None:
        if row.status != "superseded":
            return None
        font = QFont()
        font.setStrikeOut(True)
        return font
