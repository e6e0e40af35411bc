"""Colours, legend and hover text of the authorship view."""

from desktop.authorship import (
    OPERATOR_COLOUR,
    PALETTE,
    agent_colour,
    author_name,
    legend,
    run_tooltip,
    runs_since,
)
from desktop.net.payloads import AuthorRun, parse_authorship

from . import samples

ROLES = {"agent-2": "редактор стиля"}


def runs() -> list[AuthorRun]:
    return parse_authorship(
        samples.authorship(
            5,
            [("Начало. ", "operator", 1), ("Вставка. ", "agent-2", 4), ("Конец.", "agent-3", 5)],
        )
    ).runs


def test_each_agent_keeps_its_colour_and_the_first_twelve_differ() -> None:
    colours = [agent_colour(f"agent-{n}") for n in range(1, 13)]
    assert len(set(colours)) == 12
    assert agent_colour("agent-13") == agent_colour("agent-1") == PALETTE[0]
    assert agent_colour("custom-bot") == agent_colour("custom-bot")
    assert agent_colour("custom-bot") in PALETTE
    assert agent_colour("operator") == OPERATOR_COLOUR
    assert agent_colour("") is None


def test_names_join_the_role() -> None:
    assert author_name("agent-2", ROLES) == "agent-2 (редактор стиля)"
    assert author_name("agent-3", ROLES) == "agent-3"
    assert author_name("operator", ROLES) == "оператор"
    assert author_name("", ROLES) == "неизвестный автор"


def test_the_legend_lists_authors_by_their_share() -> None:
    entries = legend(runs(), ROLES)
    assert [entry.agent_id for entry in entries] == ["agent-2", "operator", "agent-3"]
    assert entries[0].name == "agent-2 (редактор стиля)"
    assert abs(sum(entry.share for entry in entries) - 1) < 1e-9
    assert legend([], ROLES) == []


def test_the_tooltip_names_the_edit_its_author_and_version() -> None:
    init, inserted, _ = runs()
    assert run_tooltip(init, ROLES).startswith("Начальный текст · оператор · версия 1 · ")
    assert run_tooltip(inserted, ROLES).startswith(
        "Правка e0000004 · agent-2 (редактор стиля) · версия 4"
    )


def test_runs_since_a_version_merge_when_adjacent() -> None:
    assert runs_since(runs(), 3) == [(8, 23)]
    assert runs_since(runs(), 4) == [(17, 23)]
    assert runs_since(runs(), 5) == []
