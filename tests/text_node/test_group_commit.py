"""Group commit: edits (and peers' batches) that arrive together are written in one
transaction, each judged as if alone."""

import asyncio
import base64
import uuid
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from crdt_core import Replica, write_update
from text_node import store
from text_node.errors import DatabaseUnavailableError

from .conftest import SERVICE, edit, init


def count_writes(monkeypatch: pytest.MonkeyPatch) -> list[store.Change]:
    """The changes the node writes from now on, one per transaction."""
    written: list[store.Change] = []
    real = store.write_change

    async def counted(conn: Any, *, change: store.Change) -> list[store.OutboxRow]:
        written.append(change)
        return await real(conn, change=change)

    monkeypatch.setattr(store, "write_change", counted)
    return written


async def test_concurrent_edits_share_a_transaction_and_keep_their_own_outcomes(
    app: FastAPI, client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    old_document = await init(client, "Старый.")
    await init(client, "Начало.")
    transactions = count_writes(monkeypatch)
    words = [f" слово{i}." for i in range(8)]
    responses = await asyncio.gather(
        *(edit(client, "end", word, n=1 + i % 2) for i, word in enumerate(words)),
        edit(client, "end", " дорого.", tokens_used=15_000_001),
        edit(client, "99:120", " мимо."),
        edit(client, "end", " старое.", document_id=old_document),
    )
    *appended, over_budget, bad_range, stale = responses
    assert [r.status_code for r in appended] == [201] * len(words)
    assert over_budget.status_code == 429
    assert over_budget.json()["error"] == "budget_exceeded"
    assert bad_range.status_code == 422
    assert bad_range.json()["field"] == "position"
    assert stale.status_code == 409
    assert len(transactions) < len(responses), "every edit had a transaction of its own"

    current = (await client.get("/api/document/current")).json()
    assert current["version"] == 1 + len(words)
    assert sorted(r.json()["version"] for r in appended) == list(range(2, 2 + len(words)))
    for word in words:  # each once, none of the refused ones
        assert current["text"].count(word) == 1
    assert " дорого." not in current["text"]
    assert " старое." not in current["text"]
    history = (await client.get("/api/edits", params={"limit": 50})).json()
    assert history["total"] == len(words)


async def test_a_retry_inside_the_same_batch_is_one_edit(client: httpx.AsyncClient) -> None:
    await init(client, "Начало.")
    edit_id = "5f0c1f9e-3c1a-4c1e-9a57-0d5f1f3b2a10"
    first, retry = await asyncio.gather(
        edit(client, "end", " один раз.", edit_id=edit_id),
        edit(client, "end", " один раз.", edit_id=edit_id),
    )
    assert first.status_code == retry.status_code == 201
    assert first.json()["version_key"] == retry.json()["version_key"]
    current = (await client.get("/api/document/current")).json()
    assert current["text"].count(" один раз.") == 1


async def test_a_peers_batch_shares_the_transaction_of_edits_and_owes_nothing(
    app: FastAPI, client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    await init(client, "Начало.")
    durable = app.state.service.durable
    peer = Replica(1, lambda: 4_000_000_000_000)
    peer.receive_update(durable.replica.opset.snapshot())
    theirs = [
        peer.accept_edit(edit_id=str(uuid.uuid4()), position="end", text=f" пир{i}.")
        for i in range(3)
    ]
    batch = {"diffs": [base64.b64encode(write_update(theirs)).decode()]}
    writes = count_writes(monkeypatch)

    received, *ours = await asyncio.gather(
        client.post("/api/replication/batch", json=batch, headers=SERVICE),
        *(edit(client, "end", f" наш{i}.") for i in range(4)),
    )

    assert (received.status_code, received.json()["applied"]) == (200, 3)
    assert [r.status_code for r in ours] == [201] * 4
    assert len(writes) < 5, "the peer's batch and every edit had a transaction of their own"
    owed = {row["payload"]["metadata"]["edit_id"] for change in writes for row in change.outbox}
    assert owed == {r.json()["edit_id"] for r in ours}, "a peer's operations are not owed on"
    text = (await client.get("/api/document/current")).json()["text"]
    assert all(f" пир{i}." in text for i in range(3))
    assert all(f" наш{i}." in text for i in range(4))


async def test_a_retry_is_not_told_accepted_while_the_first_attempt_is_being_written(
    app: FastAPI, client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The op of the first attempt is in memory before its commit: a retry answered from
    there would be told "accepted" for an edit the failing write then loses."""
    await init(client, "Начало.")
    entered, release = asyncio.Event(), asyncio.Event()
    real = store.write_change
    calls = 0

    async def first_write_fails(conn: Any, *, change: store.Change) -> list[store.OutboxRow]:
        nonlocal calls
        calls += 1
        if calls == 1:
            entered.set()
            await release.wait()
            raise DatabaseUnavailableError("the write of the first attempt fails")
        return await real(conn, change=change)

    monkeypatch.setattr(store, "write_change", first_write_fails)
    edit_id = "0c9e1f5a-6b7d-4e8f-9a0b-1c2d3e4f5a6b"
    first = asyncio.create_task(edit(client, "end", " однажды.", edit_id=edit_id))
    await entered.wait()
    retry = asyncio.create_task(edit(client, "end", " однажды.", edit_id=edit_id))
    done, _ = await asyncio.wait({retry}, timeout=0.3)
    assert not done, "the retry was answered before the first attempt's write ended"

    release.set()
    assert (await first).status_code == 503
    assert (await retry).status_code == 201  # written by the group after the failed one
    current = (await client.get("/api/document/current")).json()
    assert current["text"].count(" однажды.") == 1
