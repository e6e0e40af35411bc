"""Garbage collection for a process whose heap is the document.

CPython's full collection traverses every object it tracks, and in a node that is the whole
document: the blocks' id and character lists and the id → block index, millions of entries for
a text of megabytes. Each full collection held the event loop for 100–200 ms (a 3 MB document
under 50 closed-loop writers: GET p99 175 ms, POST p95 212 ms). What survives a full collection
in a node is nearly all the document's structure, which is acyclic (tests/crdt_core) and so is
freed by reference counting, never by the collector. So the survivors of each full collection
are frozen (`gc.freeze`): the next one traverses only what came since. Cyclic garbage among
frozen objects would never be reclaimed; a node makes next to none (under 50 closed-loop
writers, thawing and collecting everything every 30 s found no unreachable object).
"""

import gc
from typing import Any

_OLDEST = 2
"""The generation a full collection collects."""


def _freeze_after_full(phase: str, info: dict[str, Any]) -> None:
    if phase == "stop" and info["generation"] == _OLDEST:
        gc.freeze()


def freeze_survivors() -> None:
    """From now on, freeze what survives each full collection (once per process)."""
    if _freeze_after_full not in gc.callbacks:
        gc.callbacks.append(_freeze_after_full)


def stop_freezing() -> None:
    """Undo `freeze_survivors`, the frozen objects included (for tests)."""
    if _freeze_after_full in gc.callbacks:
        gc.callbacks.remove(_freeze_after_full)
    gc.unfreeze()
