"""One whole stack for the module, brought up by the launcher code on free ports.

The stack runs at a high rate limit (6000r/m) so the write tests are not throttled; the
rate-limit test runs a second nginx at the spec's 10r/m in front of the same services.
"""

import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from launcher.config import Ports, RateLimit
from launcher.pace import Pace
from launcher.stack import Stack, StackConfig
from launcher.state import StateDir

HIGH_RATE = "6000r/m"
TEST_PACE = Pace(speed=10)
"""Agents ten times the demo's pace: a 1 s pause, the model answering in about 0.2 s."""


@contextmanager
def running_stack(prefix: str, **options: Any) -> Iterator[Stack]:
    """A whole stack on free ports in a temporary directory, at the high rate limit; down and
    removed on exit. `options` go to `StackConfig` (budget_limit, dashboard, pace: ten times
    the demo's unless given)."""
    options.setdefault("pace", TEST_PACE)
    root = Path(tempfile.mkdtemp(prefix=prefix))
    root.chmod(0o755)  # the PostgreSQL clusters run as the postgres user
    config = StackConfig(
        StateDir(root / "state"), Ports.free(), RateLimit.parse(HIGH_RATE), **options
    )
    running = Stack(config)
    try:
        running.up(report=print)
        yield running
    finally:
        running.down(report=lambda line: None)
        shutil.rmtree(root, ignore_errors=True)


@pytest.fixture(scope="module")
def stack() -> Iterator[Stack]:
    with running_stack("chorus-test-stack-", dashboard=False) as running:
        yield running
