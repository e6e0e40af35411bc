"""The simulator's "model": a room of Russian editors behind one OpenAI-compatible endpoint.

The role is read from the prompt's title ("Корректор орфографии: …"), and the role's editor
proposes every edit it would make to the document in the prompt; the model picks one (at
random, seeded by the prompt), leaving claimed fragments alone. Editors are pure functions of
the prompt; writers keep one piece of state, their drafts, so they never write a sentence
twice. Nothing here knows which slips the writers made: editors read the text.
"""

import hashlib
import random
import re
from collections.abc import Callable
from enum import StrEnum

from ..prompt import PromptParts
from ..proposal import Action, EditProposal
from . import _editors, _restructure
from ._drafts import Kind
from ._editors import Context
from ._flaws import FlawRates
from ._writers import Writers


class RoleKind(StrEnum):
    """What a role does in the room."""

    EXPERT = "expert"
    EXAMPLES = "examples"
    PLAIN = "plain"
    CONCLUSION = "conclusion"
    STYLE = "style"
    SPELLING = "spelling"
    TERMS = "terms"
    FACTS = "facts"
    CONCISION = "concision"
    REPETITIONS = "repetitions"
    STRUCTURE = "structure"


_KEYWORDS: list[tuple[tuple[str, ...], RoleKind]] = [
    (("повтор",), RoleKind.REPETITIONS),
    (("факт",), RoleKind.FACTS),
    (("структур", "абзац"), RoleKind.STRUCTURE),
    (("орфограф",), RoleKind.SPELLING),
    (("термин",), RoleKind.TERMS),
    (("лаконич", "канцеляр", "паразит"), RoleKind.CONCISION),
    (("заключ", "вывод"), RoleKind.CONCLUSION),
    (("пример",), RoleKind.EXAMPLES),
    (("популяриз", "прост"), RoleKind.PLAIN),
    (("корректор", "стил", "типограф"), RoleKind.STYLE),
    (("эксперт",), RoleKind.EXPERT),
]
WRITING = {
    RoleKind.EXPERT: Kind.TOPIC,
    RoleKind.EXAMPLES: Kind.EXAMPLE,
    RoleKind.PLAIN: Kind.PLAIN,
    RoleKind.CONCLUSION: Kind.CONCLUSION,
}
EDITING: dict[RoleKind, Callable[[Context], list[EditProposal]]] = {
    RoleKind.STYLE: _editors.style,
    RoleKind.SPELLING: _editors.spelling,
    RoleKind.TERMS: _editors.terms,
    RoleKind.FACTS: _editors.facts,
    RoleKind.CONCISION: _editors.concision,
    RoleKind.REPETITIONS: _editors.repetitions,
    RoleKind.STRUCTURE: _editors.structure,
}
NOTHING = EditProposal(action=Action.NONE, target="", new_text="", note="")
RECENT_SHARE = 0.7
"""How often an editor takes the fix nearest the end (the newest text) rather than any: people
watching a live document look at what just changed, so editors meet on the same sentences."""


def role_kind(role: str) -> RoleKind:
    """The kind whose keyword the role's title contains (the topic expert by default).

    The title is the text before the first colon ("Редактор повторов: ..."), so words in the
    description ("не повторяя уже сказанного") do not pick the wrong kind.
    """
    lowered = role.partition(":")[0].lower()
    for keywords, kind in _KEYWORDS:
        if any(k in lowered for k in keywords):
            return kind
    return RoleKind.EXPERT


class SimulatedModel:
    """Answers a Chorus prompt with one edit in the prompt's role."""

    def __init__(self, *, seed: int, flaws: FlawRates, target_chars: int) -> None:
        self.seed = seed
        self.target_chars = target_chars
        self.writers = Writers(seed=seed, flaws=flaws)

    def propose(self, parts: PromptParts, prompt: str) -> EditProposal:
        """One edit for the role in `parts`, avoiding claimed fragments (`none` when the role
        has nothing to do)."""
        kind = role_kind(parts.role)
        step = _restructure.next_step(parts, proposer=kind is RoleKind.STRUCTURE)
        if step is not None:
            return step
        digest = hashlib.sha256(f"{self.seed}\n{prompt}".encode()).digest()
        ctx = Context(
            document=parts.document,
            topic=parts.topic,
            claimed=[c for c in parts.claimed if c.strip()],
            rng=random.Random(int.from_bytes(digest[:8], "big")),
            target_chars=self.target_chars,
        )
        if kind in WRITING:
            candidates = self.writers.write(WRITING[kind], ctx)
        else:
            candidates = EDITING[kind](ctx)
        candidates = [c for c in candidates if not touches_claim(ctx, c.target)]
        if not candidates:
            return NOTHING
        if ctx.rng.random() < RECENT_SHARE:  # what just changed draws the eye
            return max(candidates, key=lambda c: ctx.document.rfind(c.target))
        return ctx.rng.choice(candidates)


def touches_claim(ctx: Context, target: str) -> bool:
    """Whether the fragment `target` overlaps a fragment another agent claimed."""
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
