"""Every slip a writer makes is one its editor finds and undoes from the text alone."""

import random
from collections.abc import Callable
from dataclasses import fields

import pytest

from agents.simulator import _editors, _facts
from agents.simulator._drafts import Drafts, Kind
from agents.simulator._editors import Context
from agents.simulator._flaws import FlawRates, Flaws, typo
from agents.simulator._speller import correction

ONLY = {f.name: 0.0 for f in fields(FlawRates)}


def only(kind: str) -> FlawRates:
    return FlawRates(**{**ONLY, kind: 1.0})


def undo(editor: _editors.Editor, sentence: str) -> str:
    proposals = editor(Context(sentence, "", [], random.Random(0), 100_000))
    assert len(proposals) == 1, (sentence, proposals)
    return proposals[0].new_text


@pytest.mark.parametrize(
    ("kind", "editor", "applies"),
    [
        ("typo", _editors.spelling, lambda s: True),
        ("agreement", _editors.spelling, lambda s: True),
        ("jargon", _editors.terms, lambda s: True),
        ("filler", _editors.concision, lambda s: True),
        ("doubled_word", _editors.repetitions, lambda s: True),
        ("quotes", _editors.style, lambda s: "«" in s),
        ("dash", _editors.style, lambda s: " — " in s),
        ("yo", _editors.style, lambda s: "ё" in s),
    ],
)
def test_a_slip_is_undone_by_its_editor(
    kind: str, editor: _editors.Editor, applies: Callable[[str], bool]
) -> None:
    drafts = Drafts("История искусственного интеллекта", seed=9)
    flaws = Flaws(only(kind), random.Random(1))
    made = 0
    for _ in range(300):
        clean = drafts.sentence(Kind.TOPIC)
        slipped = flaws.apply(clean)
        if slipped == clean:
            continue
        assert applies(clean)
        made += 1
        assert undo(editor, slipped) == clean, (kind, slipped)
    assert made >= 20, f"only {made} {kind} slips made"


def test_a_wrong_year_or_name_is_undone_by_the_fact_checker() -> None:
    rng = random.Random(4)
    for fact in _facts.FACTS:
        for statement in fact.statements:
            right = _facts.state(statement, fact)
            wrong_year = _facts.state(statement, fact, year=fact.year + rng.choice((-2, 1, 3)))
            assert undo(_editors.facts, wrong_year) == right
            if fact.person is not None:
                other = next(p for p in _facts.PEOPLE if p != fact.person)
                assert undo(_editors.facts, _facts.state(statement, fact, person=other)) == right


def test_a_typo_is_a_word_the_dictionary_lacks_and_corrects_back() -> None:
    rng = random.Random(0)
    for word in ("исследователи", "программа", "интеллекта", "вычислительной"):
        slipped = typo(word, rng)
        assert slipped is not None
        assert slipped != word
        assert correction(slipped) == word


def test_rates_come_from_a_spec_and_bad_specs_name_the_problem() -> None:
    rates = FlawRates.parse("typo=0.5, filler=0, long-paragraph=1")
    assert (rates.typo, rates.filler, rates.long_paragraph) == (0.5, 0.0, 1.0)
    assert rates.quotes == FlawRates().quotes
    with pytest.raises(ValueError, match="kind=rate"):
        FlawRates.parse("typos=0.5")
    with pytest.raises(ValueError, match="between 0 and 1"):
        FlawRates.parse("typo=2")
    with pytest.raises(ValueError, match="not a number"):
        FlawRates.parse("typo=much")
