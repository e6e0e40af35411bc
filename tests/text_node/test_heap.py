"""The node's garbage-collection policy: survivors of a full collection are frozen."""

import gc
from collections.abc import Iterator

import pytest

from text_node.heap import freeze_survivors, stop_freezing


@pytest.fixture(autouse=True)
def collections_by_hand() -> Iterator[None]:
    """Only the tests' own collections run (an automatic one, full on a big test process,
    would freeze on its own), and the policy is gone afterwards."""
    gc.unfreeze()
    gc.disable()
    try:
        yield
    finally:
        stop_freezing()
        gc.enable()


def test_a_full_collection_freezes_what_survives_it() -> None:
    freeze_survivors()
    kept = [[n] for n in range(1000)]  # tracked containers that survive
    gc.collect(0)
    assert gc.get_freeze_count() == 0, "a young collection freezes nothing"
    gc.collect()
    assert gc.get_freeze_count() >= len(kept)


def test_installing_twice_adds_one_callback() -> None:
    freeze_survivors()
    freeze_survivors()
    assert sum(callback is gc.callbacks[-1] for callback in gc.callbacks) == 1


def test_stop_freezing_removes_the_callback_and_thaws() -> None:
    freeze_survivors()
    gc.collect()
    assert gc.get_freeze_count() > 0
    stop_freezing()
    assert gc.get_freeze_count() == 0
    gc.collect()
    assert gc.get_freeze_count() == 0
