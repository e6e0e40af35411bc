"""The report's pure parts: `--since`, bucket widths, the access log, ticks, percentiles, and
the consistency checks on crafted node views."""

import json
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from run_report import NodeView, ReportError, consistency, parse_since, verdict
from run_report._charts import (
    Chart,
    Line,
    Mark,
    flag_positions,
    nice_ceiling,
    svg,
    tick_step,
    time_step,
)
from run_report._collect import bucket_for, period_for, read_latencies
from run_report._figures import percentile

NOW = datetime(2026, 1, 10, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("text", "back"),
    [("90s", 90), ("15m", 900), ("2h", 7200), ("1d", 86400), ("1,5 ч", 5400), ("10 мин", 600)],
)
def test_since_as_a_span(text: str, back: int) -> None:
    assert parse_since(text, NOW) == NOW - timedelta(seconds=back)


def test_since_as_a_time() -> None:
    assert parse_since("2026-01-10T11:00:00+00:00", NOW) == NOW - timedelta(hours=1)
    assert parse_since("2026-01-10T11:00", NOW).tzinfo is not None  # local time


def test_a_bad_since_says_what_it_takes() -> None:
    with pytest.raises(ReportError, match=r"--since: «вчера» — ни промежуток"):
        parse_since("вчера", NOW)


@pytest.mark.parametrize(
    ("span_s", "period", "bucket"),
    [(30, "1h", 5), (600, "1h", 15), (3600, "1h", 120), (7200, "24h", 300), (9e5, "7d", 7200)],
)
def test_period_and_bucket_follow_the_run(span_s: float, period: str, bucket: int) -> None:
    span = timedelta(seconds=span_s)
    assert (period_for(span), bucket_for(span)) == (period, bucket)


def test_latencies_are_read_from_the_access_log(tmp_path: Path) -> None:
    log = tmp_path / "access.log"
    t = NOW.timestamp()
    records = [
        {"t": t - 10, "status": 201, "rt": 0.5, "method": "POST", "uri": "/api/edits"},  # early
        {"t": t + 1, "status": 201, "rt": 0.012, "method": "POST", "uri": "/api/edits"},
        {"t": t + 2, "status": 200, "rt": 0.003, "method": "GET", "uri": "/api/document/current"},
        {"t": t + 3, "status": 499, "rt": 3.0, "method": "POST", "uri": "/api/edits"},  # cancelled
        {"t": t + 4, "status": 200, "rt": 0.1, "method": "GET", "uri": "/api/agents"},  # not ours
    ]
    log.write_text("\n".join(json.dumps(r) for r in records) + "\nnot json\n")

    samples = read_latencies(log, NOW)

    assert [(s.request, round(s.ms)) for s in samples] == [
        ("POST /api/edits", 12),
        ("GET /api/document/current", 3),
    ]
    assert read_latencies(tmp_path / "missing.log", NOW) == []


def test_ticks_and_percentiles() -> None:
    assert [nice_ceiling(v) for v in (0, 0.7, 3, 7.5, 12, 900)] == [1, 1, 5, 10, 20, 1000]
    assert tick_step(2.1, whole=True) == 1  # a count: 0, 1, 2, 3, 4
    assert tick_step(2.1) == 1  # 2.1 / 4 → 1 (1, 2, 2.5, 5 × 10ⁿ)
    assert time_step(15) == 5
    assert time_step(3600) == 600  # six ticks at most
    assert percentile([10, 20, 30, 40], 0.5) == 25  # as percentile_cont
    assert percentile([10, 20, 30, 40], 0.95) == pytest.approx(38.5)


def test_a_chart_draws_lines_gaps_and_marks() -> None:
    at = [NOW + timedelta(seconds=s) for s in range(0, 50, 10)]
    chart = Chart(
        "t",
        "мс",
        [Line("x", "#000", [(at[0], 1.0), (at[1], 2.0), (at[2], None), (at[3], 4.0)])],
        NOW,
        NOW + timedelta(seconds=40),
        marks=[Mark(1, at[1], "error"), Mark(2, at[1], "ok"), Mark(3, NOW - timedelta(1), "ok")],
    )
    drawn = svg(chart)
    assert drawn.count("<polyline") == 1  # the gap splits the line; the lone point is a dot
    assert drawn.count('r="2.5"') == 1
    assert drawn.count('<g class="mark">') == 2  # the third lies outside the window
    # Two marks at one moment: the second flag moves right of the first, a stem leads back.
    flags = re.findall(r'<circle cx="([\d.]+)" cy="16" r="8"', drawn)
    assert len(flags) == 2
    assert float(flags[1]) - float(flags[0]) == pytest.approx(17, abs=0.1)
    assert "xmlns" not in drawn


def node(name: str, **fields: object) -> NodeView:
    figures: dict[str, object] = {
        "version": 11,
        "version_key": 99,
        "document_id": "d",
        "sha256": "f" * 64,
        "outbox": 0,
    }
    figures.update(fields)
    return NodeView(name, **figures)  # type: ignore[arg-type]


def test_consistency_passes_only_with_the_numbers_agreeing() -> None:
    nodes = [node("a"), node("b"), node("c")]
    assert all(check.passed for check in consistency(nodes, 10))
    in_sync = "Кластер синхронизирован: все проверки пройдены."
    assert verdict(consistency(nodes, 10), nodes) == in_sync

    behind = [node("a"), node("b", version=10, version_key=98, sha256="e" * 64), node("c")]
    checks = consistency(behind, 10)
    assert [c.passed for c in checks] == [True, False, False, False, True]
    assert "b: 9" in checks[3].detail
    assert "в аналитике 10" in checks[3].detail
    assert verdict(checks, behind).startswith("Кластер НЕ синхронизирован: не пройдено — Тексты")

    queued = [node("a"), node("b", outbox=3), node("c")]
    assert not consistency(queued, 10)[4].passed

    missing = [node("a"), NodeView("b", error="502: узел недоступен"), node("c")]
    checks = consistency(missing, 10)
    assert not any(c.passed for c in checks)
    assert checks[0].detail == "узел b не отвечает: 502: узел недоступен"
    assert verdict(checks, missing) == "Кластер НЕ синхронизирован: узел b не отвечает."


def test_flags_keep_their_distance_and_stay_inside_the_chart() -> None:
    assert flag_positions([100.0, 300.0], right=500) == [100.0, 300.0]  # far apart: on the lines
    assert flag_positions([100.0, 101.0, 102.0], right=500) == [100.0, 117.0, 134.0]
    # at the right edge, the run moves left instead of leaving the chart
    assert flag_positions([490.0, 491.0, 492.0], right=495) == [461.0, 478.0, 495.0]
