"""The run report: one self-contained HTML page in Russian (and its PDF) with a run's
parameters, charts over time with the cluster's events, the agents, the consistency evidence
checked at report time, the verdict lines of a stress test or fault suite, and the document.

`make_report` reads a running stack through its balancer (`./chorus report`, `bench.stress`);
the data come from where the dashboard takes them: the Analytics Service and the nodes.
"""

from ._collect import NodeView, ReportError, RunData, parse_since
from ._evidence import Check, consistency, verdict
from ._report import SETTLE_S, ReportFiles, make_report, stack_report

__all__ = [
    "SETTLE_S",
    "Check",
    "NodeView",
    "ReportError",
    "ReportFiles",
    "RunData",
    "consistency",
    "make_report",
    "parse_since",
    "stack_report",
    "verdict",
]
