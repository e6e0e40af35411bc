"""The network profiles: the geography of the WAN table."""

import random

import pytest

from faults import LAN, WAN, Delay, profile


def test_wan_delays_each_link_like_the_distance() -> None:
    assert WAN.delay("a", "b") == WAN.delay("b", "a") == Delay(5.0, 1.0)
    assert WAN.delay("a", "c").ms == WAN.delay("c", "b").ms == 25.0
    assert LAN.delay("a", "c") == Delay()
    assert "Москва–Новосибирск 25±3 ms" in WAN.describe()
    assert LAN.describe() == "lan: no added delay"


def test_jitter_stays_within_its_bounds() -> None:
    rng = random.Random(1)
    draws = [Delay(25, 3).draw(rng) for _ in range(1000)]
    assert 0.022 <= min(draws) < max(draws) <= 0.028
    assert Delay().draw(rng) == 0.0
    assert Delay(1, 5).draw(rng) >= 0.0


def test_profiles_by_name() -> None:
    assert profile("wan") is WAN
    with pytest.raises(ValueError, match="expected one of lan, wan, got 'moon'"):
        profile("moon")
