"""docker-compose.yml: valid (`docker-compose config -q`), secrets from .env, health-gated
start order, and the same topology as the local launcher (launcher/stack.py): services,
environment variable names, ports, upstreams. No Docker engine is needed for any of it."""

import dataclasses
import re
import subprocess
from pathlib import Path
from typing import Any

import pytest
from pydantic_settings import BaseSettings

from agents.settings import AgentSettings
from agents.simulator.settings import SimulatorSettings
from agents.supervisor.settings import SupervisorSettings
from analytics.settings import AnalyticsSettings
from chat.settings import ChatSettings
from launcher import nginx
from launcher.components import Component, NginxComponent, PostgresComponent, ProcessComponent
from launcher.config import Ports, RateLimit
from launcher.redis_server import RedisServer
from launcher.stack import StackConfig, components
from launcher.state import Secrets, StateDir
from text_node.settings import NodeSettings

from .support import (
    DOCKER_DIR,
    ENV_EXAMPLE,
    REPO,
    Dockerfile,
    compose,
    env_file_values,
    resolved_compose,
)

LAUNCHER_TO_COMPOSE = {
    "postgres-a": "postgres-a",
    "postgres-b": "postgres-b",
    "postgres-c": "postgres-c",
    "postgres-analytics": "postgres-analytics",
    "redis": "redis",
    "analytics": "analytics-service",
    "node-a": "text-service-a",
    "node-b": "text-service-b",
    "node-c": "text-service-c",
    "chat": "chat-service",
    "nginx": "load-balancer",
    "simulator": "llm-simulator",
    "supervisor": "agent-supervisor",
    "dashboard": "dashboard",
}
"""Each local component and the compose service that plays its part."""
LOCAL_ONLY = {
    "control": "cluster control stops and starts the launcher's own processes; under compose "
    "that is `docker compose stop|start text-service-b` (the balancer answers 404 there)",
}
"""Local components with no compose service, and why (documented in docs/DEPLOYMENT.md)."""
COMPOSE_ONLY = {
    "agent": "one agent per container (profile `agent`); locally the supervisor runs agents",
}
PENDING_IN_LAUNCHER = {"dashboard"}
"""Compose services whose local component may not be in launcher/stack.py yet."""
SETTINGS: dict[str, tuple[type[BaseSettings], str]] = {
    "analytics-service": (AnalyticsSettings, "ANALYTICS_"),
    "text-service-a": (NodeSettings, "TEXT_NODE_"),
    "text-service-b": (NodeSettings, "TEXT_NODE_"),
    "text-service-c": (NodeSettings, "TEXT_NODE_"),
    "chat-service": (ChatSettings, "CHAT_"),
    "llm-simulator": (SimulatorSettings, "SIMULATOR_"),
    "agent-supervisor": (SupervisorSettings, "SUPERVISOR_"),
    "agent": (AgentSettings, ""),
}
"""Python services: the settings class that reads their environment, and its prefix."""
NODES = {"text-service-a": 0, "text-service-b": 1, "text-service-c": 2}


@pytest.fixture(scope="module")
def services() -> dict[str, Any]:
    data = resolved_compose()
    result: dict[str, Any] = data["services"]
    return result


@pytest.fixture(scope="module")
def local(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Component]:
    """The local launcher's components (nothing started), with every optional setting on."""
    config = StackConfig(
        StateDir(tmp_path_factory.mktemp("state")),
        Ports(),
        RateLimit.parse("10r/m"),
        budget_limit=500_000,
    )
    return {c.name: c for c in components(config, Secrets.generate())}


def environment(service: dict[str, Any]) -> dict[str, str]:
    env = service.get("environment") or {}
    return {str(k): "" if v is None else str(v) for k, v in env.items()}


def image_env(service: dict[str, Any]) -> dict[str, str]:
    build = service.get("build")
    if not build:
        return {}
    return Dockerfile.read(REPO / build["dockerfile"]).final.env()


def test_config_is_valid_with_the_example_env() -> None:
    result = compose("config", "-q")
    assert result.returncode == 0, result.stderr


def test_config_names_the_missing_secret_without_an_env_file(tmp_path: Path) -> None:
    empty = tmp_path / "empty.env"
    empty.write_text("")
    result = compose("config", "-q", env_file=empty)
    assert result.returncode != 0
    assert "set CHORUS_" in result.stderr
    assert "in .env (deploy/make-env.sh writes one)" in result.stderr


def test_make_env_writes_fresh_secrets_that_compose_accepts(tmp_path: Path) -> None:
    target = tmp_path / "generated.env"
    script = REPO / "deploy" / "make-env.sh"
    subprocess.run([script, target, "CHORUS_BUDGET_LIMIT=500000"], check=True, cwd=tmp_path)
    values = env_file_values(target)
    assert set(values) == set(env_file_values(ENV_EXAMPLE))
    assert values["CHORUS_BUDGET_LIMIT"] == "500000"
    assert "change-me" not in "".join(values.values())
    pairs = dict(pair.split(":") for pair in values["CHORUS_AGENT_TOKENS"].split(","))
    assert list(pairs) == [f"agent-{n}" for n in range(1, 51)]
    secrets = [
        *pairs.values(),
        values["CHORUS_OPERATOR_TOKEN"],
        values["CHORUS_SERVICE_TOKEN"],
        values["CHORUS_POSTGRES_PASSWORD"],
    ]
    assert len(set(secrets)) == len(secrets)
    assert all(re.fullmatch(r"[0-9a-f]{48}", s) for s in secrets)
    assert target.stat().st_mode & 0o077 == 0, "the .env holds every token: mode 0600"
    result = compose("config", "-q", env_file=target)
    assert result.returncode == 0, result.stderr
    again = subprocess.run([script, target], capture_output=True, text=True, cwd=tmp_path)
    assert again.returncode != 0
    assert "exists" in again.stderr


def test_example_secrets_are_placeholders_the_services_refuse() -> None:
    values = env_file_values(ENV_EXAMPLE)
    assert values["CHORUS_SERVICE_TOKEN"] == "change-me"
    assert values["CHORUS_OPERATOR_TOKEN"] == "change-me"
    assert values["CHORUS_POSTGRES_PASSWORD"] == "change-me"
    with pytest.raises(ValueError, match="placeholder"):
        NodeSettings.model_validate(
            {
                "node": 0,
                "database_url": "postgresql://chorus@db/chorus",
                "peers": "",
                "service_token": values["CHORUS_SERVICE_TOKEN"],
                "agent_tokens": values["CHORUS_AGENT_TOKENS"],
            }
        )


def test_dependencies_wait_for_health_and_every_target_has_a_healthcheck(
    services: dict[str, Any],
) -> None:
    for name, service in services.items():
        for target, condition in (service.get("depends_on") or {}).items():
            assert condition == {"condition": "service_healthy"}, f"{name} → {target}"
            dependency = services[target]
            check = dependency.get("healthcheck", {"disable": True})
            has_check = not check.get("disable")
            has_image_check = bool(
                dependency.get("build")
                and Dockerfile.read(REPO / dependency["build"]["dockerfile"]).final.all(
                    "HEALTHCHECK"
                )
            )
            assert has_check or has_image_check, f"{target} has no healthcheck"


def test_storage_is_postgres_15_per_node_and_redis_7_with_aof_everysec(
    services: dict[str, Any], local: dict[str, Component]
) -> None:
    for name in ("postgres-a", "postgres-b", "postgres-c", "postgres-analytics"):
        assert services[name]["image"].startswith("postgres:15."), name
        assert services[name]["volumes"], f"{name} keeps no data"
    redis = services["redis"]
    assert redis["image"].startswith("redis:7.")
    command = redis["command"]
    local_redis = RedisServer(Path("/nonexistent"), 1).command_line()
    for option in ("--appendonly", "--appendfsync", "--save"):
        assert command[command.index(option) + 1] == local_redis[local_redis.index(option) + 1]
    assert command[command.index("--appendfsync") + 1] == "everysec"


def test_every_local_component_has_its_compose_service(
    services: dict[str, Any], local: dict[str, Component]
) -> None:
    for name in local:
        if name in LOCAL_ONLY:
            continue
        assert name in LAUNCHER_TO_COMPOSE, (
            f"launcher/stack.py runs {name!r}, which docker-compose.yml lacks: add a service "
            "for it (and to LAUNCHER_TO_COMPOSE), or list it in LOCAL_ONLY with the reason"
        )
        assert LAUNCHER_TO_COMPOSE[name] in services, name
    known = set(LAUNCHER_TO_COMPOSE.values()) | set(COMPOSE_ONLY)
    assert set(services) <= known, f"compose services the launcher does not know: {services}"
    for name, service in LAUNCHER_TO_COMPOSE.items():
        if name not in local:
            assert service in PENDING_IN_LAUNCHER, f"launcher/stack.py has no {name!r}"
    assert set(LOCAL_ONLY) <= set(local), "LOCAL_ONLY names a component the launcher lacks"


def test_every_local_variable_is_set_in_compose(
    services: dict[str, Any], local: dict[str, Component]
) -> None:
    """Each variable the launcher gives a process, compose (or the image) gives the container."""
    for name, component in local.items():
        if name in LOCAL_ONLY or not isinstance(component, ProcessComponent):
            continue
        if isinstance(component, NginxComponent):
            continue  # configured by the rendered file, not by variables
        service = services[LAUNCHER_TO_COMPOSE[name]]
        given = set(environment(service)) | set(image_env(service))
        missing = set(component.daemon.env) - given
        assert not missing, (
            f"{LAUNCHER_TO_COMPOSE[name]} lacks {sorted(missing)} (launcher: {name})"
        )


@pytest.mark.parametrize("name", sorted(SETTINGS))
def test_compose_variables_are_settings_the_service_reads(
    services: dict[str, Any], name: str
) -> None:
    settings, prefix = SETTINGS[name]
    known = {prefix + field.upper() for field in settings.model_fields}
    service = services[name]
    unknown = set(environment(service)) - known
    assert not unknown, f"{name}: {sorted(unknown)} are not {settings.__name__} fields"
    image = {k for k in image_env(service) if k.startswith(prefix) and prefix}
    assert image <= known, f"{name}'s image sets unknown {sorted(image - known)}"


def test_text_nodes_each_use_their_own_database_and_the_other_two_as_peers(
    services: dict[str, Any], local: dict[str, Component]
) -> None:
    by_index = {index: name for name, index in NODES.items()}
    for name, index in NODES.items():
        env = environment(services[name])
        assert env["TEXT_NODE_NODE"] == str(index)
        assert f"@postgres-{'abc'[index]}:5432/" in env["TEXT_NODE_DATABASE_URL"]
        peers = dict(pair.split("=", 1) for pair in env["TEXT_NODE_PEERS"].split(","))
        assert peers == {str(i): f"http://{by_index[i]}:8000" for i in range(3) if i != index}, name
        assert isinstance(local[f"node-{'abc'[index]}"], ProcessComponent)
        node = local[f"node-{'abc'[index]}"]
        assert isinstance(node, ProcessComponent)
        local_peers = node.daemon.env["TEXT_NODE_PEERS"].split(",")
        assert sorted(p.split("=")[0] for p in local_peers) == sorted(peers)


def test_balancer_upstreams_are_the_compose_services_on_their_ports(
    services: dict[str, Any],
) -> None:
    for field in dataclasses.fields(nginx.COMPOSE_UPSTREAMS):
        upstream = getattr(nginx.COMPOSE_UPSTREAMS, field.name)
        if upstream is None:
            continue  # local only (cluster control)
        host, _, port = upstream.partition(":")
        assert host in services, f"nginx upstream {field.name} → {host}: no such service"
        env = environment(services[host]) | image_env(services[host])
        ports = [value for key, value in env.items() if key.endswith("_PORT")]
        # a node listens on two: TEXT_NODE_PORT, and TEXT_NODE_READER_PORT for its reader
        assert port in ports, f"{host} listens on {ports}, nginx expects {port}"
    depends = set(services["load-balancer"]["depends_on"])
    hosts = {
        getattr(nginx.COMPOSE_UPSTREAMS, f.name).partition(":")[0]
        for f in dataclasses.fields(nginx.COMPOSE_UPSTREAMS)
        if getattr(nginx.COMPOSE_UPSTREAMS, f.name) is not None
    }
    assert hosts == depends, "nginx must start after every upstream (names resolve at start)"


def test_published_ports_match_the_launchers_defaults(
    services: dict[str, Any], local: dict[str, Component]
) -> None:
    def published(service: str) -> list[tuple[str, int, int]]:
        """(host address, published port, container port) of docker-compose 1.29's
        `127.0.0.1:8080:80/tcp` short syntax."""
        found = []
        for entry in services[service]["ports"]:
            address, published, target = entry.removesuffix("/tcp").split(":")
            found.append((address, int(published), int(target)))
        return found

    # loopback only unless CHORUS_BIND_ADDRESS says otherwise: nothing reachable from outside
    assert published("load-balancer") == [("127.0.0.1", Ports().nginx, nginx.COMPOSE_PORT)]
    assert published("dashboard") == [("127.0.0.1", 3000, 3000)]  # spec: port 3000
    if "dashboard" in local:
        assert local["dashboard"].port == 3000
    exposed = {name for name, s in services.items() if s.get("ports")}
    assert exposed == {"load-balancer", "dashboard"}, "only the entry points are published"
    for name in ("postgres-a", "postgres-analytics"):
        assert isinstance(local[name], PostgresComponent)


def test_agents_are_scalable(services: dict[str, Any]) -> None:
    """The supervisor runs 1..50 agents; the `agent` service runs one per container."""
    supervisor = environment(services["agent-supervisor"])
    assert supervisor["SUPERVISOR_TEXT_SERVICE_URL"] == "http://load-balancer"
    assert supervisor["SUPERVISOR_OPENAI_BASE_URL"] == "http://llm-simulator:8000/v1"
    tokens = supervisor["SUPERVISOR_AGENT_TOKENS"]
    assert tokens.endswith(",operator:change-me")
    agent = services["agent"]
    assert agent["profiles"] == ["agent"]
    assert agent["image"] == services["agent-supervisor"]["image"]
    assert agent["command"] == ["python", "-m", "agents"]
    assert "container_name" not in agent, "a fixed container name would stop --scale"


def test_every_build_uses_a_dockerfile_of_deploy_docker(services: dict[str, Any]) -> None:
    for name, service in services.items():
        if "build" in service:
            dockerfile = REPO / service["build"]["dockerfile"]
            assert dockerfile.parent == DOCKER_DIR, name
            assert dockerfile.is_file(), name
            assert Path(service["build"]["context"]) == REPO, name
            assert service["image"].startswith("chorus/"), name
