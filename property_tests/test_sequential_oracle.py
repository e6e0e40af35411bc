"""Invariant 10: one writer and no concurrency is plain Python string editing.

A single replica takes random edits, always on its head version: appends (`"end"`) and
`"start:end"` replacements, deletions and insertions with Russian text and emoji. After every
step its text must equal the same edit done with string slicing. The Yjs updates the writer
pushed, one per operation, are then delivered to two other replicas one by one, each in an
order Hypothesis draws (an update ahead of a gap waits in the Doc until the gap is filled):
both must end with the writer's text and history, nothing left waiting.
"""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from crdt_core import Op, OpKind, Replica

from .invariants import check_all

ALPHABET = "абвгдеёжзийклмнопрстуфхцчшщъыьэюя АБВЁЖЯ,.«»—!?😀👍🏽\n"
texts = st.text(alphabet=ALPHABET, max_size=8)


class Ticker:
    """A fake wall clock that advances one millisecond per reading."""

    def __init__(self) -> None:
        self.now = 1_000

    def __call__(self) -> int:
        self.now += 1
        return self.now


def draw_edit(data: st.DataObject, length: int) -> tuple[str, str]:
    """A random `(position, text)` on a text of `length` characters; never a no-op."""
    text = data.draw(texts, label="text")
    if text and data.draw(st.booleans(), label="append"):
        return "end", text
    start = data.draw(st.integers(0, length), label="start")
    end = data.draw(st.integers(start, min(length, start + 10)), label="end")
    if start == end and not text:
        text = data.draw(st.text(alphabet=ALPHABET, min_size=1, max_size=3), label="insert")
    return f"{start}:{end}", text


def apply_to_string(text: str, position: str, new: str) -> str:
    if position == "end":
        return text + new
    start, end = (int(part) for part in position.split(":"))
    return text[:start] + new + text[end:]


@pytest.mark.usefixtures("each_block_size")
@given(initial=texts, steps=st.integers(1, 25), data=st.data())
def test_one_writer_is_plain_string_editing(initial: str, steps: int, data: st.DataObject) -> None:
    ticker = Ticker()
    writer = Replica(0, ticker)
    init = writer.init_document(edit_id="init", document_id="doc", topic="тема", text=initial)
    expected = [initial]
    ops: list[Op] = [init]
    for step in range(steps):
        position, text = draw_edit(data, len(expected[-1]))
        op = writer.accept_edit(
            edit_id=f"e{step}",
            position=position,
            text=text,
            tokens_used=step,
            base_version=writer.fold.version,
        )
        assert op.kind != OpKind.REJECT, op.reason
        ops.append(op)
        expected.append(apply_to_string(expected[-1], position, text))
        assert writer.fold.text == expected[-1]
    fold = writer.fold
    assert [fold.text_at(v) for v in range(1, fold.version + 1)] == expected
    assert fold.pending() == []
    assert fold.superseded() == set()

    pushes = writer.opset.drain_updates()  # one Yjs update per op, as the writer pushed them
    assert len(pushes) == len(ops)
    readers = [Replica(node, ticker) for node in (1, 2)]
    for reader in readers:
        for update in data.draw(st.permutations(pushes), label=f"order for node {reader.node}"):
            reader.receive_update(update)
        assert reader.opset.waiting() == []
        assert reader.fold.text == expected[-1]
        assert reader.fold.ops() == fold.ops()
    check_all([writer, *readers], {(op.document_id, op.edit_id): op for op in ops}, set())
