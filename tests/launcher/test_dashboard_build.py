"""The dashboard is built again whenever its sources are newer than its build."""

import os
from pathlib import Path

import pytest

from launcher import stack


@pytest.fixture
def frontend(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    for name in ("app/page.tsx", "ui/cluster/node-card.tsx", "lib/api.ts", "package.json"):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("source")
    monkeypatch.setattr(stack, "FRONTEND", tmp_path)
    return tmp_path


def touch(path: Path, at: float) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.touch()
    os.utime(path, (at, at))


def test_no_build_yet_is_outdated(frontend: Path) -> None:
    assert stack._dashboard_outdated()


def test_a_build_newer_than_every_source_is_kept(frontend: Path) -> None:
    for source in frontend.rglob("*"):
        if source.is_file():
            os.utime(source, (1_000, 1_000))
    touch(frontend / ".next" / "BUILD_ID", 2_000)
    assert not stack._dashboard_outdated()


def test_a_changed_source_makes_the_build_outdated(frontend: Path) -> None:
    for source in frontend.rglob("*"):
        if source.is_file():
            os.utime(source, (1_000, 1_000))
    touch(frontend / ".next" / "BUILD_ID", 2_000)
    touch(frontend / "ui" / "cluster" / "node-card.tsx", 3_000)  # a pulled change
    assert stack._dashboard_outdated()
