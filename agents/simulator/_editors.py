"""The editing roles: each finds its kind of flaw in the text alone and proposes the fix.

A fix replaces whole words inside one sentence, and its target is that whole sentence, so two
roles fixing different slips of one sentence really collide (the later edit is rejected as a
stale read, or supersedes the other). Deletions take a whole sentence with its spacing.
Every function returns all the candidate edits; the model picks one.
"""

import itertools
import random
import re
from collections.abc import Callable
from dataclasses import dataclass

from ..proposal import Action, EditProposal, word_prefix
from . import _agreement, _facts, _speller, _typography
from . import _banks as banks
from ._language import (
    CYRILLIC,
    inflect,
    lemma,
    parses,
    replace_words,
    sentence_spans,
    upper_first,
    with_case_of,
    words,
)

SPLIT_SENTENCES = 5
"""A paragraph of this many sentences is split in two."""
JOIN_SENTENCES = 2
"""A paragraph of at most this many sentences is joined to the one before it, when the two
make fewer than `SPLIT_SENTENCES` (so a joined paragraph is never split again)."""
SPLIT_CHARS = 900
"""…and so is one this long (whatever its sentence count)."""
CLAIM_NOTE = " Беру: «{}» на минуту."


@dataclass(frozen=True)
class Context:
    """What an editor sees: the document, the topic, the claimed fragments, its randomness,
    and the size the room aims the document at."""

    document: str
    topic: str
    claimed: list[str]
    rng: random.Random
    target_chars: int


Editor = Callable[[Context], list[EditProposal]]


def replace(old: str, new: str, note: str) -> EditProposal:
    """A replacement of `old` that claims the new text for a minute."""
    return EditProposal(
        action=Action.REPLACE,
        target=old,
        new_text=new,
        note=note + CLAIM_NOTE.format(word_prefix(new)),
    )


def sentence_deletion(text: str, start: int, end: int) -> str:
    """The fragment to delete to remove the sentence at `start:end` with its spacing (the
    paragraph break too, when it is a paragraph of its own)."""
    left = start
    while left > 0 and text[left - 1] == " ":
        left -= 1
    right = end
    if left == start:  # the first sentence of its line
        while right < len(text) and text[right] == " ":
            right += 1
        if right == len(text) or text[right] == "\n":  # alone on its line: take a break too
            while left > 0 and text[left - 1] == "\n":
                left -= 1
            if left == 0:
                while right < len(text) and text[right] == "\n":
                    right += 1
    return text[left:right]


def _sentence_fixes(ctx: Context, fix: Callable[[str], tuple[str, str]]) -> list[EditProposal]:
    """A replacement for each sentence `fix` changes; `fix` returns (new sentence, note)."""
    out = []
    for start, end in sentence_spans(ctx.document):
        old = ctx.document[start:end]
        new, note = fix(old)
        if new != old:
            out.append(replace(old, new, note))
    return out


def _pairs(pairs: list[tuple[str, str]]) -> str:
    return ", ".join(f"«{wrong}» → «{right}»" for wrong, right in pairs)


# --- the correctors ------------------------------------------------------------------------------


def style(ctx: Context) -> list[EditProposal]:
    """Typography and ё."""

    def fix(sentence: str) -> tuple[str, str]:
        fixed, done = _typography.fix(sentence)
        return fixed, "Поправил типографику: " + "; ".join(done) + "."

    return _sentence_fixes(ctx, fix)


def spelling(ctx: Context) -> list[EditProposal]:
    """Misspellings (the dictionary) and adjectives that disagree with their noun."""

    def fix(sentence: str) -> tuple[str, str]:
        fixed, typos = _speller.fix(sentence)
        fixed, agreement = _agreement.fix(fixed)
        notes = []
        if typos:
            notes.append(f"Исправил опечатки: {_pairs(typos)}.")
        if agreement:
            notes.append(f"Согласовал слова: {_pairs(agreement)}.")
        return fixed, " ".join(notes)

    return _sentence_fixes(ctx, fix)


def terms(ctx: Context) -> list[EditProposal]:
    """Jargon replaced by the glossary's Russian terms, in the same case and number."""

    def fix(sentence: str) -> tuple[str, str]:
        fixed, pairs = replace_words(sentence, glossary_term)
        return fixed, f"Заменил жаргон принятыми терминами: {_pairs(pairs)}."

    return _sentence_fixes(ctx, fix)


def glossary_term(word: str) -> str | None:
    """The glossary's term for a jargon word, in the word's form ("юзерам" → "пользователям")."""
    for parse in parses(word):
        term = banks.GLOSSARY.get(str(parse.normal_form))
        if term is None:
            continue
        lexeme = next((p for p in parses(term) if p.normal_form == term), None)
        if lexeme is None:
            return None
        grammemes = {g for g in parse.tag.grammemes if g in _FORM_GRAMMEMES}
        form = inflect(lexeme, grammemes)
        return None if form is None else with_case_of(word, form)
    return None


_FORM_GRAMMEMES = {"nomn", "gent", "datv", "accs", "ablt", "loct", "sing", "plur"}
_FORM_GRAMMEMES |= {"masc", "femn", "neut", "anim", "inan"}


def facts(ctx: Context) -> list[EditProposal]:
    """Wrong years and names in the facts of the fact table."""

    def fix(sentence: str) -> tuple[str, str]:
        fixed, notes = _facts.check(sentence)
        return fixed, "Сверил с источниками и исправил: " + "; ".join(notes) + "."

    return _sentence_fixes(ctx, fix)


def without_fillers(sentence: str) -> tuple[str, list[str]]:
    """`sentence` without filler phrases and with wordy phrases shortened; what went."""
    done = []
    fixed = sentence
    for filler in banks.FILLERS:
        pattern = re.compile(
            rf"(?:,\s*)?(?<![{CYRILLIC}-]){re.escape(filler)}(?![{CYRILLIC}-]),?\s*", re.I
        )
        match = pattern.search(fixed)
        if match is None:
            continue
        at_start = match.start() == 0
        joiner = "" if at_start or match.end() == len(fixed) else " "
        fixed = fixed[: match.start()] + joiner + fixed[match.end() :]
        if at_start:
            fixed = upper_first(fixed)
        done.append(f"«{filler}»")
    for long, short_form in banks.WORDY.items():
        pattern = re.compile(rf"(?<![{CYRILLIC}]){re.escape(long)}(?![{CYRILLIC}])", re.I)
        match = pattern.search(fixed)
        if match is not None:
            fixed = (
                fixed[: match.start()] + with_case_of(match[0], short_form) + fixed[match.end() :]
            )
            done.append(f"«{long}» → «{short_form}»")
    fixed = re.sub(r" +([,.!?…])", r"\1", fixed)
    return fixed, done


def concision(ctx: Context) -> list[EditProposal]:
    """Fillers and wordy phrases; and, once the text outgrows its size, the sentence that
    says least that is new (most of its words are said elsewhere)."""

    def fix(sentence: str) -> tuple[str, str]:
        fixed, done = without_fillers(sentence)
        return fixed, "Убрал лишние слова: " + ", ".join(done) + "."

    out = _sentence_fixes(ctx, fix)
    if len(ctx.document) > ctx.target_chars:
        out += _condense(ctx)
    return out


def _content(sentence: str) -> set[str]:
    return {
        lemma(m[0])
        for m in re.finditer(rf"[{CYRILLIC}]{{4,}}", sentence)
        if parses(m[0]) and parses(m[0])[0].tag.POS in ("NOUN", "ADJF", "VERB", "INFN", "PRTF")
    }


def _condense(ctx: Context) -> list[EditProposal]:
    text = ctx.document
    spans = sentence_spans(text)
    topic = _content(ctx.topic)
    contents = [_content(text[a:b]) - topic for a, b in spans]
    scored = []
    for index, ((start, end), content) in enumerate(zip(spans, contents, strict=True)):
        sentence = text[start:end]
        keep = sentence.startswith(banks.CONCLUSION_MARKERS) or _facts.fact_of(sentence) is not None
        if index == 0 or not content or keep:
            continue
        elsewhere = set().union(*(c for i, c in enumerate(contents) if i != index))
        scored.append((len(content & elsewhere) / len(content), start, end))
    scored.sort(reverse=True)
    return [
        EditProposal(
            action=Action.DELETE,
            target=sentence_deletion(text, start, end),
            new_text="",
            note=(
                f"Сократил текст: «{word_prefix(text[start:end])}…» почти целиком повторяет "
                "сказанное."
            ),
        )
        for _, start, end in scored[:3]
    ]


LEAD_IN = re.compile(
    r"^(?:(?:"
    + "|".join(
        re.escape(lead.rstrip(","))
        for lead in sorted(
            (*banks.OPENERS, *banks.PLAIN_LEADS, *banks.FILLERS, "Например"), key=len, reverse=True
        )
    )
    + r"),?\s+)+",
    re.IGNORECASE,
)


def statement(sentence: str) -> str:
    """What a sentence says: without its lead-in ("Например, …", "Проще говоря, …"), in
    lower case, е for ё, without quotes."""
    return _facts.normalise(LEAD_IN.sub("", sentence)).strip()


def without_doubles(sentence: str) -> tuple[str, list[str]]:
    """`sentence` without a word written twice in a row (in any of its forms: "искусственной
    искусственного" is one slip the agreement check half undid); which words went."""
    found = list(words(sentence))
    cut: list[re.Match[str]] = []
    for first, second in itertools.pairwise(found):
        if sentence[first.end() : second.start()] == " " and lemma(first[0]) == lemma(second[0]):
            cut.append(first)
    fixed = sentence
    for match in reversed(cut):
        rest = fixed[match.end() + 1 :]
        if match[0][:1].isupper():
            rest = upper_first(rest)
        fixed = fixed[: match.start()] + rest
    return fixed, [m[0] for m in cut]


def repetitions(ctx: Context) -> list[EditProposal]:
    """A word written twice in a row; a sentence that says what an earlier one said."""

    def fix(sentence: str) -> tuple[str, str]:
        fixed, doubled = without_doubles(sentence)
        return fixed, f"Убрал повтор слова: «{'», «'.join(doubled)}»."

    out = _sentence_fixes(ctx, fix)
    text = ctx.document
    seen: set[str] = set()
    for start, end in sentence_spans(text):
        said = statement(text[start:end])
        if said not in seen:
            seen.add(said)
            continue
        out.append(
            EditProposal(
                action=Action.DELETE,
                target=sentence_deletion(text, start, end),
                new_text="",
                note=f"Удалил повтор: «{word_prefix(text[start:end])}» уже сказано выше.",
            )
        )
    return out


def structure(ctx: Context) -> list[EditProposal]:
    """Split a paragraph that grew too long between its middle sentences; join a short
    paragraph in the middle of the text to a short one before it."""
    out = []
    paragraphs = ctx.document.split("\n\n")
    spans = [sentence_spans(p) if "\n" not in p else [] for p in paragraphs]
    for index, (paragraph, sentences_) in enumerate(zip(paragraphs, spans, strict=True)):
        if len(sentences_) >= SPLIT_SENTENCES or (
            len(sentences_) >= 4 and len(paragraph) > SPLIT_CHARS
        ):
            mid = len(sentences_) // 2
            (a0, a1), (b0, b1) = sentences_[mid - 1], sentences_[mid]
            out.append(
                replace(
                    paragraph[a0:b1],
                    f"{paragraph[a0:a1]}\n\n{paragraph[b0:b1]}",
                    "Разбил длинный абзац на два, чтобы текст легче читался.",
                )
            )
        middle = 0 < index < len(paragraphs) - 1
        if not middle or not 0 < len(sentences_) <= JOIN_SENTENCES:
            continue
        before = spans[index - 1]
        if not before or len(before) + len(sentences_) >= SPLIT_SENTENCES:
            continue
        if paragraph.startswith(banks.CONCLUSION_MARKERS):
            continue
        last = paragraphs[index - 1][before[-1][0] : before[-1][1]]
        first = paragraph[sentences_[0][0] : sentences_[0][1]]
        out.append(
            replace(
                f"{last}\n\n{first}",
                f"{last} {first}",
                "Объединил два коротких абзаца: они об одном.",
            )
        )
    return out
