"""Russian words for the API's status values, and how times are shown."""

from __future__ import annotations

from datetime import datetime

from wording import plural

EDIT_STATUS = {
    "accepted": "принята",
    "rejected": "отклонена",
    "superseded": "перезаписана",
    "pending": "ожидает",
}
EDIT_STATUS_FILTERS = (
    ("", "все"),
    ("accepted", "принятые"),
    ("rejected", "отклонённые"),
    ("superseded", "перезаписанные"),
)
AGENT_STATE = {
    "starting": "запускается",
    "running": "работает",
    "idle": "нечего править",
    "stopped": "остановлен",
    "failed": "сбой",
    "budget_exhausted": "бюджет исчерпан",
}
REJECTION_REASON = {
    "conflict": "фрагмент уже изменила другая правка: нужно перечитать документ",
    "stale": "правка опиралась на устаревшую версию",
}
"""Rejection codes of an edit (`reason`) for nodes that send no Russian `message`."""
PROCESS_STATE = {"running": "запущен", "stopped": "остановлен", "frozen": "заморожен"}


def word(table: dict[str, str], value: str) -> str:
    """The Russian word for `value`, or the value itself when there is none."""
    return table.get(value, value)


def clock_time(iso: str) -> str:
    """`HH:MM:SS` in local time of an ISO 8601 timestamp (the raw text if it does not parse)."""
    try:
        moment = datetime.fromisoformat(iso.replace("Z", "+00:00"))
    except ValueError:
        return iso
    return moment.astimezone().strftime("%H:%M:%S")


def ago(seconds: float) -> str:
    """`5 с назад`, `3 мин назад`, `2 ч назад`."""
    seconds = max(0.0, seconds)
    if seconds < 60:
        return f"{seconds:.0f} с назад"
    if seconds < 3600:
        return f"{seconds / 60:.0f} мин назад"
    return f"{seconds / 3600:.0f} ч назад"


VERSIONS = ("версию", "версии", "версий")
"""Accusative, as in «отстаёт на 1 версию», «догнал 5 версий»."""
EDITS = ("правка", "правки", "правок")


def counted(count: int, forms: tuple[str, str, str]) -> str:
    """`5 версий`: the number and the word in the form it takes."""
    return f"{count} {plural(count, *forms)}"


def clock_minutes(iso: str) -> str:
    """`HH:MM` in local time of an ISO 8601 timestamp (the raw text if it does not parse)."""
    try:
        moment = datetime.fromisoformat(iso.replace("Z", "+00:00"))
    except ValueError:
        return iso
    return moment.astimezone().strftime("%H:%M")


def duration(ms: float) -> str:
    """`85 мс`, `2,4 с`, `3 мин 5 с` for a duration in milliseconds."""
    if ms < 1000:
        return f"{ms:.0f} мс"
    if ms < 60_000:
        return f"{ms / 1000:.1f} с".replace(".", ",")
    minutes, seconds = divmod(round(ms / 1000), 60)
    return f"{minutes} мин {seconds} с" if seconds else f"{minutes} мин"
