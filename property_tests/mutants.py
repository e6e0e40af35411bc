"""Running a property against a deliberately broken implementation, which it must catch."""

from collections.abc import Callable

import pytest
from hypothesis import Phase, settings

MUTANT_RUN = settings(max_examples=600, phases=[Phase.generate], database=None)
"""How a property hunts a mutant: generation only (the first failure is the answer), and no
example database, so that a mutant's counterexample is never replayed on the real code."""


def counterexample(run: Callable[[], None], expected: type[BaseException]) -> str:
    """Run a property that must fail with `expected`; the failure as `Kind: message` (some
    failures, a StopIteration, have no message of their own)."""
    with pytest.raises(expected) as failure:
        run()
    return f"{type(failure.value).__name__}: {failure.value}"
