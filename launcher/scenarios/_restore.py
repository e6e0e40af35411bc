"""The user's document and agents, remembered before the scenarios and put back after them.

Scenarios write on a document of their own (they re-initialise it, append their notes, lower
the budget until the agents stop). What the user had is read first — the document's topic and
text, the agents that were running with their roles — and restored afterwards, also when a
scenario failed or was interrupted: the text through a new init with the operator's token
(the API has no way back to an older document), the agents by starting as many with the same
roles.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .. import demo
from ..state import OPERATOR
from ._session import Scenario, ScenarioError
from ._words import agents, chars, short, verb

INIT_LIMIT = 10_000
"""The most characters one init (or edit) carries; a longer text is sent in pieces."""


@dataclass(frozen=True)
class UserState:
    """What the user had before the scenarios."""

    topic: str | None
    """None: there was no document."""
    text: str
    version: int
    roles: list[str]
    """The roles of the agents that were running, agent-1 first; empty when none ran."""
    use_claims: bool | None
    """Whether they claimed fragments, when the supervisor says (None: its default)."""


def capture(s: Scenario) -> UserState:
    """Read the current document and agents (before the first scenario)."""
    current = s.get("/api/document/current")
    roles, use_claims = s.running_agents()
    state = UserState(
        topic=current["topic"] if current.get("document_id") else None,
        text=current.get("text") or "",
        version=int(current.get("version") or 0),
        roles=roles,
        use_claims=use_claims,
    )
    if state.topic is None:
        s.log("документа пользователя нет: после сценариев останется документ сценариев")
    else:
        s.log(
            f"запомнил документ пользователя: «{short(state.topic, 60)}», версия "
            f"{state.version}, {chars(len(state.text))}"
        )
    if roles:
        s.log(f"запомнил агентов: {agents(len(roles))} ({short(', '.join(roles), 90)})")
    else:
        s.log("агенты не запущены: после сценариев их не будет")
    return state


def own_document(s: Scenario) -> None:
    """Initialise the scenarios' document (the demo's topic and first paragraphs)."""
    response = s.operator(
        "/api/document/init", {"topic": demo.TOPIC, "initial_text": demo.INITIAL_TEXT}
    )
    if response.status_code != 201:
        raise ScenarioError(f"инициализация ответила {response.status_code}: {response.text}")
    document_id = response.json()["document_id"]
    s.wait_document(document_id)
    s.log(
        f"сценарии пишут в свой документ {document_id[:8]} («{demo.TOPIC}»); документ "
        "пользователя вернётся после них"
    )


def restore(s: Scenario, saved: UserState) -> None:
    """Put the user's document and agents back: agents stopped, the text initialised again,
    then the same number of agents with the same roles started and seen at work."""
    if s.agents()["running"]:
        s.stop_agents()
        s.log("агенты сценариев остановлены")
    if saved.topic is not None:
        _restore_text(s, saved.topic, saved.text)
    if not saved.roles:
        s.log("до сценариев агенты не работали: оставляю их остановленными")
        return
    s.start_agents(saved.roles, saved.use_claims)
    s.wait_agents_working(len(saved.roles))
    n = len(saved.roles)
    s.log(f"снова {verb(n, 'работает', 'работают')} {agents(n)} с прежними ролями")


def _restore_text(s: Scenario, topic: str, text: str) -> None:
    first, rest = text[:INIT_LIMIT], text[INIT_LIMIT:]
    response = s.operator("/api/document/init", {"topic": topic, "initial_text": first})
    if response.status_code != 201:
        raise ScenarioError(
            f"документ пользователя не восстановлен: инициализация ответила "
            f"{response.status_code}: {response.text[:300]}"
        )
    document_id = response.json()["document_id"]
    s.wait_document(document_id)
    while rest:
        piece, rest = rest[:INIT_LIMIT], rest[INIT_LIMIT:]
        added = s.edit(
            {"proposed_text": piece, "position": "end", "tokens_used": 0}, agent=OPERATOR
        )
        if added.status_code != 201 or added.json().get("status") != "accepted":
            raise ScenarioError(
                f"хвост документа пользователя не дописан: ответ {added.status_code}: "
                f"{added.text[:300]}"
            )

    def restored() -> Any:
        views = s.views(reachable=True)
        return views and all(v["text"] == text for v in views.values()) and views

    try:
        view = next(iter(s.poll("прежний текст на узлах", restored, limit_s=20).values()))
    except ScenarioError:
        raise ScenarioError("текст восстановленного документа отличается от прежнего") from None
    s.log(
        f"документ пользователя «{short(topic, 60)}» восстановлен: {chars(len(text))}, "
        f"версия {view['version']} нового документа {document_id[:8]}"
    )
