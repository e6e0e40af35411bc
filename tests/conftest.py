"""Fixtures shared by every test package: one real PostgreSQL cluster for the session."""

import re
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import asyncpg
import pytest

from launcher import free_port
from launcher.postgres_cluster import PostgresCluster
from service_kit import driver_dsn


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


def module_database(
    pg_cluster: PostgresCluster, request: pytest.FixtureRequest, prefix: str
) -> str:
    """A database named after the test module, on the session cluster; its URL."""
    name = prefix + re.sub(r"\W", "_", request.module.__name__.rsplit(".", 1)[-1])
    pg_cluster.create_database(name)
    return pg_cluster.dsn(name)


async def reset_node_database(database_url: str) -> None:
    """Empty a Text Service node's tables (if the node has migrated it already)."""
    conn = await asyncpg.connect(driver_dsn(database_url))
    try:
        if await conn.fetchval("SELECT to_regclass('doc_updates') IS NOT NULL"):
            await conn.execute(
                "TRUNCATE doc_updates, ops, edits, documents, outbox, token_budget RESTART IDENTITY"
            )
    finally:
        await conn.close()
