"""Fixtures shared by every test package: one real PostgreSQL cluster for the session."""

import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from launcher import free_port
from launcher.postgres_cluster import PostgresCluster


@pytest.fixture(scope="session")
def pg_root() -> Iterator[Path]:
    """A scratch directory the `postgres` user can reach (pytest's tmp dirs are 0700 root)."""
    root = Path(tempfile.mkdtemp(prefix="chorus-test-pg-"))
    root.chmod(0o755)
    try:
        yield root
    finally:
        shutil.rmtree(root, ignore_errors=True)


def new_cluster(root: Path, name: str) -> PostgresCluster:
    """A cluster (not started) in its own directory under `root`, on a free port."""
    return PostgresCluster(root / name, free_port())


@pytest.fixture(scope="session")
def pg_cluster(pg_root: Path) -> Iterator[PostgresCluster]:
    """The session's PostgreSQL, shared by every module except those that stop a cluster."""
    with new_cluster(pg_root, "shared") as cluster:
        yield cluster
