"""Ports and rates from the environment, with errors that name the variable."""

import pytest

from launcher.config import Ports, RateLimit, env_name, rate_limit_from_env
from launcher.errors import LauncherError


def test_defaults_are_the_documented_ports() -> None:
    ports = Ports.from_env({})
    assert (ports.nginx, ports.node_a, ports.node_b, ports.node_c) == (8080, 8101, 8102, 8103)
    assert (ports.chat, ports.analytics, ports.supervisor) == (8201, 8301, 8401)
    assert ports.postgres("a") == 55431
    assert ports.postgres("analytics") == 55434
    assert ports.redis == 56379
    assert ports.node("b") == 8102


def test_environment_overrides_one_port() -> None:
    ports = Ports.from_env({"CHORUS_NGINX_PORT": "9090", "CHORUS_NODE_C_PORT": " 9103 "})
    assert (ports.nginx, ports.node_c, ports.node_a) == (9090, 9103, 8101)
    assert env_name("postgres_analytics") == "CHORUS_POSTGRES_ANALYTICS_PORT"


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"CHORUS_CHAT_PORT": "chat"}, "CHORUS_CHAT_PORT: expected a port number"),
        ({"CHORUS_REDIS_PORT": "70000"}, "CHORUS_REDIS_PORT: 70000 is not a TCP port"),
        ({"CHORUS_CHAT_PORT": "8101"}, "CHORUS_CHAT_PORT and CHORUS_NODE_A_PORT are both 8101"),
    ],
)
def test_bad_ports_are_explained(env: dict[str, str], message: str) -> None:
    with pytest.raises(LauncherError, match=message):
        Ports.from_env(env)


def test_free_ports_are_distinct_and_round_trip() -> None:
    ports = Ports.free()
    assert len(set(ports.to_json().values())) == len(ports.to_json())
    assert Ports.from_json({**ports.to_json(), "unknown": 1}) == ports


def test_rate_limit_precedence() -> None:
    assert rate_limit_from_env({}) == RateLimit.parse("10r/m")
    assert rate_limit_from_env({"CHORUS_RATE_LIMIT": "600r/m"}).count == 600
    assert rate_limit_from_env({"CHORUS_RATE_LIMIT": "600r/m"}, "5r/s").rate == "5r/s"
    assert RateLimit.parse(" 20r/m ").period_s == 60
