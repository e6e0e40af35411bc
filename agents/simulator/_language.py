"""Russian language tools the simulated editors share: words, sentences and morphology.

Morphology is pymorphy3 with its OpenCorpora dictionary (about 400 000 lemmas in every form);
sentences come from razdel. Both are read-only, so one analyzer serves every request, and
parses are cached: the same document is read again and again as it grows.
"""

import functools
import re
from collections.abc import Callable, Iterator

import pymorphy3
from pymorphy3.analyzer import Parse
from razdel import sentenize

CYRILLIC = "А-Яа-яЁё"
WORD = re.compile(rf"[{CYRILLIC}]+(?:-[{CYRILLIC}]+)*")
"""A Russian word, hyphenated compounds included ("по-новому", "в общем-то")."""
NAME_TAGS = frozenset({"Name", "Surn", "Patr", "Geox", "Orgn", "Trad", "Abbr"})


@functools.cache
def analyzer() -> pymorphy3.MorphAnalyzer:
    """The one morphological analyzer (its dictionary loads once, in about 0.1 s)."""
    return pymorphy3.MorphAnalyzer()


@functools.lru_cache(maxsize=200_000)
def parses(word: str) -> tuple[Parse, ...]:
    """Every analysis of `word` (case-insensitive), most likely first."""
    return tuple(analyzer().parse(word.lower()))


@functools.lru_cache(maxsize=200_000)
def is_known(word: str) -> bool:
    """Whether the dictionary has `word` in some form (е for ё is no misspelling)."""
    return bool(analyzer().word_is_known(word.lower()))


def lemma(word: str) -> str:
    """The dictionary form of `word`'s likeliest analysis."""
    found = parses(word)
    return str(found[0].normal_form) if found else word.lower()


def is_name(word: str) -> bool:
    """A capitalised word read as a name, a place or an organisation (never corrected)."""
    if len(word) < 2 or not word[:1].isupper():
        return False  # "В 2016 году": a capital preposition is no initial
    return any(p.tag.grammemes & NAME_TAGS for p in parses(word)[:2])


def words(text: str) -> Iterator[re.Match[str]]:
    """The Russian words of `text` with their offsets."""
    return WORD.finditer(text)


def replace_words(
    sentence: str, choose: Callable[[str], str | None]
) -> tuple[str, list[tuple[str, str]]]:
    """`sentence` with each word that `choose` has a replacement for replaced, and the
    (old, new) pairs."""
    pairs: list[tuple[str, str]] = []

    def swap(match: re.Match[str]) -> str:
        new = choose(match[0])
        if new is None or new == match[0]:
            return match[0]
        pairs.append((match[0], new))
        return new

    return WORD.sub(swap, sentence), pairs


def with_case_of(model: str, word: str) -> str:
    """`word` capitalised like `model` (first letter only)."""
    return word[:1].upper() + word[1:] if model[:1].isupper() else word


def inflect(parse: Parse, grammemes: set[str]) -> str | None:
    """The form of `parse` with `grammemes`, or None when the word has no such form."""
    form = parse.inflect(frozenset(grammemes))
    return None if form is None else str(form.word)


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of every sentence of `text`; a sentence never crosses a line break."""
    spans: list[tuple[int, int]] = []
    offset = 0
    for line in text.split("\n"):
        spans += [(offset + s, offset + e) for s, e in _line_sentences(line)]
        offset += len(line) + 1
    return spans


def sentences(text: str) -> list[str]:
    """The text of every sentence of `text`, in order."""
    return [text[start:end] for start, end in sentence_spans(text)]


@functools.lru_cache(maxsize=20_000)
def _line_sentences(line: str) -> tuple[tuple[int, int], ...]:
    return tuple((s.start, s.stop) for s in sentenize(line) if s.text.strip())


def lower_first(phrase: str) -> str:
    """`phrase` with a small first letter, unless its first word is a name."""
    first = phrase.split(" ", 1)[0]
    return phrase if is_name(first) else phrase[:1].lower() + phrase[1:]


def upper_first(phrase: str) -> str:
    return phrase[:1].upper() + phrase[1:]


def noun_phrase_head(phrase: str) -> tuple[int, Parse] | None:
    """The index and analysis of a noun phrase's head: its first noun in the nominative."""
    words_ = phrase.split(" ")
    for index, word in enumerate(words_):
        found = parses(word)
        modifier = any(p.tag.POS in ("ADJF", "PRTF") and "nomn" in p.tag.grammemes for p in found)
        if modifier and index + 1 < len(words_):
            continue
        for parse in found:
            if {"NOUN", "nomn"} <= parse.tag.grammemes:
                return index, parse
        return None
    return None


def inflect_phrase(phrase: str, case: str, number: str | None = None) -> str | None:
    """A nominative noun phrase in `case` (and `number`): its head noun and the adjectives
    before it change, the words after the head (a genitive complement) stay.

    "ранний этап" → "раннего этапа"; "история искусственного интеллекта" → "истории
    искусственного интеллекта". None when the phrase has no nominative noun to inflect.
    """
    head = noun_phrase_head(phrase)
    if head is None:
        return None
    index, noun = head
    words_ = phrase.split(" ")
    number = number or ("plur" if "plur" in noun.tag.grammemes else "sing")
    wanted = {case, number}
    if case == "accs" and (number == "plur" or noun.tag.gender == "masc"):
        wanted.add(str(noun.tag.animacy))
    head_form = inflect(noun, {case, number})
    if head_form is None:
        return None
    out = [*words_]
    out[index] = with_case_of(words_[index], head_form)
    for position in range(index):
        adjective = next(
            (p for p in parses(words_[position]) if p.tag.POS in ("ADJF", "PRTF")), None
        )
        if adjective is None:
            continue
        grammemes = {*wanted} if number == "plur" else {*wanted, str(noun.tag.gender)}
        form = inflect(adjective, grammemes) or inflect(adjective, grammemes - {"anim", "inan"})
        if form is None:
            return None
        out[position] = with_case_of(words_[position], form)
    return " ".join(out)
