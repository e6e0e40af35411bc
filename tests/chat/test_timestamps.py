"""ISO 8601 UTC timestamps with milliseconds."""

from datetime import UTC, datetime, timedelta, timezone

import pytest

from chat import timestamps


def test_format_has_milliseconds_and_z() -> None:
    assert timestamps.format_ms(0) == "1970-01-01T00:00:00.000Z"
    assert timestamps.format_ms(1_762_171_200_123) == "2025-11-03T12:00:00.123Z"


def test_to_ms_floors_and_takes_naive_as_utc() -> None:
    moment = datetime(2025, 11, 3, 12, 0, 0, 123_999, tzinfo=UTC)

    assert timestamps.to_ms(moment) == 1_762_171_200_123
    assert timestamps.to_ms(moment.replace(tzinfo=None)) == 1_762_171_200_123


def test_parse_round_trips_and_normalises_to_utc() -> None:
    text = timestamps.format_ms(1_762_171_200_123)
    moscow = timezone(timedelta(hours=3))

    assert timestamps.to_ms(timestamps.parse(text)) == 1_762_171_200_123
    assert timestamps.parse("2025-11-03T15:00:00.123+03:00") == datetime(
        2025, 11, 3, 12, 0, 0, 123_000, tzinfo=UTC
    )
    assert timestamps.parse("2025-11-03T15:00:00+03:00").tzinfo == UTC
    assert timestamps.parse("2025-11-03T15:00:00 03:00") == datetime(2025, 11, 3, 15, tzinfo=moscow)
    assert timestamps.parse("2025-11-03T12:00:00") == datetime(2025, 11, 3, 12, tzinfo=UTC)


@pytest.mark.parametrize("text", ["", "now", "2025-11-03 12:00:00 abc", "03.11.2025"])
def test_parse_refuses_other_text(text: str) -> None:
    with pytest.raises(ValueError, match=r"."):
        timestamps.parse(text)


def test_now_is_close_to_the_wall_clock() -> None:
    assert abs(timestamps.now_ms() - timestamps.to_ms(datetime.now(UTC))) < 1000
