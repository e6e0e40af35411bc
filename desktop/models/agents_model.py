"""The agents the supervisor runs (`GET /api/agents`), on the Initialisation tab."""

from __future__ import annotations

from PySide6.QtGui import QBrush

from ..labels import AGENT_STATE, word
from ..net.failures import in_russian
from ..net.payloads import AgentInfo
from .record_table import ALERT_BACKGROUND, Column, RecordTableModel


class AgentsTableModel(RecordTableModel[AgentInfo]):
    columns = (
        Column("Агент", lambda a: a.agent_id),
        Column("Роль", lambda a: a.role),
        Column("Состояние", lambda a: word(AGENT_STATE, a.state)),
        Column("Принято", lambda a: str(a.accepted), numeric=True),
        Column("Отклонено", lambda a: str(a.rejected), numeric=True),
        Column("Токены", lambda a: str(a.tokens), numeric=True),
        Column("Последняя ошибка", lambda a: in_russian(a.last_error)),
    )

    def row_brush(self, row: AgentInfo) -> QBrush | None:
        return QBrush(ALERT_BACKGROUND) if row.state == "failed" else None
