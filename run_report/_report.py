"""Making the report: read the run, judge the evidence (waiting a little for the cluster to
settle), render the page, print the PDF."""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

import httpx

from . import _figures
from ._collect import NODES, StackReader, collect
from ._evidence import consistency, verdict
from ._html import render
from ._pdf import print_pdf

if TYPE_CHECKING:
    from launcher.stack import Stack

SETTLE_S = 10.0
"""How long the report waits for the nodes to agree (replication and outboxes in flight)."""


@dataclass(frozen=True)
class ReportFiles:
    """What was written, and what the evidence said."""

    html: Path
    pdf: Path | None
    passed: bool
    verdict: str


def make_report(
    base_url: str,
    *,
    out: Path,
    rate_limit: str,
    access_log: Path | None = None,
    since: datetime | None = None,
    parameters: Sequence[tuple[str, str]] = (),
    verdicts: Sequence[str] = (),
    settle_s: float = SETTLE_S,
    pdf: bool = True,
) -> ReportFiles:
    """Read the run behind the balancer at `base_url`, write `out` (HTML) and, with `pdf`, the
    PDF beside it (same name, `.pdf`). ReportError when the stack cannot be read."""
    with httpx.Client(base_url=base_url, timeout=15) as http:
        reader = StackReader(http)
        data = collect(reader, since=since, rate_limit=rate_limit, access_log=access_log)
        data.parameters = list(parameters)
        data.verdicts = list(verdicts)
        checks = consistency(data.nodes, data.document_edits)
        deadline = time.monotonic() + settle_s
        while not all(c.passed for c in checks) and time.monotonic() < deadline:
            time.sleep(0.5)
            data.nodes = [reader.node(name) for name in NODES]
            data.document_edits = reader.document_edits(data.document_start, data.generated_at)
            checks = consistency(data.nodes, data.document_edits)
    listed = _figures.events(data)
    charts = _figures.charts(data, _figures.marks(listed))
    sentence = verdict(checks, data.nodes)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(
        render(data, charts=charts, events=listed, checks=checks, verdict=sentence),
        encoding="utf-8",
    )
    printed = None
    if pdf:
        printed = out.with_suffix(".pdf")
        print_pdf(out, printed)
    return ReportFiles(out, printed, all(c.passed for c in checks), sentence)


def stack_report(
    stack: Stack,
    *,
    out: Path,
    since: datetime | None = None,
    parameters: Sequence[tuple[str, str]] = (),
    verdicts: Sequence[str] = (),
    settle_s: float = SETTLE_S,
    pdf: bool = True,
) -> ReportFiles:
    """`make_report` on a local stack: its balancer, its rate limit, its access log."""
    from launcher.nginx import NginxPaths

    return make_report(
        stack.balancer_url,
        out=out,
        rate_limit=stack.config.rate_limit.rate,
        access_log=NginxPaths(stack.config.state.nginx).access_log,
        since=since,
        parameters=parameters,
        verdicts=verdicts,
        settle_s=settle_s,
        pdf=pdf,
    )
