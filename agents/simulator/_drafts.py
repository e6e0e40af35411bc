"""The writers' sentences: on any topic, endless, and never the same sentence twice.

A sentence is composed from a frame and parts (`_banks`): an aspect of the topic ("ранний
этап"), the topic itself inflected into the case the frame needs ("история искусственного
интеллекта" → "истории искусственного интеллекта"), a predicate made to agree with its
subject, an opener. pymorphy3 does the inflection, so a topic the user types works as long as
it is a noun phrase; anything else is spoken of as «тема «…»». The combinations run to
millions; a `Drafts` remembers what it gave and never gives a sentence twice.
"""

import random
from collections.abc import Callable
from enum import StrEnum

from . import _banks as banks
from . import _facts
from ._language import inflect, inflect_phrase, lower_first, noun_phrase_head, parses

AGREEING = ("VERB", "ADJS", "PRTS")
ANAPHOR_SHARE = 0.3
"""How often a sentence says "этой области" instead of naming the topic again."""


class Kind(StrEnum):
    """What a writer drafts."""

    TOPIC = "topic"
    EXAMPLE = "example"
    PLAIN = "plain"
    CONCLUSION = "conclusion"


class DraftError(Exception):
    """The generator could not compose a new sentence (it has never happened)."""


class Topic:
    """The topic as a noun phrase in every case a frame asks for."""

    def __init__(self, text: str) -> None:
        cleaned = " ".join(text.split()).strip(" .!?") or "эта тема"
        phrase = lower_first(cleaned)
        if inflect_phrase(phrase, "gent") is None:
            phrase = f"тема «{cleaned}»"
        self.text = cleaned
        self.phrase = phrase
        self.facts = _facts.for_topic(cleaned)

    def form(self, case: str) -> str:
        return inflect_phrase(self.phrase, case) or self.phrase


def agree(predicate: str, *, gender: str | None, number: str) -> str:
    """`predicate` with its verb or short adjective made to agree with the subject: the first
    word before any comma that can only be one ("тесно связан": "тесно" may be an adverb)."""
    words = predicate.split(" ")
    for index, word in enumerate(words):
        found = parses(word.rstrip(","))
        parse = next((p for p in found if p.tag.POS in AGREEING), None)
        if parse is not None and not any(p.tag.POS == "ADVB" for p in found):
            wanted = {number}
            if number == "sing" and (parse.tag.POS != "VERB" or parse.tag.tense == "past"):
                wanted.add(gender or "masc")
            form = inflect(parse, wanted)
            if form is not None:
                words[index] = form + ("," if word.endswith(",") else "")
            break
        if word.endswith(","):
            break
    return " ".join(words)


def subject_grammar(phrase: str) -> tuple[str | None, str]:
    """(gender, number) of a nominative noun phrase, for a predicate to agree with."""
    head = noun_phrase_head(phrase)
    if head is None:
        return None, "sing"
    tag = head[1].tag
    return (None if tag.gender is None else str(tag.gender)), str(tag.number or "sing")


class Drafts:
    """An endless stream of new sentences on one topic (seeded: the same seed, the same
    stream)."""

    def __init__(self, topic: str, seed: int) -> None:
        self.topic = Topic(topic)
        self._rng = random.Random(f"{seed}\n{self.topic.text}")
        self._given: set[str] = set()

    def sentence(self, kind: Kind) -> str:
        """A sentence of `kind` this generator has not given before."""
        compose = self._composers()[kind]
        for _ in range(1000):
            sentence = compose()
            if sentence not in self._given:
                self._given.add(sentence)
                return sentence
        raise DraftError(f"no new {kind} sentence in 1000 tries")

    def remember(self, sentence: str) -> None:
        """Never give `sentence` (a fact, say) from this generator."""
        self._given.add(sentence)

    @property
    def rng(self) -> random.Random:
        return self._rng

    def _composers(self) -> dict[Kind, Callable[[], str]]:
        return {
            Kind.TOPIC: self._topic_sentence,
            Kind.EXAMPLE: self._example,
            Kind.PLAIN: self._plain,
            Kind.CONCLUSION: self._conclusion,
        }

    # --- parts ---------------------------------------------------------------------------------

    def _aspect(self, number: str) -> str:
        phrase = (
            f"{self._rng.choice(banks.ASPECT_ADJECTIVES)} {self._rng.choice(banks.ASPECT_NOUNS)}"
        )
        return inflect_phrase(phrase, "nomn", number) or phrase

    def _aspect_in(self, case: str, number: str) -> str:
        phrase = self._aspect(number)
        return inflect_phrase(phrase, case, number) or phrase

    def _topic(self, case: str) -> str:
        """The topic in `case`, or now and then a word that refers back to it."""
        if self._rng.random() < ANAPHOR_SHARE:
            return inflect_phrase(self._rng.choice(banks.ANAPHORS), case) or self.topic.form(case)
        return self.topic.form(case)

    def _number(self) -> str:
        return "plur" if self._rng.random() < 0.3 else "sing"

    def _opened(self, clause: str) -> str:
        if self._rng.random() < 0.5:
            return _sentence(clause)
        return _sentence(f"{self._rng.choice(banks.OPENERS)} {lower_first(clause)}")

    # --- frames ----------------------------------------------------------------------------------

    def _topic_sentence(self) -> str:
        frames = (
            self._aspect_predicate,
            self._actors_discuss,
            self._plenty_of,
            self._dash,
            self._quoted_name,
        )
        return self._rng.choice(frames)()

    def _aspect_predicate(self) -> str:
        aspect = self._aspect(self._number())
        gender, number = subject_grammar(aspect)
        pool = banks.PRESENT_PREDICATES + banks.PAST_PREDICATES
        predicate = agree(self._rng.choice(pool), gender=gender, number=number)
        return self._opened(f"{aspect} {self._topic('gent')} {predicate}")

    def _actors_discuss(self) -> str:
        return self._opened(self._actor_clause())

    def _actor_clause(self) -> str:
        """«{actors} {verb} {an aspect in the verb's case} {the topic}»."""
        verb, case = self._rng.choice(banks.ACTOR_VERBS)
        aspect = self._aspect_in(case, self._number())
        actor = self._rng.choice(banks.ACTORS)
        return f"{actor} {_governed(verb, aspect)} {self._topic('gent')}"

    def _plenty_of(self) -> str:
        quantity = self._rng.choice(banks.QUANTITIES)
        aspects = self._aspect_in("gent", "plur")
        verb = "" if quantity == "хватает" else f" {self._rng.choice(banks.LOCATIVE_VERBS)}"
        return self._opened(f"в {self._topic('loct')}{verb} {quantity} {aspects}")

    def _dash(self) -> str:
        aspect = self._aspect("sing")
        phrase = self._rng.choice(banks.DASH_PHRASES)
        return self._opened(f"{aspect} {self._topic('gent')} — {phrase}")

    def _quoted_name(self) -> str:
        actor = self._rng.choice(banks.ACTORS)
        number = self._number()
        aspect = self._aspect_in("accs", number)
        name = self._rng.choice(banks.QUOTED_NAMES)
        return self._opened(f"{actor} называют {aspect} {self._topic('gent')} «{name}»")

    def _example(self) -> str:
        setting = self._rng.choice(banks.EXAMPLE_SETTINGS)
        clause = self._actor_clause()
        return _sentence(f"Например, {setting} {clause} {self._rng.choice(banks.EXAMPLE_TAILS)}")

    def _plain(self) -> str:
        return self._summary(self._rng.choice(banks.PLAIN_LEADS))

    def _conclusion(self) -> str:
        return self._summary(self._rng.choice(banks.CONCLUSION_LEADS))

    def _summary(self, lead: str) -> str:
        """«{lead} {the topic, or an aspect of it} {a plain predicate}»."""
        if self._rng.random() < 0.3:
            subject = self.topic.phrase
        else:
            subject = f"{self._aspect(self._number())} {self._topic('gent')}"
        gender, number = subject_grammar(subject)
        predicate = agree(self._rng.choice(banks.PLAIN_PREDICATES), gender=gender, number=number)
        return _sentence(f"{lead} {lower_first(subject)} {predicate}")


def _governed(verb: str, phrase: str) -> str:
    """`verb phrase`, with "о" made "об" before a vowel ("спорят об основном …")."""
    if verb.endswith(" о") and phrase[:1].lower() in "аоуэи":
        verb += "б"
    return f"{verb} {phrase}"


def _sentence(clause: str) -> str:
    clause = clause.strip()
    return clause[:1].upper() + clause[1:] + "."
