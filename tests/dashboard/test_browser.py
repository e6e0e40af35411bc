"""The dashboard in a real browser against a real stack.

The stack is the launcher's (PostgreSQL ×4, Redis, the services, nginx, the simulator, the
supervisor, cluster control and the dashboard's `next start`) on free ports, with a high rate
limit so the agents write quickly. Playwright (frontend/e2e) drives Debian's chromium through
one story: initialise a document from the form, watch the text change and a highlight appear,
page through the edits, see the chat grow and the charts drawn, scroll the history, stop a node
from the cluster view and see it go red and come back. Every screen leaves a screenshot.
"""

import os
import shutil
import subprocess
from collections.abc import Iterator

import pytest

from launcher.components import ProcessComponent
from launcher.stack import FRONTEND, Stack
from tests.integration.conftest import running_stack

SCREENS = (
    "init",
    "document",
    "edits",
    "chat",
    "analytics",
    "history",
    "cluster-stopped",
    "cluster",
)
SCREENSHOTS = FRONTEND / "test-results" / "screenshots"
PLAYWRIGHT_TIMEOUT_S = 780


@pytest.fixture(scope="module")
def stack() -> Iterator[Stack]:
    with running_stack("chorus-test-dashboard-") as running:
        yield running


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
