"""Hypothesis profiles: `ci` (default, >= 300 examples per test) and `deep` (>= 3000).

Choose with CHORUS_HYPOTHESIS_PROFILE=ci|deep. `quick` (no shrinking) is for trying out
deliberate breakages: it reports the first failure at once.
"""

import os

from hypothesis import HealthCheck, Phase, settings

_common = settings(
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    print_blob=True,
)
settings.register_profile("ci", _common, max_examples=300)
settings.register_profile("deep", _common, max_examples=3000)
settings.register_profile(
    "quick",
    max_examples=int(os.environ.get("CHORUS_HYPOTHESIS_EXAMPLES", "300")),
    phases=[Phase.explicit, Phase.generate],
    parent=_common,
)
settings.load_profile(os.environ.get("CHORUS_HYPOTHESIS_PROFILE", "ci"))
