"""The node's database: `service_kit.Database` (an asyncpg pool) for every statement;
migrations as frozen SQL files.

The node speaks to PostgreSQL through asyncpg directly. An accepted edit runs about nine
statements on its own node and as many on the peer that acknowledges it before the agent is
answered, and each statement cost 300 µs through SQLAlchemy's async engine against 95 µs
through asyncpg on the 2-core machine the benchmarks run on (`bench/cluster_bench.py`). So every
service talks to PostgreSQL through asyncpg (`service_kit`), and the schema is written once, in
`migrations/NNNN_name.sql`, applied by `service_kit.migrate` at start-up.

Every use goes through `Database.connection()` or `Database.transaction()`: a refused or
dropped connection, a timeout or a server shutting down becomes DatabaseUnavailableError
(answered 503); any other database error is a bug and propagates unchanged.
"""

from pathlib import Path

import service_kit
from service_kit import Connection, Database

from .errors import DatabaseUnavailableError
from .settings import NodeSettings

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
_MIGRATION_LOCK = 0x74657874  # pg_advisory_xact_lock key
# Databases migrated by Alembic before issue 18: its revision 0001 created what 0001_*.sql does.
_ALEMBIC_REVISIONS = {"0001": 1}
_WHAT = "the node's database"

__all__ = ["Connection", "Database", "migrate", "node_database"]


def node_database(settings: NodeSettings) -> Database:
    """The node's pool (it connects lazily: the database may be down at start, or later)."""
    return Database(
        settings.database_url,
        application_name=f"chorus-text-node-{settings.name}",
        what=_WHAT,
        unavailable=DatabaseUnavailableError,
        pool_size=settings.pool_size,
        connect_timeout_s=settings.connect_timeout_s,
        statement_timeout_s=settings.statement_timeout_s,
    )


async def migrate(settings: NodeSettings, *, wait_s: float = 0.0) -> None:
    """Apply the migrations not yet applied, waiting up to `wait_s` for the database."""
    await service_kit.migrate(
        settings.database_url,
        MIGRATIONS_DIR,
        lock_key=_MIGRATION_LOCK,
        what=_WHAT,
        unavailable=DatabaseUnavailableError,
        wait_s=wait_s,
        application_name=f"chorus-text-node-{settings.name}-migrate",
        connect_timeout_s=settings.connect_timeout_s,
        statement_timeout_s=settings.statement_timeout_s,
        alembic_revisions=_ALEMBIC_REVISIONS,
    )
