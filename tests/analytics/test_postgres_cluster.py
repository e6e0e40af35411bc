"""PostgresCluster against a real PostgreSQL: initdb, start/stop, restart, pid, databases."""

import os
import signal
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from launcher.postgres_cluster import PostgresCluster, PostgresClusterError, find_bin_dir

from ..conftest import new_cluster


@pytest.fixture(scope="module")
def cluster(pg_root: Path) -> Iterator[PostgresCluster]:
    """A cluster of this module's own (the tests stop and kill it); stopped at the end."""
    own = new_cluster(pg_root, "cluster-tests")
    yield own
    if own.pid() is not None:
        os.kill(own.pid() or 0, signal.SIGCONT)
    own.stop("immediate")


def _wait_until(condition: object, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not callable(condition) or not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


def test_find_bin_dir_is_the_newest_postgresql() -> None:
    bin_dir = find_bin_dir()
    assert (bin_dir / "pg_ctl").is_file()
    versions = [int(p.name) for p in Path("/usr/lib/postgresql").iterdir() if p.name.isdigit()]
    if versions:
        assert bin_dir == Path(f"/usr/lib/postgresql/{max(versions)}/bin")


def test_initdb_runs_once(cluster: PostgresCluster) -> None:
    assert not cluster.is_initialised()
    assert not cluster.is_running()
    assert cluster.pid() is None

    assert cluster.initialise() is True
    assert cluster.initialise() is False

    assert cluster.is_initialised()
    conf = (cluster.data_dir / "postgresql.conf").read_text()
    assert conf.count("include_if_exists = 'chorus.conf'") == 1
    hba = (cluster.data_dir / "pg_hba.conf").read_text()
    assert "127.0.0.1/32  trust" in hba
    assert "0.0.0.0" not in hba
    assert "::" not in hba


def test_start_configures_the_server(cluster: PostgresCluster) -> None:
    cluster.start()
    cluster.start()  # already running: no-op

    assert cluster.is_running()
    settings = cluster.run_sql(
        "SELECT string_agg(setting, '|' ORDER BY name) FROM pg_settings WHERE name IN "
        "('fsync', 'listen_addresses', 'port', 'server_encoding', 'unix_socket_directories')"
    )
    assert settings.split("|") == [
        "on",
        "127.0.0.1",
        str(cluster.port),
        "UTF8",
        str(cluster.data_dir),
    ]
    assert (cluster.data_dir / f".s.PGSQL.{cluster.port}").exists()


def test_pid_is_the_postmaster(cluster: PostgresCluster) -> None:
    pid = cluster.pid()
    assert pid is not None

    cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
    assert Path(cmdline[0].decode()).name == "postgres"
    assert str(cluster.data_dir).encode() in cmdline
    children = [
        int(entry.name)
        for entry in Path("/proc").iterdir()
        if entry.name.isdigit() and _parent_of(int(entry.name)) == pid
    ]
    assert children, "a postmaster has auxiliary processes (checkpointer, walwriter, ...)"


def _parent_of(pid: int) -> int | None:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return int(stat.rsplit(")", 1)[1].split()[1])


def test_databases_are_created_once_and_dropped(cluster: PostgresCluster) -> None:
    assert cluster.create_database("Odd name's db") is True
    assert cluster.create_database("Odd name's db") is False
    cluster.run_sql("CREATE TABLE kept (word text)", database="Odd name's db")
    cluster.run_sql("INSERT INTO kept VALUES ('ёлочки «»')", database="Odd name's db")

    assert cluster.dsn("Odd name's db") == (
        f"postgresql+asyncpg://postgres@127.0.0.1:{cluster.port}/Odd%20name%27s%20db"
    )
    assert cluster.create_database("scratch") is True
    cluster.drop_database("scratch")
    cluster.drop_database("scratch")
    names = cluster.run_sql("SELECT datname FROM pg_database ORDER BY datname").splitlines()
    assert "Odd name's db" in names
    assert "scratch" not in names


def test_stop_and_start_keep_the_data(cluster: PostgresCluster) -> None:
    old_pid = cluster.pid()
    cluster.stop()

    assert not cluster.is_running()
    assert cluster.pid() is None
    cluster.stop()  # not running: no-op

    cluster.restart()
    assert cluster.is_running()
    assert cluster.pid() not in (None, old_pid)
    assert cluster.run_sql("SELECT word FROM kept", database="Odd name's db") == "ёлочки «»"


def test_killed_postmaster_reads_as_stopped_and_starts_again(cluster: PostgresCluster) -> None:
    pid = cluster.pid()
    assert pid is not None

    os.kill(pid, signal.SIGKILL)
    _wait_until(lambda: cluster.pid() is None)
    assert not cluster.is_running()

    cluster.start()  # crash recovery from the stale postmaster.pid and WAL
    assert cluster.run_sql("SELECT word FROM kept", database="Odd name's db") == "ёлочки «»"


def test_frozen_postmaster_still_counts_as_running(cluster: PostgresCluster) -> None:
    pid = cluster.pid()
    assert pid is not None
    os.kill(pid, signal.SIGSTOP)
    try:
        assert cluster.is_running()
        assert cluster.pid() == pid
    finally:
        os.kill(pid, signal.SIGCONT)


def test_start_failure_reports_the_log(cluster: PostgresCluster) -> None:
    cluster.stop("immediate")
    squatter = PostgresCluster(cluster.data_dir, cluster.port, start_timeout_s=20)
    with PostgresCluster(cluster.data_dir.parent / "squat", cluster.port) as other:
        assert other.is_running()
        with pytest.raises(PostgresClusterError, match="pg_ctl start") as error:
            squatter.start()
    assert "server log tail" in str(error.value)
    assert "could not" in str(error.value).lower()
    assert not squatter.is_running()


def test_context_manager_starts_and_stops(cluster: PostgresCluster) -> None:
    with cluster as running:
        assert running is cluster
        assert cluster.is_running()
    assert not cluster.is_running()


def test_misuse_is_refused(cluster: PostgresCluster, pg_root: Path) -> None:
    with pytest.raises(ValueError, match="port"):
        PostgresCluster(pg_root / "x", 0)
    with pytest.raises(ValueError, match="mode"):
        cluster.stop("sideways")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="database name"):
        cluster.create_database("")
    with pytest.raises(ValueError, match="database name"):
        cluster.drop_database("x" * 64)
    with pytest.raises(PostgresClusterError, match="not running"):
        cluster.run_sql("SELECT 1")
    expected = f"PostgresCluster(data_dir={str(cluster.data_dir)!r}, port={cluster.port})"
    assert repr(cluster) == expected
    assert cluster.log_path.parent == cluster.data_dir


def test_non_empty_directory_is_refused(pg_root: Path) -> None:
    stray = pg_root / "not-a-cluster"
    stray.mkdir()
    (stray / "notes.txt").write_text("mine")

    with pytest.raises(PostgresClusterError, match="neither empty nor a PostgreSQL"):
        PostgresCluster(stray, 5999).initialise()


@pytest.mark.skipif(os.geteuid() != 0, reason="only root must hand the directory over")
def test_as_root_an_unreachable_directory_is_explained(pg_root: Path) -> None:
    hidden = pg_root / "private"
    hidden.mkdir(mode=0o700)

    with pytest.raises(PostgresClusterError, match="cannot write"):
        PostgresCluster(hidden / "data", 5999).initialise()
