"""`python -m desktop` / `chorus-desktop`: open the Chorus desktop client."""

from __future__ import annotations

import sys

from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QApplication

from .settings import SettingsStore
from .views import MainWindow


def main() -> int:
    app = QApplication(sys.argv)
    app.setApplicationName("Chorus")
    app.setOrganizationName("Chorus")
    window = MainWindow(SettingsStore(QSettings("Chorus", "desktop")))
    window.show()
    window.start()
    return app.exec()


if __name__ == "__main__":
    sys.exit(main())
