"""Инициализация: a new document (topic, initial text) and the agents that will edit it.

`Start` is three requests in a row: `POST /api/document/init`, `POST /api/agents/stop` (agents
of the previous document), `POST /api/agents/start {count, roles}`. Each needs the operator
token; a failure stops the chain and says which step failed.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from agents.roles import DEFAULT_ROLES

from ..models import AgentsTableModel
from ..net import ApiCall, ApiFailure, ChorusApi
from ..net.payloads import AgentList
from .polling_tab import PollingTab
from .table_view import record_table

MAX_AGENTS = 50
DEFAULT_AGENTS = 10


class InitTab(PollingTab):
    initialized = Signal()
    """The document was initialised and the agents started."""
    roles_changed = Signal(object)
    """`{agent_id: role}` of the agents the supervisor runs (for the authorship legends)."""

    def __init__(self, api: ChorusApi, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._api = api
        self.topic = QLineEdit()
        self.topic.setPlaceholderText("например, История искусственного интеллекта")
        self.initial_text = QPlainTextEdit()
        self.initial_text.setPlaceholderText("С чего агенты начнут; можно оставить пустым")
        self.agent_count = QSpinBox()
        self.agent_count.setRange(1, MAX_AGENTS)
        self.agent_count.setValue(DEFAULT_AGENTS)
        self.roles = QListWidget()
        for role in DEFAULT_ROLES:
            item = QListWidgetItem(role.name)
            item.setData(Qt.ItemDataRole.UserRole, role.key)
            item.setToolTip(role.instruction)
            item.setCheckState(Qt.CheckState.Checked)
            self.roles.addItem(item)
        self.start_button = QPushButton("Инициализировать документ и запустить агентов")
        self.start_button.clicked.connect(self.initialise)
        self.stop_button = QPushButton("Остановить агентов")
        self.stop_button.clicked.connect(self.stop_agents)
        self.status = QLabel()
        self.status.setWordWrap(True)
        self.agents = AgentsTableModel(self)

        form = QFormLayout()
        form.addRow("Тема:", self.topic)
        form.addRow("Начальный текст:", self.initial_text)
        form.addRow("Количество агентов:", self.agent_count)
        form.addRow("Роли (по кругу):", self.roles)
        buttons = QHBoxLayout()
        buttons.addWidget(self.start_button)
        buttons.addWidget(self.stop_button)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addLayout(form, 2)
        layout.addLayout(buttons)
        layout.addWidget(self.status)
        layout.addWidget(QLabel("Агенты:"))
        layout.addWidget(record_table(self.agents, stretch_column=6), 1)
        self.poller = self.poll(api.agents, self.show_agents)

    def chosen_roles(self) -> list[str]:
        """Keys of the checked roles (all of them when none is checked)."""
        items = [self.roles.item(i) for i in range(self.roles.count())]
        checked = [i for i in items if i.checkState() == Qt.CheckState.Checked]
        return [str(item.data(Qt.ItemDataRole.UserRole)) for item in checked or items]

    def show_agents(self, listing: AgentList) -> None:
        self.agents.set_rows(listing.agents)
        self.roles_changed.emit({agent.agent_id: agent.role for agent in listing.agents})

    def initialise(self) -> None:
        topic = self.topic.text().strip()
        if not topic:
            self.status.setText("Укажите тему документа.")
            return
        self.start_button.setEnabled(False)
        count, roles = self.agent_count.value(), self.chosen_roles()
        self._step(
            "Инициализация документа",
            lambda: self._api.init_document(topic, self.initial_text.toPlainText()),
            lambda _: self._step(
                "Остановка прежних агентов",
                self._api.stop_agents,
                lambda _: self._step(
                    "Запуск агентов",
                    lambda: self._api.start_agents(count, roles),
                    self._started,
                ),
            ),
        )

    def stop_agents(self) -> None:
        self._step("Остановка агентов", self._api.stop_agents, self._stopped)

    def _step(self, title: str, send: Callable[[], ApiCall], then: Callable[[Any], None]) -> None:
        self.status.setText(f"{title}…")
        call = send()
        call.succeeded.connect(then)
        call.failed.connect(lambda failure: self._failed(title, failure))

    def _failed(self, title: str, failure: ApiFailure) -> None:
        self.start_button.setEnabled(True)
        self.status.setText(f"{title}: не удалось. {failure.message}")

    def _started(self, listing: AgentList) -> None:
        self.start_button.setEnabled(True)
        self.show_agents(listing)
        self.status.setText(f"Документ создан, запущено агентов: {len(listing.agents)}.")
        self.initialized.emit()

    def _stopped(self, listing: AgentList) -> None:
        self.show_agents(listing)
        self.status.setText("Агенты остановлены.")
