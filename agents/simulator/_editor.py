"""The simulator's "model": a role-appropriate Russian edit of the document in a prompt.

Pure and deterministic: the same (seed, prompt) gives the same edit. Every strategy edits whole
sentences (or appends one), so quotes stay balanced and no word is cut.
"""

import hashlib
import random
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from ..prompt import PromptParts
from ..proposal import Action, EditProposal
from . import _banks as banks
from . import _restructure

SENTENCE = re.compile(r"\S(?:[^.!?…\n]|[.!?…](?=[^\s»\")]))*(?:[.!?…]+[»\")]*)?")
LETTER = "А-Яа-яЁёA-Za-z"
LEAD_IN = re.compile(
    r"^(?:(?:Например|Проще говоря), )?(?:(?:"
    + "|".join(re.escape(o.rstrip(",")) for o in banks.OPENERS)
    + r"),? )?",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Context:
    document: str
    topic: str
    claimed: list[str]
    rng: random.Random


Strategy = Callable[[Context], list[EditProposal]]


def propose(parts: PromptParts, *, seed: int, prompt: str) -> EditProposal:
    """One edit for the role in `parts`, avoiding claimed fragments."""
    digest = hashlib.sha256(f"{seed}\n{prompt}".encode()).digest()
    ctx = Context(
        document=parts.document,
        topic=parts.topic,
        claimed=[c for c in parts.claimed if c.strip()],
        rng=random.Random(int.from_bytes(digest[:8], "big")),
    )
    strategy = strategy_for(parts.role)
    step = _restructure.next_step(parts, proposer=strategy is structure)
    if step is not None:
        return step
    candidates = [c for c in strategy(ctx) if not _touches_claim(ctx, c.target)]
    if not candidates:
        return EditProposal(action=Action.NONE, target="", new_text="", note="")
    return ctx.rng.choice(candidates)


def strategy_for(role: str) -> Strategy:
    """The strategy whose keyword the role's title contains (topic expert by default).

    The title is the text before the first colon ("Редактор повторов: ..."), so words in the
    description ("не повторяя уже сказанного") do not pick the wrong strategy.
    """
    lowered = role.partition(":")[0].lower()
    for keywords, strategy in _STRATEGIES:
        if any(k in lowered for k in keywords):
            return strategy
    return expert


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of every sentence; a sentence never crosses a line break."""
    return [m.span() for m in SENTENCE.finditer(text)]


# --- corrective strategies: each candidate replaces one whole sentence --------------------------


def _sentence_fixes(ctx: Context, fix: Callable[[str], str], note: str) -> list[EditProposal]:
    out = []
    for start, end in sentence_spans(ctx.document):
        old = ctx.document[start:end]
        new = fix(old)
        if new != old:
            out.append(_replace(old, new, note))
    return out


def typography(sentence: str) -> str:
    """Russian typography for one sentence: «ёлочки», em dashes, ellipsis, ё, single spaces."""
    if sentence.count('"') % 2 == 0:
        sentence = re.sub(r'"([^"]*)"', r"«\1»", sentence)
    sentence = re.sub(r" (?:-|--|–) ", " — ", sentence)
    sentence = sentence.replace("...", "…")
    sentence = re.sub(r" {2,}", " ", sentence)
    return _words(sentence, banks.YO_WORDS)


def style(ctx: Context) -> list[EditProposal]:
    note = "Поправил типографику: «ёлочки», тире и «ё»."
    candidates = _sentence_fixes(ctx, typography, note)
    if not candidates:  # a quotation spanning sentences: fix it on its whole line
        for line in ctx.document.split("\n"):
            if line.count('"') and line.count('"') % 2 == 0:
                candidates.append(_replace(line, re.sub(r'"([^"]*)"', r"«\1»", line), note))
    return candidates


def spelling(ctx: Context) -> list[EditProposal]:
    return _sentence_fixes(
        ctx, lambda s: _words(s, banks.SPELLING), "Исправил орфографическую ошибку."
    )


def terms(ctx: Context) -> list[EditProposal]:
    return _sentence_fixes(
        ctx, lambda s: _words(s, banks.TERMS), "Заменил жаргонное слово русским термином."
    )


def facts(ctx: Context) -> list[EditProposal]:
    def fix(sentence: str) -> str:
        for wrong, right in banks.FACT_FIXES.items():
            sentence = sentence.replace(wrong, right)
        return sentence

    return _sentence_fixes(ctx, fix, "Исправил фактическую ошибку (проверил дату и числа).")


def concision(ctx: Context) -> list[EditProposal]:
    def fix(sentence: str) -> str:
        for filler in banks.FILLERS:
            if sentence.lower().startswith(filler):
                rest = sentence[len(filler) :]
                sentence = rest[:1].upper() + rest[1:]
            sentence = re.sub(rf"(?<=[ ,]){re.escape(filler)}", "", sentence)
        return sentence

    return _sentence_fixes(ctx, fix, "Убрал слова-паразиты, смысл не изменился.")


def statement(sentence: str) -> str:
    """What a sentence says, without its lead-in ("Например, сегодня …") or case."""
    return LEAD_IN.sub("", sentence).lower()


def repetitions(ctx: Context) -> list[EditProposal]:
    """Delete a sentence that repeats an earlier one (word for word, or the same statement
    with another lead-in), with its spacing."""
    text = ctx.document
    seen: set[str] = set()
    out = []
    for start, end in sentence_spans(text):
        sentence = text[start:end]
        if statement(sentence) not in seen:
            seen.add(statement(sentence))
            continue
        left = start
        while left > 0 and text[left - 1] == " ":
            left -= 1
        if left == start:
            while left > 0 and text[left - 1] == "\n":
                left -= 1
        right = end
        if left == start:
            while right < len(text) and text[right].isspace():
                right += 1
        out.append(
            EditProposal(
                action=Action.DELETE,
                target=text[left:right],
                new_text="",
                note=f"Удалил повтор: «{_short(sentence)}» уже есть выше.",
            )
        )
    return out


def structure(ctx: Context) -> list[EditProposal]:
    """Split a paragraph of six or more sentences in two between its middle sentences."""
    out = []
    for line in ctx.document.split("\n"):
        spans = sentence_spans(line)
        if len(spans) >= 6:
            mid = len(spans) // 2
            (a0, a1), (b0, b1) = spans[mid - 1], spans[mid]
            first, second = line[a0:a1], line[b0:b1]
            out.append(
                _replace(
                    line[a0:b1],
                    f"{first}\n\n{second}",
                    "Разбил длинный абзац на два, чтобы текст легче читался.",
                )
            )
    return out


# --- additive strategies: append one sentence the text does not have yet ----------------------


def _topic_key(ctx: Context) -> str | None:
    for source in (ctx.topic.lower(), ctx.document.lower()):
        for key in banks.TOPIC_SENTENCES:
            if key in source:
                return key
    return None


def _appends(ctx: Context, sentences: Iterable[str], note: str) -> list[EditProposal]:
    fresh = [s for s in sentences if s not in ctx.document]
    return [
        EditProposal(action=Action.APPEND, target="", new_text=" " + s, note=note) for s in fresh
    ]


def composed(ctx: Context, prefix: str = "", count: int = 3) -> list[str]:
    """Up to `count` new sentences "<subject> <predicate>." whose pair the text lacks.

    Each (subject, predicate) pair is used once per document, whatever lead-in it got, so the
    text never says the same thing twice; the subjects and predicates the text uses least go
    first, so it does not say similar things in a row. About one in three gets an opener.
    """
    key = _topic_key(ctx) or ""
    subjects = banks.SUBJECTS.get(key, banks.GENERIC_SUBJECTS)
    predicates = banks.PREDICATES.get(key, banks.GENERIC_PREDICATES)
    lowered = ctx.document.lower()
    ranked: dict[int, list[tuple[str, str]]] = {}
    for subject in subjects:
        for predicate in predicates:
            if f"{_lower_first(subject)} {predicate}" in lowered:
                continue
            uses = lowered.count(_lower_first(subject)) + lowered.count(predicate)
            ranked.setdefault(uses, []).append((subject, predicate))
    if not ranked:
        return []
    fewest = ranked[min(ranked)]
    out = []
    for subject, predicate in ctx.rng.sample(fewest, min(count, len(fewest))):
        opener = ctx.rng.choice(banks.OPENERS) if ctx.rng.random() < 0.3 else ""
        lead = f"{prefix}{_lower_first(opener) if prefix else opener}".strip()
        if lead:
            out.append(f"{lead} {_lower_first(subject)} {predicate}.")
        else:
            out.append(f"{subject} {predicate}.")
    return out


def expert(ctx: Context) -> list[EditProposal]:
    key = _topic_key(ctx)
    bank = banks.TOPIC_SENTENCES[key] if key else banks.GENERIC_SENTENCES
    fresh = [s for s in bank if s not in ctx.document] or composed(ctx)
    return _appends(ctx, fresh, "Дописал содержательное предложение по теме.")


def examples(ctx: Context) -> list[EditProposal]:
    key = _topic_key(ctx)
    bank = banks.EXAMPLES.get(key, []) if key else banks.GENERIC_EXAMPLES
    fresh = [s for s in bank if s not in ctx.document] or composed(ctx, "Например, ")
    return _appends(ctx, fresh, "Добавил пример, чтобы мысль была нагляднее.")


def plain(ctx: Context) -> list[EditProposal]:
    key = _topic_key(ctx)
    bank = banks.PLAIN_WORDS.get(key, []) if key else banks.GENERIC_PLAIN
    fresh = [s for s in bank if s not in ctx.document] or composed(ctx, "Проще говоря, ")
    return _appends(ctx, fresh, "Пояснил сложную мысль простыми словами.")


def conclusion(ctx: Context) -> list[EditProposal]:
    if any(m in ctx.document for m in banks.CONCLUSION_MARKERS):
        return []
    if len(sentence_spans(ctx.document)) < 3:
        return []
    key = _topic_key(ctx)
    text = banks.CONCLUSIONS[key] if key else banks.GENERIC_CONCLUSION
    return [
        EditProposal(
            action=Action.APPEND,
            target="",
            new_text="\n\n" + text,
            note="Добавил заключительный абзац с выводом.",
        )
    ]


_STRATEGIES: list[tuple[tuple[str, ...], Strategy]] = [
    (("повтор",), repetitions),
    (("факт",), facts),
    (("структур", "абзац"), structure),
    (("орфограф",), spelling),
    (("термин",), terms),
    (("лаконич", "канцеляр", "паразит"), concision),
    (("заключ", "вывод"), conclusion),
    (("пример",), examples),
    (("популяриз", "прост"), plain),
    (("корректор", "стил", "типограф"), style),
    (("эксперт",), expert),
]


# --- helpers -------------------------------------------------------------------------------


def _words(sentence: str, dictionary: dict[str, str]) -> str:
    """Replace whole words/phrases from `dictionary`, keeping a capital first letter."""
    for old, new in dictionary.items():
        for src, dst in ((old, new), (old.capitalize(), new[:1].upper() + new[1:])):
            sentence = re.sub(rf"(?<![{LETTER}]){re.escape(src)}(?![{LETTER}])", dst, sentence)
    return sentence


def _lower_first(phrase: str) -> str:
    return phrase[:1].lower() + phrase[1:]


def _replace(old: str, new: str, note: str) -> EditProposal:
    return EditProposal(
        action=Action.REPLACE,
        target=old,
        new_text=new,
        note=f"{note} Беру: «{_short(new)}» на минуту.",
    )


def _short(text: str, limit: int = 60) -> str:
    """A prefix of `text` cut at a word boundary (still an exact substring of it)."""
    if len(text) <= limit:
        return text
    cut = text[:limit]
    return cut[: cut.rfind(" ")] if " " in cut else cut


def _touches_claim(ctx: Context, target: str) -> bool:
    if not target:
        return False
    start = ctx.document.find(target)
    end = start + len(target)
    for claim in ctx.claimed:
        if claim in target or target in claim:
            return True
        for match in re.finditer(re.escape(claim), ctx.document):
            if match.start() < end and start < match.end():
                return True
    return False
