"""One node in-process on real PostgreSQL: the spec API, validation, auth, budget."""

import base64
import uuid

import httpx
import pytest
from fastapi import FastAPI

from crdt_core import Replica, write_update

from .conftest import OPERATOR, SERVICE, agent, edit, init


async def test_init_then_read_current(client: httpx.AsyncClient) -> None:
    document_id = await init(client)
    body = (await client.get("/api/document/current")).json()
    assert body["version"] == 1
    assert body["text"] == "Привет, мир! Это тест."
    assert body["document_id"] == document_id
    assert body["node"] == "a"
    assert body["timestamp"].endswith("+00:00")


async def test_accepted_edit_changes_text_and_retry_is_idempotent(
    client: httpx.AsyncClient,
) -> None:
    await init(client)
    edit_id = str(uuid.uuid4())
    first = await edit(client, "8:11", "свет", edit_id=edit_id)
    assert first.status_code == 201, first.text
    assert first.json()["status"] == "accepted"
    assert first.json()["version"] == 2
    again = await edit(client, "8:11", "свет", edit_id=edit_id)
    assert again.json() | {"acknowledged_by": []} == first.json() | {"acknowledged_by": []}
    current = (await client.get("/api/document/current")).json()
    assert current["text"] == "Привет, свет! Это тест."
    assert current["version"] == 2


async def test_stale_edit_of_a_changed_range_is_rejected_with_reason(
    client: httpx.AsyncClient,
) -> None:
    await init(client)
    assert (await edit(client, "0:6", "Здравствуй", base_version=1)).status_code == 201
    stale = await edit(client, "0:3", "Ох", n=2, base_version=1)
    assert stale.status_code == 200
    body = stale.json()
    assert body["status"] == "rejected"
    assert "уже изменила правка" in body["message"]
    unrelated = await edit(client, "14:17", "Это", n=2, base_version=1)
    assert unrelated.json()["status"] == "accepted"
    page = (await client.get("/api/edits", params={"status": "rejected"})).json()
    assert page["total"] == 1
    assert page["edits"][0]["status"] == "rejected"


@pytest.mark.parametrize(
    ("body", "status", "field"),
    [
        ({"proposed_text": "x", "position": "end", "tokens_used": 1}, 422, "agent_id"),
        (
            {
                "agent_id": "agent-1",
                "proposed_text": "x" * 10_001,
                "position": "end",
                "tokens_used": 1,
            },
            422,
            "proposed_text",
        ),
        (
            {"agent_id": "agent-1", "proposed_text": "x", "position": "end", "tokens_used": "12"},
            422,
            "tokens_used",
        ),
        (
            {"agent_id": "agent-1", "proposed_text": "x", "position": "start", "tokens_used": 1},
            422,
            "position",
        ),
        (
            {"agent_id": "agent-1", "proposed_text": "x", "position": "0:999", "tokens_used": 1},
            422,
            "position",
        ),
        (
            {"agent_id": "agent-1", "proposed_text": "x", "position": "end", "tokens_used": -1},
            422,
            "tokens_used",
        ),
        (
            {
                "agent_id": "agent-1",
                "proposed_text": "x",
                "position": "end",
                "tokens_used": 1,
                "base_version": 99,
            },
            422,
            "base_version",
        ),
        (
            {
                "agent_id": "agent-1",
                "proposed_text": "x",
                "position": "end",
                "tokens_used": 1,
                "edit_id": "not-a-uuid",
            },
            422,
            "edit_id",
        ),
        (
            {"agent_id": "agent-2", "proposed_text": "x", "position": "end", "tokens_used": 1},
            403,
            "agent_id",
        ),
    ],
)
async def test_bad_edits_name_the_field(
    client: httpx.AsyncClient, body: dict[str, object], status: int, field: str
) -> None:
    await init(client)
    response = await client.post("/api/edits", json=body, headers=agent(1))
    assert response.status_code == status, response.text
    assert response.json()["field"] == field
    if field == "proposed_text":
        assert "10000" in response.json()["message"]


async def test_malformed_json_and_auth(client: httpx.AsyncClient) -> None:
    await init(client)
    broken = await client.post(
        "/api/edits", content=b"{not json", headers=agent(1) | {"content-type": "application/json"}
    )
    assert broken.status_code == 400
    assert broken.json()["error"] == "invalid_json"
    body = {"agent_id": "agent-1", "proposed_text": "x", "position": "end", "tokens_used": 1}
    missing = await client.post("/api/edits", json=body)
    assert missing.status_code == 401
    assert "Authorization" in missing.json()["message"]
    wrong = await client.post("/api/edits", json=body, headers={"Authorization": "Bearer nope"})
    assert wrong.status_code == 401
    init_without = await client.post("/api/document/init", json={"topic": "t", "initial_text": ""})
    assert init_without.status_code == 401


async def test_edit_before_any_document_and_for_an_old_document_is_409(
    client: httpx.AsyncClient,
) -> None:
    early = await edit(client, "end", "x")
    assert early.status_code == 409
    assert early.json()["error"] == "no_document"
    old = await init(client)
    await init(client, "Новый документ.")
    stale = await edit(client, "end", "!", document_id=old)
    assert stale.status_code == 409
    assert stale.json()["field"] == "document_id"


async def test_budget_boundary_as_in_spec_scenario_6(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    await init(client)
    assert (await edit(client, "end", " А", tokens_used=14_999_500)).status_code == 201
    exact = await edit(client, "end", " Б", tokens_used=500)  # reaches exactly 15 000 000
    assert exact.status_code == 201
    over = await edit(client, "end", " В", tokens_used=500)
    assert over.status_code == 429
    body = over.json()
    assert body["error"] == "budget_exceeded"
    assert body["limit"] == "token_budget"
    assert (body["used"], body["limit_tokens"]) == (15_000_000, 15_000_000)
    async with app.state.service.durable.db.connection() as conn:
        total = await conn.fetchval("SELECT total_tokens FROM token_budget")
        queued = await conn.fetchval(
            "SELECT count(*) FROM outbox WHERE payload->>'event_type' = 'budget_exceeded'"
        )
    assert total == 15_000_000
    assert queued == 1


async def test_edit_history_pages_and_versions(client: httpx.AsyncClient) -> None:
    await init(client, "абв")
    for i in range(5):
        assert (await edit(client, "end", str(i))).status_code == 201
    page = (await client.get("/api/edits", params={"limit": 2, "offset": 1})).json()
    assert page["total"] == 5
    assert [e["proposed_text"] for e in page["edits"]] == ["3", "2"]
    assert page["edits"][0]["version"] == 5
    versions = (await client.get("/api/document/versions", params={"limit": 3})).json()
    assert versions["total"] == 6
    assert [v["version"] for v in versions["versions"]] == [6, 5, 4]
    first = (await client.get("/api/document/versions", params={"offset": 5})).json()
    assert first["versions"][0]["agent_id"] == "operator"  # as the authorship runs say
    third = (await client.get("/api/document/versions/3")).json()
    assert third["text"] == "абв01"
    missing = await client.get("/api/document/versions/7")
    assert missing.status_code == 422
    assert missing.json()["field"] == "version"


async def test_documents_table_keeps_no_text_but_the_checkpoints(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    await init(client, "")
    for i in range(12):
        await edit(client, "end", f"{i % 10}")
    async with app.state.service.durable.db.connection() as conn:
        fetched = await conn.fetch("SELECT version, text FROM documents ORDER BY version")
    rows = [tuple(row) for row in fetched]
    assert [v for v, _ in rows] == list(range(1, 14))
    assert [t for _, t in rows if t is not None] == []  # the first checkpoint is version 100
    current = (await client.get("/api/document/current")).json()
    assert (current["version"], current["text"]) == (13, "012345678901")  # from memory


async def test_init_replaces_the_document(client: httpx.AsyncClient) -> None:
    await init(client, "Старый.")
    await edit(client, "end", " Ещё.")
    new_id = await init(client, "Новый.")
    current = (await client.get("/api/document/current")).json()
    assert (current["text"], current["version"], current["document_id"]) == ("Новый.", 1, new_id)
    assert (await client.get("/api/edits")).json()["total"] == 0


async def test_replication_endpoints_need_the_service_token(client: httpx.AsyncClient) -> None:
    await init(client, "Текст")
    payload = {"version": 1, "diff": "AAAA", "timestamp": "", "edit_id": ""}
    assert (await client.post("/api/replication/sync", json=payload)).status_code == 401
    assert (
        await client.post("/api/replication/sync", json=payload, headers=OPERATOR)
    ).status_code == 401
    bad = await client.post("/api/replication/sync", json=payload, headers=SERVICE)
    assert bad.status_code == 422
    assert bad.json()["field"] == "diff"
    assert (await client.get("/api/replication/catch-up?since_version=0")).status_code == 401


async def test_sync_applies_a_peer_operation_and_catch_up_returns_it(
    client: httpx.AsyncClient,
) -> None:
    await init(client, "Текст")
    current = (
        await client.get("/api/replication/catch-up?since_version=0", headers=SERVICE)
    ).json()
    peer = Replica(1, lambda: 10**13)
    for entry in current["versions"]:
        peer.receive_update(base64.b64decode(entry["diff"]))
    vector = base64.b64encode(peer.opset.state_vector()).decode()
    op = peer.accept_edit(
        edit_id=str(uuid.uuid4()), position="end", text=" от b", agent_id="agent-2"
    )
    diff = base64.b64encode(write_update([op])).decode()
    payload = {"version": 2, "diff": diff, "timestamp": "", "edit_id": op.edit_id}
    synced = await client.post("/api/replication/sync", json=payload, headers=SERVICE)
    assert synced.json() == {"status": "synced", "version": 2, "applied": 1}
    again = await client.post("/api/replication/sync", json=payload, headers=SERVICE)
    assert again.json()["applied"] == 0
    assert (await client.get("/api/document/current")).json()["text"] == "Текст от b"
    since = (await client.get("/api/replication/catch-up?since_version=1", headers=SERVICE)).json()
    assert [v["version"] for v in since["versions"]] == [2]
    assert since["versions"][0]["edit_id"] == op.edit_id
    # the Yjs sync exchange: everything beyond the asking node's state vector, one update
    exchange = await client.get(
        "/api/replication/catch-up", params={"state_vector": vector}, headers=SERVICE
    )
    [answer] = exchange.json()["versions"]
    behind = Replica(2, lambda: 10**13)
    for entry in current["versions"]:
        behind.receive_update(base64.b64decode(entry["diff"]))
    got = behind.receive_update(base64.b64decode(answer["diff"]))
    assert [found.edit_id for found, _ in got] == [op.edit_id]
    junk = await client.get(
        "/api/replication/catch-up", params={"state_vector": "!!"}, headers=SERVICE
    )
    assert (junk.status_code, junk.json()["field"]) == (422, "state_vector")
    both = await client.get("/api/replication/catch-up", headers=SERVICE)
    assert both.status_code == 422


async def test_health_and_node_state(client: httpx.AsyncClient) -> None:
    health = await client.get("/health")
    assert health.status_code == 200
    state = (await client.get("/api/node")).json()
    assert (state["node"], state["location"], state["ready"]) == ("a", "Москва", True)


async def test_only_the_operator_may_start_a_new_document(client: httpx.AsyncClient) -> None:
    document_id = await init(client)
    body = {"topic": "Чужая тема", "initial_text": "Стёрто."}

    refused = await client.post("/api/document/init", json=body, headers=agent(1))

    assert refused.status_code == 403
    assert refused.json()["error"] == "forbidden"
    assert "оператор" in refused.json()["message"]
    assert (await client.get("/api/document/current")).json()["document_id"] == document_id


async def test_messages_people_read_are_russian(client: httpx.AsyncClient) -> None:
    await init(client)
    long_text = {"agent_id": "agent-1", "proposed_text": "я" * 10_001, "position": "end"}
    too_long = await client.post(
        "/api/edits", json=long_text | {"tokens_used": 1}, headers=agent(1)
    )
    bad_position = await edit(client, "7-3", "x")
    no_token = await client.post("/api/document/init", json={"topic": "т", "initial_text": ""})

    assert too_long.json()["message"] == "proposed_text: не длиннее 10000 симв."
    assert bad_position.json()["message"].startswith("position: должна быть")
    assert no_token.json()["message"].startswith("нет токена")


async def test_authorship_of_any_version(client: httpx.AsyncClient) -> None:
    await init(client, "Привет, мир!")
    await edit(client, "8:11", "свет")
    await edit(client, "end", " Ура.", n=2)

    now = (await client.get("/api/document/authorship")).json()
    first = (await client.get("/api/document/authorship", params={"version": 1})).json()
    beyond = await client.get("/api/document/authorship", params={"version": 9})

    assert now["text"] == "Привет, свет! Ура."
    assert now["version"] == 3
    assert [(r["start"], r["end"], r["agent_id"], r["version"]) for r in now["runs"]] == [
        (0, 8, "operator", 1),
        (8, 12, "agent-1", 2),
        (12, 13, "operator", 1),
        (13, 18, "agent-2", 3),
    ]
    assert [r["kind"] for r in now["runs"]] == ["init", "replace", "init", "append"]
    assert first["text"] == "Привет, мир!"
    assert len(first["runs"]) == 1
    assert beyond.status_code == 422
    assert beyond.json()["field"] == "version"
