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


@pytest.mark.parametrize(
    ("parse", "raw", "named"),
    [
        (payloads.parse_document, [], "document"),
        (payloads.parse_document, {"version": "3", "text": ""}, "version"),
        (payloads.parse_document, {"version": True, "text": ""}, "version"),
        (payloads.parse_edit_page, {"edits": {}}, "edits"),
        (payloads.parse_chat, [{"agent_id": 1, "message": "м", "timestamp": "t"}], "agent_id"),
        (payloads.parse_metrics, {**samples.metrics(), "avg_latency_ms": "fast"}, "avg_latency"),
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
