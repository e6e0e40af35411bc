"""The frozen migration creates the spec's `events` table and its indexes; re-running is safe; a
database Alembic migrated before is adopted, not migrated again."""

import asyncpg
from fastapi import FastAPI

from analytics import AnalyticsSettings
from analytics.db import MIGRATIONS_DIR, migrate
from launcher.postgres_cluster import PostgresCluster
from service_kit import driver_dsn

from .conftest import fetch_all, make_settings


async def test_events_table_matches_the_spec(app: FastAPI) -> None:
    columns = await fetch_all(
        app,
        "SELECT column_name, data_type, is_nullable, column_default "
        "FROM information_schema.columns WHERE table_name = 'events' ORDER BY ordinal_position",
    )

    assert [(c["column_name"], c["data_type"], c["is_nullable"]) for c in columns] == [
        ("id", "bigint", "NO"),
        ("event_type", "character varying", "NO"),
        ("agent_id", "character varying", "YES"),
        ("version", "integer", "YES"),
        ("tokens", "integer", "NO"),
        ("timestamp", "timestamp with time zone", "NO"),
        ("metadata", "jsonb", "NO"),
        ("event_id", "character varying", "YES"),
    ]
    defaults = {c["column_name"]: c["column_default"] for c in columns}
    assert defaults["id"] == "nextval('events_id_seq'::regclass)"  # BIGSERIAL
    assert defaults["tokens"] == "0"
    assert defaults["metadata"] == "'{}'::jsonb"


async def test_indexes_match_the_spec(app: FastAPI) -> None:
    indexes = {
        row["indexname"]: row["indexdef"]
        for row in await fetch_all(
            app, "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'events'"
        )
    }

    assert indexes["idx_events_timestamp"].endswith('USING btree ("timestamp" DESC)')
    assert indexes["idx_events_type"].endswith("USING btree (event_type)")
    assert "UNIQUE" in indexes["events_event_id_key"]
    assert "(event_id)" in indexes["events_event_id_key"]
    assert indexes["events_pkey"].endswith("USING btree (id)")


async def test_migrating_again_changes_nothing(app: FastAPI) -> None:
    settings: AnalyticsSettings = app.state.settings
    assert await migrate(settings) == []
    assert await migrate(settings) == []

    recorded = await fetch_all(app, "SELECT version, name FROM schema_migrations")
    assert recorded == [{"version": 1, "name": "0001_create_events"}]


async def test_an_alembic_database_is_adopted(pg_cluster: PostgresCluster) -> None:
    """What Alembic's revision 0001 left (the same schema, plus `alembic_version`) is recorded
    as migrated: running 0001 again would fail on the existing table."""
    pg_cluster.create_database("analytics_alembic_adopted")
    settings = make_settings(pg_cluster.dsn("analytics_alembic_adopted"))
    conn = await asyncpg.connect(driver_dsn(settings.database_url))
    try:
        await conn.execute((MIGRATIONS_DIR / "0001_create_events.sql").read_text())
        await conn.execute(
            "CREATE TABLE alembic_version (version_num varchar(32) PRIMARY KEY);"
            "INSERT INTO alembic_version VALUES ('0001');"
            "INSERT INTO events (event_type, timestamp) VALUES ('node_recovered', now())"
        )

        assert await migrate(settings) == []

        recorded = await conn.fetch("SELECT version, name, checksum FROM schema_migrations")
        assert [tuple(row) for row in recorded] == [(1, "0001_create_events", None)]
        assert await conn.fetchval("SELECT count(*) FROM events") == 1
    finally:
        await conn.close()
