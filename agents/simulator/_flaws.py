"""The slips writers make, seeded and configurable: what the editors are there to find.

Each flaw kind has a rate (the chance that a sentence gets it, when the sentence allows it:
straight quotes need quotes, «е» for «ё» needs an ё). A flaw is only made when the editor's
own tool would find it (a typo must be a word the dictionary lacks and whose correction is the
original word; an agreement slip must be one the agreement check undoes), so every injected
flaw is fixable from the text alone; the editors never see this module's choices.
"""

import itertools
import random
import re
from collections.abc import Callable
from dataclasses import dataclass, fields, replace

from . import _agreement, _speller, _typography
from . import _banks as banks
from ._language import inflect, lower_first, parses, with_case_of, words

KEYBOARD_NEIGHBOURS = {
    row[i]: row[max(0, i - 1) : i] + row[i + 1 : i + 2]
    for row in ("йцукенгшщзхъ", "фывапролджэ", "ячсмитьбю")
    for i in range(len(row))
}
LEADS = tuple(
    lead.rstrip(",")
    for lead in (*banks.OPENERS, *banks.PLAIN_LEADS, *banks.CONCLUSION_LEADS, "Например")
)
TERMS_TO_JARGON = {term: jargon for jargon, term in banks.GLOSSARY.items()}


@dataclass(frozen=True)
class FlawRates:
    """The chance of each slip per drafted sentence (0 turns a kind off)."""

    typo: float = 0.4
    quotes: float = 0.5
    dash: float = 0.5
    yo: float = 0.5
    filler: float = 0.2
    doubled_word: float = 0.1
    jargon: float = 0.3
    agreement: float = 0.12
    wrong_fact: float = 0.5
    restatement: float = 0.05
    long_paragraph: float = 0.4

    @classmethod
    def parse(cls, spec: str) -> "FlawRates":
        """Rates from `kind=rate,...` (the defaults for kinds not named); ValueError naming
        the bad pair."""
        known = {f.name for f in fields(cls)}
        values: dict[str, float] = {}
        for pair in filter(None, (p.strip() for p in spec.split(","))):
            name, sep, raw = pair.partition("=")
            name = name.strip().replace("-", "_")
            if not sep or name not in known:
                raise ValueError(
                    f"expected 'kind=rate' with a kind of {', '.join(sorted(known))}; got {pair!r}"
                )
            try:
                rate = float(raw)
            except ValueError:
                raise ValueError(f"{name}: {raw!r} is not a number") from None
            if not 0 <= rate <= 1:
                raise ValueError(f"{name}: a rate is between 0 and 1, got {rate}")
            values[name] = rate
        return replace(cls(), **values)


def typo(word: str, rng: random.Random) -> str | None:
    """A slip of the hand in `word` (letters swapped, dropped, doubled, a neighbour key) that
    the speller catches and corrects back to `word`; None when no such slip is found."""
    slips: list[Callable[[int], str]] = [
        lambda i: word[:i] + word[i + 1] + word[i] + word[i + 2 :],
        lambda i: word[:i] + word[i + 1 :],
        lambda i: word[:i] + word[i] + word[i:],
        lambda i: word[:i] + rng.choice(KEYBOARD_NEIGHBOURS.get(word[i], word[i])) + word[i + 1 :],
    ]
    for _ in range(12):
        i = rng.randrange(1, len(word) - 1)
        slipped = rng.choice(slips)(i)
        if _speller.correction(slipped) == word:
            return slipped
    return None


class Flaws:
    """Makes a drafted sentence imperfect, with the writer's own random stream."""

    def __init__(self, rates: FlawRates, rng: random.Random) -> None:
        self.rates = rates
        self._rng = rng

    def chance(self, rate: float) -> bool:
        return self._rng.random() < rate

    def apply(self, sentence: str) -> str:
        """`sentence` with each kind of slip made at its rate."""
        rates = self.rates
        if self.chance(rates.jargon):
            sentence = self._jargon(sentence)
        if self.chance(rates.agreement):
            sentence = self._agreement(sentence)
        if self.chance(rates.filler):
            sentence = self._filler(sentence)
        if self.chance(rates.doubled_word):
            sentence = self._doubled_word(sentence)
        if self.chance(rates.typo):
            sentence = self._typo(sentence)
        if "«" in sentence and self.chance(rates.quotes):
            sentence = sentence.replace("«", '"').replace("»", '"')
        if " — " in sentence and self.chance(rates.dash):
            sentence = sentence.replace(" — ", " - ")
        if "ё" in sentence and self.chance(rates.yo):
            sentence = _without_yo(sentence)
        return sentence

    def _candidates(self, sentence: str) -> list[re.Match[str]]:
        """Plain lower-case words a slip may touch (not the first word, no names)."""
        found = list(words(sentence))[1:]
        return [m for m in found if _speller.checked(m[0]) and len(m[0]) >= 5]

    def _typo(self, sentence: str) -> str:
        candidates = self._candidates(sentence)
        self._rng.shuffle(candidates)
        for match in candidates[:4]:
            slipped = typo(match[0], self._rng)
            if slipped is not None:
                return sentence[: match.start()] + slipped + sentence[match.end() :]
        return sentence

    def _jargon(self, sentence: str) -> str:
        for match in words(sentence):
            for parse in parses(match[0]):
                jargon = TERMS_TO_JARGON.get(str(parse.normal_form))
                if jargon is None:
                    continue
                lexeme = next(p for p in parses(jargon) if p.normal_form == jargon)
                grammemes = {g for g in parse.tag.grammemes if g in _INFLECTING}
                form = inflect(lexeme, grammemes)
                if form is not None:
                    form = with_case_of(match[0], form)
                    return sentence[: match.start()] + form + sentence[match.end() :]
        return sentence

    def _agreement(self, sentence: str) -> str:
        found = list(words(sentence))
        pairs = list(itertools.pairwise(found))
        self._rng.shuffle(pairs)
        for adjective, noun in pairs:
            parse = next((p for p in parses(adjective[0]) if p.tag.POS == "ADJF"), None)
            if parse is None or "sing" not in parse.tag.grammemes:
                continue
            for gender in ("masc", "femn", "neut"):
                if gender == parse.tag.gender:
                    continue
                wrong = inflect(parse, {gender, "sing", str(parse.tag.case)})
                if wrong is None:
                    continue
                wrong = with_case_of(adjective[0], wrong)
                if _agreement.agreed_form(wrong, noun[0]) == adjective[0]:
                    return sentence[: adjective.start()] + wrong + sentence[adjective.end() :]
        return sentence

    def _filler(self, sentence: str) -> str:
        for long, short in banks.WORDY.items():
            if re.search(rf"(?<!\w){short}(?!\w)", sentence):
                return re.sub(rf"(?<!\w){short}(?!\w)", long, sentence, count=1)
        if sentence.startswith(LEADS):
            return sentence  # "На самом деле, проще говоря, …" reads as nobody writes
        filler = self._rng.choice([f for f in banks.FILLERS if f != "как бы"])
        separator = " " if filler.endswith("что") else ", "
        return f"{filler[:1].upper()}{filler[1:]}{separator}{lower_first(sentence)}"

    def _doubled_word(self, sentence: str) -> str:
        found = [m for m in words(sentence)][1:]
        if not found:
            return sentence
        match = self._rng.choice(found)
        return sentence[: match.end()] + " " + match[0] + sentence[match.end() :]


def _without_yo(sentence: str) -> str:
    """«е» for «ё» in every word where the ё is certain ("ещё", not "всё", which may be
    "все")."""
    out = sentence
    for match in reversed(list(words(sentence))):
        plain = match[0].replace("ё", "е").replace("Ё", "Е")
        if plain != match[0] and _typography.yo_form(plain) == match[0]:
            out = out[: match.start()] + plain + out[match.end() :]
    return out


_INFLECTING = {
    "nomn",
    "gent",
    "datv",
    "accs",
    "ablt",
    "loct",
    "sing",
    "plur",
    "masc",
    "femn",
    "neut",
}
