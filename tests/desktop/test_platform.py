"""A real window, not only offscreen: Qt's xcb platform plugin must find every library it links
(on a fresh Debian it did not until the bootstrap installed the xcb packages), and
`python -m desktop`'s window must open on an X server (Xvfb here)."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import PySide6
import pytest

QT = Path(PySide6.__file__).parent / "Qt"
PROBE = """
import sys
from PySide6.QtCore import QSettings, QTimer
from PySide6.QtWidgets import QApplication
from desktop.settings import SettingsStore
from desktop.views import MainWindow

app = QApplication(sys.argv)
window = MainWindow(SettingsStore(QSettings(sys.argv[1], QSettings.Format.IniFormat), {}))
window.show()
QTimer.singleShot(1500, lambda: (print(app.platformName(), window.isVisible()), app.quit()))
sys.exit(app.exec())
"""


@pytest.mark.skipif(shutil.which("ldd") is None, reason="no ldd")
def test_the_xcb_plugin_finds_every_library_it_links() -> None:
    for library in (QT / "plugins/platforms/libqxcb.so", QT / "lib/libQt6XcbQpa.so.6"):
        linked = subprocess.run(
            ["ldd", str(library)], capture_output=True, text=True, check=True
        ).stdout
        missing = [line.split()[0] for line in linked.splitlines() if "not found" in line]
        assert not missing, f"{library.name} lacks {missing}: install them (tools/bootstrap.sh)"


@pytest.mark.skipif(shutil.which("xvfb-run") is None, reason="no xvfb-run")
def test_the_window_opens_with_the_xcb_platform_under_xvfb(tmp_path: Path) -> None:
    env = {**os.environ, "QT_QPA_PLATFORM": "xcb", "CHORUS_API_URL": "http://127.0.0.1:9"}
    done = subprocess.run(
        ["xvfb-run", "-a", sys.executable, "-c", PROBE, str(tmp_path / "desktop.ini")],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        cwd=Path(__file__).parents[2],
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.split() == ["xcb", "True"], done.stderr[-2000:]
