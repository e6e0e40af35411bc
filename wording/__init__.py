"""Russian wording for what people read, shared by the services, the launcher and the desktop
client: plural forms, numbers, durations, lists. Pure functions, no dependencies."""

from collections.abc import Iterable

NBSP = "\u00a0"


def plural(n: int, one: str, few: str, many: str) -> str:
    """The form of a noun that goes with `n`: 1 версия, 2 версии, 5 версий, 21 версия, 11 версий.

    `one` follows 1, 21, 101…; `few` follows 2–4, 22–24…; `many` everything else, the teens
    (11–14) included.
    """
    n = abs(n)
    if n % 10 == 1 and n % 100 != 11:
        return one
    if 2 <= n % 10 <= 4 and not 12 <= n % 100 <= 14:
        return few
    return many


def verb(n: int, one: str, many: str) -> str:
    """A verb agreeing with `n` things: verb(1, "работает", "работают") → "работает"."""
    return plural(n, one, many, many)


def number(n: float) -> str:
    """An integer with thousands split by no-break spaces, as Russian typography has it."""
    return f"{round(n):,}".replace(",", NBSP)


def count(n: int, one: str, few: str, many: str) -> str:
    """`n` and its noun: «1 версия», «17 версий», «15 000 токенов»."""
    return f"{number(n)} {plural(n, one, few, many)}"


def decimal(value: float, places: int = 1) -> str:
    """A fraction with the Russian decimal comma: 6,2."""
    return f"{value:.{places}f}".replace(".", ",")


def duration(ms: float) -> str:
    """A duration a person reads: «85 мс», «6,2 с», «2 мин 5 с», «1 ч 3 мин»."""
    if ms < 1000:
        return f"{round(ms)} мс"
    seconds = ms / 1000
    if seconds < 60:
        return f"{decimal(seconds)} с"
    minutes, rest = divmod(round(seconds), 60)
    if minutes < 60:
        return f"{minutes} мин {rest} с" if rest else f"{minutes} мин"
    hours, minutes = divmod(minutes, 60)
    return f"{hours} ч {minutes} мин" if minutes else f"{hours} ч"


def joined(items: Iterable[str]) -> str:
    """«a», «a и c», «a, b и c»."""
    listed = list(items)
    if len(listed) <= 1:
        return "".join(listed)
    return f"{', '.join(listed[:-1])} и {listed[-1]}"


def short(text: str, limit: int = 70) -> str:
    """`text` on one line, cut to `limit` characters with an ellipsis."""
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"
