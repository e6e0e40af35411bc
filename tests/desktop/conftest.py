"""Desktop tests run offscreen; the window tests share one real stack per module.

`QT_QPA_PLATFORM` must be set before the first `QApplication` (pytest-qt's `qapp`) exists.
"""

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from collections.abc import Iterator  # noqa: E402
from pathlib import Path  # noqa: E402

import pytest  # noqa: E402
from PySide6.QtCore import QSettings  # noqa: E402

from desktop.settings import SettingsStore  # noqa: E402
from tests.integration.conftest import stack  # noqa: E402, F401  (one stack per module)


@pytest.fixture
def settings_store(tmp_path: Path) -> Iterator[SettingsStore]:
    """A store on a temporary INI file, with no environment defaults."""
    yield SettingsStore(QSettings(str(tmp_path / "desktop.ini"), QSettings.Format.IniFormat), {})
