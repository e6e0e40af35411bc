"""The migration runner on a real PostgreSQL: numbered SQL files applied once each, in order,
frozen once applied, safe to run from two instances at once, adopting Alembic databases."""

import asyncio
import itertools
import time
from collections.abc import AsyncIterator, Mapping
from pathlib import Path
from typing import TypeAlias

import asyncpg
import pytest

from launcher import free_port
from launcher.postgres_cluster import PostgresCluster
from service_kit import MigrationError, driver_dsn, migrate, read_migrations

REPO = Path(__file__).resolve().parents[2]
SERVICES = ["analytics", "text_node"]
_names = itertools.count()
Conn: TypeAlias = "asyncpg.Connection[asyncpg.Record]"


class Unavailable(Exception):
    pass


@pytest.fixture
async def url(pg_cluster: PostgresCluster) -> str:
    """A fresh database for the test."""
    name = f"service_kit_migrate_{next(_names)}"
    pg_cluster.create_database(name)
    return pg_cluster.dsn(name)


@pytest.fixture
async def conn(url: str) -> AsyncIterator[Conn]:
    connection = await asyncpg.connect(driver_dsn(url))
    try:
        yield connection
    finally:
        await connection.close()


def write(directory: Path, name: str, sql: str) -> None:
    directory.mkdir(exist_ok=True)
    (directory / name).write_text(sql, encoding="utf-8")


async def run(
    url: str,
    directory: Path,
    *,
    wait_s: float = 0.0,
    alembic_revisions: Mapping[str, int] | None = None,
) -> list[str]:
    return await migrate(
        url,
        directory,
        lock_key=42,
        what="the test database",
        unavailable=Unavailable,
        wait_s=wait_s,
        alembic_revisions=alembic_revisions,
    )


async def tables(conn: Conn) -> list[str]:
    rows = await conn.fetch("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")
    return sorted(row["tablename"] for row in rows)


async def test_files_are_applied_once_in_order(url: str, conn: Conn, tmp_path: Path) -> None:
    write(tmp_path, "0001_first.sql", "CREATE TABLE a (id int PRIMARY KEY);")
    write(tmp_path, "0002_second.sql", "CREATE TABLE b (a_id int REFERENCES a (id));")

    assert await run(url, tmp_path) == ["0001_first", "0002_second"]
    assert await run(url, tmp_path) == []

    write(tmp_path, "0003_third.sql", "ALTER TABLE b ADD COLUMN note text;")
    assert await run(url, tmp_path) == ["0003_third"]
    recorded = await conn.fetch("SELECT version, name FROM schema_migrations ORDER BY version")
    assert [tuple(row) for row in recorded] == [
        (1, "0001_first"),
        (2, "0002_second"),
        (3, "0003_third"),
    ]
    assert await tables(conn) == ["a", "b", "schema_migrations"]


async def test_a_failing_file_leaves_nothing_behind(url: str, conn: Conn, tmp_path: Path) -> None:
    write(tmp_path, "0001_good.sql", "CREATE TABLE a (id int);")
    write(tmp_path, "0002_bad.sql", "CREATE TABLE b (id int); SELECT no_such_column FROM a;")

    with pytest.raises(asyncpg.UndefinedColumnError):
        await run(url, tmp_path)

    assert await tables(conn) == ["a", "schema_migrations"]
    assert await conn.fetchval("SELECT array_agg(version) FROM schema_migrations") == [1]


async def test_an_applied_file_is_frozen(url: str, tmp_path: Path) -> None:
    write(tmp_path, "0001_first.sql", "CREATE TABLE a (id int);")
    await run(url, tmp_path)
    write(tmp_path, "0001_first.sql", "CREATE TABLE a (id bigint);")

    with pytest.raises(MigrationError, match=r"0001_first\.sql changed after it was applied"):
        await run(url, tmp_path)


async def test_a_database_newer_than_the_code_is_refused(url: str, tmp_path: Path) -> None:
    write(tmp_path, "0001_first.sql", "CREATE TABLE a (id int);")
    write(tmp_path, "0002_second.sql", "CREATE TABLE b (id int);")
    await run(url, tmp_path)
    (tmp_path / "0002_second.sql").unlink()

    with pytest.raises(MigrationError, match="migration 0002, which this code does not know"):
        await run(url, tmp_path)


@pytest.mark.parametrize(
    ("names", "message"),
    [
        (["0001_a.sql", "0003_c.sql"], r"versions must run 1, 2, 3 \.\.\. \(found \[1, 3\]\)"),
        (["0001_a.sql", "2_b.sql"], r"2_b\.sql: a migration is named NNNN_name\.sql"),
        (["0001_a.sql", "0001_b.sql"], r"found \[1, 1\]"),
    ],
)
def test_misnamed_or_missing_files_are_refused(
    tmp_path: Path, names: list[str], message: str
) -> None:
    for name in names:
        write(tmp_path, name, "SELECT 1;")
    with pytest.raises(MigrationError, match=message):
        read_migrations(tmp_path)


async def test_two_instances_apply_each_file_once(url: str, conn: Conn, tmp_path: Path) -> None:
    write(tmp_path, "0001_first.sql", "CREATE TABLE a (id int);")
    write(tmp_path, "0002_slow.sql", "SELECT pg_sleep(0.2); CREATE TABLE b (id int);")

    first, second = await asyncio.gather(run(url, tmp_path), run(url, tmp_path))

    assert sorted(first + second) == ["0001_first", "0002_slow"]
    assert await tables(conn) == ["a", "b", "schema_migrations"]


async def test_alembic_revision_is_adopted(url: str, conn: Conn, tmp_path: Path) -> None:
    write(tmp_path, "0001_first.sql", "CREATE TABLE a (id int);")
    write(tmp_path, "0002_second.sql", "CREATE TABLE b (id int);")
    await conn.execute(
        "CREATE TABLE a (id int);"
        "CREATE TABLE alembic_version (version_num varchar(32) PRIMARY KEY);"
        "INSERT INTO alembic_version VALUES ('0001');"
    )

    assert await run(url, tmp_path, alembic_revisions={"0001": 1}) == ["0002_second"]
    assert await run(url, tmp_path, alembic_revisions={"0001": 1}) == []
    recorded = await conn.fetch("SELECT version, checksum IS NULL FROM schema_migrations")
    assert sorted(tuple(row) for row in recorded) == [(1, True), (2, False)]


async def test_an_unknown_alembic_revision_is_refused(url: str, conn: Conn, tmp_path: Path) -> None:
    write(tmp_path, "0001_first.sql", "CREATE TABLE a (id int);")
    await conn.execute(
        "CREATE TABLE alembic_version (version_num varchar(32) PRIMARY KEY);"
        "INSERT INTO alembic_version VALUES ('0007');"
    )

    with pytest.raises(MigrationError, match="Alembic to revision 0007"):
        await run(url, tmp_path, alembic_revisions={"0001": 1})


async def test_an_unreachable_database_is_waited_for_then_unavailable(tmp_path: Path) -> None:
    write(tmp_path, "0001_first.sql", "CREATE TABLE a (id int);")
    url = f"postgresql://postgres@127.0.0.1:{free_port()}/nowhere"

    started = time.monotonic()
    with pytest.raises(Unavailable, match=r"^the test database is unavailable: "):
        await run(url, tmp_path, wait_s=0.6)

    assert 0.5 <= time.monotonic() - started < 5


@pytest.mark.parametrize("service", SERVICES)
async def test_every_service_schema_applies_and_is_adopted_from_alembic(
    pg_cluster: PostgresCluster, service: str
) -> None:
    """Each service's files are well-formed and apply to an empty database; a database that
    Alembic's revision 0001 migrated (the same schema plus `alembic_version`) is adopted."""
    directory = REPO / service / "migrations"
    migrations = read_migrations(directory)
    fresh = pg_cluster.dsn(f"service_kit_{service}_fresh")
    adopted = pg_cluster.dsn(f"service_kit_{service}_alembic")
    pg_cluster.create_database(f"service_kit_{service}_fresh")
    pg_cluster.create_database(f"service_kit_{service}_alembic")
    conn = await asyncpg.connect(driver_dsn(adopted))
    try:
        await conn.execute(migrations[0].sql)
        await conn.execute(
            "CREATE TABLE alembic_version (version_num varchar(32) PRIMARY KEY);"
            "INSERT INTO alembic_version VALUES ('0001');"
        )
        assert await run(adopted, directory, alembic_revisions={"0001": 1}) == [
            migration.name for migration in migrations[1:]
        ]
    finally:
        await conn.close()

    assert await run(fresh, directory) == [migration.name for migration in migrations]
