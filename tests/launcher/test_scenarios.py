"""`./chorus scenario` against one real stack: every timeline tells its story in Russian, the
scenarios write on their own document, and the user's document and agents come back."""

import re
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from launcher import scenarios
from launcher.config import Ports
from launcher.stack import Stack, StackConfig
from launcher.state import OPERATOR
from tests.integration.conftest import running_stack

USER_TOPIC = "Черновик пользователя: как устроены распределённые системы"
USER_TEXT = (
    "Распределённая система — это несколько компьютеров, которые работают как один. "
    "Каждый узел хранит свою копию данных и обменивается правками с соседями.\n\n"
) * 80  # ~12 000 characters: more than one init carries, so the restore sends a tail too
USER_ROLES = [
    "корректор орфографии",
    "эксперт по теме",
    "редактор структуры",
    "популяризатор",
    "корректор стиля",
    "проверяющий факты",
    "редактор повторов",
    "редактор лаконичности",
    "автор примеров",
    "Редактор заголовков: следи за заголовками",
]
"""Not the default order, and one custom role: the restore must start the same roles."""
INIT_LIMIT = 10_000
WORKING = {"starting", "running", "idle"}
ALLOWED_LATIN = {"GET", "POST", "nginx", "SIGKILL"}
"""Latin words a Russian timeline may use: HTTP methods and program names."""


@pytest.fixture(scope="module")
def stack() -> Iterator[Stack]:
    with running_stack("chorus-test-scenarios-", dashboard=False) as running:
        yield running


@pytest.fixture(scope="module")
def client(stack: Stack) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=stack.balancer_url, timeout=15.0) as balancer:
        yield balancer


def _operator(stack: Stack, client: httpx.Client, path: str, body: dict[str, Any]) -> Any:
    response = client.post(path, json=body, headers=stack.secrets.bearer(OPERATOR))
    assert response.status_code in (200, 201), response.text
    return response.json()


def _users_document(stack: Stack, client: httpx.Client) -> None:
    """The user's document (longer than one init) and ten agents at work on it."""
    document = _operator(
        stack,
        client,
        "/api/document/init",
        {"topic": USER_TOPIC, "initial_text": USER_TEXT[:INIT_LIMIT]},
    )
    deadline = time.monotonic() + 15
    while {client.get(f"/nodes/{n}/api/document/current").json()["document_id"] for n in "abc"} != {
        document["document_id"]
    }:
        assert time.monotonic() < deadline, "the user's document did not reach every node"
        time.sleep(0.1)
    tail = {
        "agent_id": OPERATOR,
        "proposed_text": USER_TEXT[INIT_LIMIT:],
        "position": "end",
        "tokens_used": 0,
    }
    assert _operator(stack, client, "/api/edits", tail)["status"] == "accepted"
    if client.get("/api/agents").json()["running"]:
        _operator(stack, client, "/api/agents/stop", {})
    _operator(stack, client, "/api/agents/start", {"count": 10, "roles": USER_ROLES})
    while not [e for e in client.get("/api/edits").json()["edits"] if e["agent_id"] != OPERATOR]:
        assert time.monotonic() < deadline + 30, "the user's agents made no edit"
        time.sleep(0.2)


def _latin_words(line: str) -> list[str]:
    """Latin words of a timeline line that are neither identifiers (paths, codes, agent ids,
    `error=…`, `p50`) nor quoted content («…») nor allowed names."""
    unquoted = re.sub(r"«[^»]*»", "", line)
    words = []
    for token in re.split(r"[\s,;()«»—]+", unquoted):
        if re.search(r"[/_.\-=?&\d]", token):
            continue
        words += [w for w in re.findall(r"[A-Za-z]{2,}", token) if w not in ALLOWED_LATIN]
    return words


def _stuck_agents(client: httpx.Client) -> list[str]:
    listing = client.get("/api/agents").json()
    return [f"{a['agent_id']} {a['state']}" for a in listing["agents"] if a["state"] not in WORKING]


def test_scenario_all_tells_its_story_in_russian_and_gives_the_user_back_their_work(
    stack: Stack, client: httpx.Client
) -> None:
    _users_document(stack, client)
    lines: list[str] = []
    remembered: dict[str, Any] = {}
    scenario_edits: list[dict[str, Any]] = []

    def out(line: str) -> None:
        lines.append(line)
        print(line)  # the timelines, with pytest -s
        # The run is synchronous: while a line is printed, nothing else happens. The texts the
        # user's document had at the version the preparation remembered (as each node saw it):
        found = re.search(
            r"запомнил документ пользователя: .*, версия (\d+), ([\d\u00a0]+) симв", line
        )
        if found:
            remembered["length"] = int(found.group(2).replace("\u00a0", ""))
            at = [client.get(f"/nodes/{n}/api/document/versions/{found.group(1)}") for n in "abc"]
            remembered["texts"] = {r.json()["text"] for r in at if r.status_code == 200}
        if line.strip() == f"== {scenarios.RESTORING} ==":  # the scenarios' document, still
            scenario_edits.extend(client.get("/api/edits", params={"limit": 500}).json()["edits"])

    timelines = {t.title.split(":")[0]: t.text() for t in scenarios.run(stack, "all", out)}
    printed = "\n".join(lines)

    # Russian: every event says something in Russian, with no English words in between.
    events = [line for line in lines if line.startswith("  +")]
    assert "== Сценарий 1: инициализация документа ==" in printed
    assert "+  0," in printed  # seconds since the scenario began
    assert " с  " in printed
    assert all(re.search("[а-яё]", line) for line in events), printed
    english = {line: _latin_words(line) for line in events if _latin_words(line)}
    assert not english, english
    assert all(t.endswith("готово") for t in timelines.values()), printed

    one, two, three = timelines["Сценарий 1"], timelines["Сценарий 2"], timelines["Сценарий 3"]
    assert "POST /api/document/init → 201" in one
    assert "документ есть на всех трёх узлах" in one
    assert "первая правка от agent-" in one
    assert "POST /api/chat/messages от agent-" in two
    assert "без токена → 401, error=unauthorized" in three
    assert "10\u00a0001 символ → 422, error=validation_error, field=proposed_text" in three
    assert "→ 201, принята" in three
    assert "ещё раз → 200, отклонена" in three

    four = timelines["Сценарий 4"]
    assert four.count("получил правку (её передал узел") == 2
    assert "все три узла совпадают" in four

    # Scenario 5: a visible outage, what nginx did, how far b caught up.
    five = timelines["Сценарий 5"]
    down = re.search(r"узел b недоступен уже ([\d,]+) с", five)
    assert down, five
    assert float(down.group(1).replace(",", ".")) >= 6.0, five
    assert re.search(r"отстаёт на \d+ верси\w+ \(у него \d+, у кластера \d+\)", five), five
    accepted = re.findall(r"через nginx → 201 на узле (\w)", five)
    assert len(accepted) >= 4, five
    assert "b" not in accepted, five
    assert re.search(r"nginx: \d+ правк\w* за время простоя принял\w? узл\w", five)
    assert "узел b — ни одной" in five
    assert re.search(r"узел b догнал ", five)
    assert "все три узла снова совпадают" in five
    assert re.search(r"хроника кластера: Узел b недоступен", five), five  # the shared timeline
    assert re.search(r"хроника кластера: Узел b догнал \d+ верси", five), five

    # Scenario 6: every agent stopped by the budget, the state held, every agent back.
    six = timelines["Сценарий 6"]
    assert "→ 429, error=budget_exceeded" in six
    assert "остановились на бюджете" in six
    assert "GET /api/agents: все 10 агентов в состоянии budget_exhausted" in six
    assert "держу это состояние 15 с" in six
    assert "снова запущены 10 агентов с прежними ролями" in six
    assert "все 10 агентов снова работают, в состоянии budget_exhausted не осталось" in six
    assert "POST /api/edits → 201: правки снова принимаются" in six
    assert "budget.exceeded — нет" in six
    assert "хроника кластера: Бюджет токенов исчерпан" in six
    assert "бюджет исчерпан" not in timelines["Сценарий 7"]  # a healthy budget is not exceeded
    assert "в пределах лимита" in timelines["Сценарий 7"]

    # The scenarios wrote on their own document, with no whitespace-only edit.
    assert scenario_edits, "the scenarios' edits were not read"
    blank = [e for e in scenario_edits if e["proposed_text"] and not e["proposed_text"].strip()]
    assert not blank, [(e["agent_id"], e["proposed_text"]) for e in blank]
    assert any(e["agent_id"] == scenarios.EDITOR for e in scenario_edits)

    # The user's document and agents are back.
    current = client.get("/api/document/current").json()
    assert current["topic"] == USER_TOPIC
    assert len(current["text"]) == remembered["length"]
    assert current["text"] in remembered["texts"]
    listing = client.get("/api/agents").json()
    assert listing["running"]
    assert listing["count"] == 10
    assert [a["role"] for a in listing["agents"]] == USER_ROLES
    assert not _stuck_agents(client)
    assert (
        client.get("/api/analytics/metrics", params={"period": "1h"}).json()["budget"]["exceeded"]
        is False
    )


def test_a_failed_scenario_still_gives_the_user_back_their_document(
    stack: Stack, client: httpx.Client
) -> None:
    before = client.get("/api/document/current").json()
    running = client.get("/api/agents").json()["count"]
    stack.node("b").stop()  # scenario 5 needs node b: it fails at once
    try:
        with pytest.raises(scenarios.ScenarioError, match="сценарий 5"):
            scenarios.run(stack, "5", lambda line: None)
    finally:
        stack.node("b").launch()
        stack.node("b").wait_ready(60.0)
    current = client.get("/api/document/current").json()
    assert current["topic"] == before["topic"]
    assert current["document_id"] != before["document_id"]  # initialised again, after the
    assert client.get("/api/agents").json()["count"] == running  # scenarios' own document
    assert not _stuck_agents(client)


def test_ctrl_c_in_a_scenario_still_gives_the_user_back_their_document(
    stack: Stack, client: httpx.Client
) -> None:
    before = client.get("/api/document/current").json()
    running = client.get("/api/agents").json()["count"]
    lines: list[str] = []

    def out(line: str) -> None:
        lines.append(line)
        if "получил правку" in line and not any("прервано" in seen for seen in lines):
            raise KeyboardInterrupt  # Ctrl-C in the middle of scenario 4

    with pytest.raises(KeyboardInterrupt):
        scenarios.run(stack, "4", out)
    printed = "\n".join(lines)
    assert "прервано (Ctrl-C)" in printed
    assert printed.index("прервано") < printed.index(scenarios.RESTORING)
    assert lines[-1].endswith("готово"), printed
    current = client.get("/api/document/current").json()
    assert current["topic"] == before["topic"]
    assert current["document_id"] != before["document_id"]
    assert client.get("/api/agents").json()["count"] == running
    assert not _stuck_agents(client)


def test_scenario_without_a_stack_says_to_start_it(stack: Stack) -> None:
    config = StackConfig(stack.config.state, Ports.free(), stack.config.rate_limit, dashboard=False)
    with pytest.raises(scenarios.ScenarioError, match="chorus up"):
        scenarios.run(Stack(config), "7", lambda line: None)
