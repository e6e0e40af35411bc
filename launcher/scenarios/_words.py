"""The nouns of the scenario timelines, counted in Russian (the forms: `wording`)."""

from __future__ import annotations

from wording import count, decimal, joined, number, plural, short, verb

__all__ = [
    "agents",
    "chars",
    "count",
    "decimal",
    "edits",
    "every_agent",
    "joined",
    "number",
    "plural",
    "short",
    "tokens",
    "verb",
    "versions",
]


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


def every_agent(n: int) -> str:
    """ "все 10 агентов", but "1 агент"."""
    return agents(n) if n == 1 else f"все {agents(n)}"
