"""The Cluster tab's table: nodes a, b, c with health, version, lag and last replication."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, replace

from PySide6.QtCore import QObject
from PySide6.QtGui import QBrush

from ..labels import PROCESS_STATE, ago, word
from ..net.chorus_api import NODE_LOCATIONS, NODE_NAMES
from ..net.payloads import NodeProcess, NodeState
from .record_table import ALERT_BACKGROUND, Column, RecordTableModel


@dataclass(frozen=True)
class NodeRow:
    """What the client knows of one node: its own report, or why it gave none."""

    name: str
    location: str
    state: NodeState | None = None
    """The last answer of `/nodes/{name}/api/node`; None while it does not answer."""
    problem: str = "нет данных"
    """Why the node is not healthy ("" when it is)."""
    process: NodeProcess | None = None
    """The launcher's view of the process (local mode only)."""

    @property
    def healthy(self) -> bool:
        return self.state is not None and not self.problem


def _health(row: NodeRow) -> str:
    return "работает" if row.healthy else f"недоступен ({row.problem})"


def _lag(row: NodeRow) -> str:
    if row.state is None or row.state.lag_p95_ms is None:
        return "—"
    return f"{row.state.lag_p95_ms:.0f} мс"


class ClusterTableModel(RecordTableModel[NodeRow]):
    """Always three rows, a b c; `clock()` is seconds since the epoch (a seam for tests)."""

    def __init__(
        self, parent: QObject | None = None, clock: Callable[[], float] = time.time
    ) -> None:
        super().__init__(parent)
        self._clock = clock
        self.columns = (
            Column("Узел", lambda r: r.name),
            Column("Расположение", lambda r: r.location),
            Column("Состояние", _health),
            Column("Процесс", lambda r: word(PROCESS_STATE, r.process.state) if r.process else "—"),
            Column("Версия", lambda r: str(r.state.version) if r.state else "—", numeric=True),
            Column("Лаг репликации (p95)", _lag, numeric=True),
            Column("Последняя репликация", self._last_replication),
            Column("Очередь", lambda r: str(r.state.outbox) if r.state else "—", numeric=True),
        )
        self.set_rows([NodeRow(name, NODE_LOCATIONS[name]) for name in NODE_NAMES])

    def _last_replication(self, row: NodeRow) -> str:
        if row.state is None or row.state.last_ack_ms is None:
            return "—"
        return ago(self._clock() - row.state.last_ack_ms / 1000)

    def node(self, name: str) -> NodeRow:
        return self._rows[NODE_NAMES.index(name)]

    def set_state(self, state: NodeState) -> None:
        """A node answered: healthy unless it is still catching up or lost its database."""
        problem = ""
        if state.database != "ok":
            problem = "нет базы данных"
        elif not state.ready:
            problem = "догоняет остальных"
        row = self.node(state.name)
        location = state.location or row.location
        self._put(replace(row, state=state, problem=problem, location=location))

    def set_down(self, name: str, problem: str) -> None:
        """A node did not answer; its last known figures are dropped."""
        self._put(replace(self.node(name), state=None, problem=problem))

    def set_process(self, process: NodeProcess) -> None:
        if process.name in NODE_NAMES:
            self._put(replace(self.node(process.name), process=process))

    def _put(self, row: NodeRow) -> None:
        self.replace_row(NODE_NAMES.index(row.name), row)

    def row_brush(self, row: NodeRow) -> QBrush | None:
        return None if row.healthy else QBrush(ALERT_BACKGROUND)
