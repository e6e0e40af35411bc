"""One whole stack for the module, brought up by the launcher code on free ports.

The stack runs at a high rate limit (6000r/m) so the write tests are not throttled; the
rate-limit test runs a second nginx at the spec's 10r/m in front of the same services.
"""

import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from launcher.config import Ports, RateLimit
from launcher.stack import Stack, StackConfig
from launcher.state import StateDir

HIGH_RATE = "6000r/m"


@pytest.fixture(scope="module")
def stack() -> Iterator[Stack]:
    root = Path(tempfile.mkdtemp(prefix="chorus-test-stack-"))
    root.chmod(0o755)  # the PostgreSQL clusters run as the postgres user
    config = StackConfig(
        StateDir(root / "state"), Ports.free(), RateLimit.parse(HIGH_RATE), dashboard=False
    )
    running = Stack(config)
    try:
        running.up(report=print)
        yield running
    finally:
        running.down(report=lambda line: None)
        shutil.rmtree(root, ignore_errors=True)
