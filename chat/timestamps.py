"""Message timestamps: ISO 8601 in UTC with milliseconds, e.g. `2025-11-03T12:00:00.123Z`."""

from datetime import UTC, datetime, timedelta

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_ONE_MS = timedelta(milliseconds=1)


def now_ms() -> int:
    """Milliseconds since the Unix epoch, from the wall clock."""
    return to_ms(datetime.now(UTC))


def to_ms(moment: datetime) -> int:
    """Whole milliseconds since the epoch (floor); naive datetimes are taken as UTC."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return (moment - _EPOCH) // _ONE_MS


def format_ms(ms: int) -> str:
    """The ISO 8601 UTC text of an epoch-milliseconds value."""
    moment = _EPOCH + timedelta(milliseconds=ms)
    return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")


def parse(text: str) -> datetime:
    """An aware UTC datetime from ISO 8601 text; naive text is taken as UTC.

    A `+` in a query string arrives as a space when the client did not encode it, so
    `...00.000 03:00` is read as `...00.000+03:00`. Raises ValueError for anything else.
    """
    candidate = text.strip()
    try:
        moment = datetime.fromisoformat(candidate)
    except ValueError:
        date_part, sep, offset = candidate.rpartition(" ")
        if not sep or "T" not in date_part:
            raise
        moment = datetime.fromisoformat(f"{date_part}+{offset}")
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)
