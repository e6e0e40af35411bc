"""Spec scenarios 1–3: a document initialised, an agent at work, an edit processed."""

from __future__ import annotations

import re
import time
from typing import Any

from .. import demo
from ..state import OPERATOR
from ._session import EDITOR, Scenario, ScenarioError
from ._words import agents, chars, joined, short, tokens, verb

STATUS = {
    "accepted": "принята",
    "rejected": "отклонена",
    "superseded": "перекрыта",
    "pending": "ожидает",
}
"""An edit's status as the timeline says it."""
COUNTED = {
    "accepted": "принято",
    "rejected": "отклонено",
    "superseded": "перекрыто",
    "pending": "ожидают",
}
"""A status before a number of edits ("принято 5")."""
DEFAULT_AGENTS = 10


def status(value: str) -> str:
    return STATUS.get(value, value)


def by_status(counts: dict[str, int]) -> str:
    """ "принято 5, отклонено 1" from {"accepted": 5, "rejected": 1}."""
    return ", ".join(f"{COUNTED.get(k, k)} {v}" for k, v in sorted(counts.items()))


def where(position: str) -> str:
    return "в конец" if position == "end" else f"фрагмент {position}"


def initialisation(s: Scenario) -> None:
    """Spec scenario 1: the form's POST /api/document/init, version 1 on every node, agents."""
    listing = s.agents()
    running = int(listing["count"]) if listing["running"] else 0
    if running:
        s.stop_agents()
        s.log(f"агенты остановлены на время инициализации: {agents(running)}")
    response = s.operator(
        "/api/document/init", {"topic": demo.TOPIC, "initial_text": demo.INITIAL_TEXT}
    )
    if response.status_code != 201:
        raise ScenarioError(f"инициализация ответила {response.status_code}: {response.text}")
    body = response.json()
    s.log(
        f"POST /api/document/init → 201: документ {body['document_id'][:8]}, версия "
        f"{body['version']} на узле {body['node']} (тема «{demo.TOPIC}»)"
    )
    s.wait_document(body["document_id"])
    s.log("документ есть на всех трёх узлах: инициализация реплицируется, как и правки")
    wanted = running or DEFAULT_AGENTS
    response = s.operator("/api/agents/start", {"count": wanted})
    if response.status_code != 200:
        raise ScenarioError(f"запуск агентов ответил {response.status_code}: {response.text}")
    roles = ", ".join(a["role"] for a in response.json()["agents"][:3])
    s.log(
        f"POST /api/agents/start → 200: {verb(wanted, 'запущен', 'запущено')} {agents(wanted)} "
        f"с ролями ({roles}, …)"
    )

    def first_edit() -> Any:
        return [e for e in s.get("/api/edits", limit=5)["edits"] if e["agent_id"] != OPERATOR]

    edits = s.poll("первая правка агентов", first_edit, limit_s=30)
    first = edits[-1]
    s.log(f"агенты за работой: первая правка от {first['agent_id']} ({status(first['status'])})")


def agent_work(s: Scenario) -> None:
    """Spec scenario 2: an agent reads, asks the LLM, edits, writes to the chat, repeats."""
    started = 0
    if not s.agents()["running"]:
        response = s.operator("/api/agents/start", {"count": 2})
        started = 2 if response.status_code == 200 else 0
        s.log("агенты не были запущены: для сценария запущены 2")
    before = {a["agent_id"]: a for a in s.agents()["agents"]}
    s.log(f"GET /api/agents: {verb(len(before), 'работает', 'работают')} {agents(len(before))}")
    since = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() - 1))

    def progressed() -> Any:
        for agent in s.agents()["agents"]:
            old = before.get(agent["agent_id"], {})
            done = agent["accepted"] + agent["rejected"]
            if done > old.get("accepted", 0) + old.get("rejected", 0):
                return agent
        return None

    try:
        agent = s.poll("следующая правка агента", progressed, limit_s=45)
        who = agent["agent_id"]
        s.log(
            f"{who} ({agent['role']}): цикл {agent['cycles']} — прочитал документ, спросил "
            f"модель; правок принято {agent['accepted']}, отклонено {agent['rejected']}; "
            f"{tokens(agent['tokens'])}"
        )
        edits = s.get("/api/edits", agent_id=who, limit=1)["edits"]
        if edits:
            e = edits[0]
            s.log(
                f"POST /api/edits от {who}: {where(e['position'])}, «{short(e['proposed_text'])}» "
                f"→ {status(e['status'])}, версия {e['version']} на узле {e['node']}"
            )

        def chatted() -> Any:
            messages = s.get("/api/chat/messages", since=since, limit=100)
            return [m for m in messages if m["agent_id"] == who] or None

        messages = s.poll(f"сообщение {who} в чате", chatted, limit_s=20)
        s.log(f"POST /api/chat/messages от {who}: «{short(messages[-1]['message'])}»")
        s.log(
            "агент ждёт и повторяет цикл; получив 429 с error=budget_exceeded, он останавливается"
        )
    finally:
        if started:
            s.stop_agents()
            s.log("2 агента, запущенные для сценария, снова остановлены")


def edit_processing(s: Scenario) -> None:
    """Spec scenario 3: validation, the transaction, accepted or rejected, replication, events."""
    response = s.client.post("/api/edits", json={"agent_id": EDITOR, "proposed_text": "x"})
    s.log(f"без токена → {response.status_code}, error={response.json().get('error')}")
    response = s.edit({"proposed_text": "я" * 10_001, "position": "end"})
    body = response.json()
    s.log(
        f"{chars(10_001)} → {response.status_code}, "
        f"error={body.get('error')}, field={body.get('field')}"
    )
    current = s.get("/api/document/current")
    found = re.search(r"\w+", current["text"])
    if found is None:
        raise ScenarioError("в документе нет ни одного слова: нечего править")
    word, span = found.group(), f"{found.start()}:{found.end()}"
    base = {"position": span, "proposed_text": word, "base_version": current["version"]}
    first = s.edit(base)
    one = first.json()
    if first.status_code != 201:
        raise ScenarioError(f"правка ответила {first.status_code}: {first.text}")
    acknowledged = joined(one["acknowledged_by"])
    s.log(
        f"POST /api/edits ({span} «{word}» на версии {current['version']}) → 201, "
        f"{status(one['status'])}: версия {one['version']} на узле {one['node']}, "
        + (f"подтвердили узлы {acknowledged}" if acknowledged else "подтверждений ещё нет")
    )
    second = s.edit(base)
    two = second.json()
    why = two.get("message") or two.get("reason")
    s.log(
        f"тот же фрагмент на той же базовой версии ещё раз → {second.status_code}, "
        f"{status(two['status'])}" + (f": {why}" if why else "")
    )

    def counted() -> Any:
        return s.metrics()["edits_by_status"]

    s.log(f"аналитика получила события: {by_status(s.poll('цифры аналитики', counted))}")
