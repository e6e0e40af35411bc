"""Three real nodes in one process over a hostile in-memory network (see `inprocess.py`).

Whatever the network does — drops, lost answers, duplicates, reorders, a node refusing
pushes, a node down — once it heals every node holds the same operations (identical Yjs state
vectors, nothing pending), shows the same text, and no accepted edit is missing."""

import asyncio
import random
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx
import pytest

from crdt_core import SESSION_HEADER as SESSION
from crdt_core import SessionToken
from launcher.postgres_cluster import PostgresCluster
from text_node.settings import NODE_NAMES

from ..conftest import reset_node_database
from .conftest import agent, edit, init
from .inprocess import InProcessCluster, Network, in_process_cluster, three_databases


@pytest.fixture(scope="module")
def urls(pg_cluster: PostgresCluster) -> list[str]:
    return three_databases(pg_cluster, "inproc")


async def converged(cluster: InProcessCluster, limit_s: float = 20.0) -> dict[str, str]:
    """Wait until every node holds the same state vector and text; return the texts."""
    deadline = time.monotonic() + limit_s
    while True:
        services = [cluster.service(name) for name in cluster.network.apps]
        vectors = {s.durable.replica.opset.state_vector() for s in services}
        texts = {s.view.text for s in services}
        if len(vectors) == 1 and len(texts) == 1:
            return {s.settings.name: s.view.text for s in services}
        assert time.monotonic() < deadline, f"no convergence: {texts}"
        await asyncio.sleep(0.1)


def assert_nothing_pending(cluster: InProcessCluster) -> None:
    """Per origin, the watermark counts every operation held: no gap waits in Yjs."""
    for name in cluster.network.apps:
        opset = cluster.service(name).durable.replica.opset
        held: dict[int, int] = {}
        for op in opset.all_ops():
            held[op.origin] = held.get(op.origin, 0) + 1
        assert opset.watermark() == held, name


async def test_hostile_network_then_heal_converges_with_every_accepted_edit(
    urls: list[str],
) -> None:
    network = Network(random.Random(18), drop=0.2, lose_answer=0.1, duplicate=0.2, max_delay_s=0.05)
    async with in_process_cluster(urls, network, ack_timeout_s=0.2) as cluster:
        clients = {name: cluster.client(name) for name in NODE_NAMES}
        await init(clients["a"], "Начало.")
        await converged(cluster)
        accepted: list[str] = []

        async def write(name: str, n: int) -> None:
            for i in range(6):
                response = await edit(clients[name], "end", f" {name}{i}.", n=n)
                assert response.status_code == 201, response.text
                accepted.append(f" {name}{i}.")

        await asyncio.gather(*(write(name, 1 + i % 2) for i, name in enumerate(NODE_NAMES)))
        network.heal()
        texts = await converged(cluster)
        assert_nothing_pending(cluster)
        text = texts["a"]
        for word in accepted:
            assert text.count(word) == 1, word
        for client in clients.values():
            await client.aclose()


async def test_a_peer_refusing_pushes_does_not_block_its_queue_and_catches_up(
    urls: list[str],
) -> None:
    network = Network(random.Random(7))
    async with (
        in_process_cluster(urls, network, analytics_url="") as cluster,
        cluster.client("a") as a,
    ):
        await init(a, "Начало.")
        await converged(cluster)
        network.refuse.add("c")
        for i in range(5):
            assert (await edit(a, "end", f" {i}.")).status_code == 201
        relay = cluster.service("a").relay
        deadline = time.monotonic() + 5
        while "отклонён" not in (relay.link(2)["failing"] or ""):
            assert time.monotonic() < deadline, relay.link(2)
            await asyncio.sleep(0.05)
        while (await cluster.service("a").durable.outbox.depth()).get("peer-2"):
            assert time.monotonic() < deadline, "refused rows are retried forever"
            await asyncio.sleep(0.05)
        network.heal()
        texts = await converged(cluster)
        assert all(f" {i}." in texts["c"] for i in range(5))


async def test_a_restarted_node_catches_up_only_what_it_missed(urls: list[str]) -> None:
    network = Network(random.Random(3))
    async with in_process_cluster(urls, network) as cluster, cluster.client("a") as a:
        await init(a, "Начало.")
        for i in range(20):
            assert (await edit(a, "end", f" {i}.")).status_code == 201
        await converged(cluster)
        await cluster.stop(2)
        missed = 40
        for i in range(missed):
            assert (await edit(a, "end", f" пропущено {i}.", n=2)).status_code == 201
        held_before = len(cluster.service("a").durable.replica.opset.all_ops())
        await cluster.start(2, catch_up_timeout_s=5)
        await converged(cluster)
        catch_up = cluster.service("c").anti_entropy.catch_up
        assert catch_up["ops"] == missed
        per_op = catch_up["bytes"] / missed
        print(
            f"catch-up of node c: {catch_up['ops']} operations missed of {held_before} "
            f"held, {catch_up['bytes']} bytes of Yjs update ({per_op:.0f} bytes per op)"
        )
        # only the missed operations travel: well under the whole op set's size
        whole = len(cluster.service("a").durable.replica.opset.snapshot())
        assert catch_up["bytes"] < whole * missed / held_before * 1.5


async def test_a_wiped_node_writes_nothing_until_it_has_its_own_operations_back(
    urls: list[str],
) -> None:
    """Its Yjs client id is its index: writing before its earlier operations are back would
    reuse their clocks for other content. It answers 503 until anti-entropy returns them."""
    network = Network(random.Random(5))
    async with in_process_cluster(urls, network) as cluster:
        async with cluster.client("c") as c:
            await init(c, "Начало.")
            for i in range(3):
                assert (await edit(c, "end", f" {i}.")).status_code == 201
        await converged(cluster)
        await cluster.stop(2)
        await reset_node_database(urls[2])  # c's disk is lost; a and b hold its operations
        network.isolate("c")
        await cluster.start(2)
        async with cluster.client("c") as c:
            await edit(c, "end", " рано.")  # no document yet here: 409, nothing written
            network.heal()
            await converged(cluster)
            accepted = await edit(c, "end", " потом.")
            assert accepted.status_code == 201, accepted.text
        texts = await converged(cluster)
        assert texts["a"].endswith(" 0. 1. 2. потом.")


@asynccontextmanager
async def c_sent_nothing(
    urls: list[str], *, seed: int
) -> AsyncIterator[tuple[InProcessCluster, httpx.AsyncClient, httpx.AsyncClient]]:
    """A started document on every node, then no push reaches c (c can still ask its peers,
    and anti-entropy waits a minute): (the cluster, a client of a, a client of c)."""
    network = Network(random.Random(seed))
    async with (
        in_process_cluster(urls, network, anti_entropy_interval_s=60) as cluster,
        cluster.client("a") as a,
        cluster.client("c") as c,
    ):
        await init(a, "Начало.")
        await converged(cluster)
        network.cut |= {("a", "c"), ("b", "c")}
        yield cluster, a, c


async def test_a_session_reads_its_write_on_a_lagging_node_or_is_refused(
    urls: list[str],
) -> None:
    """Read-your-writes through a node that was not sent the write: it pulls it at once; cut
    off from every peer, it answers 503 rather than a stale document."""
    async with c_sent_nothing(urls, seed=9) as (cluster, a, c):
        network = cluster.network
        written = await edit(a, "end", " моя правка.")
        token = written.headers["X-Chorus-Session"]
        stale = (await c.get("/api/document/current")).json()
        assert " моя правка." not in stale["text"], "c was sent nothing"
        read = await c.get("/api/document/current", headers={"X-Chorus-Session": token})
        assert read.status_code == 200, read.text
        assert " моя правка." in read.json()["text"]
        assert SessionToken.parse(read.headers["X-Chorus-Session"]).covered_by(
            SessionToken.parse(token).vector
        )

        network.isolate("c")
        newer = await edit(a, "end", " ещё.")
        refused = await c.get(
            "/api/edits", headers={"X-Chorus-Session": newer.headers["X-Chorus-Session"]}
        )
        assert refused.status_code == 503
        assert refused.json()["error"] == "session_unavailable"
        assert "сеанс" in refused.json()["message"]
        assert refused.headers["Retry-After"] == "1"
        bad = await c.get("/api/document/current", headers={"X-Chorus-Session": "0:1"})
        assert (bad.status_code, bad.json()["field"]) == (422, "X-Chorus-Session")


async def test_a_session_survives_a_restart_of_the_node_that_served_it(urls: list[str]) -> None:
    """A restarted node restores its op set from its log: its watermark never goes back, so
    a session it served before is still covered after (monotonic reads across restarts)."""
    network = Network(random.Random(11))
    async with in_process_cluster(urls, network) as cluster:
        async with cluster.client("a") as a:
            await init(a, "Начало.")
            token = (await edit(a, "end", " до перезапуска.")).headers["X-Chorus-Session"]
        network.isolate("a")  # it restarts alone: whatever it answers, it holds itself
        await cluster.stop(0)
        await cluster.start(0)
        async with cluster.client("a") as a:
            read = await a.get("/api/document/current", headers={"X-Chorus-Session": token})
            assert read.status_code == 200, read.text
            assert read.json()["text"] == "Начало. до перезапуска."


async def test_a_sessions_writes_follow_its_writes_and_reads_on_every_node(
    urls: list[str],
) -> None:
    """Monotonic writes and writes-follow-reads: a node that was sent nothing accepts the
    session's next edit only once it holds what the session wrote and read, so the new
    operation is ordered after them (its key is higher, its `seen` covers them) everywhere."""
    async with c_sent_nothing(urls, seed=13) as (cluster, a, c):
        network = cluster.network
        first = await edit(a, "end", " первая.")
        token = first.headers["X-Chorus-Session"]
        body = {
            "agent_id": "agent-1",
            "proposed_text": " вторая.",
            "position": "end",
            "tokens_used": 1,
        }
        second = await c.post("/api/edits", json=body, headers=agent(1) | {SESSION: token})
        assert second.status_code == 201, second.text
        assert second.json()["version_key"] > first.json()["version_key"]
        op = cluster.service("c").durable.replica.opset.get(second.json()["version_key"])
        assert op is not None
        assert SessionToken.parse(token).covered_by(dict(op.seen)), "it saw the first"
        network.heal()
        texts = await converged(cluster)
        assert texts["b"].endswith(" первая. вторая.")
