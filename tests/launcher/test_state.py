"""The state directory: secrets generated once, the settings of `up` saved and read back."""

import json
import stat
from pathlib import Path

import pytest

from launcher.config import Ports, RateLimit
from launcher.errors import LauncherError
from launcher.state import REPO_ROOT, Saved, StateDir, agent_ids


def test_location_defaults_to_dot_state_and_follows_the_variable(tmp_path: Path) -> None:
    assert StateDir.from_env({}).root == REPO_ROOT / ".state"
    assert StateDir.from_env({"CHORUS_STATE_DIR": str(tmp_path)}).root == tmp_path
    state = StateDir(tmp_path / "s")
    assert state.pid_file("node-a") == tmp_path / "s" / "run" / "node-a.pid"
    assert state.log("chat") == tmp_path / "s" / "logs" / "chat.log"
    assert state.postgres("analytics") == tmp_path / "s" / "postgres" / "analytics"
    assert "StateDir(" in repr(state)


def test_prepare_keeps_postgres_paths_traversable(tmp_path: Path) -> None:
    state = StateDir(tmp_path / "s")
    state.prepare()
    for directory in (state.root, state.root / "postgres"):
        assert stat.S_IMODE(directory.stat().st_mode) == 0o755
    assert all(d.is_dir() for d in (state.logs, state.run, state.nginx, state.redis))


def test_secrets_are_generated_once(tmp_path: Path) -> None:
    state = StateDir(tmp_path / "s")
    first = state.secrets()
    assert stat.S_IMODE(state.secrets_path.stat().st_mode) == 0o600
    assert list(first.agent_tokens) == agent_ids()
    assert len(first.agent_tokens) == 51
    assert "operator" in first.agent_tokens
    assert len(set(first.agent_tokens.values())) == 51
    assert state.secrets() == first
    spec = first.agent_tokens_spec()
    assert spec.startswith(f"agent-1:{first.agent_tokens['agent-1']},")
    assert first.bearer("agent-7") == {"Authorization": f"Bearer {first.agent_tokens['agent-7']}"}


def test_damaged_secrets_say_what_to_do(tmp_path: Path) -> None:
    state = StateDir(tmp_path)
    state.prepare()
    state.secrets_path.write_text(json.dumps({"service_token": "x"}))
    with pytest.raises(LauncherError, match="delete it"):
        state.secrets()


def test_saved_settings_round_trip(tmp_path: Path) -> None:
    state = StateDir(tmp_path)
    assert state.load() is None
    saved = Saved(Ports.free(), RateLimit.parse("60r/m"))
    state.save(saved)
    assert state.load() == saved
    state.saved_path.write_text("{}")
    with pytest.raises(LauncherError, match="damaged"):
        state.load()
