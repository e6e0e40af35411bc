"""Charts over time as inline SVG, drawn by hand: axes, lines, and the cluster's events as
numbered vertical marks. Pure: data in, markup out (the legend is HTML, see `_html`).

The markup carries no namespace URL (HTML5 parses inline `<svg>` without one), so the report
holds no address of any kind.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from html import escape

import wording

WIDTH = 760
HEIGHT = 230
SMALL_WIDTH = 370
SMALL_HEIGHT = 190
_LEFT, _RIGHT, _TOP, _BOTTOM = 58, 24, 36, 30
_FLAG_GAP = 17
"""The least distance between two numbered flags (their width and a pixel)."""
_TIME_STEPS_S = (1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 21600, 43200)
SEVERITY_COLOURS = {
    "error": "#c0392b",
    "warning": "#d68910",
    "ok": "#1e8449",
    "info": "#2e86c1",
}


@dataclass(frozen=True)
class Line:
    """One series: (time, value) points; None breaks the line (nothing measured there)."""

    label: str
    colour: str
    points: list[tuple[datetime, float | None]]
    dashed: bool = False


@dataclass(frozen=True)
class Mark:
    """A cluster event drawn on every chart: its number in the report's event table."""

    number: int
    at: datetime
    severity: str


@dataclass(frozen=True)
class Level:
    """A horizontal line (the budget), with its label."""

    value: float
    label: str
    colour: str


@dataclass(frozen=True)
class Chart:
    """What one chart shows over [start, end]."""

    title: str
    unit: str
    lines: list[Line]
    start: datetime
    end: datetime
    level: Level | None = None
    note: str = ""
    """A sentence under the chart (e.g. the budget line lies above the scale)."""
    small: bool = False
    whole: bool = False
    """The values are counts: whole-number ticks."""
    marks: list[Mark] = field(default_factory=list)


def tick_step(top: float, ticks: int = 4, *, whole: bool = False) -> float:
    """The step of `ticks` gridlines that reach at least `top`: 1, 2, 2.5 or 5 × 10ⁿ (whole
    numbers only for a count)."""
    step = nice_ceiling(top / ticks)
    return max(1.0, math.ceil(step)) if whole else step


def nice_ceiling(value: float) -> float:
    """The smallest of 1, 2, 2.5, 5 × 10ⁿ at or above `value` (1 for nothing to show)."""
    if value <= 0:
        return 1.0
    exponent = math.floor(math.log10(value))
    for factor in (1, 2, 2.5, 5, 10):
        candidate = factor * 10.0**exponent
        if candidate >= value * (1 - 1e-9):
            return candidate
    return 10.0 ** (exponent + 1)  # pragma: no cover - the loop ends at 10


def axis_number(value: float) -> str:
    """A tick label: whole numbers with Russian grouping, fractions with a decimal comma."""
    if abs(value - round(value)) < 1e-9:
        return wording.number(value)
    return wording.decimal(value, 1 if abs(value) >= 1 else 2)


def time_step(span_s: float, most: int = 6) -> int:
    """Seconds between time ticks: the first step that gives at most `most` ticks."""
    for step in _TIME_STEPS_S:
        if span_s / step <= most:
            return step
    return _TIME_STEPS_S[-1]


def clock(at: datetime, with_seconds: bool = True) -> str:
    """Local wall-clock time of `at`."""
    return at.astimezone().strftime("%H:%M:%S" if with_seconds else "%H:%M")


def svg(chart: Chart) -> str:
    """The chart as an `<svg>` element."""
    width, height = (SMALL_WIDTH, SMALL_HEIGHT) if chart.small else (WIDTH, HEIGHT)
    plot_w = width - _LEFT - _RIGHT
    plot_h = height - _TOP - _BOTTOM
    t0 = chart.start.timestamp()
    span = max(chart.end.timestamp() - t0, 1.0)
    values = [v for line in chart.lines for _, v in line.points if v is not None]
    top = max(values, default=0.0)
    level_shown = chart.level is not None and chart.level.value <= top * 3
    if chart.level is not None and level_shown:
        top = max(top, chart.level.value)
    y_max = tick_step(top * 1.05, whole=chart.whole) * 4

    def x(at: datetime) -> float:
        return _LEFT + (at.timestamp() - t0) / span * plot_w

    def y(value: float) -> float:
        return _TOP + plot_h - value / y_max * plot_h

    parts = [
        f'<svg class="chart" viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
        f'role="img" aria-label="{escape(chart.title)}">',
        f'<rect x="{_LEFT}" y="{_TOP}" width="{plot_w}" height="{plot_h}" fill="#fbfcfd" '
        'stroke="#d5dbe1"/>',
    ]
    for index in range(5):
        value = y_max * index / 4
        parts.append(
            f'<line x1="{_LEFT}" x2="{_LEFT + plot_w}" y1="{y(value):.1f}" y2="{y(value):.1f}" '
            'stroke="#e3e8ec"/>'
            f'<text x="{_LEFT - 6}" y="{y(value) + 4:.1f}" text-anchor="end" '
            f'class="tick">{axis_number(value)}</text>'
        )
    step = time_step(span)
    first = math.ceil(t0 / step) * step
    tick = float(first)
    while tick <= t0 + span + 1e-6:
        at = datetime.fromtimestamp(tick, tz=chart.start.tzinfo)
        parts.append(
            f'<line x1="{x(at):.1f}" x2="{x(at):.1f}" y1="{_TOP + plot_h}" '
            f'y2="{_TOP + plot_h + 4}" stroke="#8795a1"/>'
            f'<text x="{x(at):.1f}" y="{_TOP + plot_h + 17}" text-anchor="middle" '
            f'class="tick">{clock(at, step < 60)}</text>'
        )
        tick += step
    if chart.level is not None and level_shown:
        level_y = y(chart.level.value)
        parts.append(
            f'<line x1="{_LEFT}" x2="{_LEFT + plot_w}" y1="{level_y:.1f}" y2="{level_y:.1f}" '
            f'stroke="{chart.level.colour}" stroke-width="1.5" stroke-dasharray="6 3"/>'
            f'<text x="{_LEFT + plot_w - 4}" y="{level_y - 4:.1f}" text-anchor="end" '
            f'class="level" fill="{chart.level.colour}">{escape(chart.level.label)}</text>'
        )
    flag_y = _TOP - 20
    shown = [m for m in sorted(chart.marks, key=lambda m: m.at) if chart.start <= m.at <= chart.end]
    flags = flag_positions([x(mark.at) for mark in shown], right=width - 9)
    for mark, flag_x in zip(shown, flags, strict=True):
        colour = SEVERITY_COLOURS.get(mark.severity, "#555")
        mark_x = x(mark.at)
        parts.append(
            f'<g class="mark"><line x1="{mark_x:.1f}" x2="{mark_x:.1f}" y1="{_TOP}" '
            f'y2="{_TOP + plot_h}" stroke="{colour}" stroke-dasharray="3 3"/>'
            f'<line x1="{flag_x:.1f}" x2="{mark_x:.1f}" y1="{flag_y + 8}" y2="{_TOP}" '
            f'stroke="{colour}"/>'
            f'<circle cx="{flag_x:.1f}" cy="{flag_y}" r="8" fill="{colour}"/>'
            f'<text x="{flag_x:.1f}" y="{flag_y + 3.5}" text-anchor="middle" '
            f'class="mark-number">{mark.number}</text></g>'
        )
    for line in chart.lines:
        parts.extend(_polyline(line, x, y))
    parts.append("</svg>")
    return "".join(parts)


def flag_positions(xs: list[float], right: float) -> list[float]:
    """Where the numbered flags of marks at `xs` (ascending) go: never closer than
    `_FLAG_GAP`, each as near its line as that allows; a flag close to the previous one moves
    right (a stem leads back to its line), and a run that would pass `right` moves left."""
    flags: list[float] = []
    for mark_x in xs:
        flags.append(max(mark_x, flags[-1] + _FLAG_GAP) if flags else mark_x)
    limit = right
    for i in range(len(flags) - 1, -1, -1):
        flags[i] = min(flags[i], limit)
        limit = flags[i] - _FLAG_GAP
    return flags


def _polyline(line: Line, x: Callable[[datetime], float], y: Callable[[float], float]) -> list[str]:
    """Segments between gaps; a lone point is a dot."""
    dash = ' stroke-dasharray="5 3"' if line.dashed else ""
    segments: list[list[str]] = [[]]
    for at, value in line.points:
        if value is None:
            segments.append([])
        else:
            segments[-1].append(f"{x(at):.1f},{y(value):.1f}")
    parts = []
    for segment in segments:
        if len(segment) == 1:
            cx, cy = segment[0].split(",")
            parts.append(f'<circle cx="{cx}" cy="{cy}" r="2.5" fill="{line.colour}"/>')
        elif segment:
            parts.append(
                f'<polyline points="{" ".join(segment)}" fill="none" stroke="{line.colour}" '
                f'stroke-width="1.8" stroke-linejoin="round"{dash}/>'
            )
    return parts
