"""POST /api/analytics/events and /events/batch: storage, idempotency, auth, validation."""

from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from .conftest import AUTH, NOW, fetch_all

EVENTS = "/api/analytics/events"
BATCH = "/api/analytics/events/batch"


def edit(event_id: str | None = "edit-1", **overrides: Any) -> dict[str, Any]:
    """An edit_applied event as the Text Service sends it."""
    body: dict[str, Any] = {
        "event_type": "edit_applied",
        "agent_id": "agent-1",
        "version": 7,
        "tokens": 120,
        "timestamp": "2026-01-10T11:59:00+00:00",
        "metadata": {"edit_id": "e-7", "node": "node-1", "role": "editor", "latency_ms": 42.5},
    }
    if event_id is not None:
        body["event_id"] = event_id
    body.update(overrides)
    return body


async def rows(app: FastAPI) -> list[dict[str, Any]]:
    return await fetch_all(app, "SELECT * FROM events ORDER BY id")


async def test_event_is_stored_with_every_field(client: httpx.AsyncClient, app: FastAPI) -> None:
    response = await client.post(EVENTS, json=edit(), headers=AUTH)

    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    [row] = await rows(app)
    assert row == {
        "id": 1,
        "event_type": "edit_applied",
        "agent_id": "agent-1",
        "version": 7,
        "tokens": 120,
        "timestamp": datetime(2026, 1, 10, 11, 59, tzinfo=UTC),
        "metadata": {"edit_id": "e-7", "node": "node-1", "role": "editor", "latency_ms": 42.5},
        "event_id": "edit-1",
    }


async def test_optional_fields_default(client: httpx.AsyncClient, app: FastAPI) -> None:
    """No timestamp → time of receipt; naive → UTC; null metadata → {}; unknown fields ignored."""
    minimal = {"event_type": "node_recovered", "metadata": None, "extra_field": 1}
    naive = {"event_type": "agent_started", "agent_id": "a", "timestamp": "2026-01-10T08:00:00"}

    assert (await client.post(EVENTS, json=minimal, headers=AUTH)).status_code == 200
    assert (await client.post(EVENTS, json=naive, headers=AUTH)).status_code == 200

    first, second = await rows(app)
    assert first["timestamp"] == NOW
    assert first["metadata"] == {}
    assert (first["agent_id"], first["version"], first["tokens"], first["event_id"]) == (
        None,
        None,
        0,
        None,
    )
    assert second["timestamp"] == datetime(2026, 1, 10, 8, tzinfo=UTC)


async def test_redelivered_event_is_stored_once(client: httpx.AsyncClient, app: FastAPI) -> None:
    first = await client.post(EVENTS, json=edit("same-id"), headers=AUTH)
    again = await client.post(EVENTS, json=edit("same-id", tokens=999), headers=AUTH)

    assert (first.status_code, first.json()) == (200, {"status": "ok"})
    assert (again.status_code, again.json()) == (200, {"status": "ok"})
    assert [(row["event_id"], row["tokens"]) for row in await rows(app)] == [("same-id", 120)]


async def test_events_without_id_are_all_stored(client: httpx.AsyncClient, app: FastAPI) -> None:
    for _ in range(2):
        assert (await client.post(EVENTS, json=edit(None), headers=AUTH)).status_code == 200
    assert len(await rows(app)) == 2


async def test_batch_stores_new_events_once(client: httpx.AsyncClient, app: FastAPI) -> None:
    await client.post(EVENTS, json=edit("known"), headers=AUTH)
    batch = {
        "events": [
            edit("known"),
            edit("new-1"),
            edit("new-1"),
            {"event_type": "replication_failed", "metadata": {"error_message": "timeout"}},
        ]
    }

    response = await client.post(BATCH, json=batch, headers=AUTH)

    assert response.status_code == 200
    assert response.json() == {"status": "ok", "stored": 2, "received": 4}
    assert [row["event_id"] for row in await rows(app)] == ["known", "new-1", None]


async def test_empty_batch_stores_nothing(client: httpx.AsyncClient, app: FastAPI) -> None:
    response = await client.post(BATCH, json={"events": []}, headers=AUTH)
    assert response.json() == {"status": "ok", "stored": 0, "received": 0}
    assert await rows(app) == []


@pytest.mark.parametrize("path", [EVENTS, BATCH])
@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"Authorization": "Bearer wrong-token"},
        {"Authorization": "Basic YWRtaW46YWRtaW4="},
        {"Authorization": "Bearer "},
    ],
    ids=["missing", "wrong", "not-bearer", "empty"],
)
async def test_ingest_needs_the_service_token(
    client: httpx.AsyncClient, app: FastAPI, path: str, headers: dict[str, str]
) -> None:
    body = edit() if path == EVENTS else {"events": [edit()]}

    response = await client.post(path, json=body, headers=headers)

    assert response.status_code == 401
    assert response.json()["error"] == "unauthorized"
    assert response.json()["field"] == "Authorization"
    assert await rows(app) == []


@pytest.mark.parametrize(
    ("override", "field"),
    [
        ({"event_type": "edit_exploded"}, "event_type"),
        ({"event_type": None}, "event_type"),
        ({"tokens": "many"}, "tokens"),
        ({"tokens": "12"}, "tokens"),
        ({"tokens": -1}, "tokens"),
        ({"tokens": 2**31}, "tokens"),
        ({"tokens": True}, "tokens"),
        ({"version": 1.5}, "version"),
        ({"agent_id": 5}, "agent_id"),
        ({"agent_id": ""}, "agent_id"),
        ({"timestamp": "yesterday"}, "timestamp"),
        ({"metadata": ["node-1"]}, "metadata"),
        ({"event_id": "x" * 201}, "event_id"),
    ],
)
async def test_invalid_field_is_named(
    client: httpx.AsyncClient, app: FastAPI, override: dict[str, Any], field: str
) -> None:
    response = await client.post(EVENTS, json=edit(**override), headers=AUTH)

    assert response.status_code == 422
    body = response.json()
    assert body["error"] == "validation_error"
    assert body["field"] == field
    assert field in body["message"]
    assert await rows(app) == []


async def test_missing_event_type_is_named(client: httpx.AsyncClient) -> None:
    response = await client.post(EVENTS, json={"agent_id": "a"}, headers=AUTH)
    assert (response.status_code, response.json()["field"]) == (422, "event_type")


async def test_bad_event_in_batch_is_named_and_nothing_stored(
    client: httpx.AsyncClient, app: FastAPI
) -> None:
    batch = {"events": [edit("ok-1"), edit("bad", event_type="nope")]}

    response = await client.post(BATCH, json=batch, headers=AUTH)

    assert (response.status_code, response.json()["field"]) == (422, "events.1.event_type")
    assert await rows(app) == []


async def test_oversized_batch_is_refused(client: httpx.AsyncClient) -> None:
    batch = {"events": [edit(None)] * 1001}
    response = await client.post(BATCH, json=batch, headers=AUTH)
    assert (response.status_code, response.json()["field"]) == (422, "events")


@pytest.mark.parametrize("path", [EVENTS, BATCH])
async def test_malformed_json_is_400(client: httpx.AsyncClient, path: str) -> None:
    headers = {**AUTH, "Content-Type": "application/json"}

    response = await client.post(path, content=b'{"event_type": "edit_applied",', headers=headers)

    assert response.status_code == 400
    assert response.json()["error"] == "invalid_json"
