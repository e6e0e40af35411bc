"""Every Dockerfile, read offline: pinned bases, a non-root user, a healthcheck, sources that
exist, and the first-party packages its service imports (no Docker engine runs here)."""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from launcher import nginx

from .support import DOCKER_DIR, REPO, Dockerfile, import_closure

PYTHON_SERVICES = {
    # Dockerfile → the module its CMD runs (the launcher runs the same `python -m` modules).
    "text-node": "text_node",
    "chat": "chat",
    "analytics": "analytics",
    "supervisor": "agents.supervisor",
    "simulator": "agents.simulator",
}
ALL = sorted(path.stem for path in DOCKER_DIR.glob("*.Dockerfile"))
PINNED = re.compile(r"^[a-z0-9./-]+:\d+\.\d+\.\d+[a-z0-9.-]*(@sha256:[0-9a-f]{64})?$")


def read(name: str) -> Dockerfile:
    return Dockerfile.read(DOCKER_DIR / f"{name}.Dockerfile")


def test_one_dockerfile_per_service() -> None:
    assert set(ALL) == {*PYTHON_SERVICES, "load-balancer", "dashboard"}


@pytest.mark.parametrize("name", ALL)
def test_base_images_are_pinned_to_a_full_version(name: str) -> None:
    dockerfile = read(name)
    stage_names = {stage.name for stage in dockerfile.stages}
    for stage in dockerfile.stages:
        if stage.base in stage_names:
            continue  # built on an earlier stage of the same file
        assert PINNED.match(stage.base), f"{name}: FROM {stage.base} is not pinned (x.y.z)"


@pytest.mark.parametrize("name", ALL)
def test_runs_as_a_non_root_user_with_a_healthcheck(name: str) -> None:
    final = read(name).final
    users = final.all("USER")
    assert users, f"{name}: the final stage sets no USER (it would run as root)"
    assert users[-1] not in ("root", "0", "0:0"), f"{name}: USER {users[-1]}"
    assert final.all("HEALTHCHECK"), f"{name}: no HEALTHCHECK"
    assert final.all("CMD"), f"{name}: no CMD"


@pytest.mark.parametrize("name", ALL)
def test_copied_sources_exist_and_are_not_docker_ignored(name: str) -> None:
    ignored = (REPO / ".dockerignore").read_text().split()
    for stage in read(name).stages:
        for args in stage.all("COPY"):
            words = [w for w in args.split() if not w.startswith("--")]
            if any(w.startswith("--from=") for w in args.split()):
                continue
            for source in words[:-1]:
                if (
                    source.startswith("frontend/")
                    and not (REPO / "frontend/package-lock.json").exists()
                ):
                    pytest.skip("the dashboard (frontend/package-lock.json) is not committed yet")
                assert (REPO / source).exists(), f"{name}: COPY {source}: no such path"
                top = source.rstrip("/")
                assert top not in ignored, f"{name}: COPY {source} is excluded by .dockerignore"


@pytest.mark.parametrize(("name", "module"), PYTHON_SERVICES.items())
def test_python_image_runs_the_launchers_module_and_holds_what_it_imports(
    name: str, module: str
) -> None:
    dockerfile = read(name)
    assert dockerfile.exec_form("CMD") == ["python", "-m", module]
    copied = {
        args.split()[0].rstrip("/")
        for args in dockerfile.final.all("COPY")
        if not args.startswith("--from")
    }
    needed = {m.split(".")[0] for m in import_closure(f"{module}.__main__")}
    assert needed <= copied, f"{name}: imports {sorted(needed - copied)} but does not COPY them"


@pytest.mark.parametrize("name", PYTHON_SERVICES)
def test_python_healthcheck_is_valid_python_on_the_services_port(name: str) -> None:
    command = read(name).exec_form("HEALTHCHECK")
    assert command[:2] == ["python", "-c"]
    compile(command[2], f"{name} HEALTHCHECK", "exec")
    env = read(name).final.env()
    port_variables = [key for key in env if key.endswith("_PORT")]
    assert len(port_variables) == 1, env
    assert port_variables[0] in command[2]
    assert env[port_variables[0]] == "8000"


def test_every_python_image_shares_one_dependency_stage() -> None:
    """Identical deps stages build one cached layer for all images, PySide6 left out."""
    stages = {name: read(name).stages[0] for name in [*PYTHON_SERVICES, "load-balancer"]}
    first = next(iter(stages.values()))
    for name, stage in stages.items():
        assert stage.name == "deps", name
        assert (stage.base, stage.instructions) == (first.base, first.instructions), name


def test_dependency_stage_installs_pyproject_without_the_desktop_toolkit(tmp_path: Path) -> None:
    run = read("text-node").stages[0].all("RUN")[0]
    code = re.search(r'python -c "(.*?)" > requirements.txt', run)
    assert code is not None, run
    (tmp_path / "pyproject.toml").write_bytes((REPO / "pyproject.toml").read_bytes())
    result = subprocess.run(
        [sys.executable, "-c", code[1]],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=True,
    )
    requirements = result.stdout.split("\n")
    assert any(r.startswith("fastapi") for r in requirements)
    assert not any(r.lower().startswith("pyside6") for r in requirements)


def test_load_balancer_image_renders_the_compose_config_like_the_launcher(tmp_path: Path) -> None:
    """The build's RUN line, executed here, writes exactly nginx.render('compose')."""
    dockerfile = read("load-balancer")
    render = next(stage for stage in dockerfile.stages if stage.name == "render")
    code = re.search(r'python -c "(.*)"$', render.all("RUN")[-1])
    assert code is not None
    copied = {args.split()[0].rstrip("/") for args in render.all("COPY")}
    assert {m.split(".")[0] for m in import_closure("launcher.nginx")} <= copied
    out = tmp_path / "chorus.conf"
    script = code[1].replace("'/chorus.conf'", repr(str(out)))
    subprocess.run(
        [sys.executable, "-c", script],
        cwd=REPO,
        env={**os.environ, "RATE_LIMIT": "10r/m"},
        check=True,
        timeout=60,
    )
    assert out.read_text() == nginx.render("compose", rate_limit="10r/m")
    assert dockerfile.exec_form("CMD") == ["nginx", "-c", "/etc/nginx/chorus.conf"]
    copy_out = [a for a in dockerfile.final.all("COPY") if a.startswith("--from=render")]
    assert copy_out == ["--from=render /chorus.conf /etc/nginx/chorus.conf"]


def test_dockerignore_keeps_local_state_and_secrets_out_of_the_context() -> None:
    ignored = set((REPO / ".dockerignore").read_text().split())
    assert {".git", ".venv", ".state", ".env", "frontend/node_modules", "**/__pycache__"} <= ignored
