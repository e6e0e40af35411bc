"""Hypothesis profiles: `ci` (default, >= 300 examples per test) and `deep` (>= 3000).

Choose with CHORUS_HYPOTHESIS_PROFILE=ci|deep. `quick` (no shrinking) is for trying out
deliberate breakages: it reports the first failure at once.

`ci` bounds shrinking, so that a failure surfaces as a readable counterexample rather than a
time-out: the shrinker stops after `CI_SHRINK_SECONDS` with the smallest example found so
far (Hypothesis has no setting for it; its engine's `MAX_SHRINKING_SECONDS`, five minutes, is
documented in the source as the knob to monkeypatch), and the explain phase, which replays
the failure many more times, is left out. `deep` shrinks in full, with Hypothesis's defaults.
"""

import os
from collections.abc import Iterator

import pytest
from hypothesis import HealthCheck, Phase, settings
from hypothesis.internal.conjecture import engine

from crdt_core._sequence import Sequence

from .blocks import TINY, blocks_of

_common = settings(
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    print_blob=True,
)
CI_SHRINK_SECONDS = 40
settings.register_profile(
    "ci",
    _common,
    max_examples=300,
    phases=[Phase.explicit, Phase.reuse, Phase.generate, Phase.shrink],
)
settings.register_profile("deep", _common, max_examples=3000)
settings.register_profile(
    "quick",
    max_examples=int(os.environ.get("CHORUS_HYPOTHESIS_EXAMPLES", "300")),
    phases=[Phase.explicit, Phase.generate],
    parent=_common,
)
PROFILE = os.environ.get("CHORUS_HYPOTHESIS_PROFILE", "ci")
settings.load_profile(PROFILE)
if PROFILE == "ci":
    engine.MAX_SHRINKING_SECONDS = CI_SHRINK_SECONDS


@pytest.fixture(params=[Sequence.block_size, TINY], ids=lambda size: f"blocks_of_{size}")
def each_block_size(request: pytest.FixtureRequest) -> Iterator[None]:
    """The test runs twice: with the real block size, and with tiny blocks so that short
    generated texts cross block boundaries and split blocks."""
    with blocks_of(request.param):
        yield
