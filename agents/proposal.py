"""The structured edit an LLM proposes, its JSON schema, and how it maps onto the text read."""

from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class Action(StrEnum):
    """What the edit does. `none` (an extension) says there is nothing to change this time."""

    REPLACE = "replace"
    DELETE = "delete"
    APPEND = "append"
    NONE = "none"


class EditProposal(BaseModel):
    """An LLM's answer: the action, the exact quoted fragment, the new text and a chat note."""

    model_config = ConfigDict(extra="forbid")

    action: Action
    target: str = Field(description="exact fragment of the document; empty for append")
    new_text: str = Field(description="replacement or appended text; empty for delete")
    note: str = Field(description="a short Russian message for the other agents")


EDIT_SCHEMA_NAME = "chorus_edit"
EDIT_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "action": {"type": "string", "enum": [a.value for a in Action]},
        "target": {"type": "string"},
        "new_text": {"type": "string"},
        "note": {"type": "string"},
    },
    "required": ["action", "target", "new_text", "note"],
    "additionalProperties": False,
}
"""Strict-mode JSON schema of `EditProposal` (every property required, no extras)."""


@dataclass(frozen=True)
class PlannedEdit:
    """A proposal placed on the text read: the body fields of `POST /api/edits`."""

    position: str
    proposed_text: str
    start: int
    end: int


def locate(proposal: EditProposal, text: str) -> PlannedEdit | None:
    """Map the quoted target to `start:end` code-point offsets on `text` (first occurrence).

    None when there is nothing to send: action `none`, an empty append, or a target that is
    not an exact substring of the text read (the LLM misquoted it, or the text moved on).
    """
    if proposal.action is Action.NONE:
        return None
    if proposal.action is Action.APPEND:
        addition = proposal.new_text
        if not addition.strip():
            return None
        if text and not text[-1].isspace() and not addition[0].isspace():
            addition = " " + addition
        return PlannedEdit("end", addition, len(text), len(text))
    if not proposal.target:
        return None
    start = text.find(proposal.target)
    if start < 0:
        return None
    end = start + len(proposal.target)
    new_text = "" if proposal.action is Action.DELETE else proposal.new_text
    if new_text == proposal.target:
        return None
    return PlannedEdit(f"{start}:{end}", new_text, start, end)


def word_prefix(text: str, limit: int = 60) -> str:
    """A prefix of `text` cut at a word boundary after at most `limit` characters (still an
    exact substring, so others can find it in the text): how a fragment is quoted in chat."""
    if len(text) <= limit:
        return text
    cut = text[:limit]
    return cut[: cut.rfind(" ")] if " " in cut else cut
