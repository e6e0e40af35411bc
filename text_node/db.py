"""Engine and migrations of a node (plumbing from `service_kit`)."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from sqlalchemy.ext.asyncio import AsyncEngine

import service_kit

from .errors import DatabaseUnavailableError
from .settings import NodeSettings

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
_MIGRATION_LOCK = 0x74657874  # pg_advisory_xact_lock key


def create_engine(settings: NodeSettings) -> AsyncEngine:
    return service_kit.create_engine(
        settings.database_url,
        application_name=f"chorus-text-node-{settings.name}",
        pool_size=settings.pool_size,
        connect_timeout_s=settings.connect_timeout_s,
        statement_timeout_s=settings.statement_timeout_s,
    )


@asynccontextmanager
async def database_errors() -> AsyncIterator[None]:
    """Driver errors meaning "database unavailable" become DatabaseUnavailableError."""
    async with service_kit.database_errors("the node's database", DatabaseUnavailableError):
        yield


async def migrate(engine: AsyncEngine, *, wait_s: float = 0.0) -> None:
    await service_kit.migrate(
        engine,
        migrations_dir=MIGRATIONS_DIR,
        lock_key=_MIGRATION_LOCK,
        what="the node's database",
        unavailable=DatabaseUnavailableError,
        wait_s=wait_s,
    )
