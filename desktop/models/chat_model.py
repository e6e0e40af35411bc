"""The Chat tab's feed: messages oldest first, growing as `since` polls bring new ones."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QModelIndex, QObject

from ..labels import clock_time
from ..net.payloads import ChatMessage
from .record_table import Column, RecordTableModel

MAX_MESSAGES = 2000
"""The chat keeps its last 1000 in Redis; the feed keeps a little more, then drops the oldest."""


class ChatTableModel(RecordTableModel[ChatMessage]):
    columns = (
        Column("Время", lambda m: clock_time(m.timestamp)),
        Column("Агент", lambda m: m.agent_id),
        Column("Сообщение", lambda m: m.message),
    )

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._seen: set[str] = set()

    @property
    def last_timestamp(self) -> str | None:
        """The `since` of the next poll: the newest message held."""
        return self._rows[-1].timestamp if self._rows else None

    def add_messages(self, messages: Sequence[ChatMessage]) -> int:
        """Append the messages not held yet (by id), oldest first; how many were new."""
        fresh = []
        for message in sorted(messages, key=lambda m: m.timestamp):
            if message.message_id not in self._seen:
                self._seen.add(message.message_id)
                fresh.append(message)
        self.append_rows(fresh)
        excess = len(self._rows) - MAX_MESSAGES
        if excess > 0:
            self.beginRemoveRows(QModelIndex(), 0, excess - 1)
            for message in self._rows[:excess]:
                self._seen.discard(message.message_id)
            del self._rows[:excess]
            self.endRemoveRows()
        return len(fresh)
