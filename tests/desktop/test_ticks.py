"""Axis ticks a person would choose: whole numbers up, round times along."""

from datetime import UTC, datetime, timedelta

import pytest

from desktop.ticks import time_ticks, value_ticks

START = datetime(2026, 11, 25, 0, 37, 49, tzinfo=UTC)


@pytest.mark.parametrize(
    ("highest", "values"),
    [
        (0, [0, 1]),
        (0.4, [0, 1]),
        (2, [0, 1, 2]),  # Qt's own axis said «0, 1, 1, 2» here
        (3, [0, 1, 2, 3]),
        (7, [0, 2, 4, 6, 8]),
        (23, [0, 5, 10, 15, 20, 25]),
        (791, [0, 200, 400, 600, 800]),
        (15_000_050, [0, 5_000_000, 10_000_000, 15_000_000, 20_000_000]),
    ],
)
def test_value_ticks_are_whole_round_and_distinct(highest: float, values: list[int]) -> None:
    ticks = value_ticks(highest)
    assert ticks.values == values
    assert ticks.top >= highest
    labels = [f"{value:.0f}" for value in ticks.values]
    assert len(set(labels)) == len(labels)


@pytest.mark.parametrize("highest", [0.5, 1, 5, 9, 13, 99, 1234, 10**9])
def test_value_ticks_never_exceed_the_limit(highest: float) -> None:
    assert 2 <= len(value_ticks(highest, max_ticks=6).values) <= 6


def labels(span: timedelta, **options: int) -> list[str]:
    return [text for _, text in time_ticks(START, START + span, tz=UTC, **options)]


def test_an_hour_is_labelled_every_ten_minutes() -> None:
    assert labels(timedelta(hours=1)) == ["00:40", "00:50", "01:00", "01:10", "01:20", "01:30"]


def test_half_an_hour_every_five_minutes_and_a_day_every_six_hours() -> None:
    assert labels(timedelta(minutes=30)) == ["00:40", "00:45", "00:50", "00:55", "01:00", "01:05"]
    assert labels(timedelta(hours=24)) == ["06:00", "12:00", "18:00", "00:00"]


def test_a_week_is_labelled_by_date_and_a_moment_by_its_minute() -> None:
    assert labels(timedelta(days=7)) == ["27.11", "29.11", "01.12"]
    assert labels(timedelta(seconds=5)) == ["00:37"]


def test_labels_lie_inside_the_range_in_order_and_the_range_may_come_reversed() -> None:
    ticks = time_ticks(START + timedelta(hours=2), START, tz=UTC)
    moments = [moment for moment, _ in ticks]
    assert moments == sorted(moments)
    assert moments[0] >= START
    assert moments[-1] <= START + timedelta(hours=2)
    assert 2 <= len(ticks) <= 7
