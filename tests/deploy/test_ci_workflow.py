""".github/workflows/ci.yml: the spec's four jobs, and the same steps as .ci/run and the
local tooling where they overlap (read offline; GitHub runs it)."""

import http.server
import json
import subprocess
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any, ClassVar

import pytest
import yaml

from .support import DOCKER_DIR, REPO, resolved_compose

WORKFLOW = REPO / ".github" / "workflows" / "ci.yml"


@pytest.fixture(scope="module")
def workflow() -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load(WORKFLOW.read_text())
    return data


def steps(workflow: dict[str, Any], job: str) -> list[dict[str, Any]]:
    result: list[dict[str, Any]] = workflow["jobs"][job]["steps"]
    return result


def runs(workflow: dict[str, Any], job: str) -> str:
    return "\n".join(step.get("run", "") for step in steps(workflow, job))


def test_the_specs_jobs_on_push_and_pull_request_to_main(workflow: dict[str, Any]) -> None:
    assert set(workflow["jobs"]) == {"build", "test-unit", "test-integration", "test-desktop"}
    triggers = workflow[True]  # type: ignore[index]  # YAML 1.1 reads `on` as a boolean
    assert triggers["push"]["branches"] == ["main"]
    assert triggers["pull_request"]["branches"] == ["main"]


def test_build_makes_every_image_compose_runs_with_buildx(workflow: dict[str, Any]) -> None:
    matrix = workflow["jobs"]["build"]["strategy"]["matrix"]["include"]
    assert {entry["dockerfile"] for entry in matrix} == {
        path.stem for path in DOCKER_DIR.glob("*.Dockerfile")
    }
    used = [step.get("uses", "") for step in steps(workflow, "build")]
    assert any(u.startswith("docker/setup-buildx-action@") for u in used)
    assert any(u.startswith("docker/build-push-action@") for u in used)
    services = resolved_compose()["services"]
    by_dockerfile = {
        Path(s["build"]["dockerfile"]).stem: s["image"].split(":")[0]
        for s in services.values()
        if "build" in s
    }
    for entry in matrix:
        assert by_dockerfile[entry["dockerfile"]] == f"chorus/{entry['image']}", entry


def test_unit_job_is_exactly_ci_run(workflow: dict[str, Any]) -> None:
    assert ".ci/run" in runs(workflow, "test-unit")
    assert "./chorus test" in (REPO / ".ci" / "run").read_text()


def test_integration_runs_the_compose_file_with_3_agents_and_the_ci_budget(
    workflow: dict[str, Any],
) -> None:
    script = runs(workflow, "test-integration")
    assert workflow["jobs"]["test-integration"]["needs"] == "build"
    assert "deploy/make-env.sh .env CHORUS_BUDGET_LIMIT=500000 CHORUS_IMAGE_TAG=ci" in script
    assert "docker compose up" in script
    assert "--no-build" in script
    assert "--wait" in script
    assert "deploy/compose-smoke.sh" in script
    smoke = (REPO / "deploy" / "compose-smoke.sh").read_text()
    assert '"count": 3' in smoke


def test_desktop_tests_on_linux_windows_and_macos(workflow: dict[str, Any]) -> None:
    job = workflow["jobs"]["test-desktop"]
    systems = job["strategy"]["matrix"]["os"]
    assert {s.split("-")[0] for s in systems} == {"ubuntu", "windows", "macos"}
    assert job["env"]["QT_QPA_PLATFORM"] == "offscreen"
    assert "pytest tests/desktop" in runs(workflow, "test-desktop")


def test_actions_are_pinned_to_a_major_version(workflow: dict[str, Any]) -> None:
    for name, job in workflow["jobs"].items():
        for step in job["steps"]:
            if "uses" in step:
                action, _, version = step["uses"].partition("@")
                assert version.startswith("v"), f"{name}: {action}"
                assert version[1:].isdigit(), f"{name}: {action}"


class _FakeChorus(http.server.BaseHTTPRequestHandler):
    """Just enough of the balancer for the smoke script: the version grows per read."""

    requests: ClassVar[list[tuple[str, str, str | None]]] = []
    reads: ClassVar[int] = 0

    def _answer(self, body: dict[str, Any]) -> None:
        data = json.dumps(body).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self) -> None:
        type(self).requests.append(("GET", self.path, self.headers.get("Authorization")))
        if self.path == "/api/document/current":
            type(self).reads += 1
            self._answer({"version": type(self).reads, "text": "…", "timestamp": "t"})
        elif self.path.startswith("/api/analytics/metrics"):
            self._answer({"total_edits": 2})
        else:
            self._answer({"status": "ok"})

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length", "0"))
        body = self.rfile.read(length).decode()
        type(self).requests.append(("POST", self.path, self.headers.get("Authorization")))
        self._answer({"document_id": "d1", "status": "initialized", "body": body})

    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture
def fake_chorus() -> Iterator[str]:
    _FakeChorus.requests = []
    _FakeChorus.reads = 0
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _FakeChorus)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def test_smoke_script_walks_the_scenario_with_the_operator_token(
    fake_chorus: str, tmp_path: Path
) -> None:
    env_file = tmp_path / "test.env"
    env_file.write_text("CHORUS_OPERATOR_TOKEN=op-secret\n")
    result = subprocess.run(
        [REPO / "deploy" / "compose-smoke.sh", fake_chorus, env_file],
        capture_output=True,
        text=True,
        timeout=60,
        env={"PATH": "/usr/bin:/bin", "SMOKE_TIMEOUT_S": "20"},
    )
    assert result.returncode == 0, result.stdout + result.stderr
    posts = [(path, auth) for method, path, auth in _FakeChorus.requests if method == "POST"]
    assert posts == [
        ("/api/document/init", "Bearer op-secret"),
        ("/api/agents/start", "Bearer op-secret"),
        ("/api/agents/stop", "Bearer op-secret"),
    ]
    assert "version > 1" in result.stdout
    assert "analytics has the edit events" in result.stdout
