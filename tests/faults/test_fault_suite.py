"""The fault suite: every scenario on the real local cluster, on a LAN and (some) on the WAN
profile. Each prints its summary line and asserts: nothing acknowledged lost, no duplicate,
identical nodes, convergence within 3 s of the heal."""

import pytest

from faults import SCENARIOS, WorkloadConfig, run_scenario

from .conftest import SUMMARY_LINES, Clusters

WAN_SCENARIOS = (
    "steady",
    "kill-node",
    "freeze-node",
    "crash-database",
    "freeze-database",
    "partition-10s",
    "cut-balancer",
    "clock-skew+2s",
)
CASES = [("lan", name) for name in SCENARIOS] + [("wan", name) for name in WAN_SCENARIOS]


@pytest.mark.parametrize(("profile", "scenario"), CASES, ids=[f"{p}-{s}" for p, s in CASES])
async def test_scenario(
    fault_clusters: Clusters, fault_seed: int, profile: str, scenario: str
) -> None:
    cluster = fault_clusters.get(profile)
    summary = await run_scenario(cluster, scenario, seed=fault_seed)
    line = summary.line()
    SUMMARY_LINES.append(line)
    print(f"\n{line}")
    problems = summary.problems()
    assert not problems, f"{line}\n{problems}\n{cluster.log_tails()}"


async def test_kill_node_while_fifty_clients_edit_without_pause(
    fault_clusters: Clusters, fault_seed: int
) -> None:
    """kill -9 of a node while 50 clients edit as fast as they are answered (issue 20): the
    group commit of edits and peers' batches loses nothing acknowledged either."""
    cluster = fault_clusters.get("lan")
    fifty = WorkloadConfig(clients=50, pause_s=(0.0, 0.0))
    # its own name seeds its own edit ids: the lan kill-node scenario's, sent again to the
    # same cluster, would be answered with that earlier document's edits (idempotency)
    summary = await run_scenario(
        cluster, "kill-node×50", seed=fault_seed, fault=SCENARIOS["kill-node"], config=fifty
    )
    line = summary.line()
    SUMMARY_LINES.append(line)
    print(f"\n{line}")
    assert summary.counts["ok"] >= 50, f"fewer acknowledged edits than clients: {line}"
    problems = summary.problems()
    assert not problems, f"{line}\n{problems}\n{cluster.log_tails()}"
