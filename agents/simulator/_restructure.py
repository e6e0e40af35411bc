"""Moving a paragraph by agreement (spec constraint 4), the way the simulator's agents do it.

Moving is not an edit type. The structure editor proposes it in chat ("Предлагаю перенести
абзац 3 в конец: «…»"), another agent answers "Согласен…", and the proposer carries it out as
two ordinary edits: it deletes the paragraph (announcing "Переношу абзац в конец, как
договорились: «…»"), then, seeing its own announcement and the paragraph gone, appends it at
the end. Every step is read off the prompt alone (the document and the chat window), so the
simulator stays stateless. A paragraph is moved when it is a conclusion that is no longer last.
"""

import re

from ..prompt import ChatLine, PromptParts
from ..proposal import Action, EditProposal
from . import _banks as banks

MAX_PARAGRAPH_CHARS = 1500
"""Longer paragraphs are not proposed: the whole paragraph travels in a chat message."""

_PROPOSAL = re.compile(r"^Предлагаю перенести абзац (\d+) в конец: «(.+)»$")
_MOVING = re.compile(r"^Переношу абзац в конец, как договорились: «(.+)»$")
_AGREEMENT = re.compile(r"\bсогласен\b", re.IGNORECASE)


def next_step(parts: PromptParts, *, proposer: bool) -> EditProposal | None:
    """This agent's step in a move, or None when it takes no part in one now.

    `proposer`: whether this agent's role may propose moves (the structure editor).
    """
    paragraphs = parts.document.split("\n\n")
    finishing = _unfinished_move(parts)
    if finishing is not None:
        return _append(finishing)
    proposal = _latest_proposal(parts.chat)
    if proposal is not None:
        index, author, number, paragraph = proposal
        later = parts.chat[index + 1 :]
        needed = paragraph in paragraphs[:-1]
        agreed = any(_AGREEMENT.search(m.message) and m.agent_id != author for m in later)
        started = any(_MOVING.match(m.message) for m in later)
        if not needed or started:
            return None
        if author == parts.agent_id:
            return _delete(paragraphs, paragraph) if agreed else _wait()
        if not agreed:
            return _say(f"Согласен: переносим абзац {number} в конец, там ему и место.")
        return None
    if proposer:
        misplaced = _misplaced_conclusion(paragraphs)
        if misplaced is not None:
            place, paragraph = misplaced
            return _say(f"Предлагаю перенести абзац {place} в конец: «{paragraph}»")
    return None


def _unfinished_move(parts: PromptParts) -> str | None:
    """The paragraph this agent deleted to move, when it is not yet appended back."""
    for message in reversed(parts.chat):
        if message.agent_id != parts.agent_id:
            continue
        moving = _MOVING.match(message.message)
        if moving:
            return moving[1] if moving[1] not in parts.document else None
    return None


def _latest_proposal(chat: list[ChatLine]) -> tuple[int, str, str, str] | None:
    for index in range(len(chat) - 1, -1, -1):
        match = _PROPOSAL.match(chat[index].message)
        if match:
            return index, chat[index].agent_id, match[1], match[2]
    return None


def _misplaced_conclusion(paragraphs: list[str]) -> tuple[int, str] | None:
    for index, paragraph in enumerate(paragraphs[:-1]):
        movable = "\n" not in paragraph and len(paragraph) <= MAX_PARAGRAPH_CHARS
        if movable and paragraph.startswith(banks.CONCLUSION_MARKERS):
            return index + 1, paragraph
    return None


def _delete(paragraphs: list[str], paragraph: str) -> EditProposal:
    target = f"{paragraph}\n\n" if paragraphs[0] == paragraph else f"\n\n{paragraph}"
    return EditProposal(
        action=Action.DELETE,
        target=target,
        new_text="",
        note=f"Переношу абзац в конец, как договорились: «{paragraph}»",
    )


def _append(paragraph: str) -> EditProposal:
    return EditProposal(
        action=Action.APPEND,
        target="",
        new_text=f"\n\n{paragraph}",
        note="Перенёс абзац в конец: вставил его последним.",
    )


def _say(note: str) -> EditProposal:
    return EditProposal(action=Action.NONE, target="", new_text="", note=note)


def _wait() -> EditProposal:
    return _say("")
