"""The character sequence against a plain Python list model, on documents of many blocks."""

from dataclasses import dataclass, field

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from crdt_core import _sequence
from crdt_core._sequence import ID_SHIFT, Sequence, _Fenwick

SAMPLE = "Съешь же ещё этих мягких французских булок, да выпей чаю. 😀👍🏽 «ёлочки» — тире\n"


def chars(count: int, shift: int = 0) -> str:
    """`count` characters of Russian text and emoji, starting `shift` into the sample."""
    repeated = SAMPLE * (1 + (count + shift) // len(SAMPLE))
    return repeated[shift : shift + count]


def run_ids(handle: int, count: int) -> list[int]:
    return [(handle << ID_SHIFT) | k for k in range(count)]


@dataclass
class Cell:
    char_id: int
    char: str
    alive: bool = True


@dataclass
class Model:
    """A sequence as a plain list of cells, with the fold's undo stack."""

    cells: list[Cell] = field(default_factory=list)
    undo: list[tuple[str, list[int]]] = field(default_factory=list)  # ("insert"|"kill", ids)
    next_handle: int = 1

    def index(self, char_id: int) -> int:
        return next(i for i, cell in enumerate(self.cells) if cell.char_id == char_id)

    def text(self) -> str:
        return "".join(c.char for c in self.cells if c.alive)

    def live(self) -> list[int]:
        return [c.char_id for c in self.cells if c.alive]

    def all_ids(self) -> list[int]:
        return [c.char_id for c in self.cells]

    def insert(self, at: int, text: str) -> int:
        first_id = self.next_handle << ID_SHIFT
        self.next_handle += 1
        ids = list(range(first_id, first_id + len(text)))
        self.cells[at:at] = [Cell(i, ch) for i, ch in zip(ids, text, strict=True)]
        self.undo.append(("insert", ids))
        return first_id

    def kill(self, ids: list[int]) -> list[int]:
        killed = []
        for char_id in ids:
            cell = self.cells[self.index(char_id)]
            if cell.alive:
                cell.alive = False
                killed.append(char_id)
        self.undo.append(("kill", killed))
        return killed


def check(seq: Sequence, model: Model) -> None:
    live = model.live()
    assert seq.text() == model.text()
    assert seq.live_length == len(live)
    assert len(seq) == len(model.cells)
    assert seq.live_ids(0, len(live)) == live


def check_order(seq: Sequence, model: Model) -> None:
    ids = model.all_ids()
    assert sorted(ids, key=seq.order) == ids
    for cell in model.cells:
        assert cell.char_id in seq
        assert seq.is_alive(cell.char_id) is cell.alive


# -- a document of many blocks -----------------------------------------------------------
def test_five_thousand_characters_split_into_blocks_and_stay_addressable() -> None:
    seq, model = Sequence(), Model()
    first = model.insert(0, chars(5000))
    seq.insert_after(None, first, chars(5000))
    check(seq, model)
    assert len(seq._blocks) > 30  # really many blocks
    assert [seq.id_at(i) for i in (0, 127, 128, 4999)] == [
        first,
        first + 127,
        first + 128,
        first + 4999,
    ]
    with pytest.raises(IndexError):
        seq.id_at(5000)
    with pytest.raises(IndexError):
        seq.id_at(-1)

    # a big insertion in the middle of a block splits it
    anchor = seq.id_at(2500)
    at = model.index(anchor) + 1
    second = model.insert(at, chars(700, 3))
    seq.insert_after(anchor, second, chars(700, 3))
    check(seq, model)
    assert seq.id_at(2501) == second
    assert seq.id_at(3200) == second + 699
    assert seq.id_at(3201) == anchor + 1

    # kill a range spanning blocks, with the range ends in different blocks
    killed = seq.kill_between(seq.id_at(100), seq.id_at(4000))
    assert killed == model.kill(model.live()[100:4001])
    assert len(killed) == 3901
    check(seq, model)
    assert seq.id_at(100) == model.live()[100]
    assert seq.live_ids(95, 105) == model.live()[95:105]

    # tombstones keep their place: an insertion after a dead character
    dead = second + 10
    assert not seq.is_alive(dead)
    third = model.insert(model.index(dead) + 1, "ЖЖ")
    seq.insert_after(dead, third, "ЖЖ")
    check(seq, model)
    assert seq.order(dead) < seq.order(third) < seq.order(dead + 1)

    # undo in reverse order brings back the first text exactly
    seq.remove_run(third, 2)
    seq.revive(killed)
    seq.remove_run(second, 700)
    assert seq.text() == chars(5000)
    assert seq.live_ids(0, 5000) == run_ids(1, 5000)
    assert second not in seq
    check_order(
        seq,
        Model(cells=[Cell(i, ch) for i, ch in zip(run_ids(1, 5000), chars(5000), strict=True)]),
    )


def test_empty_sequence() -> None:
    seq = Sequence()

    assert (seq.text(), seq.live_length, len(seq), seq.live_ids(0, 0)) == ("", 0, 0, [])
    assert 5 not in seq
    seq.insert_after(None, 1 << ID_SHIFT, "")
    seq.append(1 << ID_SHIFT, "")
    assert len(seq) == 0
    with pytest.raises(IndexError):
        seq.id_at(0)


def test_append_goes_after_tombstones_at_the_end() -> None:
    seq = Sequence()
    seq.append(1 << ID_SHIFT, "мир")
    seq.kill_between((1 << ID_SHIFT) + 1, (1 << ID_SHIFT) + 2)
    seq.append(2 << ID_SHIFT, "!")

    assert seq.text() == "м!"
    assert seq.order((1 << ID_SHIFT) + 2) < seq.order(2 << ID_SHIFT)
    assert seq.kill([(1 << ID_SHIFT) + 1, 2 << ID_SHIFT, 99 << ID_SHIFT]) == [2 << ID_SHIFT]
    assert seq.text() == "м"


def test_insert_at_the_beginning_of_a_non_empty_sequence() -> None:
    seq = Sequence()
    seq.append(1 << ID_SHIFT, "мир")
    seq.insert_after(None, 2 << ID_SHIFT, "Привет, ")

    assert seq.text() == "Привет, мир"
    assert seq.id_at(0) == 2 << ID_SHIFT
    assert seq.live_ids(7, 9) == [(2 << ID_SHIFT) + 7, 1 << ID_SHIFT]


def test_remove_run_empties_blocks_and_reindexes() -> None:
    seq = Sequence()
    seq.append(1 << ID_SHIFT, chars(300))
    seq.append(2 << ID_SHIFT, chars(300, 7))  # fills the last block past its split size
    blocks = len(seq._blocks)
    seq.remove_run(2 << ID_SHIFT, 300)

    assert len(seq._blocks) < blocks
    assert seq.text() == chars(300)
    assert seq.live_ids(250, 300) == run_ids(1, 300)[250:]


# -- against the model -------------------------------------------------------------------
actions = st.lists(
    st.sampled_from(["insert_after", "insert_start", "append", "kill_between", "kill", "undo"]),
    max_size=25,
)


@settings(deadline=None)  # a shared, loaded machine: time is no property
@given(initial=st.sampled_from([0, 1, 130, 1000, 5000]), script=actions, data=st.data())
def test_sequence_matches_a_list_model(
    initial: int, script: list[str], data: st.DataObject
) -> None:
    seq, model = Sequence(), Model()
    if initial:
        seq.insert_after(None, model.insert(0, chars(initial)), chars(initial))
    for action in script:
        size = data.draw(st.sampled_from([1, 2, 5, 129, 300]), label="size")
        text = chars(size, data.draw(st.integers(0, 40), label="shift"))
        ids = model.all_ids()
        if action == "insert_after" and ids:
            anchor = data.draw(st.sampled_from(ids), label="anchor")
            seq.insert_after(anchor, model.insert(model.index(anchor) + 1, text), text)
        elif action == "insert_start" or (action == "insert_after" and not ids):
            seq.insert_after(None, model.insert(0, text), text)
        elif action == "append":
            seq.append(model.insert(len(model.cells), text), text)
        elif action == "kill_between" and ids:
            i = data.draw(st.integers(0, len(ids) - 1), label="first")
            j = data.draw(st.integers(i, min(len(ids) - 1, i + 400)), label="last")
            assert seq.kill_between(ids[i], ids[j]) == model.kill(ids[i : j + 1])
        elif action == "kill" and ids:
            chosen = data.draw(st.lists(st.sampled_from(ids), max_size=10), label="ids")
            assert seq.kill(chosen) == model.kill(list(dict.fromkeys(chosen)))
        elif action == "undo" and model.undo:
            kind, undone = model.undo.pop()
            if kind == "insert":
                seq.remove_run(undone[0], len(undone))
                del model.cells[model.index(undone[0]) : model.index(undone[0]) + len(undone)]
            else:
                seq.revive(undone)
                for char_id in undone:
                    model.cells[model.index(char_id)].alive = True
        check(seq, model)
        live = model.live()
        if live:
            offset = data.draw(st.integers(0, len(live) - 1), label="offset")
            assert seq.id_at(offset) == live[offset]
            end = data.draw(st.integers(offset, len(live)), label="end")
            assert seq.live_ids(offset, end) == live[offset:end]
    check_order(seq, model)


# the patch is the same for every example, so one fixture for all of them is what we want
@settings(deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(initial=st.sampled_from([0, 1, 130, 1000, 5000]), script=actions, data=st.data())
def test_sequence_with_tiny_text_groups_and_tails_matches_the_model(
    initial: int, script: list[str], data: st.DataObject, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Text groups of two blocks and prefix sums re-appended from any block on: every cache
    boundary is crossed by the same scripts."""
    monkeypatch.setattr(_sequence, "_GROUP", 2)
    monkeypatch.setattr(_sequence, "_REBUILD_BELOW", 10_000)
    test_sequence_matches_a_list_model.hypothesis.inner_test(initial, script, data)  # type: ignore[attr-defined]


@given(
    st.lists(st.integers(0, 300), max_size=80),
    st.data(),
)
def test_prefix_sums_truncated_and_appended_equal_those_built_at_once(
    values: list[int], data: st.DataObject
) -> None:
    keep = data.draw(st.integers(0, len(values)))
    more = data.draw(st.lists(st.integers(0, 300), max_size=40))
    grown = _Fenwick(values)
    grown.truncate(keep)
    for value in more:
        grown.append(value)
    built = _Fenwick(values[:keep] + more)
    assert grown.tree == built.tree
    total = values[:keep] + more
    assert [grown.prefix(i) for i in range(len(total) + 1)] == [
        sum(total[:i]) for i in range(len(total) + 1)
    ]


def test_the_block_size_knob_splits_short_texts(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(Sequence, "block_size", 2)
    seq = Sequence()
    seq.append(1 << ID_SHIFT, "абвгд")
    seq.insert_after((1 << ID_SHIFT) + 1, 2 << ID_SHIFT, "ёжз")  # five in a block: it splits

    assert [len(block.ids) for block in seq._blocks] == [2, 2, 1, 2, 1]
    assert seq.text() == "абёжзвгд"
    assert seq.live_ids(1, 6) == [(1 << ID_SHIFT) + 1, *run_ids(2, 3), (1 << ID_SHIFT) + 2]
    assert seq.id_at(4) == (2 << ID_SHIFT) + 2
