"""Spec scenario 7: what the dashboard polls and shows."""

from __future__ import annotations

import time

from ._session import Scenario
from ._words import agents, chars, count, decimal, edits, number, short, tokens
from ._work import by_status

STATE = {"running": "работает", "stopped": "остановлен", "frozen": "заморожен"}


def viewing(s: Scenario) -> None:
    """Spec scenario 7: the document, edits, chat, metrics, cluster and agents, as polled."""
    current = s.get("/api/document/current")
    s.log(
        f"GET /api/document/current (каждые 2 с): «{current['topic']}», версия "
        f"{current['version']}, {chars(len(current['text']))}, "
        f"ответил узел {current['node']}"
    )
    page = s.get("/api/edits", limit=50, offset=0)
    statuses: dict[str, int] = {}
    for e in page["edits"]:
        statuses[e["status"]] = statuses.get(e["status"], 0) + 1
    s.log(
        f"GET /api/edits?limit=50&offset=0: всего {edits(page['total'])}"
        f"; из последних 50 {by_status(statuses) or 'ни одной'}"
    )
    since = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() - 600))
    messages = s.get("/api/chat/messages", since=since, limit=100)
    last = (
        f", последнее — {messages[-1]['agent_id']}: «{short(messages[-1]['message'], 50)}»"
        if messages
        else ""
    )
    s.log(
        f"GET /api/chat/messages?since=… (каждые 3 с): "
        f"{count(len(messages), 'сообщение', 'сообщения', 'сообщений')} за 10 минут{last}"
    )
    m = s.metrics()
    budget = m["budget"]
    state = "бюджет исчерпан" if budget.get("exceeded") is True else "в пределах лимита"
    s.log(
        f"GET /api/analytics/metrics?period=1h: {edits(m['total_edits'])}, "
        f"{tokens(m['total_tokens'])}, активных агентов "
        f"{m['active_agents']}, правок в минуту {decimal(m['edits_per_minute'])}; бюджет "
        f"{number(budget['used'])} из {number(budget['limit'])} — {state}"
    )
    nodes = s.get("/api/cluster")["nodes"]
    states = ", ".join(
        f"{n['name']} ({n['location']}) — {STATE.get(n['state'], n['state'])}" for n in nodes
    )
    s.log(f"GET /api/cluster: {states}")
    listing = s.agents()
    s.log(
        f"GET /api/agents: {agents(listing['count'])}, "
        + ("работают" if listing["running"] else "не запущены")
    )
    ports = s.stack.config.ports
    off = "" if s.stack.config.dashboard else " (в этом стеке её нет)"
    s.log(f"всё это показывает панель по адресу http://127.0.0.1:{ports.dashboard}{off}")
