"""Hybrid logical clock and the total order key."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from crdt_core import MAX_NODES, HybridLogicalClock, split_key, version_key


class FakeTime:
    """A wall clock the test sets by hand."""

    def __init__(self, now: int) -> None:
        self.now = now

    def __call__(self) -> int:
        return self.now


def test_tick_follows_the_wall_clock_when_it_is_ahead() -> None:
    time = FakeTime(1_000)
    clock = HybridLogicalClock(2, time)

    assert clock.tick() == 1_000
    time.now = 1_500
    assert clock.tick() == 1_500
    assert clock.last_ts == 1_500


def test_tick_is_strictly_increasing_when_the_wall_clock_stalls_or_goes_back() -> None:
    time = FakeTime(1_000)
    clock = HybridLogicalClock(0, time)

    assert [clock.tick() for _ in range(3)] == [1_000, 1_001, 1_002]
    time.now = 10  # the wall clock jumps back
    assert clock.tick() == 1_003


def test_observe_moves_the_clock_past_a_remote_timestamp() -> None:
    clock = HybridLogicalClock(1, FakeTime(1_000))

    clock.observe(5_000)
    assert clock.last_ts == 5_000
    assert clock.tick() == 5_001


def test_observe_never_moves_the_clock_back() -> None:
    clock = HybridLogicalClock(1, FakeTime(1_000), last_ts=7_000)

    clock.observe(10)
    assert clock.last_ts == 7_000
    assert clock.tick() == 7_001


def test_next_key_packs_the_new_timestamp_with_the_node() -> None:
    clock = HybridLogicalClock(3, FakeTime(250))

    assert clock.next_key() == 250 * MAX_NODES + 3
    assert clock.next_key() == 251 * MAX_NODES + 3


@settings(deadline=None)  # a shared, loaded machine: time is no property
@given(
    now=st.lists(st.integers(0, 10**6), min_size=1, max_size=30),
    remote=st.lists(st.integers(0, 10**6), max_size=30),
)
def test_timestamps_grow_strictly_whatever_the_clock_and_remote_ops_do(
    now: list[int], remote: list[int]
) -> None:
    readings = iter(now)
    clock = HybridLogicalClock(0, lambda: next(readings))
    stamps = []
    for i in range(len(now)):
        stamps.append(clock.tick())
        if i < len(remote):
            clock.observe(remote[i])
            assert clock.last_ts >= remote[i]
    assert stamps == sorted(set(stamps))


def test_version_key_and_split_key_round_trip() -> None:
    assert version_key(0, 0) == 0
    assert version_key(1_700_000_000_123, 2) == 6_800_000_000_494
    assert split_key(6_800_000_000_494) == (1_700_000_000_123, 2)


@settings(deadline=None)  # a shared, loaded machine: time is no property
@given(ts=st.integers(0, 2**62), node=st.integers(0, MAX_NODES - 1))
def test_split_key_inverts_version_key(ts: int, node: int) -> None:
    assert split_key(version_key(ts, node)) == (ts, node)


def test_keys_order_by_timestamp_then_node() -> None:
    keys = [version_key(10, 3), version_key(11, 0), version_key(10, 0)]

    assert sorted(keys) == [version_key(10, 0), version_key(10, 3), version_key(11, 0)]


@pytest.mark.parametrize("node", [-1, MAX_NODES, 100])
def test_bad_node_index_is_refused(node: int) -> None:
    message = f"node index must be in 0..{MAX_NODES - 1}, got {node}"
    with pytest.raises(ValueError, match=message):
        version_key(1, node)
    with pytest.raises(ValueError, match=message):
        HybridLogicalClock(node, FakeTime(0))
