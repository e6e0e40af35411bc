"""`run(stack, which)`: the chosen scenarios on their own document, the user's put back after."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

import httpx

from ..stack import Stack
from ._budget import budget
from ._cluster import node_failure, replication
from ._restore import capture, own_document, restore
from ._session import Scenario, ScenarioError, Timeline
from ._viewing import viewing
from ._work import agent_work, edit_processing, initialisation

TIMEOUT = httpx.Timeout(15.0)
SCENARIOS = ("1", "2", "3", "4", "5", "6", "7")
TITLES = {
    "1": "инициализация документа",
    "2": "ИИ-агент за работой",
    "3": "сервис текста обрабатывает правку",
    "4": "репликация между узлами",
    "5": "узел отказывает и возвращается",
    "6": "бюджет токенов заканчивается",
    "7": "пользователь следит за работой (панель)",
}
RUNS: dict[str, Callable[[Scenario], None]] = {
    "1": initialisation,
    "2": agent_work,
    "3": edit_processing,
    "4": replication,
    "5": node_failure,
    "6": budget,
    "7": viewing,
}
READ_ONLY = frozenset({"7"})
"""Scenarios that change neither the document nor the agents: nothing to put back."""
PREPARING = "Подготовка: документ и агенты пользователя"
RESTORING = "Возврат документа и агентов пользователя"


def run(stack: Stack, which: str, out: Callable[[str], None] = print) -> list[Timeline]:
    """Run scenario `which` ("1".."7" or "all") on the running stack; the timelines (the
    preparation, each scenario, the restoration).

    Scenarios that write run on a document of their own: the user's document and running
    agents are read first and put back afterwards, also after a failure or Ctrl-C.
    ScenarioError when one could not show what it should (the others still run for "all").
    """
    chosen = SCENARIOS if which == "all" else (which,)
    timelines: list[Timeline] = []
    failures: list[str] = []

    def timeline(title: str) -> Timeline:
        made = Timeline(title, out)
        timelines.append(made)
        return made

    with httpx.Client(base_url=stack.balancer_url, timeout=TIMEOUT) as client:
        try:
            client.get("/health").raise_for_status()
        except httpx.HTTPError as exc:
            raise ScenarioError(f"балансировщик не отвечает ({exc}): ./chorus up") from exc
        if set(chosen) <= READ_ONLY:
            failures += _scenarios(stack, client, chosen, timeline)
        else:
            preparing = Scenario(stack, client, timeline(PREPARING))
            saved = capture(preparing)
            try:
                if chosen[0] == "1":  # scenario 1 initialises the scenarios' document itself
                    preparing.log("готово")
                    failures += _scenarios(stack, client, chosen, timeline)
                elif _attempt(preparing.log, partial(own_document, preparing)):
                    failures += _scenarios(stack, client, chosen, timeline)
                else:
                    failures.append("подготовка документа сценариев")
            finally:
                restoring = Scenario(stack, client, timeline(RESTORING))
                if not _attempt(restoring.log, partial(restore, restoring, saved)):
                    failures.append("возврат документа пользователя")
    if failures:
        raise ScenarioError(f"не удалось: {', '.join(failures)} (см. хронику выше)")
    return timelines


def _scenarios(
    stack: Stack,
    client: httpx.Client,
    chosen: tuple[str, ...],
    timeline: Callable[[str], Timeline],
) -> list[str]:
    """Run each chosen scenario; the names of those that failed."""
    failed = []
    for number in chosen:
        scenario = Scenario(stack, client, timeline(f"Сценарий {number}: {TITLES[number]}"))
        if not _attempt(scenario.log, partial(RUNS[number], scenario)):
            failed.append(f"сценарий {number}")
    return failed


def _attempt(log: Timeline, step: Callable[[], None]) -> bool:
    """Run `step`, ending its timeline with «готово» or what went wrong; whether it worked.
    Ctrl-C is noted and passed on (the caller's `finally` still restores)."""
    try:
        step()
    except ScenarioError as exc:
        log(f"СБОЙ: {exc}")
    except httpx.HTTPError as exc:
        log(f"СБОЙ: ошибка связи с балансировщиком ({type(exc).__name__}: {exc})")
    except KeyError as exc:
        log(f"СБОЙ: в ответе нет поля {exc}")
    except KeyboardInterrupt:
        log("прервано (Ctrl-C)")
        raise
    else:
        log("готово")
        return True
    return False
