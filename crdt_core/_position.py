"""An agent's `position` and the target it becomes: character ids on the base version."""

import re
from dataclasses import dataclass

from ._errors import InvalidPosition
from ._ops import CharRef, OpKind

_RANGE = re.compile(r"([0-9]{1,9}):([0-9]{1,9})")


def parse_position(position: str) -> tuple[int, int] | None:
    """`"end"` → None (append); `"start:end"` → the half-open range of character offsets.

    Offsets are Python string indices (code points), never UTF-8 bytes.
    """
    if position == "end":
        return None
    match = _RANGE.fullmatch(position)
    if match is None:
        raise InvalidPosition(
            "position",
            f'должна быть "end" или "<начало>:<конец>" в символах, получено {position!r}',
        )
    start, end = int(match.group(1)), int(match.group(2))
    if start > end:
        raise InvalidPosition("position", f"начало {start} стоит после конца {end}")
    return start, end


@dataclass(frozen=True, slots=True)
class EditTarget:
    """Where an edit applies, in character ids, as computed by the accepting node."""

    kind: OpKind
    base_version: int
    left: CharRef | None = None  # insert after this character (None: at the beginning)
    first: CharRef | None = None  # first character of the replaced/deleted range
    last: CharRef | None = None  # last character of the replaced/deleted range
