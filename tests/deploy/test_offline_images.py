"""The bases for a host without Docker Hub (deploy/offline-images.sh, deploy/offline/): every
official image the stack uses can be swapped for a stand-in by one setting, the defaults stay
the official images, and the build's CA certificates reach only the stages that download.
Read offline; `./chorus test compose` builds and runs them for real."""

import re
import subprocess
from pathlib import Path

import pytest

from .support import DOCKER_DIR, REPO, Dockerfile, resolved_compose

OFFLINE_DIR = REPO / "deploy" / "offline"
SCRIPT = REPO / "deploy" / "offline-images.sh"


def printed_settings() -> dict[str, str]:
    result = subprocess.run(
        [str(SCRIPT), "--print"], capture_output=True, text=True, check=True, timeout=30
    )
    settings = {}
    for line in result.stdout.splitlines():
        key, _, value = line.removeprefix("export ").partition("=")
        settings[key] = value
    return settings


def official_defaults() -> dict[str, str]:
    """CHORUS_*_IMAGE → its official default, as docker-compose.yml writes it."""
    text = (REPO / "docker-compose.yml").read_text()
    return dict(re.findall(r"\$\{(CHORUS_\w+_IMAGE):-([^}]+)\}", text))


def test_every_stand_in_has_a_setting_and_a_dockerfile() -> None:
    settings = printed_settings()
    assert set(settings) == set(official_defaults())
    for key, image in settings.items():
        name = image.removeprefix("chorus-offline/").split(":")[0]
        assert (OFFLINE_DIR / f"{name}.Dockerfile").is_file(), key


def test_no_official_image_is_used_without_a_setting() -> None:
    """Every image compose runs is ours or an official one behind a CHORUS_*_IMAGE setting."""
    official = set(official_defaults().values())
    for name, service in resolved_compose()["services"].items():
        image = service["image"]
        assert image.startswith("chorus/") or image in official, f"{name}: {image}"


@pytest.mark.parametrize("path", sorted(DOCKER_DIR.glob("*.Dockerfile")), ids=lambda p: p.stem)
def test_dockerfile_bases_default_to_what_compose_defaults_to(path: Path) -> None:
    """A Dockerfile's `ARG X_IMAGE=default` and compose's `${CHORUS_X_IMAGE:-default}` agree,
    so a plain `docker build` and `docker compose build` use the same official base."""
    defaults = official_defaults()
    for key, value in re.findall(r"^ARG (\w+_IMAGE)=(\S+)$", path.read_text(), re.M):
        assert defaults[f"CHORUS_{key}"] == value, path.name


@pytest.mark.parametrize("path", sorted(DOCKER_DIR.glob("*.Dockerfile")), ids=lambda p: p.stem)
def test_build_ca_certificates_stay_in_a_stage_that_does_not_ship(path: Path) -> None:
    dockerfile = Dockerfile.read(path)
    for stage in dockerfile.stages:
        declares = any(a.startswith("BUILD_CA_CERTS") for a in stage.all("ARG"))
        assert declares == (stage.name == "deps"), f"{path.name}: stage {stage.name}"
    deps = next(stage for stage in dockerfile.stages if stage.name == "deps")
    assert "rm -f /tmp/build-ca.pem" in deps.all("RUN")[-1], path.name
    assert dockerfile.final.name != "deps"


def test_compose_passes_the_bases_and_the_certificates_to_every_build() -> None:
    for name, service in resolved_compose()["services"].items():
        if "build" not in service:
            continue
        args = service["build"].get("args", {})
        assert "BUILD_CA_CERTS" in args, name
        assert any(key.endswith("_IMAGE") for key in args), name


@pytest.mark.parametrize("name", ["postgres", "redis"])
def test_entrypoint_scripts_are_valid_sh(name: str) -> None:
    script = OFFLINE_DIR / f"{name}-entrypoint.sh"
    assert script.stat().st_mode & 0o111, f"{script.name} is not executable"
    subprocess.run(["sh", "-n", str(script)], check=True, timeout=10)
