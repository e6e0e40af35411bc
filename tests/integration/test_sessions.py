"""Session guarantees through nginx on the real cluster (three nodes, their PostgreSQL
servers, nginx; `faults.FaultCluster`, whose proxies on the replication links make a node lag
on purpose).

- read-your-writes on each node: with the pushes into node X held back, a write through the
  balancer lands elsewhere; X read alone (`/nodes/X/…`) without the token does not show it
  yet, and with the token it does (X pulls it from its peers before answering);
- monotonic reads: 200 reads in a row through the balancer, with the token, never see a
  version (dense or `version_key`) lower than an earlier one, while writers keep writing
  straight to the nodes on the WAN profile. A reader without a token alongside prints how
  often it went back (not asserted).
"""

import asyncio
import contextlib
import shutil
import tempfile
import time
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from crdt_core import SESSION_HEADER, SessionToken
from faults import LAN, WAN, Delay, FaultCluster
from faults.report import wait_identical
from faults.scenarios import start_document
from faults.wan import NODES

HELD_BACK = Delay(3000.0)
"""The pushes into the lagging node: longer than the test's look at it."""
READS = 200


@pytest.fixture(scope="module")
def cluster() -> Iterator[FaultCluster]:
    root = Path(tempfile.mkdtemp(prefix="chorus-sessions-"))
    root.chmod(0o755)  # the PostgreSQL servers run as the postgres user
    # Anti-entropy rarely on its own: the lagging node catches up only when a session asks.
    env = {"TEXT_NODE_ANTI_ENTROPY_INTERVAL_S": "60"}
    try:
        with FaultCluster(root / "cluster", profile=LAN, node_env=env) as running:
            yield running
    finally:
        shutil.rmtree(root, ignore_errors=True)


@pytest.fixture
async def http(cluster: FaultCluster) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=cluster.balancer_url, timeout=10.0) as client:
        await start_document(client, cluster, "Сеансы через балансировщик")
        yield client


def append(agent: str, text: str) -> dict[str, Any]:
    return {
        "agent_id": agent,
        "proposed_text": text,
        "position": "end",
        "tokens_used": 1,
        "edit_id": str(uuid.uuid4()),
    }


def token_of(response: httpx.Response) -> SessionToken:
    assert SESSION_HEADER in response.headers, f"no {SESSION_HEADER}: {response.headers}"
    return SessionToken.parse(response.headers[SESSION_HEADER])


@contextlib.contextmanager
def lagging(cluster: FaultCluster, name: str) -> Iterator[None]:
    """Node `name` gets its peers' pushes only after `HELD_BACK`; its own requests to them
    (the pull a session triggers) go at once."""
    for peer in NODES:
        if peer != name:
            cluster.net.set_delay(f"{peer}>{name}", HELD_BACK)
    try:
        yield
    finally:
        cluster.set_profile(LAN)


@pytest.mark.parametrize("target", NODES)
async def test_a_read_with_the_token_shows_the_write_on_every_node(
    cluster: FaultCluster, http: httpx.AsyncClient, target: str
) -> None:
    agent = "agent-1"
    with lagging(cluster, target):
        for n in range(10):  # round robin: until the write lands on another node
            tag = f"⟦{target}.{n}⟧"
            written = await http.post(
                "/api/edits", json=append(agent, f" {tag}"), headers=cluster.bearer(agent)
            )
            assert written.status_code == 201, written.text
            if written.json()["node"] != target:
                break
        else:
            pytest.fail(f"ten writes through the balancer all landed on node {target}")
        token = token_of(written)
        stale = await http.get(f"/nodes/{target}/api/document/current")
        assert stale.status_code == 200, stale.text
        assert tag not in stale.json()["text"], f"node {target} was not lagging: no test"
        assert not token.covered_by(token_of(stale).vector)

        started = time.monotonic()
        fresh = await http.get(
            f"/nodes/{target}/api/document/current", headers={SESSION_HEADER: str(token)}
        )
        waited_ms = (time.monotonic() - started) * 1000
    assert fresh.status_code == 200, fresh.text
    assert fresh.json()["node"] == target
    assert tag in fresh.json()["text"]
    assert token.covered_by(token_of(fresh).vector)
    print(
        f"\nnode {target} (pushes held back {HELD_BACK.ms:g} ms): read with the token of a "
        f"write on node {written.json()['node']} shows it after {waited_ms:.0f} ms; "
        "without the token the same node did not"
    )
    await wait_identical(http, {name: cluster.node_url(name) for name in NODES}, limit_s=15)


class Reader:
    """Reads through the balancer, each read checked against the highest seen before."""

    def __init__(self, token: SessionToken | None) -> None:
        self.token = token
        self.highest = (0, 0)
        self.backwards: list[str] = []
        self.nodes: list[str] = []

    async def read(self, http: httpx.AsyncClient) -> None:
        headers = {SESSION_HEADER: str(self.token)} if self.token is not None else {}
        response = await http.get("/api/document/current", headers=headers)
        assert response.status_code == 200, response.text
        current = response.json()
        seen = (current["version"], current["version_key"])
        self.nodes.append(current["node"])
        if seen[0] < self.highest[0] or seen[1] < self.highest[1]:
            self.backwards.append(
                f"read {len(self.nodes)} on node {current['node']}: version {seen[0]} "
                f"(key {seen[1]}) after {self.highest[0]} (key {self.highest[1]})"
            )
        self.highest = (max(self.highest[0], seen[0]), max(self.highest[1], seen[1]))
        if self.token is not None:
            self.token = self.token.merge(token_of(response))


async def test_reads_with_the_token_never_go_back_while_others_write(
    cluster: FaultCluster, http: httpx.AsyncClient
) -> None:
    cluster.set_profile(WAN)
    stop = asyncio.Event()
    written: list[int] = []

    async def writer(name: str, agent: str) -> None:
        async with httpx.AsyncClient(base_url=cluster.node_url(name), timeout=10.0) as node:
            while not stop.is_set():
                response = await node.post(
                    "/api/edits", json=append(agent, " запись"), headers=cluster.bearer(agent)
                )
                assert response.status_code == 201, response.text
                written.append(1)
                await asyncio.sleep(0.005)

    session, plain = Reader(token=None), Reader(token=None)
    first = await http.get("/api/document/current")
    session.token = token_of(first)
    writers = [
        asyncio.create_task(writer(name, f"agent-{n}"))
        for n, name in enumerate(("a", "b", "a", "b"), start=2)
    ]
    try:
        await asyncio.sleep(0.3)  # the writers under way
        for _ in range(READS):
            await session.read(http)
            await plain.read(http)
    finally:
        stop.set()
        await asyncio.gather(*writers)
        cluster.set_profile(LAN)
    print(
        f"\n{READS} reads through the balancer on the WAN profile while {len(writers)} writers "
        f"wrote {len(written)} edits to nodes a and b: with the token "
        f"{len(session.backwards)} went back (nodes {sorted(set(session.nodes))}), without "
        f"{len(plain.backwards)}" + (f", e.g. {plain.backwards[0]}" if plain.backwards else "")
    )
    assert set(session.nodes) == set(NODES), "the balancer did not spread the reads"
    assert not session.backwards, session.backwards[:5]
    assert len(written) > READS // 4, "the writers hardly wrote: nothing was tested"


async def test_an_unreadable_token_is_refused_naming_the_header(http: httpx.AsyncClient) -> None:
    response = await http.get("/api/document/current", headers={SESSION_HEADER: "no-token"})
    assert response.status_code == 422, response.text
    assert response.json()["field"] == SESSION_HEADER
