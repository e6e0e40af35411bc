"""Who wrote which part of a text: a stable colour per agent, the legend, the hover text.

Pure (no Qt): the Document and History tabs both paint `AuthorRun`s with these, so an agent
has the same colour on both and in every session (the colour follows from the agent's id).
"""

from __future__ import annotations

import re
import zlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from .labels import clock_time
from .net.payloads import AuthorRun

PALETTE = (
    "#f8c9c4",
    "#c7e3b6",
    "#bcd7f0",
    "#ffe49a",
    "#dcc6ec",
    "#f9cfa8",
    "#b3e6df",
    "#e6d4a9",
    "#c9cff5",
    "#f3c1de",
    "#d7eba4",
    "#d2d6db",
)
"""Light backgrounds that dark text stays readable on; agent-1 … agent-12 each get their own."""
OPERATOR_COLOUR = "#e8e8e8"
"""The operator's initial text: neutral, so the agents' work stands out."""
OPERATOR = "operator"
_NUMBERED = re.compile(r"agent-(\d+)")


def agent_colour(agent_id: str) -> str | None:
    """The background of `agent_id`'s text (None: unknown author, left uncoloured)."""
    if not agent_id:
        return None
    if agent_id == OPERATOR:
        return OPERATOR_COLOUR
    numbered = _NUMBERED.fullmatch(agent_id)
    index = int(numbered.group(1)) - 1 if numbered else zlib.crc32(agent_id.encode())
    return PALETTE[index % len(PALETTE)]


def author_name(agent_id: str, roles: Mapping[str, str]) -> str:
    """`agent-3 (редактор стиля)`, `оператор`, `неизвестный автор`."""
    if not agent_id:
        return "неизвестный автор"
    if agent_id == OPERATOR:
        return "оператор"
    role = roles.get(agent_id, "")
    return f"{agent_id} ({role})" if role else agent_id


def run_tooltip(run: AuthorRun, roles: Mapping[str, str]) -> str:
    """What hovering a run says: the edit, its author and the version it made."""
    what = "Начальный текст" if run.kind == "init" else f"Правка {run.edit_id[:8] or '—'}"
    parts = [what, author_name(run.agent_id, roles), f"версия {run.version}"]
    if run.timestamp:
        parts.append(clock_time(run.timestamp))
    return " · ".join(parts)


@dataclass(frozen=True)
class LegendEntry:
    agent_id: str
    name: str
    colour: str | None
    share: float
    """Part of the text this author wrote, 0..1."""


def legend(runs: Sequence[AuthorRun], roles: Mapping[str, str]) -> list[LegendEntry]:
    """The authors of `runs`, the most prolific first."""
    chars: dict[str, int] = {}
    for run in runs:
        chars[run.agent_id] = chars.get(run.agent_id, 0) + max(0, run.end - run.start)
    total = sum(chars.values()) or 1
    ordered = sorted(chars.items(), key=lambda item: (-item[1], item[0]))
    return [
        LegendEntry(agent, author_name(agent, roles), agent_colour(agent), count / total)
        for agent, count in ordered
    ]


def runs_since(runs: Sequence[AuthorRun], version: int) -> list[tuple[int, int]]:
    """`[start, end)` ranges written by edits newer than `version`, adjacent ones merged."""
    ranges: list[tuple[int, int]] = []
    for run in runs:
        if run.version <= version or run.end <= run.start:
            continue
        if ranges and ranges[-1][1] == run.start:
            ranges[-1] = (ranges[-1][0], run.end)
        else:
            ranges.append((run.start, run.end))
    return ranges
