"""The node's reader process: what it answers is what the node answers, and it goes when the
node does. The mirror and its feed in memory; then a real reader process beside a node in
this process, and one beside a node process killed and frozen."""

import asyncio
import signal
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import orjson
import pytest
from fastapi import FastAPI

from launcher import free_port
from launcher.daemon import signal_pid
from launcher.postgres_cluster import PostgresCluster
from launcher.text_cluster import databases_on, start_all, text_node_processes
from text_node import create_app
from text_node.reader import PATH, SESSION_WAIT_S, STALE_AFTER_S, Feed, Mirror, ReaderApp
from text_node.reader_feed import HEARTBEAT_S, frame

from ..conftest import reset_node_database
from .conftest import (
    AGENT_TOKENS,
    OPERATOR,
    SERVICE_TOKEN,
    UNREACHABLE,
    agent,
    answered,
    init,
    node_settings,
    until,
)

HEAD = {
    "version": 7,
    "timestamp": "2026-12-07T10:00:00.000+00:00",
    "document_id": "d-1",
    "version_key": 123,
    "topic": "Тема",
}


def told(parts: list[tuple[int, str]], count: int, **head: Any) -> dict[str, Any]:
    return {
        "budget": [5, 100],
        "unready": None,
        "head": HEAD | head,
        "session": "d-1;0:3",
        "count": count,
        "parts": parts,
    }


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_the_mirrors_answer_is_the_nodes_byte_for_byte() -> None:
    # the groups are escaped one by one: quotes, backslashes, newlines, control characters
    # and Cyrillic must join to exactly what orjson makes of the whole text
    groups = ['Начало "цитаты', '" и \\ слеш\n', "\t\x01конец — ёж ☃"]
    mirror = Mirror("b")
    mirror.apply(told(list(enumerate(groups)), 3))
    expected = {
        "version": 7,
        "text": "".join(groups),
        "timestamp": HEAD["timestamp"],
        "document_id": "d-1",
        "version_key": 123,
        "topic": "Тема",
        "node": "b",
        "budget_used": 5,
        "budget_limit": 100,
    }
    assert mirror.body() == orjson.dumps(expected)


def test_only_the_groups_told_change_and_the_count_trims_or_extends() -> None:
    mirror = Mirror("a")
    mirror.apply(told([(0, "раз "), (1, "два "), (2, "три")], 3))
    mirror.apply(told([(1, "ДВА ")], 3, version=8))
    assert orjson.loads(mirror.body())["text"] == "раз ДВА три"
    mirror.apply(told([], 2, version=9))
    assert orjson.loads(mirror.body())["text"] == "раз ДВА "
    mirror.apply(told([(2, "четыре"), (3, "!")], 4, version=10))
    body = orjson.loads(mirror.body())
    assert (body["text"], body["version"]) == ("раз ДВА четыре!", 10)
    mirror.apply({"budget": [9, None], "unready": None})  # a heartbeat: no text
    body = orjson.loads(mirror.body())
    assert (body["text"], body["budget_used"], body["budget_limit"]) == ("раз ДВА четыре!", 9, None)


def test_the_feed_reads_frames_split_anywhere() -> None:
    mirror = Mirror("a")
    ended = asyncio.Event()
    feed = Feed(mirror, ended)
    stream = b"".join(frame(told([(0, f"версия {n}")], 1, version=n)) for n in range(1, 6))
    for start in range(0, len(stream), 7):  # seven bytes at a time: frames cut mid-length too
        feed.data_received(stream[start : start + 7])
    body = orjson.loads(mirror.body())
    assert (body["version"], body["text"]) == (5, "версия 5")
    feed.connection_lost(None)
    assert ended.is_set()


async def test_the_reader_answers_only_while_its_node_speaks() -> None:
    clock = Clock()
    app = ReaderApp(Mirror("c", clock=clock), feed=object())
    status, body, _ = await app.answer("GET", "/api/document/current")
    assert status == 503
    assert "ещё не передал" in orjson.loads(body)["message"]
    app.mirror.apply(told([(0, "текст")], 1))
    status, body, headers = await app.answer("GET", "/api/document/current")
    assert status == 200
    assert orjson.loads(body)["text"] == "текст"
    assert (b"x-chorus-session", b"d-1;0:3") in headers
    assert (await app.answer("GET", "/health"))[0] == 200
    for why in ("ещё догоняет соседей после запуска", "не получает ответа от своей базы данных"):
        app.mirror.apply({"budget": [5, 100], "unready": why})
        status, body, _ = await app.answer("GET", "/api/document/current")
        assert status == 503
        assert orjson.loads(body)["message"] == f"узел c {why}"
    app.mirror.apply({"budget": [5, 100], "unready": None})
    clock.now += STALE_AFTER_S + 0.1  # the node froze: nothing heard since
    status, body, headers = await app.answer("GET", "/api/document/current")
    assert status == 503
    assert orjson.loads(body)["error"] == "node_unavailable"
    assert (b"retry-after", b"1") in headers
    assert (await app.answer("GET", "/health"))[0] == 503
    assert (await app.answer("GET", "/api/edits"))[0] == 404
    assert (await app.answer("POST", "/api/document/current"))[0] == 405


async def test_a_session_read_waits_until_the_view_holds_what_the_session_saw() -> None:
    app = ReaderApp(Mirror("a"), feed=object())
    app.mirror.apply(told([(0, "текст")], 1, version=7) | {"session": "d-1;0:3,1:2"})
    ok = await app.answer("GET", PATH, "d-1;0:3,1:2")
    assert ok[0] == 200
    assert (b"x-chorus-session", b"d-1;0:3,1:2") in ok[2]
    assert (await app.answer("GET", PATH, "d-1;0:1"))[0] == 200  # saw less: covered
    # seen more than the view holds: the next view brings it while the read waits
    waiting = asyncio.ensure_future(app.answer("GET", PATH, "d-1;0:4,1:2"))
    await asyncio.sleep(0.05)
    assert not waiting.done()
    app.mirror.apply(told([(0, "текст и ещё")], 1, version=8) | {"session": "d-1;0:4,1:2"})
    status, body, _ = await waiting
    assert status == 200
    assert orjson.loads(body)["version"] == 8
    # nothing brings it: 503 after SESSION_WAIT_S, so that nginx asks another reader
    started = time.monotonic()
    status, body, _ = await app.answer("GET", PATH, "d-1;2:9")
    assert status == 503
    assert orjson.loads(body)["error"] == "session_unavailable"
    assert time.monotonic() - started >= SESSION_WAIT_S
    status, body, _ = await app.answer("GET", PATH, "не токен")
    assert status == 422
    assert orjson.loads(body)["field"] == "X-Chorus-Session"


# -- a real reader process ------------------------------------------------------------------
@pytest.fixture
async def node(database_url: str) -> AsyncIterator[tuple[FastAPI, int]]:
    await reset_node_database(database_url)
    port = free_port()
    application = create_app(
        node_settings(database_url, analytics_url=UNREACHABLE, reader_port=port)
    )
    async with application.router.lifespan_context(application):
        yield application, port


async def test_the_reader_process_answers_what_its_node_answers(
    node: tuple[FastAPI, int],
) -> None:
    app, port = node
    transport = httpx.ASGITransport(app=app)
    client = httpx.AsyncClient(transport=transport, base_url="http://node.test")
    await init(client)
    edit = {"agent_id": "agent-1", "proposed_text": " Дальше.", "position": "end", "tokens_used": 3}
    response = await client.post("/api/edits", json=edit, headers=agent(1))
    assert response.status_code == 201, response.text
    version = response.json()["version"]
    reader = f"http://127.0.0.1:{port}/api/document/current"
    async with httpx.AsyncClient(timeout=5) as http:

        async def caught_up() -> httpx.Response | None:
            answer = await http.get(reader)
            return (
                answer
                if answer.status_code == 200 and answer.json()["version"] == version
                else None
            )

        answer = await until(caught_up)
        own = await client.get("/api/document/current")
        assert answer.content == own.content
        assert answer.headers["x-chorus-session"] == own.headers["x-chorus-session"]
        # killed on its own, the node starts it again
        process = app.state.feed.process
        process.kill()
        await process.wait()
        await until(caught_up, limit_s=10 * HEARTBEAT_S + 5)
        assert app.state.feed.process is not process
    await client.aclose()


async def test_the_reader_ends_with_its_node(database_url: str) -> None:
    await reset_node_database(database_url)
    port = free_port()
    application = create_app(node_settings(database_url, reader_port=port))
    async with application.router.lifespan_context(application):
        process = application.state.feed.process
        async with httpx.AsyncClient(timeout=5) as http:
            health = f"http://127.0.0.1:{port}/health"
            await until(lambda: answered(http, health, 200))
    assert process.returncode is not None


async def test_a_killed_nodes_reader_goes_and_a_frozen_nodes_says_so(
    pg_cluster: PostgresCluster, pg_root: Path
) -> None:
    ports, readers = [free_port() for _ in range(3)], [free_port() for _ in range(3)]
    nodes = text_node_processes(
        databases_on(pg_cluster, "reader_life"),
        ports,
        readers,
        logs=pg_root / "logs",
        service_token=SERVICE_TOKEN,
        agent_tokens=AGENT_TOKENS,
        prefix="reader-life",
        TEXT_NODE_CATCH_UP_TIMEOUT_S="3",
    )
    start_all(nodes)
    url = f"http://127.0.0.1:{readers[0]}/api/document/current"
    try:
        async with httpx.AsyncClient(timeout=5) as http:
            init_ = {"topic": "Тема", "initial_text": "Начало."}
            response = await http.post(
                f"http://127.0.0.1:{ports[0]}/api/document/init", json=init_, headers=OPERATOR
            )
            assert response.status_code == 201, response.text
            await until(lambda: answered(http, url, 200))
            # frozen: within STALE_AFTER_S and a heartbeat, 503, so nginx asks another node
            pid = nodes[0].pid
            assert pid is not None
            signal_pid(pid, signal.SIGSTOP)
            frozen = time.monotonic()
            await until(lambda: answered(http, url, 503), limit_s=STALE_AFTER_S + 2)
            assert time.monotonic() - frozen >= STALE_AFTER_S - HEARTBEAT_S
            signal_pid(pid, signal.SIGCONT)
            await until(lambda: answered(http, url, 200))
            # killed: its reader ends with it, and the port is free for the next one
            nodes[0].kill()

            async def refused() -> bool:
                try:
                    await http.get(url)
                except httpx.ConnectError:
                    return True
                return False

            await until(refused, limit_s=5)
            nodes[0].start()
            await until(lambda: answered(http, url, 200))
    finally:
        for node in nodes:
            node.stop()
