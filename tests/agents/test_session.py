"""An agent's session with the Text Service (issue 19): it reads its own edit.

Three real nodes in one process (each on its own PostgreSQL database, see
`tests/text_node/inprocess.py`); the agent's client is a balancer that sends its edits to node
a and its reads to node c, which no push reaches (c can still ask its peers). With its session
the agent's read after its write carries a token covering that write, and c, which was sent
nothing, pulls the edit at once and shows it; without a session the same read is stale.
"""

import random
from collections.abc import AsyncIterator

import httpx
import pytest
import redis

from agents import Agent, AgentConfig, CycleResult, resolve
from agents.session import TextSession
from chat import ChatSettings
from chat import create_app as create_chat_app
from crdt_core import SESSION_HEADER, SessionToken
from launcher import RedisServer
from launcher.postgres_cluster import PostgresCluster

from ..text_node.conftest import init
from ..text_node.inprocess import (
    InProcessCluster,
    Network,
    in_process_cluster,
    three_databases,
)
from ..text_node.test_in_process_cluster import converged
from .conftest import TOKEN_SPEC, TOKENS
from .test_agent import ScriptedLlm, Sleeps, edit_json

MINE = "Это правка агента."


@pytest.fixture(scope="module")
def urls(pg_cluster: PostgresCluster) -> list[str]:
    return three_databases(pg_cluster, "agents_session")


@pytest.fixture
async def chat(agents_redis: RedisServer) -> AsyncIterator[httpx.AsyncClient]:
    with redis.Redis.from_url(agents_redis.url) as client:
        client.flushdb()
    app = create_chat_app(ChatSettings(redis_url=agents_redis.url, agent_tokens=TOKEN_SPEC))
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://chat.test"
        ) as client,
    ):
        yield client


class Balancer(httpx.AsyncBaseTransport):
    """Edits to node a, everything else to node c; records what went where and the answers."""

    def __init__(self, cluster: InProcessCluster) -> None:
        self.cluster = cluster
        self.log: list[tuple[str, httpx.Request, httpx.Response]] = []

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        node = "a" if request.method == "POST" else "c"
        app = self.cluster.network.apps[node]
        response = await httpx.ASGITransport(app=app).handle_async_request(request)
        await response.aread()
        self.log.append((node, request, response))
        return response


@pytest.fixture
async def cluster(urls: list[str]) -> AsyncIterator[tuple[InProcessCluster, Network]]:
    network = Network(random.Random(19))
    # Anti-entropy only on demand: a lagging node learns of a write only when a session asks.
    async with in_process_cluster(urls, network, anti_entropy_interval_s=60) as running:
        async with running.client("a") as a:
            await init(a, "Начало текста.")
        await converged(running)
        yield running, network


def make_agent(
    llm: ScriptedLlm, text: httpx.AsyncClient, chat: httpx.AsyncClient, *, use_sessions: bool
) -> Agent:
    return Agent(
        AgentConfig(
            agent_id="agent-1",
            role=resolve("корректор стиля"),
            token=TOKENS["agent-1"],
            cycle_delay_s=0,
            backoff_s=0.01,
            use_claims=False,
            use_sessions=use_sessions,
        ),
        llm=llm,
        text=text,
        chat=chat,
        sleep=Sleeps(),
    )


async def write_then_read(
    cluster: InProcessCluster, network: Network, chat: httpx.AsyncClient, *, use_sessions: bool
) -> tuple[ScriptedLlm, Balancer, Agent]:
    """One cycle that appends `MINE` (via node a), then one that reads again (via node c)."""
    network.cut |= {("a", "c"), ("b", "c")}  # no pushes reach c; c can still ask its peers
    llm = ScriptedLlm(edit_json("append", new_text=MINE), edit_json("none"))
    balancer = Balancer(cluster)
    async with httpx.AsyncClient(transport=balancer, base_url="http://balancer.test") as text:
        agent = make_agent(llm, text, chat, use_sessions=use_sessions)
        assert await agent.cycle() is CycleResult.ACCEPTED
        assert await agent.cycle() is CycleResult.NOTHING
    return llm, balancer, agent


def token_of(response: httpx.Response) -> SessionToken:
    return SessionToken.parse(response.headers[SESSION_HEADER])


async def test_an_agent_reads_its_own_edit_on_a_node_that_was_not_sent_it(
    cluster: tuple[InProcessCluster, Network], chat: httpx.AsyncClient
) -> None:
    running, network = cluster
    llm, balancer, agent = await write_then_read(running, network, chat, use_sessions=True)
    (n1, first, read1), (n2, post, written), (n3, second, read2) = balancer.log
    assert (n1, first.method, n2, post.method, n3, second.method) == (
        "c",
        "GET",
        "a",
        "POST",
        "c",
        "GET",
    )
    assert written.status_code == 201, written.text
    assert written.json()["status"] == "accepted"
    # The edit went out with the token of the read before it (writes follow reads) …
    assert SessionToken.parse(post.headers[SESSION_HEADER]) == token_of(read1)
    # … and the read after it carries a token covering the write.
    carried = SessionToken.parse(second.headers[SESSION_HEADER])
    assert token_of(written).covered_by(carried.vector)
    assert read2.status_code == 200, read2.text
    assert read2.json()["text"].endswith(MINE)
    assert MINE in llm.prompts[1]  # the model was shown the agent's own edit
    assert agent.session.token is not None
    assert token_of(written).covered_by(agent.session.token.vector)
    assert agent.session.token.document_id == written.headers[SESSION_HEADER].split(";")[0]


async def test_without_a_session_the_same_read_misses_the_edit(
    cluster: tuple[InProcessCluster, Network], chat: httpx.AsyncClient
) -> None:
    running, network = cluster
    llm, balancer, _ = await write_then_read(running, network, chat, use_sessions=False)
    assert all(SESSION_HEADER not in request.headers for _, request, _ in balancer.log)
    _, _, read2 = balancer.log[2]
    assert not read2.json()["text"].endswith(MINE), "c was sent nothing and was not asked"
    assert MINE not in llm.prompts[1]


def answer(header: str | None) -> httpx.Response:
    return httpx.Response(200, headers={SESSION_HEADER: header} if header is not None else {})


def test_a_session_keeps_the_pointwise_maximum_of_the_tokens_it_is_given() -> None:
    session = TextSession()
    assert session.headers() == {}
    session.observe(answer("doc;0:3,1:1"))
    session.observe(answer("doc;0:2,1:4,2:1"))
    session.observe(answer(None))  # no header: an older node, the balancer's own error page
    session.observe(answer("garbage"))  # unreadable: logged, the session stays as it was
    assert session.headers() == {SESSION_HEADER: "doc;0:3,1:4,2:1"}
    disabled = TextSession(enabled=False)
    disabled.observe(answer("doc;0:3"))
    assert disabled.headers() == {}
