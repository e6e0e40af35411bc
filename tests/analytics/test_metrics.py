"""GET /api/analytics/metrics: exact figures for a crafted set of events (clock pinned at NOW)."""

import itertools
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from analytics.metrics import bucket_count, bucket_origin, edits_per_minute
from analytics.schemas import Period

from .conftest import AUTH, NOW, FixedClock

METRICS = "/api/analytics/metrics"
T = datetime(2026, 1, 10, tzinfo=UTC)


def at(hours: int, minutes: int, seconds: float = 0) -> str:
    """An ISO time on 2026-01-10 (NOW is 12:00:30)."""
    return (T + timedelta(hours=hours, minutes=minutes, seconds=seconds)).isoformat()


def applied(
    when: str, agent: str, node: str, version: int, tokens: int, **meta: Any
) -> dict[str, Any]:
    return {
        "event_type": "edit_applied",
        "agent_id": agent,
        "version": version,
        "tokens": tokens,
        "timestamp": when,
        "metadata": {"node": node, **meta},
    }


def replicated(when: str, source: str, target: str, latency: float, **meta: Any) -> dict[str, Any]:
    return {
        "event_type": "replication_success",
        "timestamp": when,
        "metadata": {"source_node": source, "target_node": target, "latency_ms": latency, **meta},
    }


BUDGET = {"budget_limit": 1000}
CRAFTED: list[dict[str, Any]] = [
    # Outside the 1h window (before 11:00:30), inside 24h.
    applied(
        at(11, 0, 10), "agent-1", "node-1", 2, 100, role="old-role", latency_ms=999, request_ms=999
    ),
    # Inside the 1h window.
    applied(
        at(11, 30),
        "agent-1",
        "node-1",
        3,
        50,
        role="writer",
        latency_ms=10,
        request_ms=100,
        budget_used=150,
        **BUDGET,
    ),
    applied(
        at(11, 57),
        "agent-2",
        "node-2",
        4,
        30,
        role="editor",
        latency_ms=20,
        request_ms=200,
        budget_used=180,
        superseded=1,
        **BUDGET,
    ),
    applied(
        at(11, 59, 59),
        "agent-3",
        "node-3",
        5,
        20,
        role="critic",
        latency_ms=30,
        request_ms=300,
        budget_used=200,
        **BUDGET,
    ),
    {
        "event_type": "edit_rejected",
        "agent_id": "agent-2",
        "tokens": 7,
        "timestamp": at(11, 58),
        "metadata": {"edit_id": "e-x", "node": "node-2", "reason": "stale base_version"},
    },
    replicated(at(11, 30, 1), "node-1", "node-2", 10, target_version=3),
    replicated(at(11, 30, 2), "node-1", "node-3", 20, target_version=3),
    {**replicated(at(11, 57, 1), "node-2", "node-1", 30), "version": 4},
    replicated(at(11, 59, 59.5), "node-3", "node-1", 40, target_version=5),
    {
        "event_type": "replication_failed",
        "timestamp": at(11, 45),
        "metadata": {"source_node": "node-1", "target_node": "node-3", "error_message": "refused"},
    },
    {
        "event_type": "budget_exceeded",
        "tokens": 500,
        "timestamp": at(12, 0, 10),
        "metadata": {"node": "node-2", "budget_used": 200, **BUDGET},
    },
    {
        "event_type": "node_recovered",
        "timestamp": at(11, 50),
        "metadata": {"node": "node-3", "caught_up_ops": 2},
    },
    {
        "event_type": "agent_started",
        "agent_id": "agent-4",
        "timestamp": at(11, 10),
        "metadata": {"role": "fact_checker"},
    },
    # Older than the window, sent last (highest id): must not become the "latest" budget.
    applied(
        at(10, 0), "agent-1", "node-1", 1, 1000, latency_ms=5, budget_used=5000, budget_limit=9999
    ),
    # 60 s ahead of the analytics clock (node clock skew): counts, in the last bucket.
    applied(
        at(12, 1, 30),
        "agent-3",
        "node-3",
        6,
        5,
        role="stylist",
        latency_ms=0,
        budget_used=205,
        **BUDGET,
    ),
]


async def ingest(client: httpx.AsyncClient, events: list[dict[str, Any]]) -> None:
    for number, event in enumerate(events):
        response = await client.post(
            "/api/analytics/events", json={**event, "event_id": f"ev-{number}"}, headers=AUTH
        )
        assert response.status_code == 200, response.text


async def metrics(client: httpx.AsyncClient, period: str = "1h") -> dict[str, Any]:
    response = await client.get(METRICS, params={"period": period})
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def iso(value: str) -> datetime:
    return datetime.fromisoformat(value)


async def test_crafted_events_give_exact_figures(client: httpx.AsyncClient) -> None:
    await ingest(client, CRAFTED)

    body = await metrics(client, "1h")

    assert body["period"] == "1h"
    assert body["total_edits"] == 4
    assert body["total_tokens"] == 50 + 30 + 20 + 5
    assert body["active_agents"] == 3  # agent-1, -2 and -3 applied edits in the hour
    assert body["avg_latency_ms"] == pytest.approx((10 + 20 + 30 + 0) / 4)
    assert body["edit_latency_ms"] == {"p50": 200.0, "p95": pytest.approx(290.0)}
    assert body["cycle_ms"] == {"p50": None, "p95": None}  # no agent reported one
    assert body["edits_per_minute"] == round(4 / 30.5, 3)  # first edit at 11:30:00
    assert body["edits_by_status"] == {"accepted": 3, "rejected": 1, "superseded": 1}
    assert body["conflicts"] == 2
    # The newest budget-bearing event is the edit applied at 12:01:30 under the limit: the
    # refusal at 12:00:10 is history.
    assert body["budget"] == {"limit": 1000, "used": 205, "exceeded": False}
    assert body["replication"]["count"] == 4
    assert body["replication"]["failed"] == 1
    lag = body["replication"]["lag_ms"]
    assert lag["p50"] == pytest.approx(25.0)  # percentile_cont over 10, 20, 30, 40
    assert lag["p95"] == pytest.approx(38.5)
    assert lag["p99"] == pytest.approx(39.7)
    assert lag["worst_link"] == {"source": "node-3", "target": "node-1", "p95": 40.0}
    assert body["agents"] == [
        {"agent_id": "agent-3", "role": "stylist", "edits": 2, "tokens": 25, "rejected": 0},
        {"agent_id": "agent-1", "role": "writer", "edits": 1, "tokens": 50, "rejected": 0},
        {"agent_id": "agent-2", "role": "editor", "edits": 1, "tokens": 30, "rejected": 1},
        {"agent_id": "agent-4", "role": "fact_checker", "edits": 0, "tokens": 0, "rejected": 0},
    ]
    nodes = {node["node"]: node for node in body["nodes"]}
    assert list(nodes) == ["node-1", "node-2", "node-3"]
    assert (nodes["node-1"]["version"], nodes["node-1"]["recovered"]) == (5, 0)
    assert iso(nodes["node-1"]["last_event"]) == iso(at(11, 59, 59.5))
    assert (nodes["node-2"]["version"], nodes["node-2"]["recovered"]) == (4, 0)
    assert iso(nodes["node-2"]["last_event"]) == iso(at(12, 0, 10))
    assert (nodes["node-3"]["version"], nodes["node-3"]["recovered"]) == (6, 1)
    assert iso(nodes["node-3"]["last_event"]) == iso(at(12, 1, 30))
    assert iso(body["window_start"]) == NOW - timedelta(hours=1)
    assert iso(body["generated_at"]) == NOW
    assert body["bucket_seconds"] == 60


async def test_buckets_of_the_hour(client: httpx.AsyncClient) -> None:
    await ingest(client, CRAFTED)

    body = await metrics(client, "1h")

    stamps = [iso(point["timestamp"]) for point in body["edits_by_time"]]
    assert len(stamps) == 61
    assert stamps[0] == T + timedelta(hours=11)
    assert stamps[-1] == T + timedelta(hours=12)
    assert all(b - a == timedelta(minutes=1) for a, b in itertools.pairwise(stamps))
    for series in ("token_usage_by_time", "active_agents_by_time", "latency_by_time"):
        assert [iso(point["timestamp"]) for point in body[series]] == stamps
    busy = {30: (1, 50, 1, 10.0), 57: (1, 30, 1, 20.0), 59: (1, 20, 1, 30.0), 60: (1, 5, 1, 0.0)}
    for index in range(61):
        figures = (
            body["edits_by_time"][index]["edits"],
            body["token_usage_by_time"][index]["tokens"],
            body["active_agents_by_time"][index]["agents"],
            body["latency_by_time"][index]["avg_latency_ms"],
        )
        assert figures == busy.get(index, (0, 0, 0, 0.0)), index
    assert sum(p["edits"] for p in body["edits_by_time"]) == body["total_edits"]
    assert sum(p["tokens"] for p in body["token_usage_by_time"]) == body["total_tokens"]


async def test_since_and_bucket_s_narrow_the_window_and_its_buckets(
    client: httpx.AsyncClient,
) -> None:
    """A run report's request: its own run only, in buckets of its choosing, with the outcomes
    and the replication lag per link in every bucket."""
    await ingest(client, CRAFTED)

    response = await client.get(
        METRICS, params={"period": "1h", "since": at(11, 56), "bucket_s": 120}
    )
    assert response.status_code == 200, response.text
    body = response.json()

    assert iso(body["window_start"]) == iso(at(11, 56))
    assert body["bucket_seconds"] == 120
    assert body["total_edits"] == 3  # 11:57, 11:59:59 and the one 60 s ahead
    statuses = [
        (iso(p["timestamp"]), p["accepted"], p["rejected"], p["superseded"])
        for p in body["status_by_time"]
    ]
    assert statuses == [
        (iso(at(11, 56)), 1, 0, 1),
        (iso(at(11, 58)), 1, 1, 0),
        (iso(at(12, 0)), 1, 0, 0),
    ]
    assert [iso(p["timestamp"]) for p in body["edits_by_time"]] == [s[0] for s in statuses]
    lags = [
        (iso(p["timestamp"]), p["source"], p["target"], p["count"], p["p50"], p["p99"])
        for p in body["replication_lag_by_time"]
    ]
    assert lags == [
        (iso(at(11, 56)), "node-2", "node-1", 1, 30.0, 30.0),
        (iso(at(11, 58)), "node-3", "node-1", 1, 40.0, 40.0),
    ]


@pytest.mark.parametrize(("period", "bucket_s", "width"), [("1h", 1, 1), ("7d", 1, 152)])
async def test_a_narrow_bucket_is_widened_to_the_most_buckets(
    client: httpx.AsyncClient, period: str, bucket_s: int, width: int
) -> None:
    response = await client.get(METRICS, params={"period": period, "bucket_s": bucket_s})
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["bucket_seconds"] == width
    assert len(body["edits_by_time"]) <= 4001
    assert len(body["status_by_time"]) == len(body["edits_by_time"])


async def test_bad_bucket_s_is_named(client: httpx.AsyncClient) -> None:
    response = await client.get(METRICS, params={"bucket_s": 0})
    assert response.status_code == 422
    assert response.json()["field"] == "bucket_s"


@pytest.mark.parametrize(
    ("period", "buckets", "width", "edits", "tokens"),
    [("1h", 61, 60, 4, 105), ("24h", 97, 900, 6, 1205), ("7d", 85, 7200, 6, 1205)],
)
async def test_every_period_has_its_buckets(
    client: httpx.AsyncClient, period: str, buckets: int, width: int, edits: int, tokens: int
) -> None:
    await ingest(client, CRAFTED)

    body = await metrics(client, period)

    assert body["period"] == period
    assert body["bucket_seconds"] == width
    assert (body["total_edits"], body["total_tokens"]) == (edits, tokens)
    for series in ("edits_by_time", "token_usage_by_time", "active_agents_by_time"):
        assert len(body[series]) == buckets
    assert sum(p["edits"] for p in body["edits_by_time"]) == edits
    assert sum(p["tokens"] for p in body["token_usage_by_time"]) == tokens
    first = iso(body["edits_by_time"][0]["timestamp"])
    assert first <= iso(body["window_start"]) < first + timedelta(seconds=width)
    assert first.timestamp() % width == 0


async def test_budget_is_latest_even_outside_the_window(
    client: httpx.AsyncClient, clock: FixedClock
) -> None:
    await ingest(client, CRAFTED)
    clock.now = NOW + timedelta(hours=5)

    body = await metrics(client, "1h")

    assert body["total_edits"] == 0
    assert body["budget"] == {"limit": 1000, "used": 205, "exceeded": False}
    assert body["nodes"] == []
    assert body["agents"] == []


async def test_empty_database(client: httpx.AsyncClient) -> None:
    body = await metrics(client)

    assert {key: body[key] for key in ("total_edits", "total_tokens", "active_agents")} == {
        "total_edits": 0,
        "total_tokens": 0,
        "active_agents": 0,
    }
    assert (body["avg_latency_ms"], body["edits_per_minute"], body["conflicts"]) == (0.0, 0.0, 0)
    assert body["budget"] == {"limit": None, "used": None, "exceeded": False}
    assert body["replication"] == {
        "count": 0,
        "failed": 0,
        "lag_ms": {"p50": None, "p95": None, "p99": None, "worst_link": None},
    }
    assert body["edit_latency_ms"] == {"p50": None, "p95": None}
    assert body["edits_by_status"] == {"accepted": 0, "rejected": 0, "superseded": 0}
    assert len(body["token_usage_by_time"]) == 61
    assert all(point["tokens"] == 0 for point in body["token_usage_by_time"])


async def test_default_period_is_one_hour(client: httpx.AsyncClient) -> None:
    response = await client.get(METRICS)
    assert (response.status_code, response.json()["period"]) == (200, "1h")


async def test_malformed_metadata_is_ignored_not_fatal(client: httpx.AsyncClient) -> None:
    """A non-numeric latency or budget is skipped instead of breaking every metrics request."""
    await ingest(
        client,
        [
            applied(at(11, 50), "a", "node-1", 2, 10, latency_ms="fast", budget_used="lots"),
            applied(at(11, 51), "a", "node-1", 3, 10, latency_ms=8, superseded=True),
            applied(at(11, 52), "a", 7, 4, 10, superseded=False, role=3),  # type: ignore[arg-type]
            replicated(at(11, 53), "node-1", "node-2", "slow"),  # type: ignore[arg-type]
        ],
    )

    body = await metrics(client)

    assert body["avg_latency_ms"] == 8.0
    assert body["edits_by_status"] == {"accepted": 2, "rejected": 0, "superseded": 1}
    assert body["budget"]["used"] is None
    assert body["replication"]["lag_ms"]["p50"] is None
    assert body["agents"] == [
        {"agent_id": "a", "role": None, "edits": 3, "tokens": 30, "rejected": 0}
    ]
    assert [node["node"] for node in body["nodes"]] == ["node-1", "node-2"]


@pytest.mark.parametrize("period", ["2h", "", "1H", "hour"])
async def test_bad_period_is_named(client: httpx.AsyncClient, period: str) -> None:
    response = await client.get(METRICS, params={"period": period})

    assert response.status_code == 422
    assert response.json()["field"] == "period"
    assert "period" in response.json()["message"]


def test_bucket_arithmetic() -> None:
    start = datetime(2026, 1, 10, 11, 0, 30, tzinfo=UTC)
    origin = bucket_origin(start, Period.HOUR.bucket)
    assert origin == datetime(2026, 1, 10, 11, tzinfo=UTC).timestamp()
    assert bucket_count(origin, start + timedelta(hours=1), Period.HOUR.bucket) == 61
    aligned = datetime(2026, 1, 10, 12, tzinfo=UTC)
    day_origin = bucket_origin(aligned - Period.DAY.duration, Period.DAY.bucket)
    assert bucket_count(day_origin, aligned, Period.DAY.bucket) == 97


def test_edits_per_minute_spans() -> None:
    start = NOW - timedelta(hours=1)
    assert edits_per_minute(0, start=start, first_edit_at=None, now=NOW) == 0.0
    assert edits_per_minute(120, start=start, first_edit_at=start, now=NOW) == 2.0
    late = NOW - timedelta(minutes=10)
    assert edits_per_minute(5, start=start, first_edit_at=late, now=NOW) == 0.5
    just_now = NOW - timedelta(seconds=5)
    assert edits_per_minute(3, start=start, first_edit_at=just_now, now=NOW) == 3.0


def budget_event(kind: str, when: str, **meta: Any) -> dict[str, Any]:
    return {"event_type": kind, "timestamp": when, "metadata": {"node": "node-1", **meta}}


def agent_stopped(when: str, *, reason: str) -> dict[str, Any]:
    """The supervisor's event of agent "a" ending, as `AgentPool` sends it."""
    return {
        "event_type": "agent_stopped",
        "timestamp": when,
        "agent_id": "a",
        "metadata": {"reason": reason},
    }


@pytest.mark.parametrize(
    ("events", "expected"),
    [
        pytest.param(
            [
                applied(at(11, 10), "a", "node-1", 1, 10, budget_used=990, budget_limit=1000),
                budget_event("budget_exceeded", at(11, 20), budget_used=990, budget_limit=1000),
            ],
            {"limit": 1000, "used": 990, "exceeded": True},
            id="a refusal is the newest",
        ),
        pytest.param(
            [
                budget_event("budget_exceeded", at(11, 20), budget_used=990, budget_limit=1000),
                budget_event(
                    "budget_changed", at(11, 40), budget_used=990, budget_limit=5000, exceeded=False
                ),
            ],
            {"limit": 5000, "used": 990, "exceeded": False},
            id="exceeded then restored",
        ),
        pytest.param(
            [
                budget_event("budget_exceeded", at(11, 20), budget_used=990, budget_limit=1000),
                applied(at(11, 41), "a", "node-2", 2, 10, budget_used=1000, budget_limit=5000),
            ],
            {"limit": 5000, "used": 1000, "exceeded": False},
            id="an edit applied after the restore",
        ),
        pytest.param(
            [
                applied(at(11, 10), "a", "node-1", 1, 10, budget_used=500, budget_limit=1000),
                budget_event(
                    "budget_changed", at(11, 20), budget_used=500, budget_limit=400, exceeded=True
                ),
            ],
            {"limit": 400, "used": 500, "exceeded": True},
            id="limit lowered below use",
        ),
        pytest.param(
            [applied(at(11, 10), "a", "node-1", 1, 10, budget_used=1000, budget_limit=1000)],
            {"limit": 1000, "used": 1000, "exceeded": True},
            id="used reaches the limit",
        ),
        pytest.param(
            [
                applied(at(11, 10), "a", "node-1", 1, 10, budget_used=700, budget_limit=1000),
                budget_event("budget_exceeded", at(11, 20), budget_used=990),
            ],
            {"limit": 1000, "used": 990, "exceeded": True},
            id="a figure the newest lacks comes from before it",
        ),
        pytest.param(
            [
                applied(at(11, 10), "a", "node-1", 1, 10, budget_used=980, budget_limit=1000),
                agent_stopped(at(11, 20), reason="budget_exhausted"),
            ],
            {"limit": 1000, "used": 980, "exceeded": True},
            id="an agent stopped by the budget, no node refused",
        ),
        pytest.param(
            [
                applied(at(11, 10), "a", "node-1", 1, 10, budget_used=980, budget_limit=1000),
                agent_stopped(at(11, 20), reason="stopped"),
            ],
            {"limit": 1000, "used": 980, "exceeded": False},
            id="an agent stopped by hand says nothing of the budget",
        ),
        pytest.param(
            [
                budget_event(
                    "budget_changed", at(11, 40), budget_used=10, budget_limit=5000, exceeded=False
                ),
                # Sent later but stamped earlier (a node's outbox caught up): not the newest.
                budget_event("budget_exceeded", at(11, 20), budget_used=990, budget_limit=1000),
            ],
            {"limit": 5000, "used": 10, "exceeded": False},
            id="newest by time, not by arrival",
        ),
    ],
)
async def test_budget_is_the_current_state(
    client: httpx.AsyncClient, events: list[dict[str, Any]], expected: dict[str, Any]
) -> None:
    await ingest(client, events)

    assert (await metrics(client, "1h"))["budget"] == expected
    assert (await metrics(client, "7d"))["budget"] == expected  # the same whatever the period


async def test_restored_budget_stays_restored_after_the_window(
    client: httpx.AsyncClient, clock: FixedClock
) -> None:
    await ingest(
        client,
        [
            budget_event("budget_exceeded", at(11, 20), budget_used=990, budget_limit=1000),
            budget_event(
                "budget_changed", at(11, 40), budget_used=990, budget_limit=5000, exceeded=False
            ),
        ],
    )
    clock.now = NOW + timedelta(days=3)

    assert (await metrics(client, "1h"))["budget"] == {
        "limit": 5000,
        "used": 990,
        "exceeded": False,
    }


async def test_active_agents_follow_the_period(client: httpx.AsyncClient) -> None:
    await ingest(
        client,
        [
            applied(at(11, 59), "agent-1", "node-1", 5, 1),
            applied(at(11, 20), "agent-2", "node-1", 4, 1),
            applied(at(3, 0), "agent-3", "node-1", 3, 1),
            applied(at(2, 0), "agent-3", "node-1", 2, 1),
            {**budget_event("agent_started", at(11, 58)), "agent_id": "agent-9"},  # no edit
        ],
    )

    assert (await metrics(client, "1h"))["active_agents"] == 2
    assert (await metrics(client, "24h"))["active_agents"] == 3


async def test_worst_link_is_the_highest_p95(client: httpx.AsyncClient) -> None:
    events = [replicated(at(11, 50, i), "a", "b", 10) for i in range(20)]
    events += [replicated(at(11, 51, i), "a", "c", 5) for i in range(19)]
    events.append(replicated(at(11, 51, 30), "a", "c", 2005))  # one slow delivery
    events += [replicated(at(11, 52, i), "c", "b", 200) for i in range(3)]
    events.append(replicated(at(10, 0), "b", "a", 99999))  # outside the hour
    await ingest(client, events)

    lag = (await metrics(client, "1h"))["replication"]["lag_ms"]

    assert lag["worst_link"] == {"source": "c", "target": "b", "p95": 200.0}
    day = (await metrics(client, "24h"))["replication"]["lag_ms"]
    assert day["worst_link"] == {"source": "b", "target": "a", "p95": 99999.0}


async def test_edit_and_cycle_latency_percentiles(client: httpx.AsyncClient) -> None:
    await ingest(
        client,
        [
            applied(at(11, 50, i), "a", "node-1", i + 1, 1, request_ms=10 * (i + 1), cycle_ms=1000)
            for i in range(10)
        ]
        + [applied(at(11, 55), "a", "node-1", 11, 1)],  # an older node: no request_ms
    )

    body = await metrics(client, "1h")

    assert body["edit_latency_ms"] == {"p50": 55.0, "p95": pytest.approx(95.5)}
    assert body["cycle_ms"] == {"p50": 1000.0, "p95": 1000.0}
    point = next(p for p in body["latency_by_time"] if p["request_ms"] is not None)
    assert point["request_ms"] == pytest.approx(55.0)
