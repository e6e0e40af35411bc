"""The spelling role's checker: a Russian dictionary and the corrections one edit away.

The dictionary is pymorphy3's (OpenCorpora: every form of about 400 000 lemmas). A lower-case
word it does not know is a misspelling; its correction is the known word one edit away
(a letter dropped, added, changed, or two letters swapped), preferring the edits people make
most (a doubled letter, two swapped letters), then the commoner word by pyspellchecker's
Russian frequency list. Capitalised words (names) and words under three letters are never
corrected: a dictionary cannot tell a rare name from a typo.
"""

import functools
import re

from spellchecker import SpellChecker

from ._language import CYRILLIC, is_known, replace_words, words

ALPHABET = "абвгдеёжзийклмнопрстуфхцчшщъыьэюя"
MIN_LENGTH = 3
_LOWER_WORD = re.compile(rf"^[{CYRILLIC.replace('А-Я', '')}]+$")


@functools.cache
def _frequencies() -> dict[str, int]:
    return dict(SpellChecker(language="ru").word_frequency.dictionary)


def checked(word: str) -> bool:
    """Whether the speller judges `word` at all (lower-case Russian, long enough)."""
    return len(word) >= MIN_LENGTH and bool(_LOWER_WORD.match(word))


def is_misspelled(word: str) -> bool:
    """A lower-case Russian word the dictionary does not know."""
    return checked(word) and not is_known(word)


@functools.lru_cache(maxsize=50_000)
def correction(word: str) -> str | None:
    """The likeliest known word one edit away from a misspelled `word`; None if none is."""
    if not is_misspelled(word):
        return None
    ranked = sorted(
        (kind, -_frequencies().get(candidate, 0), candidate)
        for candidate, kind in _edits(word).items()
        if is_known(candidate)
    )
    return ranked[0][2] if ranked else None


def misspellings(text: str) -> list[str]:
    """Every misspelled word of `text`, in order (repeats included)."""
    return [m[0] for m in words(text) if is_misspelled(m[0])]


def fix(sentence: str) -> tuple[str, list[tuple[str, str]]]:
    """`sentence` with every correctable misspelling corrected, and the (wrong, right) pairs."""
    return replace_words(sentence, correction)


def _edits(word: str) -> dict[str, int]:
    """Every string one edit away, with the edit's rank: 0 for the commonest slips (a letter
    doubled or not, two neighbours swapped), 1 for a letter dropped or added, 2 changed."""
    found: dict[str, int] = {}

    def add(candidate: str, kind: int) -> None:
        if candidate != word and kind < found.get(candidate, 3):
            found[candidate] = kind

    for i in range(len(word) + 1):
        head, tail = word[:i], word[i:]
        if tail:
            doubled = (len(tail) > 1 and tail[0] == tail[1]) or (bool(head) and head[-1] == tail[0])
            add(head + tail[1:], 0 if doubled else 1)
            for letter in ALPHABET:
                add(head + letter + tail[1:], 2)
        if len(tail) > 1:
            add(head + tail[1] + tail[0] + tail[2:], 0)
        for letter in ALPHABET:
            neighbour = (bool(head) and head[-1] == letter) or (bool(tail) and tail[0] == letter)
            add(head + letter + tail, 0 if neighbour else 1)
    return found
