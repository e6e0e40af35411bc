"""Parsing the services' answers, and refusing ones of the wrong shape with the field named."""

import pytest

from desktop.net import payloads

from . import samples


def test_document() -> None:
    document = payloads.parse_document(samples.document(3, "Текст"))
    assert (document.version, document.text, document.node) == (3, "Текст", "b")
    assert document.topic == "История искусственного интеллекта"
    empty = payloads.parse_document({"version": 0, "text": "", "document_id": None})
    assert empty.document_id is None
    assert empty.topic == ""


def test_edit_page() -> None:
    page = payloads.parse_edit_page(
        samples.edit_page([samples.edit(1), samples.edit(2, "rejected")], total=7)
    )
    assert page.total == 7
    assert len(page.edits) == 2
    assert page.edits[1].status == "rejected"
    assert page.edits[1].version is None


def test_chat_message_without_id_is_keyed_by_its_time() -> None:
    raw = samples.message(1)
    del raw["message_id"]
    (message,) = payloads.parse_chat([raw])
    assert message.message_id == raw["timestamp"]


def test_metrics() -> None:
    metrics = payloads.parse_metrics(samples.metrics(used=3_000_000, exceeded=True))
    assert [p.value for p in metrics.tokens] == [0, 400, 791]
    assert metrics.tokens[1].at.minute == 1
    assert metrics.budget.fraction == pytest.approx(0.2)
    assert metrics.budget.exceeded
    assert metrics.replication_p95_ms == pytest.approx(86.8)
    assert payloads.Budget(None, None, False).fraction is None


def test_node_state_sums_the_outbox_and_takes_the_newest_ack() -> None:
    state = payloads.parse_node_state(samples.node("a"))
    assert state.outbox == 3
    assert state.last_ack_ms == 1_795_570_661_863
    assert state.lag_p95_ms == 95.0
    assert state.location == "Москва"


def test_cluster_and_agents() -> None:
    cluster = payloads.parse_cluster(
        {"mode": "local", "nodes": [{"name": "b", "location": "СПб", "state": "stopped"}]}
    )
    assert cluster.nodes[0].state == "stopped"
    assert cluster.nodes[0].pid is None
    listing = payloads.parse_agents(samples.agents())
    assert listing.running
    assert listing.agents[1].last_error == "RuntimeError: boom"


def test_node_state_with_links_and_catch_up() -> None:
    state = payloads.parse_node_state(
        samples.node_with_links("b", failing={"c": "Узел c не отвечает"})
    )
    link_a, link_c = state.peers
    assert (link_a.peer, link_a.state, link_a.lag_p50_ms, link_a.lag_p95_ms) == (
        "a",
        "ok",
        12,
        1500,
    )
    assert (link_c.state, link_c.failing, link_c.last_ack_ms) == (
        "failing",
        "Узел c не отвечает",
        None,
    )
    assert link_c.since == "2026-11-25T01:37:41.772Z"
    assert state.catch_up is not None
    assert state.catch_up == payloads.CatchUp(
        "done", 17, 85.0, {"a": 12, "c": 5}, "2026-11-25T01:37:41.772Z"
    )
    assert state.document_id == "doc-1"
    assert payloads.parse_node_state(samples.node("a")).catch_up is None


def test_metrics_with_percentiles_and_the_worst_link() -> None:
    raw = samples.metrics()
    raw["edit_latency_ms"] = {"p50": 12.0, "p95": 40.5}
    raw["replication"]["lag_ms"]["worst_link"] = {"source": "a", "target": "b", "p95": 30.0}
    metrics = payloads.parse_metrics(raw)
    assert (metrics.edit_latency_p50_ms, metrics.edit_latency_p95_ms) == (12.0, 40.5)
    assert metrics.replication_p50_ms == 66.0
    assert metrics.worst_link == "a → b"
    plain = payloads.parse_metrics(samples.metrics())
    assert plain.edit_latency_p50_ms is None
    assert plain.worst_link is None


def test_versions_authorship_and_timeline() -> None:
    listing = payloads.parse_versions(samples.versions(40, newest=38, count=2))
    assert listing.total == 40
    assert [entry.version for entry in listing.versions] == [38, 37]
    assert listing.versions[0].agent_id == "agent-3"
    authorship = payloads.parse_authorship(
        samples.authorship(4, [("Начало. ", "operator", 1), ("Ещё.", "", 4)])
    )
    assert authorship.text == "Начало. Ещё."
    assert [(run.start, run.end, run.agent_id) for run in authorship.runs] == [
        (0, 8, "operator"),
        (8, 12, ""),
    ]
    no_author = samples.authorship(2, [("x", "agent-1", 2)])
    no_author["runs"][0]["agent_id"] = None
    assert payloads.parse_authorship(no_author).runs[0].agent_id == ""
    events = payloads.parse_timeline(samples.timeline())
    assert [event.kind for event in events] == ["node_caught_up", "node_down"]
    assert events[1].severity == "error"
    assert events[0].at.minute == 2
    assert events[0].peer is None


@pytest.mark.parametrize(
    ("parse", "raw", "named"),
    [
        (payloads.parse_document, [], "document"),
        (payloads.parse_document, {"version": "3", "text": ""}, "version"),
        (payloads.parse_document, {"version": True, "text": ""}, "version"),
        (payloads.parse_edit_page, {"edits": {}}, "edits"),
        (payloads.parse_chat, [{"agent_id": 1, "message": "м", "timestamp": "t"}], "agent_id"),
        (payloads.parse_metrics, {**samples.metrics(), "avg_latency_ms": "fast"}, "avg_latency"),
        (payloads.parse_versions, {"total": 3, "versions": None}, "versions"),
        (payloads.parse_authorship, {"version": 1, "text": "", "runs": [{"start": 0}]}, "end"),
        (payloads.parse_timeline, {"events": [{"timestamp": "now", "kind": "x"}]}, "timestamp"),
        (
            payloads.parse_metrics,
            {**samples.metrics(), "edits_by_time": [{"timestamp": "yesterday", "edits": 1}]},
            "timestamp",
        ),
    ],
)
def test_wrong_shapes_name_the_field(parse, raw, named: str) -> None:
    with pytest.raises(payloads.PayloadError, match=named):
        parse(raw)
