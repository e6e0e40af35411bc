"""Кластер: nodes a, b, c and their links as each node reports them, buttons to stop, start,
kill, freeze and thaw a node, and the cluster's event timeline.

Each node is read directly (`/nodes/{name}/api/node`), so a node that is down shows as such
here instead of as an error banner: for this tab a silent node is the data. The buttons call
the launcher's cluster control (`POST /api/cluster/nodes/{name}/{action}`, operator token);
where there is none (a compose stack answers 404) they stay disabled and say why.
"""

from __future__ import annotations

from functools import partial

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QGridLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from crdt_core import SessionToken

from ..models import ClusterTableModel, LinksTableModel, TimelineTableModel
from ..models.cluster_model import session_text
from ..net import NODE_ACTIONS, NODE_NAMES, ApiFailure, ChorusApi, FailureKind
from ..net.payloads import ClusterControl, NodeProcess, NodeState, TimelineEvent
from .polling_tab import PollingTab
from .table_view import record_table

ACTION_TITLES = {
    "stop": "Остановить",
    "start": "Запустить",
    "kill": "Убить",
    "freeze": "Заморозить",
    "thaw": "Разморозить",
}
ACTION_HINTS = {
    "stop": "Штатная остановка процесса узла",
    "start": "Запустить узел; он догонит остальных",
    "kill": "SIGKILL: узел падает без прощания",
    "freeze": "SIGSTOP: узел принимает соединения, но молчит",
    "thaw": "SIGCONT: замороженный узел продолжает работу",
}
ACTION_DONE = {
    "stop": "остановлен",
    "start": "запущен, догоняет остальных",
    "kill": "убит (SIGKILL)",
    "freeze": "заморожен (SIGSTOP)",
    "thaw": "разморожен",
}
ENABLED_IN = {
    "stop": {"running", "frozen"},
    "start": {"stopped"},
    "kill": {"running", "frozen"},
    "freeze": {"running"},
    "thaw": {"frozen"},
}
"""In which process states each action makes sense."""
NO_CONTROL = (
    "Управление узлами недоступно: у этого стека нет лаунчера (например, он запущен через "
    "docker compose — там узлы останавливают командой docker compose stop)."
)
SEVERITY_STYLE = {
    "ok": "background: #e3f4dc; border: 1px solid #9fd18b;",
    "warning": "background: #fff3c4; border: 1px solid #e8c65a;",
    "error": "background: #fde2e1; border: 1px solid #e0a3a0;",
}


def _problem(failure: ApiFailure) -> str:
    if failure.kind is FailureKind.UNREACHABLE:
        return "не отвечает"
    return failure.message


def action_failure_text(name: str, action: str, failure: ApiFailure) -> str:
    """What the operator reads when an action on a node failed."""
    verb = ACTION_TITLES[action].lower()
    if failure.kind is FailureKind.NOT_FOUND:
        return f"Не удалось {verb} узел {name}. {NO_CONTROL}"
    return f"Не удалось {verb} узел {name}: {failure.message}"


class ClusterTab(PollingTab):
    events_changed = Signal(object)
    """The newest timeline (a list of `TimelineEvent`, newest first)."""

    def __init__(self, api: ChorusApi, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._api = api
        self.model = ClusterTableModel(self)
        self.links = LinksTableModel(self)
        self.timeline = TimelineTableModel(self)
        self.control: ClusterControl | None = None
        self.severity = "warning"
        """Of the status line: ok | warning | error."""
        self.status = QLabel("Состояние кластера пока неизвестно")
        self.status.setWordWrap(True)
        self.session = QLabel()
        """«Ваш сеанс видел: a 17 · b 9 · c 12»: beside each node's vector in the table."""
        self.session.setWordWrap(True)
        self.mode = QLabel("Режим: неизвестен")
        self.mode.setWordWrap(True)
        self.action_status = QLabel()
        self.action_status.setWordWrap(True)
        self.timeline_note = QLabel()
        self.buttons: dict[tuple[str, str], QPushButton] = {}
        self.controls = QWidget()
        grid = QGridLayout(self.controls)
        grid.setContentsMargins(0, 0, 0, 0)
        for row, name in enumerate(NODE_NAMES):
            grid.addWidget(QLabel(f"Узел {name}:"), row, 0)
            for column, action in enumerate(NODE_ACTIONS, start=1):
                button = QPushButton(ACTION_TITLES[action])
                button.setToolTip(ACTION_HINTS[action])
                button.setEnabled(False)
                button.clicked.connect(partial(self.act, name, action))
                self.buttons[(name, action)] = button
                grid.addWidget(button, row, column)
        grid.setColumnStretch(len(NODE_ACTIONS) + 1, 1)

        top = QWidget()
        top_layout = QVBoxLayout(top)
        top_layout.setContentsMargins(0, 0, 0, 0)
        top_layout.addWidget(self.status)
        top_layout.addWidget(self.session)
        nodes = record_table(self.model, stretch_column=6)
        # The catch-up text is long: it wraps in its column instead of pushing the table wide.
        nodes.setWordWrap(True)
        nodes.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        top_layout.addWidget(nodes, 2)
        top_layout.addWidget(QLabel("Связи репликации (как их видит узел-отправитель):"))
        top_layout.addWidget(record_table(self.links, stretch_column=6), 3)
        top_layout.addWidget(self.mode)
        top_layout.addWidget(self.controls)
        top_layout.addWidget(self.action_status)
        bottom = QWidget()
        bottom_layout = QVBoxLayout(bottom)
        bottom_layout.setContentsMargins(0, 0, 0, 0)
        bottom_layout.addWidget(QLabel("События кластера (новые сверху):"))
        bottom_layout.addWidget(self.timeline_note)
        bottom_layout.addWidget(record_table(self.timeline, stretch_column=2), 1)
        splitter = QSplitter(Qt.Orientation.Vertical)
        splitter.addWidget(top)
        splitter.addWidget(bottom)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 2)
        layout = QVBoxLayout(self)
        layout.addWidget(splitter)
        self.timeline_note.hide()
        for name in NODE_NAMES:
            self.poll(
                partial(api.node_state, name), self.show_node, partial(self._node_failed, name)
            )
        api.client.session_changed.connect(self.show_session)
        self.show_session(api.client.session)
        self.poll(api.cluster, self.show_control, self._no_control)
        self.poll(api.timeline, self.show_timeline, self._no_timeline)
        self._show_summary()

    def show_node(self, state: NodeState) -> None:
        self.model.set_state(state)
        self._nodes_changed()

    def show_session(self, session: SessionToken | None) -> None:
        """The client's session token grew (or started anew)."""
        self.model.set_session(session)
        self.session.setText(session_text(session))

    def _node_failed(self, name: str, failure: ApiFailure) -> None:
        self.model.set_down(name, _problem(failure))
        self._nodes_changed()

    def _nodes_changed(self) -> None:
        self.links.set_nodes(self.model.rows())
        self._show_summary()

    def _show_summary(self) -> None:
        severity, text = self.model.summary()
        self.status.setText(text)
        self.status.setStyleSheet(f"{SEVERITY_STYLE[severity]} padding: 6px; font-weight: bold;")
        self.severity = severity

    def show_control(self, control: ClusterControl) -> None:
        """The launcher answered: show the process states and enable what makes sense."""
        self.control = control
        for process in control.nodes:
            self.model.set_process(process)
        local = control.mode == "local"
        self.mode.setText(
            "Режим: локальный (узлами управляет лаунчер)" if local else "Режим: " + control.mode
        )
        states = {process.name: process.state for process in control.nodes}
        for (name, action), button in self.buttons.items():
            button.setEnabled(local and states.get(name, "") in ENABLED_IN[action])

    def _no_control(self, failure: ApiFailure) -> None:
        """404: no launcher behind this balancer (compose): the buttons say why they are off."""
        self.control = None
        for button in self.buttons.values():
            button.setEnabled(False)
        if failure.kind is FailureKind.NOT_FOUND:
            self.mode.setText(NO_CONTROL)
        else:
            self.mode.setText(f"Управление узлами сейчас недоступно: {failure.message}")

    def act(self, name: str, action: str) -> None:
        """One of `NODE_ACTIONS` on node `name` through the launcher."""
        self.action_status.setText(f"{ACTION_TITLES[action]} узел {name}: отправляю…")
        call = self._api.node_action(name, action)
        call.succeeded.connect(lambda process: self._acted(action, process))
        call.failed.connect(
            lambda failure: self.action_status.setText(action_failure_text(name, action, failure))
        )

    def _acted(self, action: str, process: NodeProcess) -> None:
        self.model.set_process(process)
        self.action_status.setText(f"Узел {process.name} {ACTION_DONE.get(action, process.state)}.")
        self.refresh()

    def show_timeline(self, events: list[TimelineEvent]) -> None:
        self.timeline_note.hide()
        self.timeline.set_events(events)
        self.events_changed.emit(events)

    def _no_timeline(self, failure: ApiFailure) -> None:
        self.timeline_note.setText(f"Лента событий недоступна: {failure.detail}")
        self.timeline_note.show()

    def node_states(self) -> dict[str, NodeState | None]:
        """What each node last reported (None: never answered)."""
        return {name: self.model.node(name).state for name in NODE_NAMES}
