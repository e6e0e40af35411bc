"""The Alembic migration creates the spec's `events` table and its indexes; re-running is safe."""

import alembic.command
import pytest
from fastapi import FastAPI

from analytics.db import alembic_config, migrate

from .conftest import fetch_all


async def test_events_table_matches_the_spec(app: FastAPI) -> None:
    columns = await fetch_all(
        app,
        "SELECT column_name, data_type, is_nullable, column_default "
        "FROM information_schema.columns WHERE table_name = 'events' ORDER BY ordinal_position",
    )

    assert [(c["column_name"], c["data_type"]) for c in columns] == [
        ("id", "bigint"),
        ("event_type", "character varying"),
        ("agent_id", "character varying"),
        ("version", "integer"),
        ("tokens", "integer"),
        ("timestamp", "timestamp with time zone"),
        ("metadata", "jsonb"),
        ("event_id", "character varying"),
    ]
    assert columns[0]["column_default"] == "nextval('events_id_seq'::regclass)"  # BIGSERIAL


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


async def test_migrating_again_changes_nothing(app: FastAPI) -> None:
    await migrate(app.state.engine)
    await migrate(app.state.engine)

    assert await fetch_all(app, "SELECT version_num FROM alembic_version") == [
        {"version_num": "0001"}
    ]


def test_migrations_refuse_to_run_without_a_connection() -> None:
    with pytest.raises(RuntimeError, match="python -m analytics migrate"):
        alembic.command.upgrade(alembic_config(), "head")
