"""Which fragments of a new version the Document tab highlights."""

from desktop.changes import Segment, changed_ranges, diff_texts, from_utf16_converter, to_utf16


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


def segments(old: str, new: str) -> list[tuple[str, str]]:
    return [(segment.kind, segment.text) for segment in diff_texts(old, new).segments()]


def test_a_deletion_is_a_deleted_segment_at_its_place() -> None:
    diff = diff_texts("Один два три.", "Один три.")
    assert segments("Один два три.", "Один три.") == [
        ("kept", "Один"),
        ("deleted", " два"),
        ("kept", " три."),
    ]
    assert diff.deleted == [(4, " два")]
    assert diff.inserted == []


def test_a_replacement_puts_the_old_words_before_the_new() -> None:
    old, new = "Машины решают задачи.", "Машины быстро решат задачи."
    assert segments(old, new) == [
        ("kept", "Машины "),
        ("deleted", "решают"),
        ("inserted", "быстро решат"),
        ("kept", " задачи."),
    ]
    assert diff_texts(old, new).deleted == [(7, "решают")]
    assert changed_ranges(old, new) == [(7, 19)]


def test_a_paragraph_split_removes_the_space_and_inserts_the_break() -> None:
    old, new = "решений. Проще говоря", "решений.\n\nПроще говоря"
    assert segments(old, new) == [
        ("kept", "решений."),
        ("deleted", " "),
        ("inserted", "\n\n"),
        ("kept", "Проще говоря"),
    ]
    assert diff_texts(old, new).deleted == [(8, " ")]


def test_nothing_changed_is_one_kept_segment() -> None:
    diff = diff_texts("Текст.", "Текст.")
    assert diff.segments() == [Segment("kept", "Текст.")]
    assert diff.deleted == []
    assert diff.inserted == []
    assert diff_texts("", "").segments() == []


def test_offsets_of_the_old_text_move_with_the_new() -> None:
    diff = diff_texts("Один два три.", "Ноль. Один три.")
    assert diff.moved(0) == 6  # before «Один»: after the inserted «Ноль. »
    assert diff.moved(6) == 10  # inside the removed « два»: where it was
    assert diff.moved(13) == 15  # the end stays the end
    assert diff_texts("а", "").moved(5) == 0


def test_utf16_offsets_convert_back_to_characters() -> None:
    text = "а😀б"
    back = from_utf16_converter(text)
    assert [back(i) for i in range(5)] == [0, 1, 1, 2, 3]
    assert from_utf16_converter("абв")(2) == 2
