"""What `up` does once everything is healthy: a demo document, then the agents.

Both go through nginx with the operator's token, as a user would: the document is initialised
only when none exists (a second `up` keeps the text the agents wrote), and starting agents that
already run is reported, not an error.
"""

from __future__ import annotations

import time
from collections.abc import Callable

import httpx

from .errors import LauncherError

TOPIC = "История искусственного интеллекта"
INITIAL_TEXT = (
    "Искусственный интеллект - область информатики, которая изучает, как научить машины "
    "решать задачи, требующие разума. Термин появился в 1956 году на семинаре в Дартмуте.\n\n"
    "Первые программы играли в шашки и доказывали теоремы. Потом пришли экспертные системы, "
    "а за ними машинное обучение и нейронные сети."
)
TIMEOUT = httpx.Timeout(10.0)
NODES = ("a", "b", "c")


def ensure_document(
    balancer_url: str, operator_token: str, report: Callable[[str], None], wait_s: float = 10.0
) -> bool:
    """Initialise the demo document unless one exists; True when it did. Waits (bounded) until
    every node has the document, so the agents' first edits do not aim at nothing."""
    try:
        return _ensure_document(balancer_url, operator_token, report, wait_s)
    except httpx.HTTPError as exc:
        raise LauncherError(f"demo document: {exc}; is nginx up? (./chorus status)") from exc


def _ensure_document(
    balancer_url: str, operator_token: str, report: Callable[[str], None], wait_s: float
) -> bool:
    with httpx.Client(base_url=balancer_url, timeout=TIMEOUT) as client:
        current = client.get("/api/document/current")
        _check(current, "GET /api/document/current")
        if current.json().get("document_id"):
            report(f"Document … exists (version {current.json()['version']}), kept")
            return False
        response = client.post(
            "/api/document/init",
            json={"topic": TOPIC, "initial_text": INITIAL_TEXT},
            headers={"Authorization": f"Bearer {operator_token}"},
        )
        _check(response, "POST /api/document/init")
        document_id = response.json()["document_id"]
        deadline = time.monotonic() + wait_s
        while time.monotonic() < deadline:
            seen = {
                client.get(f"/nodes/{node}/api/document/current").json().get("document_id")
                for node in NODES
            }
            if seen == {document_id}:
                break
            time.sleep(0.1)
        report(f"Document … initialised: «{TOPIC}»")
        return True


def start_agents(
    balancer_url: str, operator_token: str, count: int, report: Callable[[str], None]
) -> None:
    """Ask the supervisor (through nginx) to start `count` agents with the default roles."""
    if count <= 0:
        report("Agents … none started (--agents 0)")
        return
    try:
        with httpx.Client(base_url=balancer_url, timeout=TIMEOUT) as client:
            response = client.post(
                "/api/agents/start",
                json={"count": count},
                headers={"Authorization": f"Bearer {operator_token}"},
            )
    except httpx.HTTPError as exc:
        raise LauncherError(f"starting agents: {exc}; see ./chorus logs supervisor") from exc
    if response.status_code == 409:
        report("Agents … already running (POST /api/agents/stop to restart them)")
        return
    _check(response, "POST /api/agents/start")
    roles = ", ".join(agent["role"] for agent in response.json()["agents"])
    report(f"Agents … {count} started ({roles})")


def _check(response: httpx.Response, what: str) -> None:
    if response.status_code >= 400:
        raise LauncherError(
            f"{what} answered {response.status_code}: {response.text[:300]}; "
            "see ./chorus logs nginx and ./chorus logs supervisor"
        )
