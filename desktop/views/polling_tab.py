"""A tab whose content comes from `Poller`s: started and stopped with the window."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtWidgets import QWidget

from ..net import ApiCall, Poller


class PollingTab(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.pollers: list[Poller] = []

    def poll(
        self,
        fetch: Callable[[], ApiCall],
        on_result: Callable[[Any], None],
        on_failure: Callable[[Any], None] | None = None,
    ) -> Poller:
        """A poller owned by this tab."""
        poller = Poller(fetch, on_result, on_failure=on_failure, parent=self)
        self.pollers.append(poller)
        return poller

    def start(self) -> None:
        for poller in self.pollers:
            poller.start()

    def stop(self) -> None:
        for poller in self.pollers:
            poller.stop()

    def refresh(self) -> None:
        """Ask again now (settings changed, or the operator acted)."""
        for poller in self.pollers:
            poller.refresh()
