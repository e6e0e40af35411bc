"""The cluster timeline: each derivation rule on plain event lists, then the endpoint on a real
PostgreSQL (window, history before it, limit, order)."""

from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from analytics.schemas import TimelineEvent
from analytics.timeline import BudgetState, StoredEvent, derive

from .conftest import AUTH, NOW

T0 = datetime(2026, 1, 10, 11, 30, tzinfo=UTC)
NODES = ("a", "b", "c")


def ev(event_type: str, second: float, agent_id: str | None = None, **meta: Any) -> StoredEvent:
    return StoredEvent(event_type, T0 + timedelta(seconds=second), agent_id, meta)


def failed(second: float, source: str, target: str, message: str = "нет связи") -> StoredEvent:
    return ev(
        "replication_failed", second, source_node=source, target_node=target, error_message=message
    )


def recovered(second: float, source: str, target: str, **meta: Any) -> StoredEvent:
    return ev("replication_recovered", second, source_node=source, target_node=target, **meta)


def kinds(entries: list[TimelineEvent]) -> list[tuple[str, str | None, str | None]]:
    """(kind, node, peer) oldest first, easier to read than newest first."""
    return [(e.kind.value, e.node, e.peer) for e in reversed(entries)]


def test_node_down_caught_up_and_partition_healed() -> None:
    entries = derive(
        [
            failed(0, "a", "b"),
            failed(1, "c", "b"),
            failed(2, "c", "b"),  # a retry: no entry
            ev(
                "node_recovered",
                10,
                node="b",
                caught_up_ops=17,
                duration_ms=85,
                from_peers={"a": 12, "c": 5},
                unreachable_peers=[],
            ),
            recovered(11, "a", "b", down_ms=11000),
            recovered(12, "c", "b", down_ms=11000),
        ],
        nodes=NODES,
    )

    assert kinds(entries) == [
        ("link_failing", "a", "b"),
        ("link_failing", "c", "b"),
        ("node_down", "b", None),
        ("node_caught_up", "b", None),
        ("link_recovered", "a", "b"),
        ("partition_healed", "c", "b"),
    ]
    healed, recovered_ab, caught_up, down, _, failing_ab = entries
    assert (down.title, down.detail) == (
        "Узел b недоступен",
        "узлы a и c не могут передать ему правки",
    )
    assert (down.severity, failing_ab.severity, caught_up.severity) == ("error", "warning", "ok")
    assert (failing_ab.title, failing_ab.detail) == ("Связь a → b нарушена", "нет связи")
    assert caught_up.title == "Узел b догнал 17 версий за 85 мс (от a: 12, от c: 5)"
    assert caught_up.detail == "был недоступен 9,0 с"
    assert (recovered_ab.title, recovered_ab.detail) == (
        "Связь a → b восстановлена",
        "не работала 11,0 с",
    )
    assert healed.title == "Сеть восстановлена: все связи работают"
    assert healed.detail == "последней восстановилась связь c → b; сбой длился 12,0 с"
    assert [e.timestamp for e in entries] == sorted((e.timestamp for e in entries), reverse=True)


def test_one_failing_link_is_no_node_down() -> None:
    """c still reaches b: a cut link, not a dead node."""
    entries = derive([failed(0, "a", "b"), recovered(5, "a", "b")], nodes=NODES)

    assert kinds(entries) == [("link_failing", "a", "b"), ("partition_healed", "a", "b")]
    assert entries[0].detail == "последней восстановилась связь a → b; сбой длился 5,0 с"


def test_a_thawed_node_is_back_when_a_peer_reaches_it() -> None:
    entries = derive(
        [
            failed(0, "a", "b"),
            failed(0.5, "c", "b"),
            recovered(8, "a", "b"),
            recovered(9, "c", "b"),
        ],
        nodes=NODES,
    )

    assert kinds(entries)[2:] == [
        ("node_down", "b", None),
        ("node_back", "b", None),  # instead of the link_recovered a → b
        ("partition_healed", "c", "b"),
    ]
    back = entries[1]
    assert back.title == "Узел b снова доступен"
    assert back.detail == "узел a снова передаёт ему правки; был недоступен 7,5 с"
    # Without down_ms from the node, the link's own failure time says how long it was out.
    assert entries[0].detail == "последней восстановилась связь c → b; сбой длился 9,0 с"


def test_restarts_with_nothing_to_catch_up() -> None:
    entries = derive(
        [
            ev("node_recovered", 0, node="a", caught_up_ops=0, unreachable_peers=[]),
            ev("node_recovered", 1, node="b", caught_up_ops=0, unreachable_peers=[]),
            ev("node_recovered", 1.5, node="c", caught_up_ops=0, unreachable_peers=[]),
            ev("node_recovered", 60, node="c", caught_up_ops=0, unreachable_peers=[]),
            ev("node_recovered", 90, node="a", caught_up_ops=0, unreachable_peers=["b", "c"]),
            failed(100, "a", "c"),
            failed(101, "b", "c"),
            ev("node_recovered", 120, node="c", caught_up_ops=0, unreachable_peers=[]),
        ],
        nodes=NODES,
    )

    titles = [(e.kind.value, e.title, e.detail) for e in reversed(entries)]
    assert titles[0] == ("node_back", "Запущены узлы a, b и c", "пропущенных версий нет")
    assert titles[1] == ("node_back", "Узел c запущен", "пропущенных версий нет")
    assert titles[2] == (
        "node_back",
        "Узел a запущен",
        "не ответили: b и c; пропущенных версий нет",
    )
    assert titles[-1] == (
        "node_back",
        "Узел c снова в строю",
        "был недоступен 19,0 с; пропущенных версий нет",
    )


def test_a_restarted_node_forgets_its_own_failing_links() -> None:
    """b's failure to reach c ends with b's restart: b will never report it recovered."""
    entries = derive(
        [
            failed(0, "b", "c"),
            ev("node_recovered", 5, node="b", caught_up_ops=3, duration_ms=40),
            failed(6, "a", "c"),
        ],
        nodes=NODES,
    )

    assert kinds(entries) == [
        ("link_failing", "b", "c"),
        ("node_caught_up", "b", None),
        ("link_failing", "a", "c"),  # b's link no longer counts: c is not declared down
    ]
    assert entries[1].title == "Узел b догнал 3 версии за 40 мс"


def test_history_before_the_period_sets_the_state_without_entries() -> None:
    history = [failed(-600, "a", "b"), failed(-590, "c", "b")]

    entries = derive(
        [recovered(5, "a", "b"), recovered(6, "c", "b", down_ms=596_000)],
        history=history,
        nodes=NODES,
    )

    assert kinds(entries) == [("node_back", "b", None), ("partition_healed", "c", "b")]
    assert entries[1].detail == "узел a снова передаёт ему правки; был недоступен 9 мин 55 с"


def test_budget_episode_is_one_entry_and_the_restore_another() -> None:
    entries = derive(
        [
            ev("budget_changed", 0, node="a", budget_used=900, budget_limit=800, exceeded=True),
            ev("budget_changed", 0.2, node="b", budget_used=900, budget_limit=800, exceeded=True),
            *[ev("budget_exceeded", 1 + i, "agent-1", node="ab"[i % 2]) for i in range(5)],
            ev("budget_changed", 15, node="a", budget_used=900, budget_limit=1000, exceeded=False),
            ev(
                "budget_changed", 15.3, node="b", budget_used=900, budget_limit=1000, exceeded=False
            ),
            ev(
                "budget_changed", 15.4, node="c", budget_used=900, budget_limit=1000, exceeded=False
            ),
            ev("budget_changed", 30, node="a", budget_used=950, budget_limit=5000, exceeded=False),
        ]
    )

    assert kinds(entries) == [
        ("budget_exhausted", None, None),
        ("budget_restored", None, None),
        ("budget_changed", None, None),
    ]
    changed, restored, exhausted = entries
    assert (exhausted.title, exhausted.severity) == ("Бюджет токенов исчерпан", "error")
    assert exhausted.detail == (
        "лимит снижен; израсходовано: 900 токенов (лимит 800); узлы отклонили 5 правок"
    )
    assert (restored.title, restored.severity) == (
        "Бюджет токенов восстановлен: агенты могут продолжать",
        "ok",
    )
    assert restored.detail == (
        "лимит: 1\u00a0000 токенов; израсходовано: 900 токенов; бюджет был исчерпан 15,0 с"
    )
    assert (changed.title, changed.severity) == ("Лимит бюджета токенов изменён", "info")
    assert changed.detail == "новый лимит: 5\u00a0000 токенов; израсходовано: 950 токенов"


def test_budget_exhausted_by_refusals_counts_them_with_plural_forms() -> None:
    one = derive([ev("budget_exceeded", 0, "agent-1", budget_used=1000, budget_limit=1000)])
    three = derive([ev("budget_exceeded", i, "agent-1", budget_used=1000) for i in range(3)])

    assert one[0].detail == "израсходовано: 1\u00a0000 токенов (лимит 1\u00a0000); " + (
        "узлы отклонили 1 правку"
    )
    assert three[0].detail == "израсходовано: 1\u00a0000 токенов; узлы отклонили 3 правки"


def test_budget_exhausted_before_the_period_is_restored_in_it() -> None:
    entries = derive(
        [
            ev("budget_exceeded", 1, "agent-2", budget_used=1000),  # still the old episode
            ev("budget_changed", 2, node="a", budget_used=1000, budget_limit=9000),
        ],
        budget=BudgetState(exhausted=True, limit=1000),
    )

    assert kinds(entries) == [("budget_restored", None, None)]
    assert entries[0].detail == "лимит: 9\u00a0000 токенов; израсходовано: 1\u00a0000 токенов"


def test_a_repeated_limit_outside_an_episode_is_no_entry() -> None:
    entries = derive(
        [ev("budget_changed", 0, node="a", budget_used=10, budget_limit=1000, exceeded=False)],
        budget=BudgetState(limit=1000),
    )
    assert entries == []


def test_document_initialised_once_per_document() -> None:
    init = {"document_id": "doc-1", "topic": "История ИИ"}
    entries = derive(
        [
            ev("document_initialised", 0, "operator", node="a", **init),
            ev("document_initialised", 0.1, "operator", node="b", **init),
            ev("document_initialised", 50, "agent-1", node="c", document_id="doc-2"),
        ]
    )

    assert [(e.title, e.detail, e.severity) for e in reversed(entries)] == [
        ("Новый документ: «История ИИ»", "создал оператор на узле a", "info"),
        ("Новый документ", "создал agent-1 на узле c", "info"),
    ]


def test_agent_starts_and_stops_are_grouped() -> None:
    started = [ev("agent_started", i * 0.1, f"agent-{i}", role="r") for i in range(1, 11)]
    entries = derive(
        [
            *started,
            ev("agent_started", 120, "agent-1"),
            ev("agent_started", 121, "agent-2"),
            *[
                ev("agent_stopped", 200 + i, f"agent-{i}", reason="budget_exhausted")
                for i in range(1, 4)
            ],
            ev("agent_stopped", 201.5, "agent-9", reason="failed"),
            ev("agent_stopped", 300, "agent-1", reason="stopped"),
        ]
    )

    assert [(e.kind.value, e.title, e.detail, e.severity) for e in reversed(entries)] == [
        ("agents_started", "Запущено 10 агентов", "agent-1, agent-2 … agent-10", "info"),
        ("agents_started", "Запущено 2 агента", "agent-1, agent-2", "info"),
        (
            "agents_stopped",
            "Остановлено 3 агента",
            "agent-1, agent-2, agent-3: бюджет токенов исчерпан, узлы отказывают в правках",
            "warning",
        ),
        ("agents_stopped", "Остановлен 1 агент", "agent-9: агенты завершились с ошибкой", "error"),
        ("agents_stopped", "Остановлен 1 агент", "agent-1: по команде оператора", "info"),
    ]


def test_newest_first_and_limited() -> None:
    events = [failed(i * 10, "a", f"n{i}") for i in range(5)]

    entries = derive(events, nodes=("a", "n0", "n1", "n2", "n3", "n4", "z"), limit=2)

    assert [(e.peer, e.timestamp) for e in entries] == [
        ("n4", T0 + timedelta(seconds=40)),
        ("n3", T0 + timedelta(seconds=30)),
    ]


def test_malformed_events_are_skipped() -> None:
    entries = derive(
        [
            ev("replication_failed", 0, source_node="a"),
            ev("replication_recovered", 1, target_node=3),
            ev("node_recovered", 2),
            ev("edit_applied", 3, "agent-1"),
            ev("budget_changed", 4, budget_limit="lots"),
            ev("agent_stopped", 5, None, reason="no-such-reason"),
        ]
    )

    assert [(e.kind.value, e.detail) for e in entries] == [
        ("agents_stopped", "?: по команде оператора")
    ]


# -- the endpoint ------------------------------------------------------------------------
TIMELINE = "/api/analytics/timeline"


def stamp(minutes_ago: float) -> str:
    return (NOW - timedelta(minutes=minutes_ago)).isoformat()


async def ingest(client: httpx.AsyncClient, events: list[dict[str, Any]]) -> None:
    response = await client.post(
        "/api/analytics/events/batch",
        json={"events": [{**e, "event_id": f"t-{i}"} for i, e in enumerate(events)]},
        headers=AUTH,
    )
    assert response.status_code == 200, response.text


def link(kind: str, minutes_ago: float, source: str, target: str) -> dict[str, Any]:
    return {
        "event_type": kind,
        "timestamp": stamp(minutes_ago),
        "metadata": {"source_node": source, "target_node": target, "error_message": "нет связи"},
    }


async def test_endpoint_reads_the_window_and_the_state_before_it(
    client: httpx.AsyncClient,
) -> None:
    await ingest(
        client,
        [
            # Two hours ago, outside the 1h window: b went down, the budget ran out.
            link("replication_failed", 120, "a", "b"),
            link("replication_failed", 119, "c", "b"),
            {
                "event_type": "budget_exceeded",
                "agent_id": "agent-1",
                "timestamp": stamp(118),
                "metadata": {"node": "a", "budget_used": 1000, "budget_limit": 1000},
            },
            # Inside the window.
            {
                "event_type": "edit_applied",
                "agent_id": "agent-1",
                "timestamp": stamp(30),
                "metadata": {"node": "a"},
            },
            link("replication_recovered", 20, "a", "b"),
            link("replication_recovered", 19, "c", "b"),
            {
                "event_type": "budget_changed",
                "timestamp": stamp(10),
                "metadata": {"node": "a", "budget_used": 1000, "budget_limit": 2000},
            },
            *[
                {"event_type": "agent_started", "agent_id": f"agent-{i}", "timestamp": stamp(5)}
                for i in range(1, 4)
            ],
        ],
    )

    response = await client.get(TIMELINE, params={"period": "1h"})

    assert response.status_code == 200, response.text
    body = response.json()
    assert datetime.fromisoformat(body["generated_at"]) == NOW
    assert [(e["kind"], e["title"]) for e in body["events"]] == [
        ("agents_started", "Запущено 3 агента"),
        ("budget_restored", "Бюджет токенов восстановлен: агенты могут продолжать"),
        ("partition_healed", "Сеть восстановлена: все связи работают"),
        ("node_back", "Узел b снова доступен"),
    ]
    assert set(body["events"][0]) == {
        "timestamp",
        "kind",
        "node",
        "peer",
        "title",
        "detail",
        "severity",
    }
    assert datetime.fromisoformat(body["events"][0]["timestamp"]) == NOW - timedelta(minutes=5)

    day = (await client.get(TIMELINE, params={"period": "24h", "limit": 3})).json()["events"]
    assert [e["kind"] for e in day] == ["agents_started", "budget_restored", "partition_healed"]
    whole_day = (await client.get(TIMELINE, params={"period": "24h"})).json()["events"]
    assert [e["kind"] for e in whole_day][-4:] == [
        "budget_exhausted",
        "node_down",
        "link_failing",
        "link_failing",
    ]


async def test_endpoint_empty_and_bad_queries(client: httpx.AsyncClient) -> None:
    response = await client.get(TIMELINE)
    assert (response.status_code, response.json()["events"]) == (200, [])

    for params, field in (
        ({"limit": 0}, "limit"),
        ({"limit": 1001}, "limit"),
        ({"period": "2h"}, "period"),
    ):
        bad = await client.get(TIMELINE, params=params)
        assert bad.status_code == 422, bad.text
        assert bad.json()["field"] == field


@pytest.mark.parametrize("period", ["1h", "24h", "7d"])
async def test_endpoint_every_period(client: httpx.AsyncClient, period: str) -> None:
    await ingest(client, [link("replication_failed", 30, "a", "b")])

    events = (await client.get(TIMELINE, params={"period": period})).json()["events"]

    assert [(e["kind"], e["node"], e["peer"]) for e in events] == [
        ("node_down", "b", None),
        ("link_failing", "a", "b"),
    ]


@pytest.mark.parametrize("period", ["1h", "7d"])
async def test_endpoint_knows_the_nodes_from_every_event(
    client: httpx.AsyncClient, period: str
) -> None:
    """c applied an edit lately and said nothing about b: a → b failing is a cut link only."""
    await ingest(
        client,
        [
            {"event_type": "edit_applied", "timestamp": stamp(20), "metadata": {"node": "c"}},
            link("replication_failed", 10, "a", "b"),
        ],
    )

    events = (await client.get(TIMELINE, params={"period": period})).json()["events"]

    assert [e["kind"] for e in events] == ["link_failing"]
