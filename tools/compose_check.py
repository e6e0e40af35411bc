"""The spec's CI scenario on a real Docker engine: `./chorus test compose`.

Builds every image of docker-compose.yml (on stand-in bases from Debian's packages when Docker
Hub is out of reach: deploy/offline-images.sh), starts the whole system under its own compose
project, waits for health, then, through the balancer: initialises a document, runs 3 agents on
the simulator with a budget of 500 000 tokens until the document moves past version 1 and the
chat has messages; `docker kill`s text node b and keeps writing through the balancer (every
write must be answered); starts b again and checks that the three nodes hold byte-identical
text and that analytics counts exactly the edits the nodes hold. `docker-compose down -v` at
the end, whatever happened. Prints build time and size per image, health times, the scenario's
figures, and one verdict line per check; exits non-zero if any check failed.

    ./chorus test compose [--keep]     # --keep: leave the stack running for a look
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import json
import os
import shutil
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx

from launcher import free_port

REPO = Path(__file__).resolve().parents[1]
WORKDIR = REPO / ".state" / "compose-check"
"""Its env file (fresh secrets each run), kept so that a `--keep` stack can be taken down."""
PROJECT = "chorus-check"
BUDGET = 500_000
AGENTS = 3
OUTAGE_WRITES = 30
TOPIC = "История искусственного интеллекта"
# One service per image (text-service-b and -c share text-service-a's), in build order.
IMAGES = {
    "text-service-a": "text-node",
    "analytics-service": "analytics",
    "chat-service": "chat",
    "llm-simulator": "llm-simulator",
    "agent-supervisor": "agents",
    "load-balancer": "load-balancer",
    "dashboard": "dashboard",
}
VICTIM = "text-service-b"
NODES = ("a", "b", "c")
"""Read one by one through the balancer's `/nodes/{name}/…` (no failover)."""


class CheckFailed(Exception):
    """A check of the scenario did not hold; the message says which and with what numbers."""


def say(line: str) -> None:
    print(f"compose: {line}", flush=True)


def run(*argv: str, env: dict[str, str] | None = None, timeout: float = 1800) -> str:
    """Run a command; its stdout. A failure raises with the command's own error output."""
    result = subprocess.run(
        argv, capture_output=True, text=True, timeout=timeout, env=env, check=False, cwd=REPO
    )
    if result.returncode != 0:
        tail = (result.stderr or result.stdout).strip().splitlines()[-15:]
        raise CheckFailed(f"{' '.join(argv[:4])} …: exit {result.returncode}\n" + "\n".join(tail))
    return result.stdout


def wait(what: str, condition: Callable[[], bool], timeout_s: float) -> float:
    """Poll `condition` every second; seconds it took. Raises after `timeout_s`."""
    started = time.monotonic()
    while not condition():
        if time.monotonic() - started > timeout_s:
            raise CheckFailed(f"{what}: not within {timeout_s:g} s")
        time.sleep(1.0)
    return time.monotonic() - started


def base_images(env: dict[str, str]) -> dict[str, str]:
    """The CHORUS_*_IMAGE settings: the official images where Docker Hub answers a pull,
    else stand-ins built from Debian's packages."""
    if env.get("CHORUS_PYTHON_IMAGE"):
        return {}  # the user chose the bases
    pulled = subprocess.run(
        ["docker", "pull", "--quiet", "python:3.11.11-slim-bookworm"],
        capture_output=True,
        timeout=600,
        check=False,
    )
    if pulled.returncode == 0:
        say("Docker Hub answers: official base images")
        return {}
    say("Docker Hub is out of reach: stand-in bases from Debian's packages")
    started = time.monotonic()
    printed = run("deploy/offline-images.sh", timeout=1800)
    say(f"stand-in bases ready in {time.monotonic() - started:.0f} s")
    settings = {}
    for line in printed.splitlines():
        key, _, value = line.removeprefix("export ").partition("=")
        settings[key] = value
    return settings


def build_ca_certs() -> str:
    """The CA certificates this host added to Debian's (a TLS proxy's), for the builds'
    downloads; empty where there are none."""
    local = sorted(Path("/usr/local/share/ca-certificates").glob("**/*.crt"))
    return "\n".join(path.read_text().strip() for path in local)


class Stack:
    """One compose project of docker-compose.yml with its own env file and ports."""

    def __init__(self, workdir: Path, env: dict[str, str]) -> None:
        workdir.mkdir(parents=True, exist_ok=True)
        self.env_file = workdir / ".env"
        self.env_file.unlink(missing_ok=True)
        self.nginx_port = free_port()
        self.dashboard_port = free_port()
        run(
            "deploy/make-env.sh",
            str(self.env_file),
            f"CHORUS_BUDGET_LIMIT={BUDGET}",
            f"CHORUS_NGINX_PORT={self.nginx_port}",
            f"CHORUS_DASHBOARD_PORT={self.dashboard_port}",
            "CHORUS_IMAGE_TAG=check",
        )
        self.values = dict(
            line.split("=", 1) for line in self.env_file.read_text().splitlines() if "=" in line
        )
        self.env = env
        self.url = f"http://127.0.0.1:{self.nginx_port}"

    def compose(self, *args: str, timeout: float = 1800) -> str:
        return run(
            "docker-compose",
            "-p",
            PROJECT,
            "--env-file",
            str(self.env_file),
            "-f",
            "docker-compose.yml",
            *args,
            env=self.env,
            timeout=timeout,
        )

    def container(self, service: str) -> str:
        return self.compose("ps", "-q", service).strip()

    def health(self) -> dict[str, str]:
        """Service → health ("healthy", "starting", …; the state where none is defined)."""
        ids = self.compose("ps", "-q").split()
        if not ids:
            return {}
        template = (
            '{{index .Config.Labels "com.docker.compose.service"}} '
            "{{if .State.Health}}{{.State.Health.Status}}{{else}}{{.State.Status}}{{end}}"
        )
        lines = run("docker", "inspect", "--format", template, *ids).splitlines()
        return dict(line.split(" ", 1) for line in lines)

    def all_healthy(self) -> bool:
        return set(self.health().values()) == {"healthy"}

    def token(self, agent: str) -> str:
        pairs = dict(pair.split(":", 1) for pair in self.values["CHORUS_AGENT_TOKENS"].split(","))
        return pairs[agent]


def build(stack: Stack) -> None:
    """Build every image, timed; a line per image with its size."""
    for service, image in IMAGES.items():
        started = time.monotonic()
        stack.compose("build", service)
        seconds = time.monotonic() - started
        size = run("docker", "image", "inspect", "--format", "{{.Size}}", f"chorus/{image}:check")
        say(f"chorus/{image}: built in {seconds:.0f} s, {int(size) / 1e6:.0f} MB")


def check_images_carry_no_secrets() -> None:
    """No image's history or files hold the build's CA certificates; no compiler."""
    for image in IMAGES.values():
        tag = f"chorus/{image}:check"
        history = run("docker", "history", "--no-trunc", "--format", "{{.CreatedBy}}", tag)
        if "BEGIN CERTIFICATE" in history or "BUILD_CA_CERTS=-----" in history:
            raise CheckFailed(f"{tag}: its history carries the build's CA certificates")
        tools = subprocess.run(
            ["docker", "run", "--rm", "--entrypoint", "sh", tag, "-c", "command -v gcc cc make"],
            capture_output=True,
            text=True,
            check=False,
        )
        if tools.stdout.strip():
            raise CheckFailed(f"{tag}: carries build tools: {tools.stdout.split()}")
    say("ok: no image carries the build's CA certificates or a compiler")


def up_and_healthy(stack: Stack, timeout_s: float = 300) -> None:
    """`up -d`, then wait until every service is healthy; print how long each took from its
    container's start to the daemon's `health_status: healthy` event, as the events stream
    them (the daemon keeps only the last 256, and health checks fill them in seconds)."""
    started = time.monotonic()
    events = subprocess.Popen(
        [
            "docker", "events", "--format", "{{json .}}",
            "--filter", f"label=com.docker.compose.project={PROJECT}",
            "--filter", "event=start", "--filter", "event=health_status",
        ],
        stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        stack.compose("up", "-d", "--no-build")
        wait("every service healthy", stack.all_healthy, timeout_s)
    finally:
        time.sleep(0.5)  # the last events on their way
        events.terminate()
        streamed, _ = events.communicate(timeout=10)
    say(f"ok: every service healthy {time.monotonic() - started:.0f} s after up")
    since: dict[str, float] = {}
    for line in streamed.splitlines():
        event = json.loads(line)
        service = event["Actor"]["Attributes"]["com.docker.compose.service"]
        moment = event["timeNano"] / 1e9
        if event["Action"] == "start":
            since[service] = moment
        elif event["Action"] == "health_status: healthy" and service in since:
            say(f"healthy: {service} {moment - since.pop(service):.1f} s after its start")


def get(client: httpx.Client, path: str) -> Any:
    response = client.get(path)
    response.raise_for_status()
    return response.json()


def scenario(stack: Stack) -> None:
    operator = {"Authorization": f"Bearer {stack.values['CHORUS_OPERATOR_TOKEN']}"}
    with httpx.Client(base_url=stack.url, timeout=30.0) as client:
        init = client.post(
            "/api/document/init",
            json={"topic": TOPIC, "initial_text": "Искусственный интеллект — область информатики."},
            headers=operator,
        )
        init.raise_for_status()
        started = client.post("/api/agents/start", json={"count": AGENTS}, headers=operator)
        started.raise_for_status()
        say(f"document initialised; {AGENTS} agents started, budget {BUDGET} tokens")
        took = wait(
            "the agents move the document past version 1",
            lambda: get(client, "/api/document/current")["version"] > 1,
            240,
        )
        say(f"ok: version {get(client, '/api/document/current')['version']} after {took:.0f} s")
        took = wait("chat messages", lambda: len(get(client, "/api/chat/messages")) > 0, 120)
        say(f"ok: {len(get(client, '/api/chat/messages'))} chat messages after {took:.0f} s")

        failover(stack, client)

        client.post("/api/agents/stop", headers=operator).raise_for_status()
        converge(client)


def failover(stack: Stack, client: httpx.Client) -> None:
    """Kill node b, write through the balancer while it is down, start it again."""
    victim = stack.container(VICTIM)
    run("docker", "kill", victim)
    say(f"docker kill {VICTIM}")
    failed, latencies = [], []
    for i in range(OUTAGE_WRITES):
        agent = f"agent-{11 + i}"
        body = {
            "agent_id": agent,
            "proposed_text": f" Запись {i} при отказе узла.",
            "position": "end",
            "tokens_used": 100,
            "edit_id": str(uuid.uuid4()),
        }
        sent = time.monotonic()
        try:
            response = client.post(
                "/api/edits", json=body, headers={"Authorization": f"Bearer {stack.token(agent)}"}
            )
            if response.status_code != 201 or response.json()["status"] != "accepted":
                failed.append(f"{agent}: {response.status_code} {response.text[:120]}")
        except httpx.HTTPError as error:
            failed.append(f"{agent}: {error!r}")
        latencies.append((time.monotonic() - sent) * 1000)
    latencies.sort()
    say(
        f"{OUTAGE_WRITES} writes through the balancer with {VICTIM} down: "
        f"{OUTAGE_WRITES - len(failed)} accepted, {len(failed)} failed; "
        f"p50 {latencies[len(latencies) // 2]:.0f} ms, max {latencies[-1]:.0f} ms"
    )
    if failed:
        raise CheckFailed("writes failed after failover: " + "; ".join(failed[:5]))
    run("docker", "start", victim)
    took = wait(f"{VICTIM} healthy again", lambda: stack.health().get(VICTIM) == "healthy", 180)
    say(f"ok: {VICTIM} started again, healthy after {took:.0f} s")


def converge(client: httpx.Client) -> None:
    """Byte-identical text on the three nodes, outboxes drained, analytics = the nodes."""
    texts: dict[str, str] = {}

    def identical() -> bool:
        for name in NODES:
            texts[name] = get(client, f"/nodes/{name}/api/document/current")["text"]
        return len(set(texts.values())) == 1

    took = wait("the three nodes hold byte-identical text", identical, 120)
    digests = {n: hashlib.sha256(t.encode()).hexdigest()[:12] for n, t in texts.items()}
    say(
        f"ok: identical text on a, b, c {took:.0f} s after the agents stopped "
        f"({len(texts['a'])} characters; sha256 {digests})"
    )

    def drained() -> bool:
        outboxes = [get(client, f"/nodes/{name}/api/node")["outbox"] for name in NODES]
        return all(sum(outbox.values()) == 0 for outbox in outboxes)

    wait("every outbox drained", drained, 120)
    held = int(get(client, "/nodes/a/api/document/current")["version"]) - 1  # 1: the init
    counted: list[int] = []

    def analytics_agrees() -> bool:
        counted[:] = [int(get(client, "/api/analytics/metrics?period=1h")["total_edits"])]
        return counted[0] == held

    try:
        wait("analytics counts the edits the nodes hold", analytics_agrees, 60)
    except CheckFailed as failure:
        raise CheckFailed(f"{failure}: nodes hold {held}, analytics {counted[0]}") from None
    say(f"ok: the nodes hold {held} accepted edits, analytics total_edits {counted[0]}")


@contextlib.contextmanager
def compose_project(stack: Stack, keep: bool) -> Iterator[None]:
    try:
        yield
    finally:
        if keep:
            say(
                f"left running: {stack.url}; stop it with docker-compose -p {PROJECT} "
                f"--env-file {stack.env_file} down -v"
            )
        else:
            stack.compose("down", "-v", "--remove-orphans", timeout=300)
            say("docker-compose down -v")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--keep", action="store_true", help="leave the stack running")
    args = parser.parse_args(argv)
    if shutil.which("docker-compose") is None or shutil.which("docker") is None:
        say("docker and docker-compose are needed (./chorus test compose installs them)")
        return 2
    env = {**os.environ, "DOCKER_BUILDKIT": "0", "CHORUS_BUILD_CA_CERTS": build_ca_certs()}
    total = time.monotonic()
    try:
        env.update(base_images(env))
        stack = Stack(WORKDIR, env)
        build(stack)
        check_images_carry_no_secrets()
        with compose_project(stack, args.keep):
            up_and_healthy(stack)
            scenario(stack)
    except (CheckFailed, httpx.HTTPError, subprocess.TimeoutExpired) as failure:
        say(f"FAILED: {failure}")
        return 1
    say(f"PASSED in {time.monotonic() - total:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
