"""The agents' pace: the demo's, or N times faster for tests and the soak."""

import pytest

from launcher.config import RateLimit
from launcher.errors import LauncherError
from launcher.pace import CYCLE_DELAY_S, LLM_LATENCY_MS, Pace


def test_the_demo_pace_is_a_room_of_people() -> None:
    pace = Pace()
    assert pace.simulator_env()["SIMULATOR_LATENCY_MS"] == str(LLM_LATENCY_MS)
    assert pace.supervisor_env() == {
        "SUPERVISOR_CYCLE_DELAY_S": f"{CYCLE_DELAY_S:g}",
        "SUPERVISOR_CLAIM_TTL_S": "30",
        "SUPERVISOR_MAX_IDLE_DELAY_S": "60",
    }
    assert pace.rate_limit(RateLimit.parse("10r/m")).rate == "10r/m"


def test_speed_shortens_every_wait_and_raises_the_rate_limit() -> None:
    pace = Pace(10)
    assert pace.simulator_env()["SIMULATOR_LATENCY_MS"] == str(LLM_LATENCY_MS // 10)
    assert pace.supervisor_env()["SUPERVISOR_CLAIM_TTL_S"] == "3"
    assert pace.supervisor_env()["SUPERVISOR_MAX_IDLE_DELAY_S"] == "6"
    assert pace.rate_limit(RateLimit.parse("10r/m")).rate == "100r/m"
    assert pace.rate_limit(RateLimit.parse("2r/s")).rate == "1200r/m"
    assert pace.minutes(60) == 10


@pytest.mark.parametrize("speed", [0, -1, 1000])
def test_a_speed_out_of_range_is_refused(speed: float) -> None:
    with pytest.raises(LauncherError, match="speed"):
        Pace(speed)
