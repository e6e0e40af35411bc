"""One fault cluster at a time for the suite (a fresh one per network profile), and the
summary lines of every scenario printed again at the end of the run."""

import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from faults import LAN, WAN, FaultCluster, profile

SEED = int(os.environ.get("CHORUS_FAULT_SEED", "8"))
"""The suite's seed: `CHORUS_FAULT_SEED=<n> pytest tests/faults` replays a printed run."""

SUMMARY_LINES: list[str] = []


class Clusters:
    """Starts the cluster of a profile on first use; a different profile replaces it."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.current: FaultCluster | None = None

    def get(self, name: str) -> FaultCluster:
        if self.current is not None and self.current.profile.name == name:
            return self.current
        self.close()
        cluster = FaultCluster(self.root / name, profile=profile(name), seed=SEED, skewable=("b",))
        self.current = cluster.__enter__()
        return cluster

    def any(self) -> FaultCluster:
        """The cluster running now, whatever its profile (a LAN one if none is)."""
        return self.current if self.current is not None else self.get(LAN.name)

    def close(self) -> None:
        if self.current is not None:
            self.current.close()
            self.current = None


@pytest.fixture(scope="session")
def fault_clusters() -> Iterator[Clusters]:
    root = Path(tempfile.mkdtemp(prefix="chorus-faults-"))
    root.chmod(0o755)  # the PostgreSQL servers run as the postgres user
    clusters = Clusters(root)
    try:
        yield clusters
    finally:
        clusters.close()
        shutil.rmtree(root, ignore_errors=True)


@pytest.fixture(scope="session")
def fault_seed() -> int:
    return SEED


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if SUMMARY_LINES:
        terminalreporter.section("fault suite")
        terminalreporter.write_line(f"seed {SEED}; {LAN.describe()}; {WAN.describe()}")
        for line in SUMMARY_LINES:
            terminalreporter.write_line(line)
