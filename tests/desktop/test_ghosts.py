"""Deleted text as fading ghosts: where they sit, how they fade, what they say."""

from desktop.changes import diff_texts
from desktop.ghosts import (
    FADE_REFRESHES,
    FADE_S,
    GHOST_LIGHT,
    Ghost,
    Layout,
    alive,
    carry,
    fading,
    shade,
    tooltip,
    visible,
)


def test_a_deletion_becomes_a_ghost_that_moves_with_the_text() -> None:
    ghosts = carry([], diff_texts("Один два три.", "Один три."), 100.0, first=3, last=3)
    assert ghosts == [Ghost(4, " два", 100.0, 0, 3, 3)]
    later = carry(ghosts, diff_texts("Один три.", "Ноль. Один три. Четыре"), 101.0, first=4, last=4)
    assert [(ghost.at, ghost.text, ghost.refreshes) for ghost in later] == [(10, " два", 1)]


def test_a_replacement_keeps_older_ghosts_first_at_the_same_place() -> None:
    first = carry([], diff_texts("А бб В", "А В"), 0.0, first=2, last=2)
    second = carry(first, diff_texts("А В", "А гг"), 1.0, first=3, last=3)
    assert [(ghost.at, ghost.text) for ghost in second] == [(2, "бб "), (2, "В")]


def test_a_ghost_is_gone_after_a_few_refreshes() -> None:
    ghosts = carry([], diff_texts("а б в", "а в"), 0.0, first=2, last=2)
    text = "а в"
    for n in range(FADE_REFRESHES):
        assert ghosts, n
        new = f"{text} {n}"
        ghosts = carry(ghosts, diff_texts(text, new), 1.0)
        text = new
    assert ghosts == []


def test_a_ghost_is_gone_after_a_while_without_changes() -> None:
    ghost = Ghost(0, "старое", born=10.0)
    assert alive([ghost], 10.0 + FADE_S - 0.1) == [ghost]
    assert alive([ghost], 10.0 + FADE_S) == []
    assert fading(ghost, 10.0) == 0.0
    assert fading(Ghost(0, "x", 10.0, refreshes=FADE_REFRESHES // 2), 10.0) == 0.5


def test_a_ghost_turns_lighter_as_it_fades() -> None:
    ghost = Ghost(0, "старое", born=0.0)
    assert shade(ghost, 0.0) == "#808080"
    assert shade(ghost, FADE_S * 0.99) == "#{:02x}{:02x}{:02x}".format(*GHOST_LIGHT)
    greys = [shade(ghost, FADE_S * part / 10) for part in range(10)]
    assert greys == sorted(greys)  # lighter and lighter
    assert len(set(greys)) == 4


def test_removed_line_breaks_and_spaces_show() -> None:
    assert visible("конец.\n\nНачало") == "конец.¶¶Начало"
    assert visible(" ") == "␣"
    assert visible("два слова") == "два слова"
    assert visible("\tx") == "→x"


def test_the_tooltip_names_the_edit_only_when_one_edit_did_it() -> None:
    assert tooltip(Ghost(0, "x", 0.0, 0, 5, 5), "e0000005 · agent-3") == (
        "удалено правкой e0000005 · agent-3 · версия 5"
    )
    assert tooltip(Ghost(0, "x", 0.0, 0, 5, 5)) == "удалено правкой, создавшей версию 5"
    assert tooltip(Ghost(0, "x", 0.0, 0, 4, 6), "e0000006 · agent-3") == (
        "удалено одной из правок версий 4–6"
    )
    assert tooltip(Ghost(0, "x", 0.0)) == "удалено"


def test_the_layout_puts_the_ghosts_in_and_maps_offsets_both_ways() -> None:
    layout = Layout.of("abcdef", [(2, "XY"), (4, "Z")])
    assert layout.shown == "abXYcdZef"
    assert layout.spans == ((2, 4), (6, 7))
    assert [layout.start(i) for i in range(7)] == [0, 1, 4, 5, 7, 8, 9]
    assert [layout.end(i) for i in range(7)] == [0, 1, 2, 5, 6, 8, 9]
    assert [layout.real_offset(i) for i in range(10)] == [0, 1, 2, 2, 2, 3, 4, 4, 5, 6]
    assert [layout.ghost_at(i) for i in (1, 2, 3, 4, 6, 7)] == [None, 0, 0, None, 1, None]
    assert layout.real_text(0, 9) == "abcdef"
    assert layout.real_text(3, 6) == "cd"
    assert Layout.of("abc", []).shown == "abc"
    assert Layout.of("abc", [(3, "!")]).shown == "abc!"
