"""Desktop tests run offscreen; the window tests share one real stack per module.

`QT_QPA_PLATFORM` must be set before the first `QApplication` (pytest-qt's `qapp`) exists.
"""

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from tests.integration.conftest import stack  # noqa: F401  (one stack per module)
