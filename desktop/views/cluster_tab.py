"""Кластер: nodes a, b, c as each reports itself; in local mode, buttons to stop and start them.

Each node is read directly (`/nodes/{name}/api/node`), so a node that is down shows as such
here instead of as an error banner: for this tab a silent node is the data.
"""

from __future__ import annotations

from functools import partial

from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from ..labels import PROCESS_STATE, word
from ..models import ClusterTableModel
from ..net import NODE_NAMES, ApiFailure, ChorusApi, FailureKind
from ..net.payloads import ClusterControl, NodeProcess, NodeState
from .polling_tab import PollingTab
from .table_view import record_table


def _problem(failure: ApiFailure) -> str:
    if failure.kind is FailureKind.UNREACHABLE:
        return "не отвечает"
    return failure.message


class ClusterTab(PollingTab):
    def __init__(self, api: ChorusApi, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._api = api
        self.model = ClusterTableModel(self)
        self.control: ClusterControl | None = None
        self.mode = QLabel("Режим: неизвестен")
        self.action_status = QLabel()
        self.buttons: dict[tuple[str, str], QPushButton] = {}
        self.controls = QWidget()
        row = QHBoxLayout(self.controls)
        row.setContentsMargins(0, 0, 0, 0)
        for name in NODE_NAMES:
            for action, title in (("stop", "Остановить"), ("start", "Запустить")):
                button = QPushButton(f"{title} {name}")
                button.clicked.connect(partial(self.act, name, action))
                self.buttons[(name, action)] = button
                row.addWidget(button)
        row.addStretch(1)
        self.controls.hide()
        layout = QVBoxLayout(self)
        layout.addWidget(self.mode)
        layout.addWidget(record_table(self.model, stretch_column=2), 1)
        layout.addWidget(self.controls)
        layout.addWidget(self.action_status)
        for name in NODE_NAMES:
            self.poll(
                partial(api.node_state, name),
                self.model.set_state,
                partial(self._node_failed, name),
            )
        self.poll(api.cluster, self.show_control, self._no_control)

    def _node_failed(self, name: str, failure: ApiFailure) -> None:
        self.model.set_down(name, _problem(failure))

    def show_control(self, control: ClusterControl) -> None:
        """The launcher answered: show the process states and, locally, the buttons."""
        self.control = control
        for process in control.nodes:
            self.model.set_process(process)
        local = control.mode == "local"
        self.mode.setText(
            "Режим: локальный (узлами управляет лаунчер)" if local else "Режим: " + control.mode
        )
        self.controls.setVisible(local)
        for process in control.nodes:
            running = process.state != "stopped"
            if (process.name, "stop") in self.buttons:
                self.buttons[(process.name, "stop")].setEnabled(running)
                self.buttons[(process.name, "start")].setEnabled(not running)

    def _no_control(self, failure: ApiFailure) -> None:
        """404: no launcher behind this balancer (compose): no buttons."""
        self.control = None
        self.controls.hide()
        if failure.kind is FailureKind.NOT_FOUND:
            self.mode.setText("Режим: без управления узлами (нет /api/cluster)")
        else:
            self.mode.setText(f"Управление узлами недоступно: {failure.message}")

    def act(self, name: str, action: str) -> None:
        """Stop or start node `name` through the launcher."""
        verb = "Останавливаю" if action == "stop" else "Запускаю"
        self.action_status.setText(f"{verb} узел {name}…")
        call = self._api.node_action(name, action)
        call.succeeded.connect(self._acted)
        call.failed.connect(lambda f: self.action_status.setText(f.message))

    def _acted(self, process: NodeProcess) -> None:
        self.model.set_process(process)
        self.action_status.setText(f"Узел {process.name}: {word(PROCESS_STATE, process.state)}")
        self.refresh()

    def node_states(self) -> dict[str, NodeState | None]:
        """What each node last reported (None: down)."""
        return {name: self.model.node(name).state for name in NODE_NAMES}
