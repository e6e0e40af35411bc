"""The dashboard in a real browser against a real stack.

The stack is the launcher's (PostgreSQL ×4, Redis, the services, nginx, the simulator, the
supervisor, cluster control and the dashboard's `next start`) on free ports, with a high rate
limit so the agents write quickly. Playwright (frontend/e2e) drives Debian's chromium through
one story: a visitor's write refused, the operator's sign-in, initialise a document from the
form, watch the text coloured by author exactly as the authorship endpoint says, page through
the edits, see the chat grow, scroll the history, kill node b from the cluster view and see it
down with its last version and lag within 3 s, start it and see it catch up, find the outage
marked on every analytics chart, and reach the chat at 390 px. Every screen leaves a screenshot.
"""

import json
import os
import shutil
import subprocess
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from typing import Any

import pytest

from crdt_core import SessionToken
from launcher.components import ProcessComponent
from launcher.stack import FRONTEND, Stack
from launcher.state import OPERATOR
from tests.integration.conftest import running_stack

SCREENS = (
    "init",
    "document",
    "edits",
    "chat",
    "history",
    "cluster-stopped",
    "cluster",
    "analytics",
    "mobile",
)
SCREENSHOTS = FRONTEND / "test-results" / "screenshots"
PLAYWRIGHT_TIMEOUT_S = 780


@pytest.fixture(scope="module")
def stack() -> Iterator[Stack]:
    with running_stack("chorus-test-dashboard-") as running:
        yield running


def _post(
    url: str, body: object, cookie: str | None = None
) -> tuple[int, dict[str, str], dict[str, Any]]:
    """POST JSON; the status, the response headers and the JSON body (errors included)."""
    headers = {"content-type": "application/json", **({"cookie": cookie} if cookie else {})}
    request = urllib.request.Request(url, json.dumps(body).encode(), headers, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, dict(response.headers), json.loads(response.read() or b"{}")
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), json.loads(error.read() or b"{}")


def _get(url: str, cookie: str | None = None) -> tuple[int, dict[str, str], dict[str, Any]]:
    """GET; the status, the response headers and the JSON body (errors included)."""
    request = urllib.request.Request(url, headers={"cookie": cookie} if cookie else {})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, dict(response.headers), json.loads(response.read() or b"{}")
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), json.loads(error.read() or b"{}")


def _dashboard_url(stack: Stack) -> str:
    dashboard = stack.get("dashboard")
    assert isinstance(dashboard, ProcessComponent)
    assert dashboard.url is not None
    return dashboard.url.rstrip("/")


def test_writes_need_the_operator_sign_in(stack: Stack) -> None:
    """The proxy adds the operator token only for a signed-in session: a visitor's write is
    401 with a Russian message; the session cookie is HttpOnly, SameSite=Strict and is not the
    token; with it the same write goes through."""
    url = _dashboard_url(stack)
    token = stack.secrets.agent_tokens[OPERATOR]
    status, _, body = _post(f"{url}/api/agents/stop", {})
    assert status == 401, body
    assert "войдите как оператор" in body["message"]
    status, headers, body = _post(f"{url}/operator/session", {"token": "угадал?"})
    assert (status, body["message"]) == (401, "Неверный токен оператора")
    assert "set-cookie" not in {k.lower() for k in headers}
    status, headers, body = _post(f"{url}/operator/session", {"token": token})
    assert status == 200, body
    set_cookie = next(v for k, v in headers.items() if k.lower() == "set-cookie")
    assert "HttpOnly" in set_cookie
    assert "SameSite=Strict" in set_cookie
    assert token not in set_cookie
    status, _, body = _post(f"{url}/api/agents/stop", {}, cookie=set_cookie.split(";")[0])
    assert status == 200, body


@pytest.mark.timeout(900)
def test_dashboard_story_in_chromium(stack: Stack) -> None:
    playwright = FRONTEND / "node_modules" / ".bin" / "playwright"
    assert playwright.exists(), "frontend/node_modules is missing: ./chorus installs it (npm ci)"
    dashboard = stack.get("dashboard")
    assert isinstance(dashboard, ProcessComponent)
    assert dashboard.url is not None
    shutil.rmtree(SCREENSHOTS, ignore_errors=True)
    SCREENSHOTS.mkdir(parents=True)
    env = {
        **os.environ,
        "DASHBOARD_URL": dashboard.url,
        "OPERATOR_TOKEN": stack.secrets.agent_tokens[OPERATOR],
        "SCREENSHOT_DIR": str(SCREENSHOTS),
        "NEXT_TELEMETRY_DISABLED": "1",
    }
    log = SCREENSHOTS.parent / "playwright.log"
    with log.open("w") as output:
        try:
            code = subprocess.run(
                [str(playwright), "test"],
                cwd=FRONTEND,
                env=env,
                stdout=output,
                stderr=subprocess.STDOUT,
                timeout=PLAYWRIGHT_TIMEOUT_S,
                check=False,
            ).returncode
        except subprocess.TimeoutExpired:
            code = None
    report = f"playwright: exit {code} (None: ran past {PLAYWRIGHT_TIMEOUT_S} s); {log}:\n"
    assert code == 0, report + log.read_text()[-6000:]
    missing = [s for s in SCREENS if not (SCREENSHOTS / f"dashboard-{s}.png").is_file()]
    assert not missing, f"no screenshot of {missing} in {SCREENSHOTS}"


def test_the_proxy_keeps_one_session_per_browser(stack: Stack) -> None:
    """Issue 19 through the real dashboard, nginx and three nodes: the first document read
    sets an HttpOnly cookie holding the session token; every later read sends it and merges
    the answer's token back, so the token only grows and the version never goes back; the
    cluster view's /session says the same vector."""
    url = _dashboard_url(stack)
    cookie: str | None = None
    token: SessionToken | None = None
    version = 0
    for _ in range(20):
        status, headers, body = _get(f"{url}/api/document/current", cookie)
        assert status == 200, body
        assert body["version"] >= version, "a read went back in time"
        version = body["version"]
        set_cookie = next((v for k, v in headers.items() if k.lower() == "set-cookie"), None)
        if set_cookie is not None:
            assert "HttpOnly" in set_cookie
            assert "SameSite=Strict" in set_cookie
            cookie = set_cookie.split(";")[0]
            merged = SessionToken.parse(urllib.parse.unquote(cookie.split("=", 1)[1]))
            assert token is None or token.covered_by(merged.vector)
            token = merged
    assert cookie is not None, "the proxy set no session cookie"
    assert token is not None
    _, _, session = _get(f"{url}/session", cookie)
    assert session["token"] == str(token)
    assert {int(k): v for k, v in session["vector"].items()} == dict(token.vector)
