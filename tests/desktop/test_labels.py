"""Russian words and times."""

import pytest

from desktop.labels import (
    EDIT_STATUS,
    EDITS,
    VERSIONS,
    ago,
    clock_minutes,
    clock_time,
    counted,
    duration,
    word,
)
from wording import plural


def test_word_falls_back_to_the_value() -> None:
    assert word(EDIT_STATUS, "accepted") == "принята"
    assert word(EDIT_STATUS, "weird") == "weird"


def test_clock_time_is_local_and_tolerates_garbage() -> None:
    assert len(clock_time("2026-11-25T01:37:41.853Z")) == 8
    assert clock_time("not a time") == "not a time"


def test_ago() -> None:
    assert ago(-3) == "0 с назад"
    assert ago(42) == "42 с назад"
    assert ago(600) == "10 мин назад"
    assert ago(7200) == "2 ч назад"


@pytest.mark.parametrize(
    ("count", "text"),
    [
        (0, "0 версий"),
        (1, "1 версию"),
        (2, "2 версии"),
        (4, "4 версии"),
        (5, "5 версий"),
        (11, "11 версий"),
        (12, "12 версий"),
        (14, "14 версий"),
        (21, "21 версию"),
        (22, "22 версии"),
        (111, "111 версий"),
        (101, "101 версию"),
    ],
)
def test_versions_take_the_right_plural_form(count: int, text: str) -> None:
    assert counted(count, VERSIONS) == text


def test_plural_of_edits() -> None:
    assert [plural(n, *EDITS) for n in (1, 3, 7, 21)] == ["правка", "правки", "правок", "правка"]


def test_durations() -> None:
    assert duration(85) == "85 мс"
    assert duration(2400) == "2,4 с"
    assert duration(185_000) == "3 мин 5 с"
    assert duration(120_000) == "2 мин"


def test_clock_minutes() -> None:
    assert len(clock_minutes("2026-11-25T01:37:41.853Z")) == 5
    assert clock_minutes("never") == "never"
