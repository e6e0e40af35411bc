"""RedisServer: a real redis-server child with AOF, restartable on its data directory."""

import stat
from pathlib import Path

import pytest
import redis

from launcher import RedisServer, RedisServerError, free_port
from launcher.redis_server import find_executable


def connect(server: RedisServer) -> redis.Redis:
    return redis.Redis.from_url(server.url, decode_responses=True)


def test_start_ping_stop(tmp_path: Path) -> None:
    server = RedisServer(tmp_path / "data", free_port())

    with server:
        assert server.running
        assert server.pid is not None
        with connect(server) as client:
            assert client.ping() is True
            assert client.config_get("appendonly") == {"appendonly": "yes"}
            assert client.config_get("appendfsync") == {"appendfsync": "everysec"}
            assert client.config_get("dir") == {"dir": str(tmp_path / "data")}

    assert not server.running
    assert server.pid is None
    assert "Ready to accept connections" in server.log_tail()


def test_restart_keeps_data_thanks_to_aof(tmp_path: Path) -> None:
    server = RedisServer(tmp_path, free_port())
    with server, connect(server) as client:
        client.set("ключ", "значение 🚀")
        client.xadd("chat:messages", {"message": "привет"})

    assert (tmp_path / "appendonlydir").is_dir()
    with server, connect(server) as client:
        assert client.get("ключ") == "значение 🚀"
        assert client.xlen("chat:messages") == 1


def test_data_survives_a_kill(tmp_path: Path) -> None:
    server = RedisServer(tmp_path, free_port())
    server.start()
    try:
        with connect(server) as client:
            client.set("k", "v")
        server.kill()
        assert not server.running
        server.start()
        with connect(server) as client:
            assert client.get("k") == "v"
    finally:
        server.stop()


def test_starting_twice_is_refused(tmp_path: Path) -> None:
    with (
        RedisServer(tmp_path, free_port()) as server,
        pytest.raises(RedisServerError, match="already running"),
    ):
        server.start()


def test_a_taken_port_fails_with_the_log_tail(tmp_path: Path, redis_server: RedisServer) -> None:
    second = RedisServer(tmp_path, redis_server.port)

    with pytest.raises(RedisServerError, match="exited with code") as caught:
        second.start()

    assert "already in use" in str(caught.value).lower()
    assert not second.running


def test_a_bad_option_fails_with_the_log_tail(tmp_path: Path) -> None:
    server = RedisServer(tmp_path, free_port(), extra_args=["--no-such-directive", "1"])

    with pytest.raises(RedisServerError, match="no-such-directive"):
        server.start()


def test_a_server_that_never_answers_times_out(tmp_path: Path) -> None:
    silent = tmp_path / "silent-redis"
    silent.write_text("#!/bin/sh\nexec sleep 30\n")
    silent.chmod(silent.stat().st_mode | stat.S_IEXEC)
    server = RedisServer(tmp_path, free_port(), executable=silent, startup_timeout_s=0.3)

    with pytest.raises(RedisServerError, match=r"did not answer PING within 0\.3 s"):
        server.start()

    assert not server.running


def test_a_missing_executable_says_what_to_install(tmp_path: Path) -> None:
    with pytest.raises(RedisServerError, match="apt-get install redis-server"):
        find_executable(tmp_path / "no-redis-here")


def test_stopping_what_never_started_is_harmless(tmp_path: Path) -> None:
    server = RedisServer(tmp_path, free_port())

    server.stop()
    server.kill()

    assert server.log_tail() == "(no log written)"
    assert server.url == f"redis://127.0.0.1:{server.port}/0"
