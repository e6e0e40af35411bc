"""The Analytics Service's database: an asyncpg pool and frozen SQL migrations (`service_kit`).

Like the Text Service, analytics talks to PostgreSQL through asyncpg with SQL text (a statement
cost 300 µs through SQLAlchemy's async engine against 95 µs through asyncpg, `text_node/db.py`),
so one pool, one error translation and one migration runner serve every service. The schema is
`migrations/0001_create_events.sql`.

Every database call goes through `Database.connection()`: a refused or dropped connection, a
timeout or a server shutting down becomes `DatabaseUnavailableError` (answered as 503); anything
else (a bug) propagates unchanged.
"""

from pathlib import Path

import service_kit
from service_kit import Connection, Database

from .errors import DatabaseUnavailableError
from .settings import AnalyticsSettings

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
_MIGRATION_LOCK = 0x616E616C  # pg_advisory_xact_lock key: one migrating instance at a time
# Databases migrated by Alembic before issue 18: its revision 0001 created what 0001_*.sql does.
_ALEMBIC_REVISIONS = {"0001": 1}
_WHAT = "the analytics database"
_APPLICATION_NAME = "chorus-analytics"

__all__ = [
    "MIGRATIONS_DIR",
    "Connection",
    "Database",
    "create_database",
    "migrate",
]


def create_database(settings: AnalyticsSettings) -> Database:
    """The service's pool (not opened yet), with bounded connect and statement times."""
    return Database(
        settings.database_url,
        application_name=_APPLICATION_NAME,
        what=_WHAT,
        unavailable=DatabaseUnavailableError,
        pool_size=settings.pool_size,
        connect_timeout_s=settings.connect_timeout_s,
        statement_timeout_s=settings.statement_timeout_s,
    )


async def migrate(settings: AnalyticsSettings, *, wait_s: float = 0.0) -> list[str]:
    """Apply the migrations not yet applied (their names), waiting up to `wait_s` for the
    database."""
    return await service_kit.migrate(
        settings.database_url,
        MIGRATIONS_DIR,
        lock_key=_MIGRATION_LOCK,
        what=_WHAT,
        unavailable=DatabaseUnavailableError,
        wait_s=wait_s,
        application_name=f"{_APPLICATION_NAME}-migrate",
        connect_timeout_s=settings.connect_timeout_s,
        statement_timeout_s=settings.statement_timeout_s,
        alembic_revisions=_ALEMBIC_REVISIONS,
    )
