"""Group commit: edits that arrive together are accepted in one transaction, each as if alone."""

import asyncio
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from .conftest import edit, init


async def test_concurrent_edits_share_a_transaction_and_keep_their_own_outcomes(
    app: FastAPI, client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    old_document = await init(client, "Старый.")
    await init(client, "Начало.")
    durable = app.state.service.durable
    transactions = 0
    real = durable.change

    async def counted(*args: Any, **kwargs: Any) -> Any:
        nonlocal transactions
        transactions += 1
        return await real(*args, **kwargs)

    monkeypatch.setattr(durable, "change", counted)
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
    assert transactions < len(responses), "every edit had a transaction of its own"

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
