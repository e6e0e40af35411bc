"""Russian wording for the timelines: plural forms, numbers, lists, shortened quotes."""

from __future__ import annotations

from collections.abc import Iterable


def plural(n: int, one: str, few: str, many: str) -> str:
    """The form of a noun after the number `n`: 1 версия, 2 версии, 5 версий, 21 версия,
    11 версий, 112 версий."""
    n = abs(n)
    if n % 10 == 1 and n % 100 != 11:
        return one
    if 2 <= n % 10 <= 4 and not 12 <= n % 100 <= 14:
        return few
    return many


def count(n: int, one: str, few: str, many: str) -> str:
    """`n` with its noun: count(5, "версия", "версии", "версий") → "5 версий"."""
    return f"{number(n)} {plural(n, one, few, many)}"


def number(n: int) -> str:
    """An integer with thin groups as Russian typesetting writes it: 15 000 000."""
    return f"{n:,}".replace(",", "\u202f")


def joined(items: Iterable[str]) -> str:
    """ "a", "a и c", "a, b и c"."""
    listed = list(items)
    if len(listed) <= 1:
        return "".join(listed)
    return f"{', '.join(listed[:-1])} и {listed[-1]}"


def short(text: str, limit: int = 70) -> str:
    """`text` on one line, cut to `limit` characters with an ellipsis."""
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def agents(n: int) -> str:
    return count(n, "агент", "агента", "агентов")


def chars(n: int) -> str:
    return count(n, "символ", "символа", "символов")


def edits(n: int) -> str:
    return count(n, "правка", "правки", "правок")


def tokens(n: int) -> str:
    return count(n, "токен", "токена", "токенов")


def versions(n: int) -> str:
    return count(n, "версия", "версии", "версий")


def decimal(value: float, places: int = 1) -> str:
    """A fraction with the Russian decimal comma: 6,2."""
    return f"{value:.{places}f}".replace(".", ",")


def verb(n: int, one: str, many: str) -> str:
    """A verb agreeing with `n` things: verb(1, "работает", "работают") → "работает"."""
    return plural(n, one, many, many)


def every_agent(n: int) -> str:
    """ "все 10 агентов", but "1 агент"."""
    return agents(n) if n == 1 else f"все {agents(n)}"
