"""Each editing role finds its kind of flaw in hand-written Russian it has never seen.

The paragraphs here are written by hand, not by the writers' generator: an editor must find
slips from the text alone, with its dictionary, morphology and rules.
"""

import random

import pytest

from agents.proposal import Action, EditProposal, locate
from agents.simulator import _editors
from agents.simulator._editors import Context


def context(document: str, *, target_chars: int = 6000, claimed: tuple[str, ...] = ()) -> Context:
    return Context(
        document=document,
        topic="История искусственного интеллекта",
        claimed=list(claimed),
        rng=random.Random(0),
        target_chars=target_chars,
    )


def edits(editor: _editors.Editor, document: str, **options: object) -> list[EditProposal]:
    return editor(context(document, **options))  # type: ignore[arg-type]


def applied(document: str, proposal: EditProposal) -> str:
    planned = locate(proposal, document)
    assert planned is not None, proposal
    return document[: planned.start] + planned.proposed_text + document[planned.end :]


def fixes(editor: _editors.Editor, document: str) -> dict[str, str]:
    """target → new text of every replacement the editor proposes."""
    out = {}
    for proposal in edits(editor, document):
        assert proposal.action is Action.REPLACE
        assert proposal.target in document
        assert "Беру: «" in proposal.note  # a fix claims the sentence it rewrote
        out[proposal.target] = proposal.new_text
    return out


def test_style_sets_quotes_dashes_ellipsis_spaces_and_yo() -> None:
    document = (
        'Учёные назвали это "зимой". Финансирование урезали - надолго. '
        "Все ждали чуда...  Но еще долго ничего не происходило. Всё было тихо."
    )
    assert fixes(_editors.style, document) == {
        'Учёные назвали это "зимой".': "Учёные назвали это «зимой».",
        "Финансирование урезали - надолго.": "Финансирование урезали — надолго.",
        "Все ждали чуда...": "Все ждали чуда…",
        "Но еще долго ничего не происходило.": "Но ещё долго ничего не происходило.",
    }


def test_style_leaves_an_unpaired_quote_and_an_ambiguous_e_alone() -> None:
    assert edits(_editors.style, 'Он сказал: "нет. Все пришли вовремя.') == []


def test_spelling_corrects_typos_with_the_dictionary_and_keeps_names() -> None:
    document = (
        "Первые програмы играли в шашки. Тогда иследователи верили в быстрый успех. "
        "Хинтон и Лекун продолжали работу над сетями."
    )
    assert fixes(_editors.spelling, document) == {
        "Первые програмы играли в шашки.": "Первые программы играли в шашки.",
        "Тогда иследователи верили в быстрый успех.": "Тогда исследователи верили в быстрый успех.",
    }


def test_spelling_makes_an_adjective_agree_with_its_noun() -> None:
    document = "Ранняя этап был трудным. Машины решали задачи, требующие разума."
    assert fixes(_editors.spelling, document) == {
        "Ранняя этап был трудным.": "Ранний этап был трудным."
    }


def test_terms_replace_jargon_in_the_same_case_and_number() -> None:
    document = "Юзеры ждали новую фичу к дедлайну. Разработчики рассказали о кейсах с девайсами."
    assert fixes(_editors.terms, document) == {
        "Юзеры ждали новую фичу к дедлайну.": "Пользователи ждали новую функцию к сроку.",
        "Разработчики рассказали о кейсах с девайсами.": (
            "Разработчики рассказали о случаях с приборами."
        ),
    }


def test_facts_correct_a_wrong_year_and_a_wrong_name_and_keep_true_ones() -> None:
    document = (
        "В 1996 году компьютер Deep Blue обыграл чемпиона мира по шахматам Гарри Каспарова. "
        "В 1950 году Марвин Минский опубликовал статью «Вычислительные машины и разум» "
        "и предложил игру в имитацию. "
        "Программа «Элиза», которую Джозеф Вейценбаум создал в 1966 году, изображала беседу "
        "с психотерапевтом. Компьютеры стали быстрее в 2001 году."
    )
    found = fixes(_editors.facts, document)
    assert {new for new in found.values()} == {
        "В 1997 году компьютер Deep Blue обыграл чемпиона мира по шахматам Гарри Каспарова.",
        "В 1950 году Алан Тьюринг опубликовал статью «Вычислительные машины и разум» "
        "и предложил игру в имитацию.",
    }


def test_concision_drops_fillers_and_shortens_wordy_phrases() -> None:
    document = (
        "На самом деле, машины играют в шахматы лучше людей. "
        "Исследователи, в общем-то, не ждали такого успеха. "
        "В настоящее время программы пишут стихи. Стоит отметить, что это спорно."
    )
    assert fixes(_editors.concision, document) == {
        "На самом деле, машины играют в шахматы лучше людей.": (
            "Машины играют в шахматы лучше людей."
        ),
        "Исследователи, в общем-то, не ждали такого успеха.": (
            "Исследователи не ждали такого успеха."
        ),
        "В настоящее время программы пишут стихи.": "Сейчас программы пишут стихи.",
        "Стоит отметить, что это спорно.": "Это спорно.",
    }


def test_concision_condenses_a_text_over_its_target_size() -> None:
    document = (
        "Нейронные сети учатся на примерах. Сети учатся на больших наборах примеров. "
        "Шахматные программы обыграли чемпиона. Сети учатся на примерах из интернета."
    )
    assert edits(_editors.concision, document, target_chars=10_000) == []
    deletions = edits(_editors.concision, document, target_chars=100)
    assert deletions
    assert all(d.action is Action.DELETE for d in deletions)
    shorter = applied(document, deletions[0])
    assert "Шахматные программы обыграли чемпиона." in shorter  # it says something new
    assert shorter.startswith("Нейронные сети учатся на примерах.")  # the opening stays
    assert "  " not in shorter
    assert len(shorter) < len(document)


def test_repetitions_remove_a_doubled_word_and_a_restated_sentence() -> None:
    document = (
        "Машины машины учатся на примерах. Первые программы играли в шашки.\n\n"
        "Сегодня первые программы играли в шашки. Конец истории."
    )
    proposals = edits(_editors.repetitions, document)
    replaced = {p.target: p.new_text for p in proposals if p.action is Action.REPLACE}
    assert replaced == {"Машины машины учатся на примерах.": "Машины учатся на примерах."}
    (deletion,) = [p for p in proposals if p.action is Action.DELETE]
    assert applied(document, deletion) == (
        "Машины машины учатся на примерах. Первые программы играли в шашки.\n\nКонец истории."
    )


def test_structure_splits_a_long_paragraph_and_joins_a_short_one() -> None:
    long = " ".join(f"Предложение номер {n} стоит здесь." for n in range(1, 7))
    document = f"Вступление здесь.\n\n{long}\n\nОдно короткое предложение.\n\nПоследний абзац."
    proposals = edits(_editors.structure, document)
    results = {applied(document, p) for p in proposals}
    split = document.replace(
        "номер 3 стоит здесь. Предложение", "номер 3 стоит здесь.\n\nПредложение"
    )
    joined = document.replace("Вступление здесь.\n\n", "Вступление здесь. ", 1)
    assert split in results
    assert joined not in results  # the opening paragraph is not a middle one
    short = "Первый абзац здесь.\n\nВторой абзац. Он короткий.\n\nТретий.\n\nКонец."
    joins = {applied(short, p) for p in edits(_editors.structure, short)}
    assert "Первый абзац здесь.\n\nВторой абзац. Он короткий. Третий.\n\nКонец." in joins


@pytest.mark.parametrize(
    "editor",
    [
        _editors.style,
        _editors.spelling,
        _editors.terms,
        _editors.facts,
        _editors.concision,
        _editors.repetitions,
        _editors.structure,
    ],
)
def test_every_editor_leaves_clean_text_alone(editor: _editors.Editor) -> None:
    document = (
        "Искусственный интеллект — область информатики, которая изучает, как научить машины "
        "решать задачи, требующие разума. Термин появился в 1956 году на семинаре в Дартмуте.\n\n"
        "Первые программы играли в шашки и доказывали теоремы. Потом пришли экспертные системы, "
        "а за ними машинное обучение и нейронные сети. Учёные ещё спорят о «зиме» тех лет."
    )
    assert edits(editor, document) == []
