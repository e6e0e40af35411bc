"""Three Text Service nodes in one process, talking over ASGI through a hostile network.

Each node is the real application (`create_app`) on its own real PostgreSQL database; only
the wire between them is in memory, so a test decides what it does to every request: drop
it, lose its answer after it was applied, deliver it twice, delay it (which reorders it
against the others), or cut a link altogether.
"""

import asyncio
import random
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

import httpx
from fastapi import FastAPI

from launcher.postgres_cluster import PostgresCluster
from text_node import create_app
from text_node.service import NodeService
from text_node.settings import NODE_NAMES
from text_node.transport import PeerUnreachable, Transport

from ..conftest import reset_node_database
from .conftest import SERVICE, node_settings


@dataclass
class Network:
    """What happens to each request between nodes."""

    rng: random.Random
    drop: float = 0.0
    """Chance a request is lost before it arrives."""
    lose_answer: float = 0.0
    """Chance the answer is lost after the request was applied."""
    duplicate: float = 0.0
    """Chance a request is delivered twice."""
    max_delay_s: float = 0.0
    """Each request waits up to this long: concurrent requests overtake one another."""
    cut: set[tuple[str, str]] = field(default_factory=set)
    """(from, to) links that carry nothing."""
    refuse: set[str] = field(default_factory=set)
    """Nodes that answer every push with 422 (as if they could not read it)."""
    apps: dict[str, FastAPI] = field(default_factory=dict)
    pushed_bytes: dict[str, int] = field(default_factory=dict)
    """Per receiving node, bytes of request bodies and answers delivered to or from it."""

    def heal(self) -> None:
        self.drop = self.lose_answer = self.duplicate = self.max_delay_s = 0.0
        self.cut.clear()
        self.refuse.clear()

    def isolate(self, name: str) -> None:
        self.cut |= {(name, other) for other in NODE_NAMES if other != name}
        self.cut |= {(other, name) for other in NODE_NAMES if other != name}

    def sender(self, source: str) -> Any:
        async def send(method: str, url: str, **kwargs: Any) -> tuple[int, bytes]:
            target = url.removeprefix("http://").split(".", 1)[0]
            if (source, target) in self.cut or self.rng.random() < self.drop:
                raise PeerUnreachable(f"{url}: сеть потеряла запрос")
            if self.max_delay_s:
                await asyncio.sleep(self.rng.uniform(0, self.max_delay_s))
            if target in self.refuse and url.endswith("/batch"):
                return 422, b'{"error": "invalid_diff", "message": "refused by the test"}'
            app = self.apps.get(target)
            if app is None:
                raise PeerUnreachable(f"{url}: узел остановлен")
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transport, headers=SERVICE) as client:
                times = 2 if self.rng.random() < self.duplicate else 1
                for _ in range(times):
                    response = await client.request(method, url, **kwargs)
            size = len(response.request.content) + len(response.content)
            self.pushed_bytes[target] = self.pushed_bytes.get(target, 0) + size
            if self.rng.random() < self.lose_answer:
                raise PeerUnreachable(f"{url}: ответ потерян")
            return response.status_code, response.content

        return send


@dataclass
class InProcessCluster:
    network: Network
    urls: list[str]
    stacks: dict[str, AsyncExitStack] = field(default_factory=dict)

    def service(self, name: str) -> NodeService:
        service = self.network.apps[name].state.service
        assert isinstance(service, NodeService)
        return service

    def client(self, name: str) -> httpx.AsyncClient:
        transport = httpx.ASGITransport(app=self.network.apps[name])
        return httpx.AsyncClient(transport=transport, base_url=f"http://{name}.test")

    async def start(self, index: int, **extra: Any) -> None:
        name = NODE_NAMES[index]
        peers = ",".join(
            f"{i}=http://{NODE_NAMES[i]}.test" for i in range(len(self.urls)) if i != index
        )
        settings = node_settings(self.urls[index], node=index, peers=peers, **extra)
        transport = Transport(
            peers=settings.peer_urls, analytics_url="", send=self.network.sender(name)
        )
        app = create_app(settings, transport=transport)
        stack = AsyncExitStack()
        await stack.enter_async_context(app.router.lifespan_context(app))
        self.network.apps[name] = app
        self.stacks[name] = stack

    async def stop(self, index: int) -> None:
        name = NODE_NAMES[index]
        self.network.apps.pop(name, None)
        await self.stacks.pop(name).aclose()


def three_databases(pg_cluster: PostgresCluster, prefix: str) -> list[str]:
    """One database per node on the session's PostgreSQL (created if missing); their URLs."""
    names = [f"{prefix}_{name}" for name in NODE_NAMES]
    for name in names:
        pg_cluster.create_database(name)
    return [pg_cluster.dsn(name) for name in names]


@asynccontextmanager
async def in_process_cluster(
    urls: list[str], network: Network, **extra: Any
) -> AsyncIterator[InProcessCluster]:
    for url in urls:
        await reset_node_database(url)
    cluster = InProcessCluster(network, urls)
    try:
        for index in range(len(urls)):
            await cluster.start(index, **extra)
        yield cluster
    finally:
        for index in reversed(range(len(urls))):
            if NODE_NAMES[index] in cluster.stacks:
                await cluster.stop(index)
