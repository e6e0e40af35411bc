"""The writing roles: they add sentences while the text is short and rewrite once it is long.

A writer appends a new sentence (now and then opening a paragraph) while the document is
under 85 % of the size the room aims at; from there on it more and more often rewrites one
of the sentences of its kind instead (an example for an example), so the text keeps changing
while its size levels off (the concision editor trims what goes over). Sentences come from
`Drafts` (one per topic, never the same sentence twice) and get the writers' slips.
"""

import random
from collections import OrderedDict

from ..proposal import Action, EditProposal, word_prefix
from . import _banks as banks
from . import _facts
from ._drafts import Drafts, Kind
from ._editors import LEAD_IN, Context, replace
from ._flaws import FlawRates, Flaws
from ._language import lower_first, sentence_spans

GROWING_SHARE = 0.85
"""Below this share of the target size writers only append."""
FACT_SHARE = 0.3
"""The topic expert states a fact of the fact table this often, while some are unstated."""
PARAGRAPH_SENTENCES = (3, 5)
"""A writer opens a new paragraph once the last one has this many sentences (drawn)."""
TOPICS_KEPT = 8
RECENT_SHARE = 0.5
"""How often a writer rewrites the newest sentence of its kind rather than any."""

NOTES = {
    Kind.TOPIC: "Дописал предложение по теме",
    Kind.EXAMPLE: "Добавил пример, чтобы мысль была нагляднее",
    Kind.PLAIN: "Пояснил мысль простыми словами",
    Kind.CONCLUSION: "Добавил заключительный абзац с выводом",
}


class Writers:
    """What the writing roles share: a `Drafts` per topic and the slips they make."""

    def __init__(self, *, seed: int, flaws: FlawRates) -> None:
        self._seed = seed
        self._flaw_rates = flaws
        self._drafts: OrderedDict[str, tuple[Drafts, Flaws]] = OrderedDict()

    def drafts(self, topic: str) -> tuple[Drafts, Flaws]:
        """The generator and the slips for `topic` (a few topics are kept, the newest)."""
        if topic not in self._drafts:
            drafts = Drafts(topic, self._seed)
            self._drafts[topic] = (drafts, Flaws(self._flaw_rates, drafts.rng))
            while len(self._drafts) > TOPICS_KEPT:
                self._drafts.popitem(last=False)
        self._drafts.move_to_end(topic)
        return self._drafts[topic]

    def write(self, kind: Kind, ctx: Context) -> list[EditProposal]:
        """This writer's edit: an appended sentence, or a rewritten one of its kind."""
        text = ctx.document
        if kind is Kind.CONCLUSION:
            return self._conclusion(ctx)
        share = len(text) / max(1, ctx.target_chars)
        grow = share < GROWING_SHARE or ctx.rng.random() < (1 - share) / (1 - GROWING_SHARE)
        if not grow:
            rewrites = self._rewrites(kind, ctx)
            if rewrites:
                return rewrites
        return [self._append(kind, ctx)]

    def _sentence(self, kind: Kind, ctx: Context) -> str:
        drafts, flaws = self.drafts(ctx.topic)
        text = ctx.document
        if kind is Kind.TOPIC and flaws.chance(flaws.rates.restatement):
            restated = _restatement(text, drafts.rng)
            if restated is not None:
                return restated
        unstated = _facts.unstated(text, drafts.topic.facts)
        if kind is Kind.TOPIC and unstated and drafts.rng.random() < FACT_SHARE:
            return flaws.apply(_fact(drafts, flaws, unstated))
        return flaws.apply(drafts.sentence(kind))

    def _append(self, kind: Kind, ctx: Context) -> EditProposal:
        sentence = self._sentence(kind, ctx)
        _, flaws = self.drafts(ctx.topic)
        text = ctx.document.rstrip()
        last = text.split("\n\n")[-1]
        limit = ctx.rng.randint(*PARAGRAPH_SENTENCES)
        if not text:
            addition = sentence
        elif len(sentence_spans(last)) >= limit and not flaws.chance(flaws.rates.long_paragraph):
            addition = "\n\n" + sentence
        else:
            addition = " " + sentence
        return EditProposal(
            action=Action.APPEND, target="", new_text=addition, note=_note(kind, sentence)
        )

    def _rewrites(self, kind: Kind, ctx: Context) -> list[EditProposal]:
        text = ctx.document
        spans = sentence_spans(text)[1:]  # the opening sentence stays
        mine = [text[a:b] for a, b in spans if _kind_of(text[a:b]) is kind]
        drafts, flaws = self.drafts(ctx.topic)
        if kind is Kind.TOPIC:  # the expert also words a fact anew (and may slip again)
            mine += [text[a:b] for a, b in spans if _facts.fact_of(text[a:b]) is not None]
        if not mine:
            return []
        recent = ctx.rng.random() < RECENT_SHARE  # a writer goes back over what it just wrote
        old = max(mine, key=text.rfind) if recent else ctx.rng.choice(mine)
        fact = _facts.fact_of(old)
        new = flaws.apply(_fact(drafts, flaws, [fact])) if fact else ""
        if new in ("", old):
            new = self._sentence(kind, ctx)
        return [replace(old, new, f"Переписал предложение: было «{word_prefix(old)}…».")]

    def _conclusion(self, ctx: Context) -> list[EditProposal]:
        text = ctx.document
        if any(m in text for m in banks.CONCLUSION_MARKERS) or len(sentence_spans(text)) < 3:
            return []
        drafts, flaws = self.drafts(ctx.topic)
        sentence = flaws.apply(drafts.sentence(Kind.CONCLUSION))
        return [
            EditProposal(
                action=Action.APPEND,
                target="",
                new_text="\n\n" + sentence,
                note=_note(Kind.CONCLUSION, sentence),
            )
        ]


def _note(kind: Kind, sentence: str) -> str:
    """The chat note of an appended sentence: what it is, and how it starts."""
    return f"{NOTES[kind]}: «{word_prefix(sentence, 50)}…»"


def _kind_of(sentence: str) -> Kind | None:
    """Which writer a sentence is the kind of (None: facts and conclusions are left alone)."""
    if sentence.startswith(banks.CONCLUSION_MARKERS) or _facts.fact_of(sentence) is not None:
        return None
    if sentence.startswith("Например"):
        return Kind.EXAMPLE
    if sentence.startswith(tuple(lead.rstrip(",") for lead in banks.PLAIN_LEADS)):
        return Kind.PLAIN
    return Kind.TOPIC


def _fact(drafts: Drafts, flaws: Flaws, unstated: list[_facts.Fact]) -> str:
    """A fact of the table in one of its wordings, now and then with a wrong year or name."""
    rng = drafts.rng
    fact = rng.choice(unstated)
    statement = rng.choice(fact.statements)
    if not flaws.chance(flaws.rates.wrong_fact):
        return _facts.state(statement, fact)
    if fact.person is not None and rng.random() < 0.5:
        other = rng.choice([key for key in _facts.PEOPLE if key != fact.person])
        return _facts.state(statement, fact, person=other)
    slip = rng.choice((-3, -2, -1, 1, 2, 3, 10))
    return _facts.state(statement, fact, year=fact.year + slip)


def _restatement(text: str, rng: random.Random) -> str | None:
    """An earlier sentence said again with another opener, as people repeat themselves."""
    candidates = [text[a:b] for a, b in sentence_spans(text) if _kind_of(text[a:b]) is Kind.TOPIC]
    if not candidates:
        return None
    body = LEAD_IN.sub("", rng.choice(candidates))
    restated = f"{rng.choice(banks.OPENERS)} {lower_first(body)}"
    return None if restated in text else restated
