"""A real `redis-server` child process, for the local launcher and the tests.

Persistence follows the spec: AOF on with `appendfsync everysec`; RDB snapshots are off so
the append-only file is the single source of durability. The server runs in the foreground
(no daemonize) so that it is our child and stopping it needs no pid files.
"""

import os
import shutil
import signal
import socket
import subprocess
import time
from collections.abc import Sequence
from pathlib import Path
from types import TracebackType

import redis
from redis.backoff import NoBackoff
from redis.retry import Retry

DEFAULT_EXECUTABLE = "/usr/bin/redis-server"
LOG_NAME = "redis.log"


class RedisServerError(RuntimeError):
    """redis-server could not be found or started."""


def free_port(host: str = "127.0.0.1") -> int:
    """A TCP port that is free right now (the kernel picks it)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        port: int = sock.getsockname()[1]
        return port


def find_executable(executable: str | Path | None = None) -> str:
    """The path of `executable` (default: redis-server on PATH, else /usr/bin/redis-server)."""
    candidate = str(executable) if executable is not None else "redis-server"
    found = shutil.which(candidate)
    if found is None and executable is None and os.access(DEFAULT_EXECUTABLE, os.X_OK):
        found = DEFAULT_EXECUTABLE
    if found is None:
        raise RedisServerError(
            f"{candidate!r} not found: install the Debian package (apt-get install redis-server)"
        )
    return found


class RedisServer:
    """`redis-server` on `host:port` with its data (AOF, log) in `data_dir`.

    Use it as a context manager, or call `start()` and `stop()`. It can be restarted on
    the same `data_dir`, and the data written before a clean stop is there again.
    """

    def __init__(
        self,
        data_dir: Path,
        port: int,
        *,
        host: str = "127.0.0.1",
        executable: str | Path | None = None,
        extra_args: Sequence[str] = (),
        startup_timeout_s: float = 10.0,
        stop_timeout_s: float = 10.0,
    ) -> None:
        self.data_dir = Path(data_dir)
        self.port = port
        self.host = host
        self._executable = executable
        self._extra_args = list(extra_args)
        self._startup_timeout_s = startup_timeout_s
        self._stop_timeout_s = stop_timeout_s
        self._process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        """The `redis://` URL of database 0."""
        return f"redis://{self.host}:{self.port}/0"

    @property
    def log_path(self) -> Path:
        """Where the server's output goes (appended to across restarts)."""
        return self.data_dir / LOG_NAME

    @property
    def running(self) -> bool:
        """True while the child process is alive."""
        return self._process is not None and self._process.poll() is None

    @property
    def pid(self) -> int | None:
        """The server's process id while it runs."""
        if self._process is None or not self.running:
            return None
        return self._process.pid

    def command_line(self) -> list[str]:
        """The argv that `start()` runs."""
        return [
            find_executable(self._executable),
            "--port",
            str(self.port),
            "--bind",
            self.host,
            "--dir",
            str(self.data_dir),
            "--daemonize",
            "no",
            "--appendonly",
            "yes",
            "--appendfsync",
            "everysec",
            "--save",
            "",
            "--logfile",
            "",
            *self._extra_args,
        ]

    def start(self) -> None:
        """Launch the server and return once it answers PING; raise with the log tail if not."""
        if self.running:
            raise RedisServerError(f"redis-server on port {self.port} is already running")
        argv = self.command_line()
        self.data_dir.mkdir(parents=True, exist_ok=True)
        with self.log_path.open("ab") as log:
            self._process = subprocess.Popen(
                argv, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT
            )
        self._wait_until_ready(self._process)

    def stop(self) -> None:
        """Shut the server down cleanly (SIGTERM flushes the AOF); SIGKILL if it hangs."""
        process, self._process = self._process, None
        if process is None or process.poll() is not None:
            return
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=self._stop_timeout_s)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()

    def kill(self) -> None:
        """SIGKILL the server, as a crash would (writes of the last second may be lost)."""
        process, self._process = self._process, None
        if process is None:
            return
        if process.poll() is None:
            process.kill()
        process.wait()

    def log_tail(self, lines: int = 20) -> str:
        """The last lines of the server's log, for error messages."""
        try:
            text = self.log_path.read_text(encoding="utf-8", errors="replace")
        except FileNotFoundError:
            return "(no log written)"
        return "\n".join(text.splitlines()[-lines:])

    def _wait_until_ready(self, process: "subprocess.Popen[bytes]") -> None:
        deadline = time.monotonic() + self._startup_timeout_s
        while True:
            exit_code = process.poll()
            if exit_code is not None:
                self._process = None
                raise RedisServerError(
                    f"redis-server on port {self.port} exited with code {exit_code} "
                    f"during startup; log {self.log_path}:\n{self.log_tail()}"
                )
            if self._answers_ping(process.pid):
                return
            if time.monotonic() >= deadline:
                self.kill()
                raise RedisServerError(
                    f"redis-server on port {self.port} did not answer PING within "
                    f"{self._startup_timeout_s:g} s; log {self.log_path}:\n{self.log_tail()}"
                )
            time.sleep(0.05)

    def _answers_ping(self, pid: int) -> bool:
        """PING succeeds, and the server answering is our child, not another one on the port."""
        client = redis.Redis(
            host=self.host,
            port=self.port,
            socket_connect_timeout=0.5,
            socket_timeout=0.5,
            retry=Retry(NoBackoff(), 0),
        )
        try:
            client.ping()
            server_pid = int(client.info("server")["process_id"])
        except redis.ConnectionError:  # not listening yet, or still loading the AOF
            return False
        finally:
            client.close()
        return server_pid == pid

    def __enter__(self) -> "RedisServer":
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()
