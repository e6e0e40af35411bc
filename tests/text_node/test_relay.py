"""The outbox relay on its own: backoff, batch splitting, a peer's refusal, one event per outage.

The relay is driven directly (`settle`) against an outbox kept in memory and a scripted
transport, so every answer a peer can give is tried without a network or a database."""

from base64 import b64decode
from typing import Any

import pytest

from crdt_core import Op
from crdt_core._update import read_update
from text_node.db import node_database
from text_node.durable import DurableReplica
from text_node.outbox import Outbox
from text_node.relay import MAX_BACKOFF_S, Relay, backoff_s
from text_node.store import OutboxRow
from text_node.transport import PeerUnreachable, Transport

from .conftest import node_settings

PEER = 1


class MemoryOutbox(Outbox):
    """The outbox table as a dict: what `settle` leaves is what the table would hold."""

    def __init__(self, *args: Any) -> None:
        super().__init__(*args)
        self.rows: dict[int, OutboxRow] = {}
        self.retry_after_s: dict[int, float] = {}
        self.queued_events: list[dict[str, Any]] = []

    def put(self, destination: str, **fields: Any) -> OutboxRow:
        row = OutboxRow(
            id=len(self.rows) + 1,
            destination=destination,
            version_key=fields.get("version_key"),
            payload=fields.get("payload"),
            attempts=fields.get("attempts", 0),
        )
        self.rows[row.id] = row
        return row

    async def due(self, destination: str, limit: int) -> list[OutboxRow]:
        return [row for row in self.rows.values() if row.destination == destination][:limit]

    async def settle(
        self,
        *,
        delivered: list[int],
        retry_after_s: dict[int, float],
        events: list[dict[str, Any]],
    ) -> None:
        for row_id in delivered:
            del self.rows[row_id]
        self.retry_after_s.update(retry_after_s)
        self.queued_events += events


class Peer:
    """A scripted peer: refuses any batch holding a refused op key or event id, or does not
    answer at all."""

    def __init__(self) -> None:
        self.refused: set[str] = set()
        self.down = False
        self.received: list[list[Any]] = []

    async def send(self, method: str, url: str, **kwargs: Any) -> tuple[int, bytes]:
        if self.down:
            raise PeerUnreachable(f"{url}: соединение не установлено")
        body = kwargs["json"]
        names = {e["event_id"] for e in body.get("events", [])} | {
            entry.key for diff in body.get("diffs", []) for entry in read_update(b64decode(diff))
        }
        if self.refused & names:
            return 422, b'{"error": "invalid_diff"}'
        self.received.append(body.get("diffs") or body["events"])
        return 200, b'{"status": "synced", "version": 1, "applied": 1}'


@pytest.fixture
def peer() -> Peer:
    return Peer()


@pytest.fixture
def relay(peer: Peer) -> Relay:
    settings = node_settings(
        "postgresql://chorus@127.0.0.1:9/unused",
        peers=f"{PEER}=http://b.test",
        analytics_url="http://analytics.test",
    )
    outbox = MemoryOutbox(settings, node_database(settings))
    durable = DurableReplica(
        settings, node_database(settings), outbox, now_ms=lambda: 1_700_000_000_000
    )
    transport = Transport(
        peers=settings.peer_urls, analytics_url=settings.analytics_url, send=peer.send
    )
    return Relay(durable, outbox, transport, wall_clock=lambda: 1_700_000_001.0)


def edits(relay: Relay, count: int) -> list[Op]:
    replica = relay.durable.replica
    ops = [replica.init_document(edit_id="init", document_id="doc", topic="т", text="")]
    ops += [
        replica.accept_edit(edit_id=f"e{i}", position="end", text=f" {i}") for i in range(count)
    ]
    return ops


def memory(relay: Relay) -> MemoryOutbox:
    assert isinstance(relay.outbox, MemoryOutbox)
    return relay.outbox


def test_backoff_doubles_from_a_tenth_of_a_second_up_to_its_cap() -> None:
    assert [backoff_s(n) for n in range(4)] == [0.1, 0.2, 0.4, 0.8]
    assert backoff_s(30) == MAX_BACKOFF_S


async def test_a_refused_operation_is_found_by_splitting_dropped_and_reported_once(
    relay: Relay, peer: Peer
) -> None:
    ops = edits(relay, 8)
    rows = [memory(relay).put("peer-1", version_key=op.key) for op in ops]
    peer.refused = {str(ops[5].key)}

    await relay.settle("peer-1", rows)

    assert memory(relay).rows == {}, "the refused row is not kept to be retried forever"
    delivered = {
        int(entry.key)
        for batch in peer.received
        for update in batch
        for entry in read_update(b64decode(update))
    }
    assert delivered == {op.key for op in ops} - {ops[5].key}
    kinds = [e["event_type"] for e in memory(relay).queued_events]
    assert kinds.count("replication_failed") == 1
    assert kinds.count("replication_success") == len(ops) - 1
    [failed] = [e for e in memory(relay).queued_events if e["event_type"] == "replication_failed"]
    assert "отклонён" in failed["metadata"]["error_message"]
    # the peer took the rest after refusing one: the link works again, said after the failure
    assert kinds.index("replication_failed") < kinds.index("replication_recovered")
    assert relay.link(PEER)["state"] == "ok"


async def test_an_unreachable_peer_keeps_every_row_for_a_retry_with_backoff(
    relay: Relay, peer: Peer
) -> None:
    ops = edits(relay, 3)
    rows = [memory(relay).put("peer-1", version_key=op.key, attempts=2) for op in ops]
    peer.down = True

    await relay.settle("peer-1", rows)
    await relay.relay_once("peer-1")

    assert set(memory(relay).rows) == {row.id for row in rows}
    assert memory(relay).retry_after_s == {row.id: backoff_s(2) for row in rows}
    kinds = [e["event_type"] for e in memory(relay).queued_events]
    assert kinds == ["replication_failed"], "one event per outage, not one per retry"

    peer.down = False
    await relay.relay_once("peer-1")
    assert memory(relay).rows == {}
    kinds = [e["event_type"] for e in memory(relay).queued_events]
    assert kinds.count("replication_recovered") == 1
    assert kinds.count("replication_success") == len(ops)
    assert relay.link(PEER)["state"] == "ok"


async def test_the_lone_survivor_does_not_wait_for_peers_known_to_fail(
    relay: Relay, peer: Peer
) -> None:
    ops = edits(relay, 1)
    peer.down = True
    assert not relay.all_failing()
    await relay.settle("peer-1", [memory(relay).put("peer-1", version_key=ops[0].key)])
    assert relay.all_failing()


async def test_analytics_refusing_one_event_drops_only_that_event(relay: Relay, peer: Peer) -> None:
    events = [{"event_id": f"e{i}", "event_type": "edit_applied"} for i in range(5)]
    rows = [memory(relay).put("analytics", payload=e) for e in events]
    peer.refused = {"e2"}

    await relay.settle("analytics", rows)

    assert memory(relay).rows == {}
    sent = [e for batch in peer.received for e in batch]
    assert sorted(e["event_id"] for e in sent if isinstance(e, dict)) == ["e0", "e1", "e3", "e4"]
