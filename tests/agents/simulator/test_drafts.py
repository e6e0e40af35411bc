"""The writers' generator: on any topic, grammatical by its own editors' judgement, and never
the same sentence twice."""

import random

import pytest

from agents.simulator import _agreement, _editors, _facts, _speller, _typography
from agents.simulator._drafts import Drafts, Kind, Topic, agree
from agents.simulator._editors import Context

TOPICS = (
    "История искусственного интеллекта",
    "Распределённые системы",
    "Квантовая механика",
    "Освоение космоса",
    "Как работает интернет",
)


def test_five_thousand_draws_never_repeat_a_sentence() -> None:
    drafts = Drafts("История искусственного интеллекта", seed=11)
    kinds = [Kind.TOPIC, Kind.EXAMPLE, Kind.PLAIN]
    drawn = [drafts.sentence(kinds[i % 3]) for i in range(5000)]
    assert len(set(drawn)) == 5000


@pytest.mark.parametrize("topic", TOPICS)
def test_clean_drafts_give_no_editor_anything_to_fix(topic: str) -> None:
    """No false alarms: what the writers draft before their slips is correct Russian to every
    editor (so whatever an editor fixes later was a real slip)."""
    drafts = Drafts(topic, seed=5)
    sentences = [drafts.sentence(kind) for kind in Kind for _ in range(150)]
    for sentence in sentences:
        assert _speller.misspellings(sentence) == [], sentence
        assert _agreement.fix(sentence)[1] == [], sentence
        assert _typography.fix(sentence)[1] == [], sentence
        assert _editors.without_fillers(sentence)[1] == [], sentence
        assert _facts.check(sentence)[1] == [], sentence
        ctx = Context(sentence, topic, [], random.Random(0), 6000)
        assert _editors.terms(ctx) == [], sentence
        assert _editors.repetitions(ctx) == [], sentence
        assert sentence[0].isupper()
        assert sentence.endswith(".")


def test_every_fact_of_the_table_is_stated_correctly() -> None:
    for fact in _facts.FACTS:
        for statement in fact.statements:
            sentence = _facts.state(statement, fact)
            assert _facts.fact_of(sentence) is fact
            assert _facts.check(sentence) == (sentence, [])
            assert _speller.misspellings(sentence) == []


def test_the_topic_is_inflected_into_the_case_a_frame_needs() -> None:
    topic = Topic("Квантовая механика")
    assert topic.form("gent") == "квантовой механики"
    assert topic.form("loct") == "квантовой механике"
    drafts = Drafts("Квантовая механика", seed=1)
    text = " ".join(drafts.sentence(Kind.TOPIC) for _ in range(40))
    assert "квантовой механики" in text or "квантовой механике" in text


def test_a_topic_that_is_no_noun_phrase_is_spoken_of_as_a_theme() -> None:
    topic = Topic("Как работает интернет")
    assert topic.form("gent") == "темы «Как работает интернет»"
    assert topic.form("loct") == "теме «Как работает интернет»"


def test_a_predicate_agrees_with_its_subject() -> None:
    assert agree("тесно связан с техникой", gender="femn", number="sing") == (
        "тесно связана с техникой"
    )
    assert agree("долго оставался в тени", gender="neut", number="sing") == (
        "долго оставалось в тени"
    )
    assert agree("показывает, что ошибки двигают науку", gender="masc", number="plur") == (
        "показывают, что ошибки двигают науку"
    )


def test_the_same_seed_draws_the_same_stream() -> None:
    first = [Drafts("Освоение космоса", seed=2).sentence(Kind.TOPIC) for _ in range(1)]
    again = [Drafts("Освоение космоса", seed=2).sentence(Kind.TOPIC) for _ in range(1)]
    other = [Drafts("Освоение космоса", seed=3).sentence(Kind.TOPIC) for _ in range(1)]
    assert first == again != other
