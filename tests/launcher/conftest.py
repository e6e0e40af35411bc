"""State directories the `postgres` user can reach (pytest's tmp dirs are 0700 root)."""

import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest


@pytest.fixture
def state_root() -> Iterator[Path]:
    """A fresh, world-traversable scratch directory, removed afterwards."""
    root = Path(tempfile.mkdtemp(prefix="chorus-test-launcher-"))
    root.chmod(0o755)
    try:
        yield root
    finally:
        shutil.rmtree(root, ignore_errors=True)
