"""Russian words and times."""

from desktop.labels import EDIT_STATUS, ago, clock_time, word


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
