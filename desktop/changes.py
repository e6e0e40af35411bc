"""Which parts of a new text are new: word-level diff for highlighting in the Document tab.

Pure. Offsets are Python characters; `to_utf16` converts them for Qt, whose text positions
count UTF-16 code units (they differ only past the Basic Multilingual Plane, e.g. emoji).
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Callable
from difflib import SequenceMatcher

_TOKEN = re.compile(r"\w+|\s+|[^\w\s]")


def _tokens(text: str) -> list[str]:
    return _TOKEN.findall(text)


def changed_ranges(old: str, new: str) -> list[tuple[int, int]]:
    """`[start, end)` ranges of `new` that were inserted or replaced since `old`, merged."""
    if not old:
        return []
    before, after = _tokens(old), _tokens(new)
    starts = [0]
    for token in after:
        starts.append(starts[-1] + len(token))
    ranges: list[tuple[int, int]] = []
    matcher = SequenceMatcher(None, before, after, autojunk=False)
    for tag, _, _, j1, j2 in matcher.get_opcodes():
        if tag in ("replace", "insert") and j2 > j1:
            start, end = starts[j1], starts[j2]
            if ranges and ranges[-1][1] == start:
                ranges[-1] = (ranges[-1][0], end)
            else:
                ranges.append((start, end))
    return ranges


def to_utf16(text: str, index: int) -> int:
    """The UTF-16 offset of Python character offset `index` in `text`."""
    return index + sum(1 for ch in text[:index] if ord(ch) > 0xFFFF)


def utf16_converter(text: str) -> Callable[[int], int]:
    """`to_utf16` for many offsets of one text: O(log n) each instead of O(n)."""
    astral = [i for i, ch in enumerate(text) if ord(ch) > 0xFFFF]
    if not astral:
        return lambda index: index
    return lambda index: index + bisect_left(astral, index)
