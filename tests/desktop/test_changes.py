"""Which fragments of a new version the Document tab highlights."""

from desktop.changes import changed_ranges, to_utf16


def fragments(old: str, new: str) -> list[str]:
    return [new[start:end] for start, end in changed_ranges(old, new)]


def test_an_appended_sentence() -> None:
    assert fragments("Первая фраза.", "Первая фраза. Вторая фраза.") == [" Вторая фраза."]


def test_a_replaced_word_and_an_insertion_elsewhere() -> None:
    old = "Машины решают задачи. Термин появился в 1956 году."
    new = "Машины быстро решают задачи. Термин возник в 1956 году."
    assert fragments(old, new) == [" быстро", "возник"]


def test_a_deletion_marks_nothing_and_a_first_version_marks_nothing() -> None:
    assert changed_ranges("Один два три.", "Один три.") == []
    assert changed_ranges("", "Новый текст") == []


def test_utf16_offsets_count_characters_beyond_the_bmp_twice() -> None:
    text = "а😀б"
    assert [to_utf16(text, i) for i in range(4)] == [0, 1, 3, 4]
