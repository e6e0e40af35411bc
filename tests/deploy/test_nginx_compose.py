"""`nginx -t` on the configuration the load-balancer image carries: nginx.render('compose').

nginx resolves every upstream host when it loads a configuration, and the compose service
names (text-service-a, ...) resolve only inside a compose network. Two checks, neither needing
Docker or a DNS server:
- the exact file, with those names mapped to 127.0.0.1 by a private /etc/hosts: `unshare`
  gives nginx its own mount namespace (as root, or as a user with user namespaces) in which a
  temporary hosts file is bind-mounted over /etc/hosts; skipped where namespaces are refused;
- always: the same render with only the upstream hosts replaced by 127.0.0.1 (through
  `render(upstreams=...)`, the launcher's own override), so every other line is checked
  everywhere; test_compose.py checks that those hosts are the compose services.
"""

import dataclasses
import shutil
import subprocess
from pathlib import Path

import pytest

from launcher import nginx


def upstream_hosts() -> set[str]:
    values = (getattr(nginx.COMPOSE_UPSTREAMS, f.name) for f in dataclasses.fields(nginx.Upstreams))
    return {value.partition(":")[0] for value in values if value is not None}


def nginx_test(conf: Path, prefix: Path, wrapper: list[str] | None = None) -> str:
    """Run `nginx -t` on `conf`; the failure report is the assertion message."""
    argv = [nginx.find_nginx(), "-t", "-q", "-c", str(conf), "-p", str(prefix), "-e", "/dev/stderr"]
    result = subprocess.run(
        [*(wrapper or []), *argv], capture_output=True, text=True, timeout=60, check=False
    )
    assert result.returncode == 0, f"nginx -t rejects the compose config:\n{result.stderr}"
    return result.stderr


def test_compose_config_passes_nginx_t_with_local_upstreams(tmp_path: Path) -> None:
    local = dataclasses.replace(
        nginx.COMPOSE_UPSTREAMS,
        **{
            f.name: "127.0.0.1:" + value.partition(":")[2]
            for f in dataclasses.fields(nginx.Upstreams)
            if (value := getattr(nginx.COMPOSE_UPSTREAMS, f.name)) is not None
        },
    )
    text = nginx.render("compose", upstreams=local)
    exact = nginx.render("compose")
    for host in upstream_hosts():
        exact = exact.replace(f" {host}:", " 127.0.0.1:")
    assert text == exact, "render(upstreams=...) changed more than the upstream hosts"
    conf = tmp_path / "chorus.conf"
    conf.write_text(text)
    nginx_test(conf, tmp_path)


def _namespace_wrapper(tmp_path: Path) -> list[str]:
    """`unshare` + bind mount of a hosts file naming the compose services, or skip."""
    unshare = shutil.which("unshare")
    if unshare is None:
        pytest.skip("unshare (util-linux) is not installed")
    hosts = tmp_path / "hosts"
    hosts.write_text(
        "127.0.0.1 localhost\n" + "".join(f"127.0.0.1 {h}\n" for h in sorted(upstream_hosts()))
    )
    script = 'mount --bind "$0" /etc/hosts && exec "$@"'
    for flags in (["--mount"], ["--mount", "--map-root-user"]):
        wrapper = [unshare, *flags, "sh", "-c", script, str(hosts)]
        probe = subprocess.run(
            [*wrapper, "cat", "/etc/hosts"], capture_output=True, text=True, timeout=30
        )
        if probe.returncode == 0 and "text-service-a" in probe.stdout:
            return wrapper
    pytest.skip(f"no private mount namespace here (unshare: {probe.stderr.strip()})")


def test_the_exact_compose_config_passes_nginx_t(tmp_path: Path) -> None:
    wrapper = _namespace_wrapper(tmp_path)
    conf = tmp_path / "chorus.conf"
    conf.write_text(nginx.render("compose"))
    nginx_test(conf, tmp_path, wrapper)


def test_the_exact_config_fails_where_the_names_do_not_resolve(tmp_path: Path) -> None:
    """The hosts trick is what makes the test above pass (so it proves something)."""
    conf = tmp_path / "chorus.conf"
    conf.write_text(nginx.render("compose"))
    result = subprocess.run(
        [nginx.find_nginx(), "-t", "-q", "-c", str(conf), "-p", str(tmp_path), "-e", "/dev/stderr"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    if result.returncode == 0:
        pytest.skip("this machine resolves the compose service names itself")
    assert "host not found in upstream" in result.stderr


def test_compose_config_has_no_cluster_control_and_listens_on_80() -> None:
    text = nginx.render("compose")
    assert f"listen {nginx.COMPOSE_PORT};" in text
    directives = [line for line in text.splitlines() if not line.lstrip().startswith("#")]
    assert not [line for line in directives if "127.0.0.1" in line], "compose points at loopback"
    assert "только при локальном запуске" in text  # /api/cluster: a JSON 404 under compose
