"""`./chorus scenario all` against one real stack: every timeline shows its key events."""

from collections.abc import Iterator

import pytest

from launcher import scenarios
from launcher.config import Ports
from launcher.stack import Stack, StackConfig
from tests.integration.conftest import running_stack


@pytest.fixture(scope="module")
def stack() -> Iterator[Stack]:
    with running_stack("chorus-test-scenarios-", dashboard=False) as running:
        yield running


def test_every_scenario_runs_and_tells_its_story(stack: Stack) -> None:
    lines: list[str] = []

    def out(line: str) -> None:
        lines.append(line)
        print(line)  # the timelines, with pytest -s

    timelines = {t.title[9]: t.text() for t in scenarios.run(stack, "all", out)}
    printed = "\n".join(lines)
    assert "== Scenario 1: initialisation of a document ==" in printed
    assert "+  0." in printed  # relative timestamps
    assert "POST /api/document/init → 201" in timelines["1"]
    assert "all three nodes hold the new document" in timelines["1"]
    assert "agents at work: first edit by agent-" in timelines["1"]
    assert "POST /api/chat/messages by agent-" in timelines["2"]
    assert "no token → 401" in timelines["3"]
    assert "10 001 characters → 422" in timelines["3"]
    assert "→ 201 accepted" in timelines["3"]
    assert "again → 200 rejected" in timelines["3"]
    assert timelines["4"].count("holds the edit (replicated from node") == 2
    assert "all three nodes identical" in timelines["4"]
    assert "kill -9" in timelines["5"]
    assert timelines["5"].count("through nginx → 201 on node") == 4
    assert "through nginx → 201 on node b" not in timelines["5"]
    assert "holds the 4 edits made while it was down" in timelines["5"]
    assert "all three nodes identical again" in timelines["5"]
    assert "→ 429 budget_exceeded" in timelines["6"]
    assert "budget.exceeded = true" in timelines["6"]
    assert "limit restored to 15000000" in timelines["6"]
    assert "POST /api/edits → 201: edits are accepted again" in timelines["6"]
    assert "GET /api/analytics/metrics?period=1h" in timelines["7"]
    assert "dashboard shows all of this at http://127.0.0.1:" in timelines["7"]
    assert all(t.endswith("done") for t in timelines.values())


def test_scenario_without_a_stack_says_to_start_it(stack: Stack) -> None:
    config = StackConfig(stack.config.state, Ports.free(), stack.config.rate_limit, dashboard=False)
    with pytest.raises(scenarios.ScenarioError, match="chorus up"):
        scenarios.run(Stack(config), "7", lambda line: None)
