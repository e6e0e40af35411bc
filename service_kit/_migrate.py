"""Frozen migrations: numbered SQL files, each applied once, in order, recorded in the database.

A service keeps its schema in `migrations/NNNN_name.sql` (0001, 0002, ... with no gap): explicit
`CREATE TABLE`/`CREATE INDEX` statements that never import the live code, so what a migration
creates is fixed the day it is written. A change to the schema is a new file; an applied file
must not change, and `migrate` refuses to run when one did (its SHA-256 is recorded), or when the
database holds a migration this code does not have (newer code ran on it).

`migrate` applies every file not yet recorded in `schema_migrations`, each in its own transaction
under `pg_advisory_xact_lock(lock_key)`, so two instances starting together apply each file once
(the second waits, then sees it recorded). A file must not hold `BEGIN`/`COMMIT` of its own.

Databases migrated before by Alembic are adopted: where `alembic_version` exists and
`schema_migrations` is empty, the Alembic revision says how far the schema is
(`alembic_revisions={"0001": 1}`: revision 0001 holds what 0001_*.sql creates), and those
versions are recorded as applied (with no checksum) instead of being run again.
"""

import asyncio
import hashlib
import logging
import re
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import asyncpg

from ._database import database_errors, driver_dsn

_FILE_NAME = re.compile(r"(\d{4})_([a-z0-9_]+)\.sql")
_RETRY_S = 0.5

_CREATE_TABLE = """
CREATE TABLE IF NOT EXISTS schema_migrations (
    version integer PRIMARY KEY,
    name text NOT NULL,
    checksum text,
    applied_at timestamp with time zone NOT NULL DEFAULT now()
)
"""
_RECORD = "INSERT INTO schema_migrations (version, name, checksum) VALUES ($1, $2, $3)"

logger = logging.getLogger(__name__)


class MigrationError(RuntimeError):
    """The migrations and the database disagree (a bug or a wrong deployment, not an outage)."""


@dataclass(frozen=True)
class Migration:
    """One `NNNN_name.sql` file."""

    version: int
    name: str
    sql: str

    @property
    def checksum(self) -> str:
        return hashlib.sha256(self.sql.encode()).hexdigest()


def read_migrations(migrations_dir: Path) -> list[Migration]:
    """The migrations in `migrations_dir`, in order; MigrationError on a misnamed file or a gap."""
    found = []
    for path in sorted(migrations_dir.glob("*.sql")):
        match = _FILE_NAME.fullmatch(path.name)
        if match is None:
            raise MigrationError(
                f"{path}: a migration is named NNNN_name.sql (e.g. 0002_add_x.sql)"
            )
        found.append(Migration(int(match[1]), path.stem, path.read_text(encoding="utf-8")))
    versions = [migration.version for migration in found]
    if versions != list(range(1, len(found) + 1)):
        raise MigrationError(f"{migrations_dir}: versions must run 1, 2, 3 ... (found {versions})")
    return found


async def migrate(
    url: str,
    migrations_dir: Path,
    *,
    lock_key: int,
    what: str,
    unavailable: type[Exception],
    wait_s: float = 0.0,
    application_name: str = "chorus-migrate",
    connect_timeout_s: float = 5.0,
    statement_timeout_s: float | None = None,
    alembic_revisions: Mapping[str, int] | None = None,
) -> list[str]:
    """Apply the migrations of `migrations_dir` not yet applied; the names of those it applied.

    Waits up to `wait_s` for the database: while it is unreachable or not serving, tries again
    every 0.5 s, then raises `unavailable(f"{what} is unavailable: ...")`. `lock_key` is the
    service's `pg_advisory_xact_lock` key; `alembic_revisions` maps the Alembic revisions a
    database may carry to the version they equal (see the module docstring).
    """
    migrations = read_migrations(migrations_dir)
    deadline = time.monotonic() + wait_s
    while True:
        try:
            async with database_errors(what, unavailable):
                conn = await asyncpg.connect(
                    driver_dsn(url),
                    timeout=connect_timeout_s,
                    command_timeout=statement_timeout_s,
                    server_settings={"application_name": application_name},
                )
                try:
                    return await _apply(conn, migrations, lock_key, alembic_revisions or {})
                finally:
                    await conn.close(timeout=connect_timeout_s)
        except unavailable:
            if time.monotonic() >= deadline:
                raise
            await asyncio.sleep(_RETRY_S)


async def _apply(
    conn: "asyncpg.Connection[asyncpg.Record]",
    migrations: list[Migration],
    lock_key: int,
    alembic_revisions: Mapping[str, int],
) -> list[str]:
    async with conn.transaction():
        await conn.execute("SELECT pg_advisory_xact_lock($1)", lock_key)
        await conn.execute(_CREATE_TABLE)
        await _adopt_alembic(conn, migrations, alembic_revisions)
        rows = await conn.fetch("SELECT version, checksum FROM schema_migrations")
    recorded = {row["version"]: row["checksum"] for row in rows}
    _check_applied(recorded, migrations)

    applied = []
    for migration in migrations:
        if migration.version in recorded:
            continue
        async with conn.transaction():
            await conn.execute("SELECT pg_advisory_xact_lock($1)", lock_key)
            done = "SELECT EXISTS (SELECT FROM schema_migrations WHERE version = $1)"
            if await conn.fetchval(done, migration.version):
                continue  # another instance applied it while this one waited for the lock
            await conn.execute(migration.sql)
            await conn.execute(_RECORD, migration.version, migration.name, migration.checksum)
        logger.info("applied migration %s", migration.name)
        applied.append(migration.name)
    return applied


def _check_applied(applied: Mapping[int, str | None], migrations: list[Migration]) -> None:
    by_version = {migration.version: migration for migration in migrations}
    for version, checksum in sorted(applied.items()):
        migration = by_version.get(version)
        if migration is None:
            raise MigrationError(
                f"the database has migration {version:04d}, which this code does not know: "
                "it was migrated by a newer version"
            )
        if checksum is not None and checksum != migration.checksum:
            raise MigrationError(
                f"{migration.name}.sql changed after it was applied: migrations are frozen, "
                "put the change in a new file"
            )


async def _adopt_alembic(
    conn: "asyncpg.Connection[asyncpg.Record]",
    migrations: list[Migration],
    alembic_revisions: Mapping[str, int],
) -> None:
    """Record the versions an Alembic-migrated database already has (once, before any other)."""
    if await conn.fetchval("SELECT to_regclass('alembic_version') IS NULL"):
        return
    if await conn.fetchval("SELECT EXISTS (SELECT FROM schema_migrations)"):
        return
    for revision in await conn.fetchval("SELECT array_agg(version_num) FROM alembic_version") or []:
        if revision not in alembic_revisions:
            raise MigrationError(
                f"the database was migrated by Alembic to revision {revision}, "
                f"which maps to no migration here (known: {sorted(alembic_revisions)})"
            )
        for migration in migrations[: alembic_revisions[revision]]:
            await conn.execute(
                _RECORD + " ON CONFLICT (version) DO NOTHING",
                migration.version,
                migration.name,
                None,
            )
        logger.info("adopted Alembic revision %s", revision)
