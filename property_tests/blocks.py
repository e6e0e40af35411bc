"""Sequences with tiny blocks: short generated texts then cross block boundaries and splits."""

from collections.abc import Iterator
from contextlib import contextmanager

from crdt_core._sequence import Sequence

TINY = 3
"""Characters per block in the tiny-block runs: a block splits above six."""


@contextmanager
def blocks_of(size: int) -> Iterator[None]:
    """Every sequence used inside splits its blocks above 2 × `size` characters."""
    saved = Sequence.block_size
    Sequence.block_size = size
    try:
        yield
    finally:
        Sequence.block_size = saved
