"""Spec scenario 6: the token budget runs out, every agent gets 429 and stops, then the limit
and the agents come back.

The limit is lowered by hand in the nodes' databases (as the spec's operator would) to what
each node has already counted, so the next edit of any agent is refused with 429
`budget_exceeded` (an agent with nothing to edit stops too: it reads the budget with the
document). The exhausted state is held for a while, so a viewer of the dashboard sees it; then
the limit is restored, and the agents — stopped for good by the 429 — are started again.
"""

from __future__ import annotations

import asyncio
import time
from typing import Any

import asyncpg

from .. import pace
from ..components import PostgresComponent
from ..stack import DATABASE, Stack
from ..text_cluster import NODE_NAMES
from ._session import WORKING, Scenario, ScenarioError, moment
from ._words import agents, every_agent, joined, number, tokens, verb

EXHAUSTED = "budget_exhausted"
HOLD_S = 15.0
"""How long the exhausted state stays on screen before the limit is restored."""
STOP_WAIT_S = pace.MAX_IDLE_DELAY_S + 30.0
"""Long enough for an idle agent at the demo's pace to look at the budget again."""
LIMIT_SEEN_S = 10.0
"""A node re-reads its limit from the database at most once a second."""
BUDGET_EVENTS = frozenset(
    {"budget_exhausted", "budget_restored", "agents_stopped", "agents_started"}
)
"""The cluster timeline's kinds scenario 6 shows."""
SCENARIO_AGENTS = 3
"""Agents started for the scenario when none was running."""


async def _budget_limits(stack: Stack, limit: dict[str, int] | None) -> dict[str, int]:
    """Each node's `token_budget.limit_tokens`, after setting it (per node) when given."""
    found = {}
    for letter in NODE_NAMES:
        component = stack.get(f"postgres-{letter}")
        assert isinstance(component, PostgresComponent)
        dsn = component.dsn(DATABASE).replace("postgresql+asyncpg", "postgresql")
        connection = await asyncpg.connect(dsn)
        try:
            if limit is not None:
                await connection.execute("UPDATE token_budget SET limit_tokens = $1", limit[letter])
            found[letter] = int(await connection.fetchval("SELECT limit_tokens FROM token_budget"))
        finally:
            await connection.close()
    return found


def budget(s: Scenario) -> None:
    """Spec scenario 6: the budget runs out, every agent gets 429 and stops; restored."""
    since = moment()
    roles, use_claims = s.running_agents()
    if not roles:
        response = s.operator("/api/agents/start", {"count": SCENARIO_AGENTS})
        if response.status_code != 200:
            raise ScenarioError(f"запуск агентов ответил {response.status_code}: {response.text}")
        roles = [a["role"] for a in response.json()["agents"]]
        started = f"{verb(len(roles), 'запущен', 'запущены')} {agents(len(roles))}"
        s.log(f"агенты не были запущены: для сценария {started}")
    previous = asyncio.run(_budget_limits(s.stack, None))
    views = s.views()
    used = {n: int(views[n]["budget_used"]) for n in NODE_NAMES}
    s.log(
        f"бюджет: израсходовано {tokens(used['a'])} из {number(previous['a'])} "
        f"(таблица token_budget на каждом узле); "
        f"{verb(len(roles), 'работает', 'работают')} {agents(len(roles))}"
    )
    try:
        asyncio.run(_budget_limits(s.stack, used))
        s.log(
            "лимит limit_tokens на узлах a, b и c снижен до уже израсходованного: "
            + ", ".join(f"{n} — {number(used[n])}" for n in NODE_NAMES)
        )
        refused = s.append("Сценарий 6: эта правка не пройдёт, бюджет исчерпан.", tokens_used=500)
        body = refused.json()
        if refused.status_code != 429:
            raise ScenarioError(f"ждал 429, получил {refused.status_code}: {refused.text}")
        s.log(f"POST /api/edits (500 токенов) → 429, error={body['error']}: {body['message']}")
        _wait_stopped(s)

        def exceeded() -> Any:
            return s.metrics()["budget"]["exceeded"]

        s.poll("budget.exceeded в метриках", exceeded, limit_s=20)
        s.log("GET /api/analytics/metrics: budget.exceeded — да (панель: «бюджет исчерпан»)")
        s.log(f"бюджет исчерпан, агенты стоят: держу это состояние {HOLD_S:.0f} с")
        time.sleep(HOLD_S)
    finally:
        asyncio.run(_budget_limits(s.stack, previous))
        s.log(f"лимит восстановлен на всех узлах: {tokens(previous['a'])}")
        _wait_limit_seen(s, previous)
        s.start_agents(roles, use_claims)
        again = f"{verb(len(roles), 'запущен', 'запущены')} {agents(len(roles))}"
        s.log(f"POST /api/agents/start: снова {again} с прежними ролями")
    s.wait_agents_working(len(roles))
    s.log(
        f"{every_agent(len(roles))} снова {verb(len(roles), 'работает', 'работают')}, "
        f"в состоянии {EXHAUSTED} не осталось ни одного"
    )
    response = s.append("Сценарий 6: бюджет восстановлен, правки снова принимаются.")
    s.log(f"POST /api/edits → {response.status_code}: правки снова принимаются")

    def healthy() -> Any:
        return s.metrics()["budget"]["exceeded"] is False

    try:
        s.poll("budget.exceeded = false", healthy, limit_s=10)
        s.log("GET /api/analytics/metrics: budget.exceeded — нет, панель больше не пишет об этом")
    except ScenarioError:
        s.log("GET /api/analytics/metrics: аналитика всё ещё считает бюджет исчерпанным")
    s.show_cluster_events(since, BUDGET_EVENTS, until="budget_restored")


def _wait_stopped(s: Scenario) -> None:
    """Until no agent is at work; each one that stops is reported. ScenarioError when one is
    still at work after `STOP_WAIT_S`, or one ended otherwise than on the budget."""
    reported: set[str] = set()
    deadline = time.monotonic() + STOP_WAIT_S
    while True:
        listed = s.agents()["agents"]
        stopped = [a for a in listed if a["state"] == EXHAUSTED and a["agent_id"] not in reported]
        if stopped:
            reported.update(a["agent_id"] for a in stopped)
            names = joined(f"{a['agent_id']} ({a['role']})" for a in stopped)
            s.log(f"остановились на бюджете ({len(reported)} из {len(listed)}): {names}")
        working = [a for a in listed if a["state"] in WORKING]
        if not working:
            break
        if time.monotonic() > deadline:
            raise ScenarioError(
                f"за {STOP_WAIT_S:.0f} с не остановились: "
                + ", ".join(f"{a['agent_id']} ({a['state']})" for a in working)
            )
        time.sleep(0.3)
    other = [a for a in listed if a["state"] != EXHAUSTED]
    if other:
        raise ScenarioError(
            "остановились не из-за бюджета: "
            + ", ".join(f"{a['agent_id']} ({a['state']})" for a in other)
        )
    s.log(f"GET /api/agents: {every_agent(len(listed))} в состоянии {EXHAUSTED}")


def _wait_limit_seen(s: Scenario, limits: dict[str, int]) -> None:
    """Until every node serves the restored limit: an agent started before would read the
    old one and stop at once."""

    def seen() -> bool:
        views = s.views()
        return all(views[n].get("budget_limit") == limits[n] for n in NODE_NAMES)

    s.poll("восстановленный лимит на узлах", seen, limit_s=LIMIT_SEEN_S)
