"""crdt_core benchmark: accepting and applying edits, late ops, diff sizes, a real trace.

Run: `.venv/bin/python -m bench.crdt_bench` (see bench/README.md for what each figure means).
Prints figures; asserts nothing about time. Randomness is seeded, so runs are comparable.
"""

import argparse
import base64
import os
import random
import statistics
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import partial
from typing import Any

from pycrdt import Doc, Text

from crdt_core import CharRef, Op, OpKind, Replica, write_update
from property_tests.traces import load_trace

_WORD_LIST = (
    "агент документ текст правка версия узел реплика сеть время порядок ключ строка символ "
    "абзац глава смысл слово мысль идея автор читатель редактор история память "
    "пространство тишина свет ветер город улица окно дом дорога утро вечер ночь зима весна "
    "лето осень новый старый большой малый быстрый тихий ясный тёмный далёкий близкий "
    "важный простой пишет читает правит думает видит знает помнит ищет находит меняет "
    "хранит передаёт очень всегда снова вместе потом сейчас здесь там почти только уже ещё"
)
WORDS = _WORD_LIST.split()
PUNCTUATION = [".", ".", ".", "!", "?", "…"]


def cpu_seconds() -> float:
    """CPU time of this process: other load on a shared machine does not inflate it."""
    return time.process_time()


@dataclass
class Row:
    figure: str
    value: str
    target: str = ""
    note: str = ""


class Ticker:
    """A fake wall clock advancing `step` ms per reading: keys leave room for late ops."""

    def __init__(self, step: int = 1) -> None:
        self.now = 1_700_000_000_000
        self.step = step

    def __call__(self) -> int:
        self.now += self.step
        return self.now


def sentence(rng: random.Random) -> str:
    words = rng.choices(WORDS, k=rng.randint(4, 12))
    if rng.random() < 0.2:
        words.insert(rng.randint(1, len(words)), "—")
    if rng.random() < 0.15:
        at = rng.randint(0, len(words) - 1)
        words[at] = f"«{words[at]}»"
    return " ".join(words).capitalize() + rng.choice(PUNCTUATION)


def russian_document(rng: random.Random, size_bytes: int) -> str:
    """Sentences and paragraphs of Russian until the UTF-8 text reaches `size_bytes`."""
    parts: list[str] = []
    size = 0
    while size < size_bytes:
        part = sentence(rng) + ("\n\n" if rng.random() < 0.1 else " ")
        parts.append(part)
        size += len(part.encode())
    return "".join(parts)


def phrase(rng: random.Random) -> str:
    return " ".join(rng.choices(WORDS, k=rng.randint(1, 4)))


def random_edit(rng: random.Random, length: int) -> tuple[str, str]:
    """`(position, text)` of a mixed edit on a text of `length` characters.

    Mix: 40 % replace, 25 % delete, 20 % insert, 15 % append; sizes chosen so the document
    keeps roughly its size over many edits.
    """
    roll = rng.random()
    if roll < 0.15 or length < 100:
        return "end", " " + phrase(rng)
    start = rng.randint(0, length - 1)
    if roll < 0.55:
        end = min(length, start + rng.randint(1, 30))
        return f"{start}:{end}", phrase(rng)
    if roll < 0.80:
        end = min(length, start + rng.randint(1, 40))
        return f"{start}:{end}", ""
    return f"{start}:{start}", " " + phrase(rng)


def edited_length(length: int, position: str, text: str) -> int:
    if position == "end":
        return length + len(text)
    start, end = (int(part) for part in position.split(":"))
    return length - (end - start) + len(text)


def timed(action: Callable[[], object]) -> float:
    started = cpu_seconds()
    action()
    return cpu_seconds() - started


def percentile(values: list[int], share: float) -> int:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


# -- (a) and (b) ---------------------------------------------------------------------------
def accept_edits(initial: str, edits: int, seed: int) -> tuple[Replica, list[Op], float]:
    """Accept `edits` seeded edits on one replica; return it, its ops and the seconds taken."""
    rng = random.Random(seed)
    replica = Replica(0, Ticker(step=10))
    replica.init_document(edit_id="init", document_id="bench", topic="бенчмарк", text=initial)
    length = len(initial)
    elapsed = 0.0
    for i in range(edits):
        position, text = random_edit(rng, length)
        started = cpu_seconds()
        replica.accept_edit(edit_id=f"e{i}", position=position, text=text, tokens_used=100)
        elapsed += cpu_seconds() - started
        length = edited_length(length, position, text)
    assert len(replica.fold.text) == length
    return replica, replica.opset.all_ops(), elapsed


def apply_in_key_order(ops: list[Op]) -> tuple[Replica, float]:
    """Each op received as a peer receives it: its Yjs update, merged into the Doc and folded."""
    updates = [write_update([op]) for op in ops]
    replica = Replica(1, Ticker())
    started = cpu_seconds()
    for update in updates:
        replica.receive_update(update)
    return replica, cpu_seconds() - started


# -- (c) -------------------------------------------------------------------------------------
def late_op_ms(ops: list[Op], behind: int, trials: int, seed: int) -> list[float]:
    """Milliseconds to receive a ranged replacement whose key is below the last `behind` ops."""
    replica, _ = apply_in_key_order(ops)
    rng = random.Random(seed)
    before = ops[-behind - 1]  # the late op slots in right after this one
    init_length = len(ops[0].text)
    results = []
    for trial in range(trials):
        k = rng.randint(1, init_length - 5)
        late = Op(
            edit_id=f"late-{behind}-{trial}",
            kind=OpKind.REPLACE,
            document_id=before.document_id,
            origin=2,
            seq=trial + 1,
            ts=before.ts + 1 + trial,  # below the next op of node 0 (clock steps of 10 ms)
            text="поздняя правка",
            left=CharRef("init", k - 1),
            first=CharRef("init", k),
            last=CharRef("init", k + 3),
            seen=((0, before.seq), (2, trial)),
        )
        assert sum(op.key > late.key for op in replica.fold.ops()) == behind
        results.append(1000 * timed(partial(replica.receive_update, write_update([late]))))
    return results


# -- (e) -------------------------------------------------------------------------------------
def trace_patches(trace: dict[str, Any]) -> Iterator[list[Any]]:
    """Every `[position, deleted, inserted]` patch of a sequential trace, in order."""
    for txn in trace["txns"]:
        yield from txn["patches"]


def replay_trace_replica(trace: dict[str, Any]) -> tuple[float, bool]:
    replica = Replica(0, Ticker())
    replica.init_document(
        edit_id="init", document_id="trace", topic="", text=str(trace["startContent"])
    )
    started = cpu_seconds()
    for i, (pos, deleted, inserted) in enumerate(trace_patches(trace)):
        if deleted or inserted:
            replica.accept_edit(edit_id=f"p{i}", position=f"{pos}:{pos + deleted}", text=inserted)
    elapsed = cpu_seconds() - started
    return elapsed, replica.fold.text == trace["endContent"]


def replay_trace_pycrdt(trace: dict[str, Any]) -> tuple[float, bool]:
    doc: Doc[Text] = Doc()
    text = doc.get("text", type=Text)
    text += str(trace["startContent"])
    started = cpu_seconds()
    for pos, deleted, inserted in trace_patches(trace):
        if deleted:
            del text[pos : pos + deleted]
        if inserted:
            text.insert(pos, inserted)
    elapsed = cpu_seconds() - started
    return elapsed, str(text) == trace["endContent"]


# -- the run ---------------------------------------------------------------------------------
def run(args: argparse.Namespace) -> list[Row]:
    rows: list[Row] = []
    initial = russian_document(random.Random(args.seed), args.doc_kb * 1000)
    rows.append(
        Row(
            "document",
            f"{len(initial.encode()) / 1000:.1f} KB",
            note=f"UTF-8, {len(initial):,} chars of Russian; {args.edits:,} edits;"
            f" seed {args.seed}",
        )
    )

    replica, ops, seconds = accept_edits(initial, args.edits, args.seed)
    final = replica.fold.text
    rows.append(
        Row(
            "(a) accept on one node",
            f"{args.edits / seconds:,.0f} ops/s",
            note=f"op written into the node's Doc; {seconds:.2f} s; text now {len(final):,} chars",
        )
    )

    edits = ops[1:]
    fresh, seconds = apply_in_key_order(ops)
    assert fresh.fold.text == final, "the applying replica diverged"
    rows.append(
        Row(
            "(b) replica apply, key order",
            f"{len(edits) / seconds:,.0f} ops/s",
            ">= 10,000 ops/s",
            f"receive_update() of each op's Yjs update, one at a time; {seconds:.2f} s",
        )
    )

    for behind in (10, 100, 1000):
        samples = late_op_ms(ops, behind, args.trials, args.seed)
        rows.append(
            Row(
                f"(c) late op behind {behind} ops",
                f"{statistics.median(samples):.2f} ms",
                "<= 10 ms" if behind == 100 else "",
                f"median of {args.trials}; min {min(samples):.2f}, max {max(samples):.2f}",
            )
        )

    raw = [len(write_update([op])) for op in edits]
    sizes = [len(base64.b64encode(write_update([op]))) for op in edits]
    rows.append(
        Row(
            "(d) diff size per op",
            f"mean {statistics.mean(sizes):.0f} B, p95 {percentile(sizes, 0.95)} B",
            note=f"base64 text as sent; raw Yjs update mean {statistics.mean(raw):.0f} B,"
            f" p95 {percentile(raw, 0.95)} B",
        )
    )

    if not args.skip_trace:
        trace = load_trace("sequential_traces_automerge-paper")
        patches = sum(1 for _ in trace_patches(trace))
        ours, ours_ok = replay_trace_replica(trace)
        theirs, theirs_ok = replay_trace_pycrdt(trace)
        rows.append(
            Row(
                "(e) automerge-paper, Replica accept",
                f"{ours:.2f} s",
                note=f"{patches:,} patches; {patches / ours:,.0f} ops/s;"
                f" endContent {'equal' if ours_ok else 'DIFFERENT'}",
            )
        )
        rows.append(
            Row(
                "(e) automerge-paper, pycrdt Text",
                f"{theirs:.2f} s",
                note=f"{patches / theirs:,.0f} ops/s;"
                f" endContent {'equal' if theirs_ok else 'DIFFERENT'}",
            )
        )
        rows.append(Row("(e) ratio Replica / pycrdt", f"{ours / theirs:.2f}x", "<= 2x"))
    return rows


def print_table(rows: list[Row]) -> None:
    headers = Row("figure", "value", "target", "note")
    widths = [
        max(len(getattr(r, f)) for r in [headers, *rows]) for f in ("figure", "value", "target")
    ]
    for row in [headers, *rows]:
        print(
            f"{row.figure:<{widths[0]}}  {row.value:>{widths[1]}}  {row.target:<{widths[2]}}  "
            f"{row.note}".rstrip()
        )
        if row is headers:
            print("-" * (sum(widths) + 6 + len("note")))


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--edits", type=int, default=10_000)
    parser.add_argument("--doc-kb", type=int, default=50, help="document size, UTF-8 KB")
    parser.add_argument("--trials", type=int, default=7, help="late-op trials per depth")
    parser.add_argument("--seed", type=int, default=20_251_103)
    parser.add_argument("--skip-trace", action="store_true", help="skip the automerge-paper run")
    args = parser.parse_args(argv)
    print(
        f"crdt_core benchmark (Python {sys.version.split()[0]}); times are CPU time of this "
        "process (time.process_time)",
        flush=True,
    )
    wall, cpu = time.perf_counter(), cpu_seconds()
    print_table(run(args))
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    print(
        f"run: {time.perf_counter() - wall:.1f} s wall, {cpu_seconds() - cpu:.1f} s CPU;"
        f" {os.cpu_count()} CPUs, load average {load}"
    )


if __name__ == "__main__":
    main()
