"""The session checker on the real cluster: steady load on a LAN, the WAN profile and a 10 s
partition of node c. With sessions no read misses the client's own write or goes back in
time; without, the violations found are printed (an eventually consistent cluster behind a
round-robin balancer has them, most under WAN and the partition), not asserted."""

import pytest

from faults.sessions import CASES, profiled, run_session_check

from .conftest import SUMMARY_LINES, Clusters


@pytest.mark.parametrize(("profile", "scenario"), CASES, ids=[f"{p}-{s}" for p, s in CASES])
async def test_sessions_keep_their_guarantees(
    fault_clusters: Clusters, fault_seed: int, profile: str, scenario: str
) -> None:
    # the cluster already running, whatever its profile, with this case's delays set live
    with profiled(fault_clusters.any(), profile) as cluster:
        summaries = await run_session_check(cluster, scenario, seed=fault_seed)
    for summary in summaries:
        SUMMARY_LINES.append(summary.line())
        print(f"\n{summary.line()}")
    problems = [problem for summary in summaries for problem in summary.problems()]
    assert not problems, "\n".join([*problems, cluster.log_tails()])
