"""The nginx configuration: rendered for both modes, accepted by `nginx -t`, and served by a
real nginx (no backends behind it: what nginx answers itself)."""

import re
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from launcher import nginx
from launcher.components import NginxComponent
from launcher.config import Ports, RateLimit
from launcher.errors import LauncherError, MissingBinaryError

ROUTES = (
    "location /api/edits ",
    "location /api/document/ ",
    "location /api/chat/ ",
    "location ~ ^/api/analytics/(metrics|timeline)$ ",
    "location /api/analytics/events ",
    "location /api/replication/ ",
    "location /api/agents ",
    "location = /health ",
    "location ~ ^/nodes/(?<node>[abc])/",
)


def local(tmp_path: Path, ports: Ports, rate: str = "10r/m") -> tuple[nginx.NginxPaths, str]:
    paths = nginx.NginxPaths(tmp_path / "nginx")
    return paths, nginx.render("local", ports=ports, paths=paths, rate_limit=rate)


def test_local_render_points_at_loopback_ports(tmp_path: Path) -> None:
    ports = Ports.free()
    paths, text = local(tmp_path, ports)
    assert f"listen 127.0.0.1:{ports.nginx};" in text
    for port in (ports.node_a, ports.node_b, ports.node_c):
        assert f"server 127.0.0.1:{port} max_fails=1 fail_timeout=5s;" in text
    for port in (ports.chat, ports.analytics, ports.supervisor):
        assert f"server 127.0.0.1:{port}" in text
    assert f"pid {paths.pid};" in text
    assert f"access_log {paths.access_log} chorus;" in text
    assert f"{paths.temp}/nginx_proxy" in text
    assert "daemon off;" in text
    assert "{{" not in text


def test_failover_and_rate_limit_settings(tmp_path: Path) -> None:
    _, text = local(tmp_path, Ports())
    assert "proxy_connect_timeout 1s;" in text
    assert "proxy_read_timeout 3s;" in text
    assert "proxy_next_upstream error timeout http_502 http_503 http_504 non_idempotent;" in text
    assert "proxy_next_upstream_tries 3;" in text
    assert "limit_req_zone $http_authorization zone=agent_tokens:10m rate=10r/m;" in text
    # the current text, the rest of the document, edits
    assert text.count("limit_req zone=agent_tokens burst=9 nodelay;") == 3
    assert "limit_req_status 429;" in text
    assert "add_header Retry-After 6 always;" in text
    for route in ROUTES:
        assert route in text, route


def test_user_root_only_when_root(tmp_path: Path) -> None:
    paths = nginx.NginxPaths(tmp_path)
    assert "user root;" in nginx.render("local", paths=paths, as_root=True)
    assert "user root;" not in nginx.render("local", paths=paths, as_root=False)


def test_compose_render_uses_service_names() -> None:
    text = nginx.render("compose", rate_limit="20r/m")
    assert "listen 80;" in text
    for upstream in ("text-service-a:8000", "chat-service:8000", "agent-supervisor:8000"):
        assert f"server {upstream}" in text
    assert "access_log /dev/stdout chorus;" in text
    assert "user root;" not in text
    assert "rate=20r/m;" in text
    assert "burst=19 nodelay" in text
    assert "Retry-After 3 always" in text


def test_both_modes_pass_nginx_t(tmp_path: Path) -> None:
    paths, text = local(tmp_path, Ports.free())
    nginx.write(paths, text)
    nginx.check(paths)
    # Compose names only resolve inside compose: check the same text with loopback hosts,
    # and its /tmp files moved into tmp_path.
    loopback = nginx.Upstreams.local(Ports())
    compose = nginx.render("compose", upstreams=loopback).replace("/tmp", str(tmp_path))
    compose_paths = nginx.NginxPaths(tmp_path / "compose")
    nginx.write(compose_paths, compose)
    nginx.check(compose_paths)


def test_nginx_t_failure_is_reported(tmp_path: Path) -> None:
    paths, text = local(tmp_path, Ports())
    nginx.write(paths, text.replace("worker_connections 1024;", "worker_connections;"))
    with pytest.raises(LauncherError, match="nginx rejects"):
        nginx.check(paths)


def test_a_missing_program_names_its_package() -> None:
    error = MissingBinaryError("nginx", "nginx")
    assert "apt-get install nginx" in str(error)
    assert isinstance(error, LauncherError)


def test_write_reports_changes(tmp_path: Path) -> None:
    paths, text = local(tmp_path, Ports())
    assert nginx.write(paths, text)
    assert not nginx.write(paths, text)
    assert nginx.write(paths, text + "\n")


def test_template_placeholders_must_all_be_filled(tmp_path: Path) -> None:
    with pytest.raises(LauncherError, match="no value for"):
        nginx.fill("a {{ MISSING }}", {})
    with pytest.raises(LauncherError, match="never used: EXTRA"):
        nginx.fill("a", {"EXTRA": "1"})
    assert nginx.fill("x {{ A }} {{A}}", {"A": "1"}) == "x 1 1"
    with pytest.raises(ValueError, match="needs paths"):
        nginx.render("local")
    with pytest.raises(ValueError, match="mode"):
        nginx.render("swarm", paths=nginx.NginxPaths(tmp_path))  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("rate", "burst", "retry_after"),
    [("10r/m", 9, 6), ("6000r/m", 5999, 1), ("7r/m", 6, 9), ("100r/s", 99, 1), ("1r/s", 0, 1)],
)
def test_rate_limit_parameters(rate: str, burst: int, retry_after: int) -> None:
    limit = RateLimit.parse(rate)
    assert (limit.burst, limit.retry_after_s) == (burst, retry_after)


@pytest.mark.parametrize("rate", ["", "10", "10r/h", "0r/m", "ten r/m", "10 r/m"])
def test_bad_rates_name_the_variable(rate: str) -> None:
    with pytest.raises(LauncherError, match="CHORUS_RATE_LIMIT"):
        RateLimit.parse(rate)


@pytest.fixture
def balancer(tmp_path: Path) -> Iterator[NginxComponent]:
    """A real nginx at 10r/m with nothing behind it (every upstream port is free)."""
    ports = Ports.free()
    paths, text = local(tmp_path, ports)
    component = NginxComponent(
        "nginx", "nginx", ports.nginx, paths=paths, config=text, pid_path=tmp_path / "nginx.pid"
    )
    assert component.launch() == "started"
    try:
        component.wait_ready(10)
        yield component
    finally:
        component.stop()
    assert component.pid() is None


def test_rate_limit_burst_of_30_gives_10_then_429(balancer: NginxComponent) -> None:
    with httpx.Client(base_url=f"http://127.0.0.1:{balancer.port}", timeout=5) as client:
        token = {"Authorization": "Bearer agent-token-one"}
        answers = [client.get("/api/document/current", headers=token) for _ in range(30)]
        codes = [a.status_code for a in answers]
        assert codes.count(429) == 20, codes
        assert codes[:10] == [502] * 10  # let through (nothing behind it: 502 JSON)
        limited = answers[-1]
        assert limited.headers["Retry-After"] == "6"
        assert limited.json()["error"] == "rate_limited"
        assert limited.json()["limit"] == "rate"
        # The same bucket covers edits; another token and no token are not affected.
        assert client.post("/api/edits", json={}, headers=token).status_code == 429
        other = {"Authorization": "Bearer agent-token-two"}
        assert client.get("/api/document/current", headers=other).status_code == 502
        assert all(client.get("/api/document/current").status_code == 502 for _ in range(15))
        bad_gateway = client.get("/api/document/current")
        assert bad_gateway.json()["error"] == "bad_gateway"


def test_internal_routes_are_refused(balancer: NginxComponent) -> None:
    with httpx.Client(base_url=f"http://127.0.0.1:{balancer.port}", timeout=5) as client:
        for method, path in [
            ("POST", "/api/replication/sync"),
            ("GET", "/api/replication/catch-up?since_version=0"),
            ("POST", "/api/replication/batch"),
            ("POST", "/api/analytics/events"),
            ("POST", "/api//replication/sync"),
        ]:
            answer = client.request(method, path)
            assert answer.status_code == 403, path
            assert answer.json()["error"] == "forbidden"
        assert client.get("/health").json() == {"status": "ok", "service": "load-balancer"}
        missing = client.get("/nodes/a/api/replication/catch-up")
        assert missing.status_code == 404
        assert missing.json()["error"] == "not_found"
        assert client.post("/nodes/b/api/document/init").status_code == 405
        for method, path, status in [
            ("GET", "/no/such/route", 404),  # every error nginx itself makes is JSON
            ("TRACE", "/api/edits", 405),
            ("POST", "/api/edits", 413),
        ]:
            body = b"x" * (2 << 20) if status == 413 else None
            answer = client.request(method, path, content=body)
            assert answer.status_code == status, path
            assert answer.headers["content-type"] == "application/json", path
            assert re.search("[а-я]", answer.json()["message"]), answer.text
        assert client.get("/nodes/c/health").json()["error"] == "bad_gateway"
        assert client.get("/api/agents").status_code == 502


def test_changed_configuration_is_reloaded(balancer: NginxComponent, tmp_path: Path) -> None:
    assert balancer.launch() == "already running"
    pid = balancer.pid()
    balancer.config = re.sub(r"rate=10r/m", "rate=600r/m", balancer.config)
    balancer.config = balancer.config.replace("burst=9 ", "burst=599 ")
    assert balancer.launch() == "configuration reloaded"
    assert balancer.pid() == pid
    token = {"Authorization": "Bearer agent-token-three"}
    url = f"http://127.0.0.1:{balancer.port}/api/edits"
    codes: list[int] = []
    for _ in range(50):  # the old workers finish shortly and close their connections
        codes = [httpx.get(url, headers=token, timeout=5).status_code for _ in range(30)]
        if 429 not in codes:
            break
    assert 429 not in codes
