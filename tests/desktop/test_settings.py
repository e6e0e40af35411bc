"""Connection settings: QSettings first, then the environment, then a local stack's secrets."""

import json
from pathlib import Path

from PySide6.QtCore import QSettings

from desktop.settings import DEFAULT_URL, ConnectionSettings, SettingsStore, local_operator_token


def store_at(path: Path, env: dict[str, str]) -> SettingsStore:
    return SettingsStore(QSettings(str(path), QSettings.Format.IniFormat), env)


def write_secrets(folder: Path, token: str) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    data = {"service_token": "s", "agent_tokens": {"agent-1": "x", "operator": token}}
    (folder / "secrets.json").write_text(json.dumps(data))


def test_environment_defaults_until_saved(tmp_path: Path) -> None:
    env = {"CHORUS_API_URL": "http://lb:9000", "CHORUS_OPERATOR_TOKEN": "env-token"}
    store = store_at(tmp_path / "a.ini", env)
    assert store.load() == ConnectionSettings("http://lb:9000", "env-token")
    store.save(ConnectionSettings(" http://other:1 ", "saved "))
    assert store_at(tmp_path / "a.ini", env).load() == ConnectionSettings("http://other:1", "saved")


def test_without_environment_the_local_stack_token_is_used(tmp_path: Path) -> None:
    write_secrets(tmp_path / "state", "from-secrets")
    store = store_at(tmp_path / "b.ini", {"CHORUS_STATE_DIR": str(tmp_path / "state")})
    assert store.load() == ConnectionSettings(DEFAULT_URL, "from-secrets")


def test_a_missing_or_damaged_secrets_file_means_no_token(tmp_path: Path) -> None:
    assert local_operator_token({"CHORUS_STATE_DIR": str(tmp_path / "nowhere")}) == ""
    (tmp_path / "secrets.json").write_text("{not json")
    assert local_operator_token({"CHORUS_STATE_DIR": str(tmp_path)}) == ""
    (tmp_path / "secrets.json").write_text(json.dumps({"agent_tokens": ["operator"]}))
    assert local_operator_token({"CHORUS_STATE_DIR": str(tmp_path)}) == ""
