"""One real PostgreSQL cluster (a data directory and its postmaster), driven by initdb and pg_ctl.

Used for the three Text Service databases, the analytics database, the launcher and the tests.
The cluster listens on 127.0.0.1 only, trusts local connections (it is a private, per-run
database: nothing else can reach the port) and keeps its unix socket inside the data directory, so
several clusters run side by side without touching /var/run/postgresql.

PostgreSQL refuses to run as root. When this process is root, the data directory is handed to the
`postgres` system user and every server-side program (initdb, pg_ctl) runs through
`runuser -u postgres --`; otherwise they run directly as the current user.
"""

from __future__ import annotations

import contextlib
import os
import pwd
import re
import shutil
import subprocess
import time
from collections.abc import Sequence
from pathlib import Path
from types import TracebackType
from typing import Literal
from urllib.parse import quote

StopMode = Literal["smart", "fast", "immediate"]

OS_USER = "postgres"
"""The system user that owns the data directory when this process runs as root."""
SUPERUSER = "postgres"
"""The database superuser created by initdb."""
_LOG_NAME = "postmaster.log"
_CONF_NAME = "chorus.conf"
_INCLUDE_LINE = f"include_if_exists = '{_CONF_NAME}'"
_HBA = (
    "# Written by launcher.postgres_cluster: trust, but only on the unix socket inside\n"
    "# the data directory and on 127.0.0.1 (the server listens nowhere else).\n"
    "local   all   all                 trust\n"
    "host    all   all   127.0.0.1/32  trust\n"
)
_STOP_MODES: tuple[StopMode, ...] = ("smart", "fast", "immediate")


class PostgresClusterError(RuntimeError):
    """initdb, pg_ctl or psql failed; the message carries their output and the server log tail."""


def _version_key(bin_dir: Path) -> tuple[int, ...]:
    return tuple(int(part) for part in re.findall(r"\d+", bin_dir.parent.name))


def find_bin_dir() -> Path:
    """The newest `/usr/lib/postgresql/<version>/bin` (Debian), else the directory of `pg_ctl`."""
    candidates = [
        path.parent for path in Path("/usr/lib/postgresql").glob("*/bin/initdb") if path.is_file()
    ]
    if candidates:
        return max(candidates, key=_version_key)
    pg_ctl = shutil.which("pg_ctl")
    if pg_ctl is not None:
        return Path(pg_ctl).resolve().parent
    raise PostgresClusterError(
        "PostgreSQL server binaries not found: install the 'postgresql' package "
        "(looked in /usr/lib/postgresql/*/bin and on PATH)"
    )


def _running_as_root() -> bool:
    return os.geteuid() == 0


def _sql_literal(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def _process_state(pid: int) -> str | None:
    """The state letter of process `pid` ("R", "S", "T", "Z", ...), or None when it is gone."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return None


def _process_alive(pid: int) -> bool:
    """True for a live process; a zombie (killed, not yet reaped) counts as dead."""
    if not Path("/proc/self/stat").is_file():  # no procfs: ask the kernel
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return False
        except PermissionError:
            return True
        return True
    return _process_state(pid) not in (None, "Z", "X")


class PostgresCluster:
    """A PostgreSQL cluster in `data_dir` listening on 127.0.0.1:`port`.

    `start()` initialises the directory on first use (safe to call again: an initialised
    directory is reused with its data) and waits until the server accepts connections.
    Usable as a context manager: entering starts it, leaving stops it ("fast").
    """

    def __init__(
        self,
        data_dir: Path,
        port: int,
        *,
        bin_dir: Path | None = None,
        start_timeout_s: float = 60.0,
        stop_timeout_s: float = 60.0,
    ) -> None:
        if not 0 < port < 65536:
            raise ValueError(f"port: {port} is not a TCP port")
        self.data_dir = Path(data_dir).absolute()
        self.port = port
        self.bin_dir = bin_dir if bin_dir is not None else find_bin_dir()
        self.start_timeout_s = start_timeout_s
        self.stop_timeout_s = stop_timeout_s

    def __repr__(self) -> str:
        return f"PostgresCluster(data_dir={str(self.data_dir)!r}, port={self.port})"

    @property
    def log_path(self) -> Path:
        """The server log (stderr of the postmaster), inside the data directory."""
        return self.data_dir / _LOG_NAME

    @property
    def socket_dir(self) -> Path:
        """Where the server puts its unix socket: the data directory itself."""
        return self.data_dir

    # -- lifecycle -----------------------------------------------------------------------------

    def is_initialised(self) -> bool:
        """Whether `data_dir` already holds a cluster (initdb has run)."""
        return (self.data_dir / "PG_VERSION").is_file()

    def initialise(self) -> bool:
        """Run initdb unless the directory is initialised already; True if it ran."""
        if self.is_initialised():
            return False
        self.data_dir.mkdir(parents=True, exist_ok=True)
        if any(self.data_dir.iterdir()):
            raise PostgresClusterError(
                f"{self.data_dir} is neither empty nor a PostgreSQL data directory: "
                "point data_dir at a new or empty directory"
            )
        self.data_dir.chmod(0o700)
        self._give_to_postgres(self.data_dir)
        self._check_reachable()
        self._run(
            self._server_command(
                "initdb",
                "--pgdata",
                str(self.data_dir),
                "--username",
                SUPERUSER,
                "--encoding",
                "UTF8",
                "--no-locale",
                "--auth",
                "trust",
            ),
            timeout=max(self.start_timeout_s, 120.0),
            what="initdb",
        )
        self._write_owned(self.data_dir / "pg_hba.conf", _HBA)
        conf = self.data_dir / "postgresql.conf"
        if _INCLUDE_LINE not in conf.read_text():
            with conf.open("a") as handle:
                handle.write(
                    f"\n# Settings of this run (port, addresses, socket)\n{_INCLUDE_LINE}\n"
                )
        return True

    def start(self) -> None:
        """Start the server (initialising the directory first if needed) and wait until ready.

        Does nothing when it is running already. Raises PostgresClusterError with the server
        log tail if it does not come up within `start_timeout_s`.
        """
        self.initialise()
        if self.is_running():
            return
        self._wait_for_dead_postmaster()
        self._write_owned(self.data_dir / _CONF_NAME, self._settings())
        timeout = max(1, round(self.start_timeout_s))
        self._run(
            self._server_command(
                "pg_ctl",
                "start",
                "--pgdata",
                str(self.data_dir),
                "--log",
                str(self.log_path),
                "--wait",
                "--timeout",
                str(timeout),
                "--silent",
            ),
            timeout=timeout + 15,
            what="pg_ctl start",
        )

    def stop(self, mode: StopMode = "fast") -> None:
        """Stop the server (`smart`, `fast` or `immediate`, as pg_ctl); no-op when not running.

        A postmaster frozen with SIGSTOP cannot stop: send it SIGCONT first.
        """
        if mode not in _STOP_MODES:
            raise ValueError(f"mode: expected one of {', '.join(_STOP_MODES)}, got {mode!r}")
        if not self.is_running():
            return
        timeout = max(1, round(self.stop_timeout_s))
        self._run(
            self._server_command(
                "pg_ctl",
                "stop",
                "--pgdata",
                str(self.data_dir),
                "--mode",
                mode,
                "--wait",
                "--timeout",
                str(timeout),
                "--silent",
            ),
            timeout=timeout + 15,
            what="pg_ctl stop",
        )

    def restart(self, mode: StopMode = "fast") -> None:
        """Stop (with `mode`) and start again; the data survives."""
        self.stop(mode)
        self.start()

    def pid(self) -> int | None:
        """The postmaster's process id, or None when no live postmaster owns the directory.

        Read from `postmaster.pid`; a stale file left by a killed server reads as None.
        """
        pid = self._recorded_pid()
        return pid if pid is not None and _process_alive(pid) else None

    def is_running(self) -> bool:
        """Whether a postmaster is alive for this directory (a SIGSTOPped one counts)."""
        return self.pid() is not None

    def __enter__(self) -> PostgresCluster:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()

    # -- databases -----------------------------------------------------------------------------

    def dsn(self, database: str) -> str:
        """URL of `database` as the settings take it (`postgresql+asyncpg://`)."""
        return f"postgresql+asyncpg://{SUPERUSER}@127.0.0.1:{self.port}/{quote(database, safe='')}"

    def create_database(self, name: str) -> bool:
        """Create database `name` unless it exists; True if it was created."""
        self._check_name(name)
        literal = _sql_literal(name)
        exists = self.run_sql(f"SELECT 1 FROM pg_database WHERE datname = {literal}")
        if exists == "1":
            return False
        self.run_sql(f"CREATE DATABASE {self._identifier(name)}")
        return True

    def drop_database(self, name: str) -> None:
        """Drop database `name` if it exists, disconnecting its sessions."""
        self._check_name(name)
        self.run_sql(f"DROP DATABASE IF EXISTS {self._identifier(name)} WITH (FORCE)")

    def run_sql(self, sql: str, *, database: str = "postgres") -> str:
        """Run SQL through psql over TCP as the superuser; the unaligned, tuples-only output."""
        if not self.is_running():
            raise PostgresClusterError(f"{self!r} is not running: start() it first")
        result = self._run(
            [
                str(self.bin_dir / "psql"),
                "--no-psqlrc",
                "--quiet",
                "--tuples-only",
                "--no-align",
                "--set",
                "ON_ERROR_STOP=1",
                "--host",
                "127.0.0.1",
                "--port",
                str(self.port),
                "--username",
                SUPERUSER,
                "--dbname",
                database,
            ],
            timeout=60.0,
            what="psql",
            stdin=sql,
        )
        return result.stdout.strip()

    # -- internals -----------------------------------------------------------------------------

    def _recorded_pid(self) -> int | None:
        try:
            first_line = (self.data_dir / "postmaster.pid").read_text().split("\n", 1)[0]
            pid = int(first_line.strip())
        except (FileNotFoundError, NotADirectoryError, ValueError):
            return None
        return pid if pid > 0 else None

    def _wait_for_dead_postmaster(self) -> None:
        """Wait until a killed postmaster has been reaped by its parent.

        PostgreSQL refuses to start while the pid in `postmaster.pid` exists, and a killed
        postmaster (its parent is PID 1 after pg_ctl exits) stays a zombie until PID 1 reaps it.
        """
        pid = self._recorded_pid()
        if pid is None:
            return
        deadline = time.monotonic() + self.start_timeout_s
        while _process_state(pid) in ("Z", "X"):
            if time.monotonic() >= deadline:
                raise PostgresClusterError(
                    f"the old postmaster (pid {pid}) of {self!r} is dead but not reaped: its "
                    "parent does not reap orphans; run under an init (tini, docker --init)"
                )
            time.sleep(0.05)

    @staticmethod
    def _check_name(name: str) -> None:
        if not name or len(name.encode()) > 63 or "\x00" in name:
            raise ValueError(f"database name: {name!r} must be 1-63 bytes without NUL")

    @staticmethod
    def _identifier(name: str) -> str:
        return '"' + name.replace('"', '""') + '"'

    def _settings(self) -> str:
        return (
            "# Written by launcher.postgres_cluster on every start: edit its arguments instead.\n"
            "listen_addresses = '127.0.0.1'\n"
            f"port = {self.port}\n"
            f"unix_socket_directories = {_sql_literal(str(self.socket_dir))}\n"
            "fsync = on\n"
            "synchronous_commit = on\n"
            "full_page_writes = on\n"
            # the nodes' outboxes churn: look for dead rows every few seconds, not minutes
            "autovacuum_naptime = 5s\n"
        )

    def _server_command(self, program: str, *args: str) -> list[str]:
        command = [str(self.bin_dir / program), *args]
        if _running_as_root():
            return ["runuser", "-u", OS_USER, "--", *command]
        return command

    def _give_to_postgres(self, path: Path) -> None:
        if _running_as_root():
            user = pwd.getpwnam(OS_USER)
            os.chown(path, user.pw_uid, user.pw_gid)

    def _write_owned(self, path: Path, text: str) -> None:
        path.write_text(text)
        path.chmod(0o600)
        self._give_to_postgres(path)

    def _check_reachable(self) -> None:
        if not _running_as_root():
            return
        probe = subprocess.run(
            ["runuser", "-u", OS_USER, "--", "test", "-w", str(self.data_dir)],
            cwd="/",
            capture_output=True,
            check=False,
        )
        if probe.returncode != 0:
            raise PostgresClusterError(
                f"the {OS_USER!r} user cannot write {self.data_dir}: make every parent "
                "directory traversable (chmod o+x) or choose a data_dir under such a directory"
            )

    def _environment(self) -> dict[str, str]:
        env = {key: value for key, value in os.environ.items() if not key.startswith("PG")}
        env.update(LC_ALL="C", LANG="C", PGCONNECT_TIMEOUT="10")
        return env

    def _log_tail(self, lines: int = 30) -> str:
        with contextlib.suppress(OSError):
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        return "(no server log)"

    def _run(
        self,
        command: Sequence[str],
        *,
        timeout: float,
        what: str,
        stdin: str | None = None,
    ) -> subprocess.CompletedProcess[str]:
        try:
            result = subprocess.run(
                list(command),
                input=stdin,
                capture_output=True,
                text=True,
                timeout=timeout,
                cwd="/",
                env=self._environment(),
                check=False,
            )
        except subprocess.TimeoutExpired as exc:
            raise PostgresClusterError(
                f"{what} for {self!r} did not finish within {timeout:.0f} s\n"
                f"--- server log tail ---\n{self._log_tail()}"
            ) from exc
        if result.returncode != 0:
            raise PostgresClusterError(
                f"{what} for {self!r} failed (exit {result.returncode}): "
                f"{(result.stderr or result.stdout).strip()}\n"
                f"--- server log tail ---\n{self._log_tail()}"
            )
        return result
