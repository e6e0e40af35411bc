"""Real concurrent editing traces replayed through three replicas end exactly at endContent."""

import pytest

from .traces import load_trace, replay_concurrent


@pytest.mark.parametrize(
    "name", ["concurrent_traces_friendsforever", "concurrent_traces_clownschool"]
)
def test_concurrent_trace_converges_to_end_content(name: str) -> None:
    trace = load_trace(name)
    replicas = replay_concurrent(trace, replica_count=3)
    for replica in replicas:
        assert replica.fold.text == trace["endContent"]
        assert replica.fold.pending() == []
    histories = {tuple(r.opset.fold.ops()) for r in replicas if r.opset.fold}
    assert len(histories) == 1
