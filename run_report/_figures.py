"""The report's charts and its numbered cluster events, built from the collected run.

Each analytics bucket is drawn at the middle of the part of it that lies inside the report's
window, and a rate divides by that part only, so the first and the last (partly elapsed)
bucket are neither diluted nor cut off.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

import wording

from ._charts import Chart, Level, Line, Mark
from ._collect import LATENCY_REQUESTS, RunData, Sample, bucket_span

_ADDRESS = re.compile(r"https?://[^/\s]+")
"""A service's address in an error message: the report keeps the path, drops the host."""
UNMARKED_KINDS = frozenset({"agents_started", "agents_stopped"})
"""Timeline kinds listed in the event table but not drawn on the charts (not cluster events)."""
STATUS_COLOURS = {"accepted": "#1e8449", "rejected": "#c0392b", "superseded": "#d68910"}
STATUS_LABELS = {"accepted": "принятые", "rejected": "отклонённые", "superseded": "вытесненные"}
PERCENTILE_COLOURS = {"p50": "#2e86c1", "p95": "#8e44ad", "p99": "#c0392b"}
REQUEST_COLOURS = {"POST /api/edits": "#1f618d", "GET /api/document/current": "#b9770e"}


@dataclass(frozen=True)
class Event:
    """A timeline entry as the report lists it; `number` is its mark on the charts (0: none)."""

    number: int
    at: datetime
    kind: str
    title: str
    detail: str
    severity: str


def events(data: RunData) -> list[Event]:
    """The timeline, oldest first, cluster events numbered 1, 2, … in that order."""
    listed = []
    number = 0
    for entry in data.timeline:
        marked = entry["kind"] not in UNMARKED_KINDS
        number += marked
        listed.append(
            Event(
                number if marked else 0,
                datetime.fromisoformat(entry["timestamp"]),
                entry["kind"],
                _ADDRESS.sub("", entry["title"]),
                _ADDRESS.sub("", entry.get("detail") or ""),
                entry["severity"],
            )
        )
    return listed


def marks(listed: list[Event]) -> list[Mark]:
    return [Mark(e.number, e.at, e.severity) for e in listed if e.number]


@dataclass(frozen=True)
class Bucket:
    """One analytics bucket clipped to the window: where to draw it, how long it covers."""

    middle: datetime
    covered_s: float


def clip(data: RunData, start: datetime) -> Bucket:
    """The bucket that begins at `start`, clipped to the report's window."""
    begins = max(start, data.since)
    ends = min(start + bucket_span(data.metrics), data.generated_at)
    return Bucket(begins + (ends - begins) / 2, max((ends - begins).total_seconds(), 1.0))


def buckets(data: RunData, series: list[dict[str, Any]]) -> list[Bucket]:
    return [clip(data, datetime.fromisoformat(point["timestamp"])) for point in series]


def charts(data: RunData, mark_list: list[Mark]) -> list[Chart]:
    """Every chart of the report, each with the cluster's events marked."""
    made = [edit_rates(data), tokens(data), active_agents(data), latency(data)]
    made.extend(replication_lag(data))
    return [replace(chart, marks=mark_list) for chart in made]  # the same marks on every chart


def _window(data: RunData, title: str, unit: str, lines: list[Line], **extra: Any) -> Chart:
    return Chart(title, unit, lines, data.since, data.generated_at, **extra)


def edit_rates(data: RunData) -> Chart:
    series = data.metrics.get("status_by_time", [])
    where = buckets(data, series)
    lines = [
        Line(
            STATUS_LABELS[status],
            STATUS_COLOURS[status],
            [(b.middle, p[status] * 60 / b.covered_s) for b, p in zip(where, series, strict=True)],
        )
        for status in ("accepted", "rejected", "superseded")
    ]
    return _window(data, "Правки в минуту по статусу", "правок/мин", lines)


def tokens(data: RunData) -> Chart:
    series = data.metrics["token_usage_by_time"]
    where = buckets(data, series)
    used_now = data.budget_used or 0
    running = max(used_now - sum(p["tokens"] for p in series), 0)
    points: list[tuple[datetime, float | None]] = []
    for bucket, point in zip(where, series, strict=True):
        running += point["tokens"]
        points.append((bucket.middle, running))
    level, note = None, ""
    if data.budget_limit:
        share = used_now / data.budget_limit * 100
        label = f"бюджет {wording.number(data.budget_limit)}"
        level = Level(data.budget_limit, label, "#c0392b")
        note = f"Израсходовано {wording.number(used_now)} из {wording.number(data.budget_limit)} "
        note += f"токенов ({wording.decimal(share, 1)} %)"
        if used_now * 3 < data.budget_limit:
            note += "; линия бюджета выше шкалы"
        note += "."
    lines = [Line("израсходовано токенов", "#1f618d", points)]
    return _window(data, "Токены и бюджет", "токенов", lines, level=level, note=note)


def active_agents(data: RunData) -> Chart:
    series = data.metrics["active_agents_by_time"]
    where = buckets(data, series)
    points: list[tuple[datetime, float | None]] = [
        (b.middle, p["agents"]) for b, p in zip(where, series, strict=True)
    ]
    lines = [Line("агенты с принятой правкой", "#117a65", points)]
    return _window(data, "Активные агенты", "агентов", lines, whole=True)


def percentile(values: list[float], share: float) -> float:
    """Linear interpolation between the closest ranks (PostgreSQL's percentile_cont)."""
    ordered = sorted(values)
    rank = share * (len(ordered) - 1)
    low = int(rank)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


def latency(data: RunData) -> Chart:
    """p50/p95 of the agents' POST /api/edits and GET /api/document/current at the balancer,
    in the analytics buckets."""
    width = bucket_span(data.metrics)
    series = data.metrics["edits_by_time"]
    where = buckets(data, series)
    starts = [datetime.fromisoformat(p["timestamp"]) for p in series]
    grouped: dict[tuple[str, int], list[float]] = defaultdict(list)
    for sample in data.latencies:
        index = _bucket_index(sample, starts, width)
        if index is not None:
            grouped[(sample.request, index)].append(sample.ms)
    lines = []
    for request in LATENCY_REQUESTS:
        for share, name, dashed in ((0.5, "p50", False), (0.95, "p95", True)):
            points: list[tuple[datetime, float | None]] = []
            for index, bucket in enumerate(where):
                values = grouped.get((request, index))
                points.append((bucket.middle, percentile(values, share) if values else None))
            lines.append(Line(f"{request} {name}", REQUEST_COLOURS[request], points, dashed))
    note = "" if data.latencies else "Журнал балансировщика не содержит запросов агентов."
    return _window(data, "Задержка запросов на балансировщике", "мс", lines, note=note)


def _bucket_index(sample: Sample, starts: list[datetime], width: timedelta) -> int | None:
    if not starts or sample.at < starts[0]:
        return None
    index = int((sample.at - starts[0]) / width)
    return min(index, len(starts) - 1)


def replication_lag(data: RunData) -> list[Chart]:
    """One small chart per link (sender → receiver): lag p50/p95/p99 per bucket."""
    width = bucket_span(data.metrics)
    by_link: dict[tuple[str, str], list[dict[str, Any]]] = defaultdict(list)
    for point in data.metrics.get("replication_lag_by_time", []):
        by_link[(point["source"], point["target"])].append(point)
    made = []
    for (source, target), points in sorted(by_link.items()):
        lines = []
        for name in ("p50", "p95", "p99"):
            drawn: list[tuple[datetime, float | None]] = []
            previous: datetime | None = None
            for point in points:
                start = datetime.fromisoformat(point["timestamp"])
                if previous is not None and start - previous > width:
                    drawn.append((previous + width, None))  # no delivery: a gap, not a slope
                drawn.append((clip(data, start).middle, point[name]))
                previous = start
            lines.append(Line(name, PERCENTILE_COLOURS[name], drawn))
        made.append(
            _window(data, f"Задержка репликации {source} → {target}", "мс", lines, small=True)
        )
    return made
