"""Deleted text as fading ghosts: what the Document tab shows struck through where it was removed.

A ghost is born when a refresh finds text gone (`changes.diff_texts`), is carried along as the
text keeps changing (its place follows the diff), and fades: it is gone after
`FADE_REFRESHES` further changes of the text or `FADE_S` seconds, whichever comes first.

Pure (no Qt). Offsets are Python characters of the real text; `Layout` interleaves the
ghosts with it and converts offsets between the real text and the text on screen.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Sequence
from dataclasses import dataclass, replace
from itertools import accumulate

from .changes import TextDiff

FADE_REFRESHES = 4
"""A ghost outlives this many later changes of the text (about 10 s at the 2.5 s poll)."""
FADE_S = 15.0
"""…and at most this many seconds."""
GHOST_DARK = (0x80, 0x80, 0x80)
GHOST_LIGHT = (0xD0, 0xD0, 0xD0)
"""A fresh ghost's grey and a nearly faded one's."""
SHADES = 4
"""How many greys a ghost passes through (the view repaints only when the grey changes)."""


@dataclass(frozen=True)
class Ghost:
    at: int
    """Where the text was removed: an offset of the current text (the ghost sits before it)."""
    text: str
    born: float
    """When it was removed (seconds of a monotonic clock)."""
    refreshes: int = 0
    """How many changes of the text it has lived through since."""
    first: int = 0
    last: int = 0
    """The edits that made versions `first`..`last` removed it (one of them did)."""


def carry(
    ghosts: Sequence[Ghost], diff: TextDiff, now: float, *, first: int = 0, last: int = 0
) -> list[Ghost]:
    """The ghosts after the text changed by `diff`: the old ones moved along with the text and
    one refresh older, the new deletions added (each after older ghosts at its place), the
    faded ones gone. `first`..`last`: the versions that made this change."""
    moved = [
        replace(ghost, at=diff.moved(ghost.at), refreshes=ghost.refreshes + 1) for ghost in ghosts
    ]
    born = [Ghost(at, text, now, 0, first, last) for at, text in diff.deleted]
    return alive(sorted(moved + born, key=lambda ghost: ghost.at), now)


def alive(ghosts: Sequence[Ghost], now: float) -> list[Ghost]:
    """The ghosts that have not faded yet at `now`."""
    return [ghost for ghost in ghosts if fading(ghost, now) < 1.0]


def fading(ghost: Ghost, now: float) -> float:
    """How far `ghost` has faded, 0 (just removed) .. 1 (gone)."""
    by_time = (now - ghost.born) / FADE_S
    by_refreshes = ghost.refreshes / FADE_REFRESHES
    return max(0.0, min(1.0, max(by_time, by_refreshes)))


def shade(ghost: Ghost, now: float) -> str:
    """The grey of `ghost`'s text at `now`: lighter as it fades, in `SHADES` steps."""
    step = min(SHADES - 1, int(fading(ghost, now) * SHADES))
    part = step / (SHADES - 1)
    channels = (
        round(dark + (light - dark) * part)
        for dark, light in zip(GHOST_DARK, GHOST_LIGHT, strict=True)
    )
    return "#" + "".join(f"{channel:02x}" for channel in channels)


def visible(text: str) -> str:
    """A removed text as it is shown: a line break as ¶ (the ghost must not break the line),
    removed spaces alone as ␣ (else they would not show)."""
    shown = text.replace("\r\n", "¶").replace("\n", "¶").replace("\t", "→")
    if not shown.strip():
        shown = shown.replace(" ", "␣")
    return shown


def tooltip(ghost: Ghost, editor: str = "") -> str:
    """What hovering a ghost says: who removed it when that is known (`editor`, e.g.
    `e0000003 · agent-3`), else which versions did."""
    if ghost.first and ghost.first == ghost.last:
        if editor:
            return f"удалено правкой {editor} · версия {ghost.last}"
        return f"удалено правкой, создавшей версию {ghost.last}"
    if ghost.first and ghost.last > ghost.first:
        return f"удалено одной из правок версий {ghost.first}–{ghost.last}"
    return "удалено"


@dataclass(frozen=True)
class Layout:
    """The real text with ghost texts put in: what the view shows, and the offsets between."""

    real: str
    shown: str
    spans: tuple[tuple[int, int], ...]
    """`[start, end)` of each ghost in `shown`, in order."""
    _at: tuple[int, ...]
    _before: tuple[int, ...]
    """Ghost characters in `shown` before the i-th ghost ends (running total)."""

    @classmethod
    def of(cls, real: str, ghosts: Sequence[tuple[int, str]]) -> Layout:
        """`ghosts`: `(offset of real, text to show)`, ordered by offset."""
        pieces: list[str] = []
        spans: list[tuple[int, int]] = []
        done = shift = 0
        for at, text in ghosts:
            at = max(done, min(at, len(real)))
            pieces.append(real[done:at])
            start = at + shift
            pieces.append(text)
            spans.append((start, start + len(text)))
            shift += len(text)
            done = at
        pieces.append(real[done:])
        ats = tuple(max(0, min(at, len(real))) for at, _ in ghosts)
        return cls(
            real,
            "".join(pieces),
            tuple(spans),
            tuple(accumulate(ats, max)) if ats else (),
            tuple(accumulate(len(text) for _, text in ghosts)),
        )

    def start(self, offset: int) -> int:
        """Where the real text's character `offset` is shown (after any ghost at `offset`)."""
        count = bisect_right(self._at, offset)
        return offset + (self._before[count - 1] if count else 0)

    def end(self, offset: int) -> int:
        """Where a real range ending at `offset` ends on screen (before any ghost there)."""
        count = bisect_left(self._at, offset)
        return offset + (self._before[count - 1] if count else 0)

    def ghost_at(self, shown: int) -> int | None:
        """The index of the ghost whose text covers shown character `shown`, if any."""
        index = bisect_right([start for start, _ in self.spans], shown) - 1
        if index >= 0 and shown < self.spans[index][1]:
            return index
        return None

    def real_offset(self, shown: int) -> int:
        """The real offset of shown offset `shown` (inside a ghost: the ghost's place)."""
        index = bisect_right([start for start, _ in self.spans], shown) - 1
        if index < 0:
            return shown
        start, end = self.spans[index]
        before = self._before[index - 1] if index else 0
        if shown < end:
            return start - before
        return shown - self._before[index]

    def real_text(self, start: int, end: int) -> str:
        """The real text of shown range `[start, end)`, ghosts left out (what a copy gives)."""
        return self.real[self.real_offset(start) : self.real_offset(end)]
