"""Fault injection for the real local cluster: proxies per link, a workload, the checks.

`FaultCluster` runs three Text Service nodes (each on its own PostgreSQL) behind nginx with a
fault proxy on every replication link and between nginx and each node; `WAN` delays the
replication links like the distance between Moscow, Saint Petersburg and Novosibirsk;
`run_scenario` runs one fault scenario under a seeded workload and returns its `Summary`;
`run_session_check` runs one under clients with and without a session token and counts the
read-your-writes and monotonic-read violations each mode saw.
"""

from .cluster import FaultCluster, FaultClusterError
from .proxy import Delay, LinkProxy, Mode, ProxyNet
from .report import Summary, Verdict
from .scenarios import SCENARIOS, run_scenario
from .sessions import SessionConfig, SessionSummary, run_session_check
from .wan import LAN, PROFILES, WAN, Profile, profile
from .workload import Outcome, Workload, WorkloadConfig

__all__ = [
    "LAN",
    "PROFILES",
    "SCENARIOS",
    "WAN",
    "Delay",
    "FaultCluster",
    "FaultClusterError",
    "LinkProxy",
    "Mode",
    "Outcome",
    "Profile",
    "ProxyNet",
    "SessionConfig",
    "SessionSummary",
    "Summary",
    "Verdict",
    "Workload",
    "WorkloadConfig",
    "profile",
    "run_scenario",
    "run_session_check",
]
