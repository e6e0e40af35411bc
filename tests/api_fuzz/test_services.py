"""Schemathesis against each service's OpenAPI: no 5xx, every error a JSON message.

Each service runs as it does in production (uvicorn, lifespan, real PostgreSQL or Redis),
on test settings; requests carry a valid token so the fuzzing reaches past auth (the
auth paths have their own tests).
"""

from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from pydantic import SecretStr

from agents.simulator import SimulatorSettings
from agents.simulator import create_app as create_simulator_app
from agents.supervisor import SupervisorSettings
from agents.supervisor import create_app as create_supervisor_app
from analytics import AnalyticsSettings
from analytics import create_app as create_analytics_app
from chat import ChatSettings
from chat import create_app as create_chat_app
from launcher import RedisServer, free_port
from launcher.control.app import create_app as create_control_app
from launcher.postgres_cluster import PostgresCluster
from text_node import NodeSettings
from text_node import create_app as create_node_app

from ..conftest import module_database
from .fuzz import fuzz

pytestmark = [
    # schemathesis and hypothesis warn about what they generate (e.g. unsatisfiable
    # negative cases for a parameterless operation); not a defect of the service.
    pytest.mark.filterwarnings("ignore::DeprecationWarning:schemathesis.*"),
    pytest.mark.filterwarnings("ignore::hypothesis.errors.NonInteractiveExampleWarning"),
]

SERVICE_TOKEN = "fuzz-service-token"
OPERATOR_TOKEN = "fuzz-operator-token"
TOKEN_SPEC = f"agent-1:fuzz-agent-1,agent-2:fuzz-agent-2,operator:{OPERATOR_TOKEN}"
UNREACHABLE = "http://127.0.0.1:9"
OPERATOR = {"Authorization": f"Bearer {OPERATOR_TOKEN}"}
SERVICE = {"Authorization": f"Bearer {SERVICE_TOKEN}"}


def _check(sent: int, problems: list[str]) -> None:
    assert sent > 0
    assert not problems, f"{len(problems)} problems in {sent} cases:\n" + "\n".join(problems)


@pytest.fixture(scope="module")
def database_url(pg_cluster: PostgresCluster, request: pytest.FixtureRequest) -> str:
    return module_database(pg_cluster, request, "fuzz_")


def test_text_node(database_url: str) -> None:
    app = create_node_app(
        NodeSettings(
            node=0,
            database_url=database_url,
            peers="",
            service_token=SecretStr(SERVICE_TOKEN),
            agent_tokens=TOKEN_SPEC,
            analytics_url=UNREACHABLE,
            budget_limit=15_000_000,
            catch_up_timeout_s=0,
            ack_timeout_s=0,
        )
    )

    def prepare(base_url: str) -> None:
        response = httpx.post(
            f"{base_url}/api/document/init",
            json={"topic": "Фаззинг", "initial_text": "Привет, мир! Это проверка."},
            headers=OPERATOR,
        )
        assert response.status_code == 201, response.text
        # What the fuzzing first found: PostgreSQL cannot store NUL, which was a 500.
        response = httpx.post(
            f"{base_url}/api/document/init",
            json={"topic": "NUL\u0000", "initial_text": "x"},
            headers=OPERATOR,
        )
        assert response.status_code == 422, response.text
        assert response.json()["error"] == "invalid_text"
        response = httpx.get(f"{base_url}/api/edits", params={"agent_id": "a\u0000"})
        assert response.status_code == 422, response.text

    def headers(case: Any) -> dict[str, str]:
        return SERVICE if case.path.startswith("/api/replication") else OPERATOR

    _check(*fuzz(app, headers, prepare=prepare))


@pytest.fixture(scope="module")
def analytics_url(pg_cluster: PostgresCluster, request: pytest.FixtureRequest) -> str:
    return module_database(pg_cluster, request, "fuzz_analytics_")


def test_analytics(analytics_url: str) -> None:
    app = create_analytics_app(
        AnalyticsSettings(database_url=analytics_url, service_token=SecretStr(SERVICE_TOKEN))
    )
    _check(*fuzz(app, lambda case: SERVICE))


@pytest.fixture(scope="module")
def redis_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with RedisServer(tmp_path_factory.mktemp("fuzz-redis"), free_port()) as server:
        yield server.url


def test_chat(redis_url: str) -> None:
    app = create_chat_app(ChatSettings(redis_url=redis_url, agent_tokens=TOKEN_SPEC))
    _check(*fuzz(app, lambda case: {"Authorization": "Bearer fuzz-agent-1"}))


def test_simulator() -> None:
    app = create_simulator_app(SimulatorSettings(seed=7))
    _check(*fuzz(app, lambda case: {}))


def test_supervisor() -> None:
    settings = SupervisorSettings(
        agent_tokens=TOKEN_SPEC,
        text_service_url=UNREACHABLE,
        chat_service_url=UNREACHABLE,
        openai_base_url=f"{UNREACHABLE}/v1",
        cycle_delay_s=60,
        max_attempts=1,
    )
    app = create_supervisor_app(settings)
    _check(*fuzz(app, lambda case: OPERATOR))


class _FakeNode:
    """A text node process that only pretends: start, stop, kill, freeze, thaw change a flag."""

    def __init__(self) -> None:
        self.running = True

    def pid(self) -> int | None:
        return 4242 if self.running else None

    def state(self) -> str:
        return "running" if self.running else "stopped"

    def launch(self) -> str:
        self.running = True
        return "started"

    def stop(self) -> bool:
        self.running = False
        return True

    def kill(self) -> None:
        self.running = False

    def send(self, signal: object) -> None:
        pass


class _FakeStack:
    def __init__(self) -> None:
        self.nodes = {letter: _FakeNode() for letter in "abc"}

    def node(self, letter: str) -> _FakeNode:
        return self.nodes[letter]


def test_cluster_control() -> None:
    app = create_control_app(_FakeStack(), OPERATOR_TOKEN)  # type: ignore[arg-type]
    _check(*fuzz(app, lambda case: OPERATOR))
