"""Настройки: the balancer's URL and the operator token."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from ..settings import ConnectionSettings


class SettingsDialog(QDialog):
    def __init__(self, current: ConnectionSettings, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Настройки подключения")
        self.url = QLineEdit(current.url)
        self.url.setPlaceholderText("http://127.0.0.1:8080")
        self.token = QLineEdit(current.token)
        self.token.setEchoMode(QLineEdit.EchoMode.Password)
        show = QCheckBox("показать токен")
        show.toggled.connect(
            lambda on: self.token.setEchoMode(
                QLineEdit.EchoMode.Normal if on else QLineEdit.EchoMode.Password
            )
        )
        hint = QLabel(
            "Токен оператора нужен для инициализации документа, запуска агентов и управления "
            "узлами. Локально он лежит в .state/secrets.json (agent_tokens → operator)."
        )
        hint.setWordWrap(True)
        form = QFormLayout()
        form.addRow("Адрес балансировщика:", self.url)
        form.addRow("Токен оператора:", self.token)
        form.addRow("", show)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(hint)
        layout.addWidget(buttons)

    def chosen(self) -> ConnectionSettings:
        return ConnectionSettings(self.url.text().strip(), self.token.text().strip())
