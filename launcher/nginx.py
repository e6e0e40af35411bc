"""The load balancer's configuration: `nginx/chorus.conf.template` rendered for local or compose.

`render("local", ...)` points nginx at 127.0.0.1 ports and keeps its pid, logs and temporary
files in the state directory; `render("compose", ...)` points it at the compose service names
and logs to stdout/stderr. `check()` runs `nginx -t` on a rendered file.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from .config import DEFAULT_RATE_LIMIT, Ports, RateLimit
from .errors import LauncherError, MissingBinaryError

Mode = Literal["local", "compose"]

TEMPLATE = Path(__file__).resolve().parent.parent / "nginx" / "chorus.conf.template"
_PLACEHOLDER = re.compile(r"\{\{\s*([A-Z_]+)\s*\}\}")
COMPOSE_PORT = 80
"""Where nginx listens inside its container."""
COMPOSE_READER_PORT = 8001
"""Where a node's reader process listens inside the node's container (the node: 8000)."""


@dataclass(frozen=True)
class Upstreams:
    """`host:port` of every service behind the balancer."""

    node_a: str
    node_b: str
    node_c: str
    reader_a: str
    reader_b: str
    reader_c: str
    """Each node's reader process (`text_node.reader`): reads of the current text."""
    chat: str
    analytics: str
    supervisor: str
    control: str | None
    """Cluster control: only where the launcher runs the processes (local mode)."""

    @classmethod
    def local(cls, ports: Ports) -> Upstreams:
        return cls(
            node_a=f"127.0.0.1:{ports.node_a}",
            node_b=f"127.0.0.1:{ports.node_b}",
            node_c=f"127.0.0.1:{ports.node_c}",
            reader_a=f"127.0.0.1:{ports.reader_a}",
            reader_b=f"127.0.0.1:{ports.reader_b}",
            reader_c=f"127.0.0.1:{ports.reader_c}",
            chat=f"127.0.0.1:{ports.chat}",
            analytics=f"127.0.0.1:{ports.analytics}",
            supervisor=f"127.0.0.1:{ports.supervisor}",
            control=f"127.0.0.1:{ports.control}",
        )


COMPOSE_UPSTREAMS = Upstreams(
    node_a="text-service-a:8000",
    node_b="text-service-b:8000",
    node_c="text-service-c:8000",
    reader_a=f"text-service-a:{COMPOSE_READER_PORT}",
    reader_b=f"text-service-b:{COMPOSE_READER_PORT}",
    reader_c=f"text-service-c:{COMPOSE_READER_PORT}",
    chat="chat-service:8000",
    analytics="analytics-service:8000",
    supervisor="agent-supervisor:8000",
    control=None,
)
"""The compose service names (the spec's `text-service-a:8000` style)."""


@dataclass(frozen=True)
class NginxPaths:
    """Where a local nginx keeps its files: all inside one directory of the state dir."""

    root: Path

    @property
    def conf(self) -> Path:
        return self.root / "chorus.conf"

    @property
    def pid(self) -> Path:
        return self.root / "nginx.pid"

    @property
    def error_log(self) -> Path:
        return self.root / "error.log"

    @property
    def access_log(self) -> Path:
        return self.root / "access.log"

    @property
    def temp(self) -> Path:
        return self.root / "temp"

    def prepare(self) -> None:
        """Create the directory and its temp folder (nginx creates only the last level)."""
        self.temp.mkdir(parents=True, exist_ok=True)


def render(
    mode: Mode = "local",
    *,
    ports: Ports | None = None,
    paths: NginxPaths | None = None,
    rate_limit: str | RateLimit = DEFAULT_RATE_LIMIT,
    upstreams: Upstreams | None = None,
    as_root: bool | None = None,
    template: Path = TEMPLATE,
) -> str:
    """The nginx configuration for `mode`.

    local: listens on 127.0.0.1:`ports.nginx`, upstreams on 127.0.0.1, files under `paths`;
    `user root;` only when `as_root` (default: whether this process is root), so the workers
    can use the temp folder in the state directory. compose: listens on port 80, upstreams
    are the compose service names, logs go to stdout/stderr. `upstreams` overrides the hosts.
    """
    rate = rate_limit if isinstance(rate_limit, RateLimit) else RateLimit.parse(rate_limit)
    if mode == "local":
        if paths is None:
            raise ValueError("render('local') needs paths: the state directory's nginx folder")
        ports = ports or Ports()
        root = os.geteuid() == 0 if as_root is None else as_root
        values = {
            "USER": "user root;" if root else "# user: the one that runs nginx (not root)",
            "PID_FILE": str(paths.pid),
            "ERROR_LOG": str(paths.error_log),
            "ACCESS_LOG": str(paths.access_log),
            "TEMP_DIR": str(paths.temp),
            "LISTEN": f"127.0.0.1:{ports.nginx}",
        }
        hosts = upstreams or Upstreams.local(ports)
    elif mode == "compose":
        values = {
            "USER": "# user: nginx's default for a root master",
            "PID_FILE": "/tmp/nginx.pid",
            "ERROR_LOG": "/dev/stderr",
            "ACCESS_LOG": "/dev/stdout",
            "TEMP_DIR": "/tmp",
            "LISTEN": str(COMPOSE_PORT),
        }
        hosts = upstreams or COMPOSE_UPSTREAMS
    else:
        raise ValueError(f"mode: expected 'local' or 'compose', got {mode!r}")
    values.update(
        NODE_A=hosts.node_a,
        NODE_B=hosts.node_b,
        NODE_C=hosts.node_c,
        READER_A=hosts.reader_a,
        READER_B=hosts.reader_b,
        READER_C=hosts.reader_c,
        CHAT=hosts.chat,
        ANALYTICS=hosts.analytics,
        SUPERVISOR=hosts.supervisor,
        CLUSTER_CONTROL=_cluster_control(hosts.control),
        RATE=rate.rate,
        BURST=str(rate.burst),
        RETRY_AFTER=str(rate.retry_after_s),
    )
    return fill(template.read_text(), values)


def _cluster_control(host: str | None) -> str:
    """The body of `location /api/cluster`: proxied in local mode, a JSON 404 elsewhere."""
    if host is None:
        return (
            'return 404 \'{"error":"not_found","message":"управление узлами есть '
            "только при локальном запуске (./chorus up)\"}';"
        )
    return f"proxy_pass http://{host};"


def fill(text: str, values: dict[str, str]) -> str:
    """Replace every `{{ NAME }}`; a name without a value, or a value never used, is an error."""
    used: set[str] = set()

    def replace(match: re.Match[str]) -> str:
        name = match[1]
        if name not in values:
            raise LauncherError(f"nginx template: no value for {{{{ {name} }}}}")
        used.add(name)
        return values[name]

    rendered = _PLACEHOLDER.sub(replace, text)
    unused = sorted(set(values) - used)
    if unused:
        raise LauncherError(f"nginx template: values never used: {', '.join(unused)}")
    return rendered


def find_nginx() -> str:
    """The nginx executable (Debian puts it in /usr/sbin, which may be off PATH)."""
    found = shutil.which("nginx") or shutil.which("nginx", path="/usr/sbin:/usr/local/sbin")
    if found is None:
        raise MissingBinaryError("nginx", "nginx")
    return found


def command(paths: NginxPaths, *args: str) -> list[str]:
    """`nginx` with our config, prefix and start-up error log (before the config is read)."""
    return [
        find_nginx(),
        "-c",
        str(paths.conf),
        "-p",
        str(paths.root),
        "-e",
        str(paths.error_log),
        *args,
    ]


def check(paths: NginxPaths) -> str:
    """Run `nginx -t` on `paths.conf`; its report, or a LauncherError with it."""
    try:
        result = subprocess.run(
            command(paths, "-t", "-q"), capture_output=True, text=True, timeout=30, check=False
        )
    except subprocess.TimeoutExpired as exc:
        raise LauncherError(f"nginx -t on {paths.conf} did not finish in 30 s") from exc
    if result.returncode != 0:
        raise LauncherError(
            f"nginx rejects {paths.conf} (exit {result.returncode}):\n{result.stderr.strip()}"
        )
    return result.stderr.strip()


def write(paths: NginxPaths, text: str) -> bool:
    """Write the config unless it is unchanged; True when the file changed."""
    paths.prepare()
    if paths.conf.is_file() and paths.conf.read_text() == text:
        return False
    temporary = paths.conf.with_suffix(".tmp")
    temporary.write_text(text)
    temporary.replace(paths.conf)
    return True
