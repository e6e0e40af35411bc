"""Parsing an agent's `position`."""

import pytest

from crdt_core import CharRef, EditTarget, InvalidPosition, OpKind, parse_position


@pytest.mark.parametrize(
    ("position", "span"),
    [
        ("end", None),
        ("0:0", (0, 0)),
        ("3:7", (3, 7)),
        ("12:12", (12, 12)),
        ("007:010", (7, 10)),
        ("999999999:999999999", (999_999_999, 999_999_999)),
    ],
)
def test_valid_positions(position: str, span: tuple[int, int] | None) -> None:
    assert parse_position(position) == span


@pytest.mark.parametrize(
    "position",
    [
        "",
        "END",
        "start",
        "3",
        "3:",
        ":7",
        "-1:2",
        "1:-2",
        "1.5:2",
        " 1:2",
        "1:2 ",
        "1:2:3",
        "1000000000:1000000001",  # more than 9 digits
    ],
)
def test_malformed_positions_are_refused(position: str) -> None:
    with pytest.raises(InvalidPosition) as caught:
        parse_position(position)

    assert caught.value.field == "position"
    assert caught.value.message == (
        f'должна быть "end" или "<начало>:<конец>" в символах, получено {position!r}'
    )


def test_a_range_ending_before_it_starts_is_refused() -> None:
    with pytest.raises(InvalidPosition) as caught:
        parse_position("7:3")

    assert (caught.value.field, caught.value.message) == (
        "position",
        "начало 7 стоит после конца 3",
    )
    assert str(caught.value) == "position: начало 7 стоит после конца 3"


def test_edit_target_defaults_to_no_anchors() -> None:
    target = EditTarget(OpKind.APPEND, 4)

    assert (target.left, target.first, target.last) == (None, None, None)
    assert EditTarget(OpKind.DELETE, 2, None, CharRef("i", 1), CharRef("i", 2)).last == CharRef(
        "i", 2
    )


@pytest.mark.parametrize("position", ["1:2\n", "١:٢", "１:２", " 1:2"])
def test_position_is_ascii_digits_and_nothing_else(position: str) -> None:
    with pytest.raises(InvalidPosition):
        parse_position(position)
