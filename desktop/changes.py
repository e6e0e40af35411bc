"""What changed between two versions of a text: the new parts (underlined or highlighted in
the Document tab) and the removed ones (shown there as struck-through ghost text).

One word-level diff serves both: `difflib` over words, spaces and punctuation, its blocks
turned back into character offsets, so a replaced word shows whole (old struck through, new
underlined) rather than as scattered letters.

Pure. Offsets are Python characters; `to_utf16` converts them for Qt, whose text positions
count UTF-16 code units (they differ only past the Basic Multilingual Plane, e.g. emoji).
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Callable
from dataclasses import dataclass
from difflib import SequenceMatcher
from typing import Literal

_TOKEN = re.compile(r"\w+|\s+|[^\w\s]")


def _tokens(text: str) -> list[str]:
    return _TOKEN.findall(text)


def _starts(tokens: list[str]) -> list[int]:
    starts = [0]
    for token in tokens:
        starts.append(starts[-1] + len(token))
    return starts


@dataclass(frozen=True)
class Block:
    """One step of the diff in characters: `old[old_start:old_end]` became
    `new[new_start:new_end]`; `tag` is difflib's (equal, replace, insert, delete)."""

    tag: str
    old_start: int
    old_end: int
    new_start: int
    new_end: int


@dataclass(frozen=True)
class Segment:
    """A piece of the merged view: text kept, inserted (in `new`) or deleted (from `old`)."""

    kind: Literal["kept", "inserted", "deleted"]
    text: str


@dataclass(frozen=True)
class TextDiff:
    old: str
    new: str
    blocks: tuple[Block, ...]

    @property
    def inserted(self) -> list[tuple[int, int]]:
        """`[start, end)` ranges of `new` that were inserted or replaced, adjacent ones merged."""
        ranges: list[tuple[int, int]] = []
        for block in self.blocks:
            if block.tag == "equal" or block.new_end <= block.new_start:
                continue
            if ranges and ranges[-1][1] == block.new_start:
                ranges[-1] = (ranges[-1][0], block.new_end)
            else:
                ranges.append((block.new_start, block.new_end))
        return ranges

    @property
    def deleted(self) -> list[tuple[int, str]]:
        """What was removed and where, as `(offset in new, removed text)`: a replacement's old
        text sits right before its new text."""
        return [
            (block.new_start, self.old[block.old_start : block.old_end])
            for block in self.blocks
            if block.tag != "equal" and block.old_end > block.old_start
        ]

    def segments(self) -> list[Segment]:
        """The two texts merged in reading order: kept, deleted (before what replaced it),
        inserted."""
        merged: list[Segment] = []
        for block in self.blocks:
            if block.tag == "equal":
                merged.append(Segment("kept", self.new[block.new_start : block.new_end]))
                continue
            if block.old_end > block.old_start:
                merged.append(Segment("deleted", self.old[block.old_start : block.old_end]))
            if block.new_end > block.new_start:
                merged.append(Segment("inserted", self.new[block.new_start : block.new_end]))
        return merged

    def moved(self, offset: int) -> int:
        """Where offset `offset` of `old` is in `new` (inside removed text: where it was)."""
        for block in self.blocks:
            if block.tag == "equal" and block.old_start <= offset <= block.old_end:
                return block.new_start + offset - block.old_start
            if block.old_start <= offset < block.old_end:
                return block.new_start
        return len(self.new)


def diff_texts(old: str, new: str) -> TextDiff:
    """The word-level diff of `old` and `new`, in characters."""
    before, after = _tokens(old), _tokens(new)
    old_at, new_at = _starts(before), _starts(after)
    matcher = SequenceMatcher(None, before, after, autojunk=False)
    blocks = tuple(
        Block(tag, old_at[i1], old_at[i2], new_at[j1], new_at[j2])
        for tag, i1, i2, j1, j2 in matcher.get_opcodes()
    )
    return TextDiff(old, new, blocks)


def changed_ranges(old: str, new: str) -> list[tuple[int, int]]:
    """`[start, end)` ranges of `new` that were inserted or replaced since `old`, merged
    (nothing for a first version: there is no `old` to compare with)."""
    if not old:
        return []
    return diff_texts(old, new).inserted


def to_utf16(text: str, index: int) -> int:
    """The UTF-16 offset of Python character offset `index` in `text`."""
    return index + sum(1 for ch in text[:index] if ord(ch) > 0xFFFF)


def utf16_converter(text: str) -> Callable[[int], int]:
    """`to_utf16` for many offsets of one text: O(log n) each instead of O(n)."""
    astral = [i for i, ch in enumerate(text) if ord(ch) > 0xFFFF]
    if not astral:
        return lambda index: index
    return lambda index: index + bisect_left(astral, index)


def from_utf16_converter(text: str) -> Callable[[int], int]:
    """The inverse of `utf16_converter`: the character offset of a UTF-16 offset in `text`
    (one inside a surrogate pair counts as the character's start)."""
    utf16 = utf16_converter(text)
    astral16 = [utf16(i) for i, ch in enumerate(text) if ord(ch) > 0xFFFF]
    if not astral16:
        return lambda index: index
    return lambda index: index - bisect_left(astral16, index)
