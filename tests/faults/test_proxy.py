"""The fault proxy against a real echo server: pass, delay (in order), refuse, blackhole, heal."""

import asyncio
import socket
import time
from collections.abc import AsyncIterator, Iterator

import pytest

from faults import Delay, Mode, ProxyNet


@pytest.fixture
async def echo_port() -> AsyncIterator[int]:
    async def echo(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while data := await reader.read(65536):
                writer.write(data)
                await writer.drain()
        except ConnectionError:
            pass  # the proxy reset the connection: that is what some tests do
        finally:
            writer.close()

    server = await asyncio.start_server(echo, "127.0.0.1", 0)
    async with server:
        yield server.sockets[0].getsockname()[1]


@pytest.fixture
def net() -> Iterator[ProxyNet]:
    with ProxyNet(seed=1) as proxies:
        yield proxies


async def round_trip(port: int, payload: bytes = b"ping", timeout_s: float = 2.0) -> bytes:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        writer.write(payload)
        await writer.drain()
        return await asyncio.wait_for(reader.readexactly(len(payload)), timeout_s)
    finally:
        writer.close()


async def test_pass_forwards_both_ways(net: ProxyNet, echo_port: int) -> None:
    link = net.add("a>b", echo_port)
    assert await round_trip(link.port, b"\xd0\xbc\xd0\xb8\xd1\x80" * 1000) == "мир".encode() * 1000
    assert link.forwarded_bytes >= 6000
    assert net.modes() == {"a>b": Mode.PASS}
    assert "a>b" in repr(link)


async def test_delay_holds_each_direction_and_keeps_order(net: ProxyNet, echo_port: int) -> None:
    link = net.add("a>c", echo_port)
    net.set_delay("a>c", Delay(25, 10))
    reader, writer = await asyncio.open_connection("127.0.0.1", link.port)
    started = time.monotonic()
    for n in range(50):  # 50 chunks with jitter: they must come back in order
        writer.write(f"{n:03d}".encode())
        await writer.drain()
        await asyncio.sleep(0.001)
    echoed = await asyncio.wait_for(reader.readexactly(150), 5)
    took = time.monotonic() - started
    writer.close()
    assert echoed == b"".join(f"{n:03d}".encode() for n in range(50))
    assert took >= 2 * 0.015  # at least the round trip's two one-way delays, less the jitter


async def test_refuse_resets_and_heal_restores(net: ProxyNet, echo_port: int) -> None:
    link = net.add("lb>a", echo_port)
    reader, writer = await asyncio.open_connection("127.0.0.1", link.port)
    writer.write(b"x")
    assert await reader.readexactly(1) == b"x"
    net.set_mode(["lb>a"], Mode.REFUSE)
    assert await reader.read(10) == b""  # the open connection was cut
    writer.close()
    with pytest.raises((ConnectionError, asyncio.IncompleteReadError)):
        await round_trip(link.port)
    net.heal()
    assert await round_trip(link.port) == b"ping"


async def test_blackhole_swallows_until_healed(net: ProxyNet, echo_port: int) -> None:
    link = net.add("b>c", echo_port)
    held_reader, held_writer = await asyncio.open_connection("127.0.0.1", link.port)
    net.set_mode(["b>c"], Mode.BLACKHOLE)
    held_writer.write(b"lost")
    with pytest.raises(TimeoutError):
        await asyncio.wait_for(held_reader.read(10), 0.3)
    with pytest.raises(TimeoutError):  # a new connection is accepted, then hangs
        await round_trip(link.port, timeout_s=0.3)
    assert link.dropped_bytes >= 4
    net.set_mode(["b>c"], Mode.PASS)
    assert await held_reader.read(10) == b""  # the broken stream is reset on healing
    held_writer.close()
    assert await round_trip(link.port) == b"ping"


async def test_target_down_looks_like_a_reset(net: ProxyNet) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed_port = probe.getsockname()[1]
    link = net.add("c>a", closed_port)
    with pytest.raises((ConnectionError, asyncio.IncompleteReadError)):
        await round_trip(link.port)


def test_names_are_unique_and_the_net_must_run() -> None:
    net = ProxyNet()
    with pytest.raises(RuntimeError, match="not started"):
        net.add("a>b", 9)
    with net:
        net.add("a>b", 9)
        with pytest.raises(ValueError, match="exists already"):
            net.add("a>b", 9)
    assert net.links == {}
