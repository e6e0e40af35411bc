"""The database follows the replica: each change is one statement (`store.write_change`), and
after every kind of change the tables hold exactly what the op set and its fold say."""

import base64
import json
import uuid
from collections.abc import AsyncIterator

import asyncpg
import httpx
import pytest
from fastapi import FastAPI

from crdt_core import Op, OpKind, Replica, write_update
from service_kit import driver_dsn
from text_node import create_app
from text_node import durable as durable_module
from text_node.db import migrate
from text_node.durable import DurableReplica

from ..conftest import reset_node_database
from .conftest import SERVICE, edit, init, node_settings

CHECKPOINT_EVERY = 10


@pytest.fixture
async def app(database_url: str) -> AsyncIterator[FastAPI]:
    await reset_node_database(database_url)
    application = create_app(node_settings(database_url, checkpoint_every=CHECKPOINT_EVERY))
    async with application.router.lifespan_context(application):
        yield application


@pytest.fixture
async def client(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://node.test") as http:
        yield http


async def assert_database_follows(node: DurableReplica) -> None:
    opset = node.replica.opset
    fold = opset.fold
    assert fold is not None
    async with node.db.connection() as conn:
        log = [bytes(row["body"]) for row in await conn.fetch("SELECT body FROM doc_updates")]
        restored = Replica.restore(0, lambda: 0, log).opset
        held = {op.key for op in restored.all_ops()}
        assert restored.state_vector() == opset.state_vector()
        assert restored.fold is not None
        assert restored.fold.text == fold.text
        documents = await conn.fetch(
            "SELECT version_key, version, document_id, text FROM documents"
        )
        edits = await conn.fetch(
            "SELECT edit_id::text, status FROM edits WHERE document_id = $1", fold.document_id
        )
        total = await conn.fetchval("SELECT total_tokens FROM token_budget")
    assert held == {op.key for op in opset.all_ops()}
    assert {row["document_id"] for row in documents} == {fold.document_id}
    assert {row["version_key"]: row["version"] for row in documents} == {
        op.key: version for version, op in enumerate(fold.ops(), 1)
    }
    texts = {row["version"]: row["text"] for row in documents if row["text"] is not None}
    head_text = fold.text
    checkpoints = range(CHECKPOINT_EVERY, fold.version + 1, CHECKPOINT_EVERY)
    assert texts == {version: fold.text_at(version) for version in checkpoints}
    assert fold.text_at(fold.version) == head_text
    expected = {
        op.edit_id: (fold.status(op.edit_id) or "accepted").__str__()
        for op in opset.edits()
        if op.kind != OpKind.INIT
        and op.document_id == fold.document_id
        and opset.winner(op.edit_id, op.document_id) is op
    }
    for op in opset.rejections():
        if op.document_id == fold.document_id:
            expected.setdefault(op.edit_id, "rejected")
    assert {row["edit_id"]: row["status"] for row in edits} == expected
    assert total == opset.tokens_used


def peer_with(node: DurableReplica, *, up_to_version: int, now_ms: int) -> Replica:
    """Node b holding its own operations and this node's first `up_to_version` versions,
    its clock at `now_ms`."""
    fold = node.replica.opset.fold
    assert fold is not None
    peer = Replica(1, lambda: now_ms)
    for op in node.replica.opset.all_ops():
        if op.origin == 1 or (fold.version_of_key(op.key) or up_to_version + 1) <= up_to_version:
            peer.receive_update(write_update([op]))
    return peer


async def send(client: httpx.AsyncClient, *ops: Op) -> None:
    response = await client.post(
        "/api/replication/batch",
        json={"diffs": [base64.b64encode(write_update([op])).decode() for op in ops]},
        headers=SERVICE,
    )
    assert response.status_code == 200, response.text


async def test_every_kind_of_change_leaves_the_tables_as_the_fold_says(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    node: DurableReplica = app.state.service.durable
    await init(client, "Начало.")
    for i in range(24):  # past two checkpoints
        assert (await edit(client, "end", f" {i}.")).status_code == 201
    await assert_database_follows(node)

    # A peer's edit that lands below the head (its clock ran behind): every later version
    # moves up one, and each checkpoint keeps the text of its new number.
    fifth = node.replica.opset.fold.op_at(5)  # type: ignore[union-attr]
    late = peer_with(node, up_to_version=5, now_ms=fifth.ts + 1)
    behind = late.accept_edit(edit_id=str(uuid.uuid4()), position="0:6", text="Старт")
    await send(client, behind)
    assert node.replica.opset.fold.version_of_key(behind.key) == 6  # type: ignore[union-attr]
    await assert_database_follows(node)

    # Concurrent replacements of one fragment: the later key wins, the other is superseded.
    base = node.view.version_key
    won = await edit(client, "0:5", "Исток", base_version_key=base)
    assert won.json()["status"] == "accepted"
    rival = peer_with(node, up_to_version=node.view.version - 1, now_ms=fifth.ts + 2)
    lost = rival.accept_edit(edit_id=str(uuid.uuid4()), position="0:5", text="Корень")
    await send(client, lost)
    assert node.replica.opset.fold.status(lost.edit_id) == "superseded"  # type: ignore[union-attr]
    await assert_database_follows(node)

    # A stale read is rejected and listed as such.
    stale = await edit(client, "0:3", "Ист", base_version_key=base)
    assert stale.json()["status"] == "rejected"
    await assert_database_follows(node)

    # One edit accepted on two nodes (a retry that reached another node): the lower-key copy
    # stays, the other is dropped and its tokens are not counted twice.
    retried = str(uuid.uuid4())
    here = await edit(client, "end", " Повтор.", edit_id=retried, tokens_used=5)
    assert here.status_code == 201
    twin = peer_with(node, up_to_version=3, now_ms=fifth.ts + 3)
    copy = twin.accept_edit(edit_id=retried, position="end", text=" Повтор.", tokens_used=5)
    assert copy.key < here.json()["version_key"]
    await send(client, copy)
    assert node.replica.opset.winner(retried, copy.document_id) == copy
    await assert_database_follows(node)

    # A new document: the old one's rows go.
    await init(client, "Новый.")
    assert (await edit(client, "end", " Да.")).status_code == 201
    await assert_database_follows(node)
    assert [op.kind for op in node.replica.opset.fold.ops()] == [  # type: ignore[union-attr]
        OpKind.INIT,
        OpKind.APPEND,
    ]


async def test_a_database_written_before_the_doc_was_persisted_is_adopted_once(
    database_url: str,
) -> None:
    """Its `ops` rows become the Doc's snapshot at the first start (nothing lost, nothing
    left behind), and a restart restores the same document from the log alone."""
    await reset_node_database(database_url)
    settings = node_settings(database_url)
    await migrate(settings)
    old = Replica(0, lambda: 1_700_000_000_000)
    old.init_document(edit_id=str(uuid.uuid4()), document_id="старый", topic="т", text="Было.")
    for i in range(3):
        old.accept_edit(edit_id=str(uuid.uuid4()), position="end", text=f" {i}.")
    conn = await asyncpg.connect(driver_dsn(database_url))
    try:
        await conn.set_type_codec(
            "jsonb", encoder=json.dumps, decoder=json.loads, schema="pg_catalog"
        )
        await conn.executemany(
            "INSERT INTO ops (version_key, origin, seq, edit_id, document_id, kind, body)"
            " VALUES ($1, $2, $3, $4, $5, $6, $7)",
            [
                (op.key, op.origin, op.seq, op.edit_id, op.document_id, op.kind.value, op.to_dict())
                for op in old.opset.all_ops()
            ],
        )
        for _ in range(2):  # adopted at the first start; restored from the log at the second
            application = create_app(settings)
            async with application.router.lifespan_context(application):
                view = application.state.service.view
                assert (view.text, view.version) == ("Было. 0. 1. 2.", 4)
            assert await conn.fetchval("SELECT count(*) FROM ops") == 0
            assert await conn.fetchval("SELECT count(*) FROM doc_updates") == 1
    finally:
        await conn.close()


async def test_the_update_log_is_compacted_once_it_outweighs_its_snapshot(
    app: FastAPI, client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    node: DurableReplica = app.state.service.durable
    monkeypatch.setattr(durable_module, "COMPACT_AFTER_BYTES", 0)
    await init(client, "Начало.")
    sizes = []
    for i in range(12):
        assert (await edit(client, "end", f" {i}.")).status_code == 201
        async with node.db.connection() as conn:
            sizes.append(await conn.fetchval("SELECT count(*) FROM doc_updates"))
    # a row is appended per change; when the appended rows outweigh the snapshot, one row
    assert 1 in sizes[1:]
    assert max(sizes) <= len(sizes)
    assert sizes != sorted(sizes), "the log only grew"
    await assert_database_follows(node)
