"""What the deployment tests share: the repository's files, the resolved compose file, a
Dockerfile reader, and the first-party import closure of a module (what an image must hold).

Nothing here needs a Docker engine or a network: compose is resolved by `docker-compose
config`, Dockerfiles are read as text, imports are read with `ast`.
"""

from __future__ import annotations

import ast
import functools
import json
import re
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import yaml

REPO = Path(__file__).resolve().parents[2]
COMPOSE_FILE = REPO / "docker-compose.yml"
ENV_EXAMPLE = REPO / ".env.example"
DOCKER_DIR = REPO / "deploy" / "docker"
K8S_DIR = REPO / "deploy" / "k8s"
FIRST_PARTY = ("crdt_core", "service_kit", "text_node", "chat", "analytics", "agents", "launcher")


def docker_compose() -> str:
    """The `docker-compose` executable (Debian's package; ./chorus installs it)."""
    found = shutil.which("docker-compose") or shutil.which("docker-compose", path="/usr/bin")
    if found is None:
        pytest.fail("docker-compose not found: install the Debian package docker-compose")
    return found


def compose(*args: str, env_file: Path = ENV_EXAMPLE) -> subprocess.CompletedProcess[str]:
    """`docker-compose --env-file ENV_FILE -f docker-compose.yml ARGS` (no engine needed)."""
    argv = [docker_compose(), "--env-file", str(env_file), "-f", str(COMPOSE_FILE), *args]
    return subprocess.run(
        argv, capture_output=True, text=True, timeout=60, check=False, cwd=REPO, env={}
    )


@functools.cache
def resolved_compose(env_file: Path = ENV_EXAMPLE) -> dict[str, Any]:
    """The compose file as docker-compose resolves it: anchors merged, variables filled
    (once per test session: treat the result as read-only)."""
    result = compose("--profile", "agent", "config", env_file=env_file)
    assert result.returncode == 0, result.stderr
    data: dict[str, Any] = yaml.safe_load(result.stdout)
    return data


def env_file_values(path: Path) -> dict[str, str]:
    """KEY=VALUE lines of an env file (comments and blank lines skipped)."""
    values = {}
    for line in path.read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            key, _, value = line.partition("=")
            values[key] = value
    return values


@dataclass
class Instruction:
    keyword: str
    args: str


@dataclass
class Stage:
    base: str
    name: str | None
    instructions: list[Instruction] = field(default_factory=list)

    def all(self, keyword: str) -> list[str]:
        return [i.args for i in self.instructions if i.keyword == keyword]

    def env(self) -> dict[str, str]:
        """ENV of this stage (KEY=VALUE form only, which is all these files use)."""
        values = {}
        for args in self.all("ENV"):
            for pair in args.split():
                key, _, value = pair.partition("=")
                values[key] = value
        return values


@dataclass
class Dockerfile:
    path: Path
    stages: list[Stage]

    @property
    def final(self) -> Stage:
        return self.stages[-1]

    @classmethod
    def read(cls, path: Path) -> Dockerfile:
        """Instructions by stage; continuation lines joined, comments dropped."""
        logical: list[str] = []
        pending = ""
        for raw in path.read_text().splitlines():
            line = raw.strip()
            if not pending and (not line or line.startswith("#")):
                continue
            if line.startswith("#"):
                continue
            if line.endswith("\\"):
                pending += line[:-1] + " "
                continue
            logical.append(pending + line)
            pending = ""
        assert not pending, f"{path}: a continuation line ends the file"
        stages: list[Stage] = []
        defaults: dict[str, str] = {}  # ARGs before the first FROM: what `FROM ${NAME}` gets
        for line in logical:
            keyword, _, args = line.partition(" ")
            keyword = keyword.upper()
            if keyword == "FROM":
                words = args.split()
                name = words[2] if len(words) == 3 and words[1].upper() == "AS" else None
                base = re.sub(r"\$\{(\w+)\}", lambda m: defaults[m[1]], words[0])
                stages.append(Stage(base=base, name=name))
            elif keyword == "ARG" and not stages:
                key, _, value = args.strip().partition("=")
                defaults[key] = value
            else:
                assert stages, f"{path}: {keyword} before the first FROM"
                stages[-1].instructions.append(Instruction(keyword, args.strip()))
        return cls(path, stages)

    def exec_form(self, keyword: str) -> list[str]:
        """The final stage's last CMD/HEALTHCHECK CMD in exec (JSON) form."""
        args = self.final.all(keyword)[-1]
        if keyword == "HEALTHCHECK":
            args = args[args.index("CMD ") + 4 :]
        value = json.loads(args)
        assert isinstance(value, list), f"{self.path}: {keyword} is not in exec form"
        return [str(v) for v in value]


def module_file(module: str) -> Path | None:
    """The source file of a first-party module (package → its __init__.py), or None."""
    base = REPO.joinpath(*module.split("."))
    if base.with_suffix(".py").is_file():
        return base.with_suffix(".py")
    if (base / "__init__.py").is_file():
        return base / "__init__.py"
    return None


def _imported(module: str, path: Path) -> set[str]:
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                parts = package.split(".")
                base = ".".join(parts[: len(parts) - node.level + 1])
                target = f"{base}.{node.module}" if node.module else base
            else:
                target = node.module or ""
            found.add(target)
            found.update(f"{target}.{alias.name}" for alias in node.names)
    return found


def import_closure(entry: str) -> set[str]:
    """Every first-party module that importing `entry` can import, parents included."""
    seen: set[str] = set()
    todo = [entry]
    while todo:
        module = todo.pop()
        if module in seen or module.split(".")[0] not in FIRST_PARTY:
            continue
        path = module_file(module)
        if path is None:
            continue  # `from package import name` where name is not a module
        seen.add(module)
        parts = module.split(".")
        todo.extend(".".join(parts[:i]) for i in range(1, len(parts)))
        todo.extend(_imported(module, path))
    return seen
