"""Russian wording: plural forms, numbers, durations, lists, shortened quotes."""

import pytest

from wording import count, decimal, duration, joined, number, plural, short, verb


@pytest.mark.parametrize(
    ("n", "word"),
    [
        (0, "версий"),
        (1, "версия"),
        (2, "версии"),
        (4, "версии"),
        (5, "версий"),
        (11, "версий"),
        (12, "версий"),
        (14, "версий"),
        (21, "версия"),
        (22, "версии"),
        (25, "версий"),
        (101, "версия"),
        (111, "версий"),
        (112, "версий"),
        (1004, "версии"),
        (1_000_002, "версии"),
    ],
)
def test_plural(n: int, word: str) -> None:
    assert plural(n, "версия", "версии", "версий") == word


def test_count_splits_thousands() -> None:
    assert count(15_000_000, "токен", "токена", "токенов") == "15\u00a0000\u00a0000 токенов"
    assert count(1, "агент", "агента", "агентов") == "1 агент"
    assert number(999) == "999"


@pytest.mark.parametrize(
    ("ms", "text"),
    [
        (85, "85 мс"),
        (999.4, "999 мс"),
        (6200, "6,2 с"),
        (59_940, "59,9 с"),
        (125_000, "2 мин 5 с"),
        (120_000, "2 мин"),
        (3_780_000, "1 ч 3 мин"),
        (7_200_000, "2 ч"),
    ],
)
def test_duration(ms: float, text: str) -> None:
    assert duration(ms) == text


def test_joined() -> None:
    assert joined([]) == ""
    assert joined(["a"]) == "a"
    assert joined(iter(["a", "c"])) == "a и c"
    assert joined(["a", "b", "c"]) == "a, b и c"


def test_decimal_verb_and_short() -> None:
    assert decimal(6.25, 2) == "6,25"
    assert verb(1, "работает", "работают") == "работает"
    assert verb(3, "работает", "работают") == "работают"
    assert short("один  два\nтри", 70) == "один два три"
    assert short("а" * 80, 10) == "а" * 9 + "…"
