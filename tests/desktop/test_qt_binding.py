"""The Qt binding itself: a polling client calls setText() forever, so it must not leak or
drop references (PySide6 6.12.0 dropped one reference to None per call under Python 3.11 and
CPython aborted with "deallocating None"; pyproject pins a release without the bug)."""

import sys

from PySide6.QtWidgets import QLabel


def test_set_text_keeps_the_reference_count_of_none(qtbot) -> None:
    label = QLabel()
    qtbot.addWidget(label)
    before = sys.getrefcount(None)
    for _ in range(20_000):
        label.setText("Документ")
    assert abs(sys.getrefcount(None) - before) < 100
