"""After healing: read every node directly, judge the invariants, print one summary line.

- lost: an edit acknowledged to its client (`ok`) missing from any node's history;
- duplicates: an edit_id listed twice in a node's history, or an append's tag twice in a
  node's text (one edit applied as two operations);
- invented: an edit in a history that no client ever sent;
- contradicted: an edit a client was definitely told was not applied (`failed`) that is in
  the history anyway (reported, not asserted: see `Summary.problems`);
- identical: every node has the same document, text (sha256) and history
  `(version, version_key, edit_id)`.
"""

from __future__ import annotations

import asyncio
import hashlib
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import httpx

from .workload import TAG, Status, Workload

CONVERGE_LIMIT_S = 3.0


@dataclass(frozen=True)
class Head:
    """What a node shows, cheap to poll: document, head, text hash, per-origin watermark."""

    document_id: str | None
    version: int
    version_key: int
    sha256: str
    watermark: dict[str, int]


@dataclass(frozen=True)
class NodeRead:
    """Everything the checks need from one node."""

    name: str
    head: Head
    text: str
    history: list[tuple[int, int, str]]
    lag_ms: dict[str, Any]


async def read_head(client: httpx.AsyncClient, url: str) -> Head:
    current = (await client.get(f"{url}/api/document/current")).json()
    node = (await client.get(f"{url}/api/node")).json()
    return Head(
        current["document_id"],
        current["version"],
        current["version_key"],
        hashlib.sha256(current["text"].encode()).hexdigest(),
        {str(k): int(v) for k, v in node["watermark"].items()},
    )


async def read_node(
    client: httpx.AsyncClient, name: str, url: str, service: dict[str, str]
) -> NodeRead:
    head = await read_head(client, url)
    text = (await client.get(f"{url}/api/document/current")).json()["text"]
    catch_up = await client.get(
        f"{url}/api/replication/catch-up", params={"since_version": 0}, headers=service
    )
    catch_up.raise_for_status()
    history = [(v["version"], v["version_key"], v["edit_id"]) for v in catch_up.json()["versions"]]
    lag = (await client.get(f"{url}/api/node")).json()["replication_lag_ms"]
    return NodeRead(name, head, text, history, lag)


async def wait_identical(
    client: httpx.AsyncClient, urls: dict[str, str], *, limit_s: float = 30.0
) -> float:
    """Poll every node's head until all agree; the monotonic time they first did.
    Raises AssertionError with the heads after `limit_s`."""
    deadline = time.monotonic() + limit_s
    heads: dict[str, Head | str] = {}
    while True:
        try:
            heads = dict(
                zip(
                    urls,
                    await asyncio.gather(*(read_head(client, u) for u in urls.values())),
                    strict=True,
                )
            )
        except (httpx.HTTPError, ValueError, KeyError) as exc:
            heads = {"error": f"{type(exc).__name__}: {exc}"}
        values = list(heads.values())
        if len(values) == len(urls) and all(v == values[0] for v in values):
            return time.monotonic()
        if time.monotonic() > deadline:
            raise AssertionError(f"nodes still differ after {limit_s:.0f} s: {heads}")
        await asyncio.sleep(0.05)


@dataclass
class Verdict:
    lost: list[str] = field(default_factory=list)
    duplicates: list[str] = field(default_factory=list)
    invented: list[str] = field(default_factory=list)
    contradicted: list[str] = field(default_factory=list)
    identical: bool = False
    differences: list[str] = field(default_factory=list)


def judge(reads: list[NodeRead], workload: Workload) -> Verdict:
    """Check the invariants over the final reads of every node."""
    verdict = Verdict()
    ok = workload.with_status("ok")
    failed = workload.with_status("failed")
    issued = set(workload.outcomes)
    initial = {reads[0].history[0][2]} if reads and reads[0].history else set()
    for read in reads:
        held = [edit_id for _, _, edit_id in read.history]
        held_set = set(held)
        verdict.lost += [f"{read.name}:{e}" for e in sorted(ok - held_set)]
        verdict.duplicates += [f"{read.name}:{e}" for e, n in Counter(held).items() if n > 1]
        verdict.duplicates += [
            f"{read.name}:{tag}" for tag, n in Counter(TAG.findall(read.text)).items() if n > 1
        ]
        verdict.invented += [f"{read.name}:{e}" for e in sorted(held_set - issued - initial)]
        verdict.contradicted += [f"{read.name}:{e}" for e in sorted(held_set & failed)]
    first = reads[0]
    for read in reads[1:]:
        if read.head != first.head:
            verdict.differences.append(f"{read.name} head {read.head} != {first.head}")
        if read.history != first.history:
            verdict.differences.append(f"{read.name} history differs from {first.name}")
    verdict.identical = not verdict.differences
    return verdict


@dataclass
class Summary:
    """One scenario's result; `line()` is what the suite prints."""

    scenario: str
    profile: str
    seed: int
    timeline: list[str]
    counts: dict[Status, int]
    verdict: Verdict
    sha256: dict[str, str]
    converge_s: float
    lag_ms: dict[str, dict[str, Any]]
    wall_s: float
    notes: list[str] = field(default_factory=list)

    def line(self) -> str:
        lag = " ".join(
            f"{name}:{_ms(lag.get('p50'))}/{_ms(lag.get('p95'))}/{_ms(lag.get('p99'))}"
            for name, lag in self.lag_ms.items()
        )
        shas = " ".join(f"{name}:{sha[:12]}" for name, sha in self.sha256.items())
        return (
            f"FAULT {self.scenario} [{self.profile}] seed={self.seed} | "
            f"timeline: {'; '.join(self.timeline)} | "
            f"ok={self.counts['ok']} failed={self.counts['failed']} "
            f"indeterminate={self.counts['indeterminate']} | "
            f"lost={len(self.verdict.lost)} duplicates={len(self.verdict.duplicates)} "
            f"invented={len(self.verdict.invented)} "
            f"contradicted={len(self.verdict.contradicted)} | "
            f"identical={'yes' if self.verdict.identical else 'NO'} sha256 {shas} | "
            f"converged {self.converge_s:.2f} s after heal | "
            f"replication lag p50/p95/p99 ms {lag} | {self.wall_s:.0f} s"
            + (f" | {'; '.join(self.notes)}" if self.notes else "")
        )

    def problems(self) -> list[str]:
        """What breaks the suite's assertions (empty when the scenario passed).

        `contradicted` is not among them: nginx retries a POST on another node after a
        timeout, so a client can be told "rejected" by one node while the node that timed
        out applies the same edit later; the client's answer was never definite."""
        found = []
        if self.verdict.lost:
            found.append(f"lost {self.verdict.lost[:5]}")
        if self.verdict.duplicates:
            found.append(f"duplicates {self.verdict.duplicates[:5]}")
        if self.verdict.invented:
            found.append(f"invented {self.verdict.invented[:5]}")
        if not self.verdict.identical:
            found.append(f"nodes differ: {self.verdict.differences}")
        if self.converge_s > CONVERGE_LIMIT_S:
            found.append(f"converged in {self.converge_s:.2f} s > {CONVERGE_LIMIT_S:g} s")
        if self.counts["ok"] == 0:
            found.append("no edit was acknowledged: the workload did not run")
        return found


def _ms(value: Any) -> str:
    return "-" if value is None else f"{float(value):.0f}"
