"""Where a chart puts its ticks: round whole-number steps up the y axis, round times along x.

Pure (no Qt). Qt's own axes divide a range into equal parts, which for small counts gives
labels like «0, 1, 1, 2» (0.5 rounded both ways) and for a time range labels at odd minutes;
these helpers choose the steps a person would: 1, 2 or 5 × 10ⁿ, and every 5, 10, 15 … minutes.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta, tzinfo

_MULTIPLIERS = (1, 2, 5, 10)
_TIME_STEPS_MIN = (1, 2, 5, 10, 15, 30, 60, 120, 180, 360, 720, 1440, 2880, 10080)


@dataclass(frozen=True)
class ValueTicks:
    """A value axis from 0 to `top` with a tick every `step` (both whole numbers)."""

    top: int
    step: int

    @property
    def values(self) -> list[int]:
        return list(range(0, self.top + 1, self.step))


def value_ticks(highest: float, *, max_ticks: int = 6) -> ValueTicks:
    """Ticks from 0 covering `highest` with at most `max_ticks` whole-number labels, each step
    1, 2 or 5 × 10ⁿ (so no label repeats, however small the values)."""
    highest = max(0.0, highest)
    if highest == 0:
        return ValueTicks(1, 1)
    wanted = highest / max(1, max_ticks - 1)
    magnitude = 10 ** max(0, math.floor(math.log10(wanted))) if wanted >= 1 else 1
    step = next(m * magnitude for m in _MULTIPLIERS if m * magnitude >= wanted)
    return ValueTicks(math.ceil(highest / step) * step, step)


def time_ticks(
    start: datetime, end: datetime, *, max_labels: int = 7, tz: tzinfo | None = None
) -> list[tuple[datetime, str]]:
    """Labels at round times between `start` and `end` (aware datetimes), at most
    `max_labels`: `HH:MM`, or `ДД.ММ` when a step is a day or more. Local time unless `tz`."""
    if end < start:
        start, end = end, start
    span_min = (end - start).total_seconds() / 60
    step = next(
        (s for s in _TIME_STEPS_MIN if span_min / s <= max(1, max_labels - 1)),
        _TIME_STEPS_MIN[-1],
    )
    text = "%d.%m" if step >= 1440 else "%H:%M"
    local = start.astimezone(tz)
    midnight = local.replace(hour=0, minute=0, second=0, microsecond=0)
    elapsed_min = (local - midnight).total_seconds() / 60
    moment = midnight + timedelta(minutes=math.ceil(elapsed_min / step) * step)
    labels: list[tuple[datetime, str]] = []
    seen: set[str] = set()
    while moment <= end:
        label = moment.strftime(text)
        if label not in seen:
            seen.add(label)
            labels.append((moment, label))
        moment += timedelta(minutes=step)
    if not labels:  # a range shorter than a minute: label where it starts
        labels.append((start, local.strftime(text)))
    return labels
