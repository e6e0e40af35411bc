"""Session guarantees through the balancer, checked Jepsen-style under a fault scenario.

Clients write (append a unique tag) and read (`GET /api/document/current`) through nginx,
half of them with a session — they keep the pointwise maximum of every `X-Chorus-Session`
token they are given and send it with each request — and half without. Each client checks
its own history as it goes:

- read-your-writes: a read after the client's own acknowledged (201) append must show its
  tag (tags are only ever appended, so a read that lacks one went back before that write);
- monotonic reads: a read's head `version_key` must not be lower than one the client read
  before, and the read's token (the serving node's watermark) must cover every token the
  client's earlier reads carried (`SessionToken.covered_by`), else the read has lost
  operations it saw.

Each 503 a client receives is counted (after nginx's own retries on the next node), and so
is every node's 503 that nginx answered by moving the request on (from its access log).
Without sessions the violations are what an eventually consistent cluster behind a
round-robin balancer gives; with sessions there must be none.

Everything random (which client writes what, pauses, edit ids) comes from the seed; the
fault comes from `scenarios.SCENARIOS` and the cluster and its profiles from `FaultCluster`.
`python -m faults.sessions` runs steady load (lan), the WAN profile and a 10 s partition.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import random
import re
import shutil
import sys
import tempfile
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import httpx

from crdt_core import SESSION_HEADER, SessionToken

from .cluster import AGENTS, FaultCluster
from .scenarios import SCENARIOS, WARM_UP_S, Run, start_document, steady
from .wan import LAN, profile
from .workload import RETRIABLE, TAG_CLOSE, TAG_OPEN, Status

Mode = Literal["session", "plain"]
MODES: tuple[Mode, ...] = ("session", "plain")
MODE_NAMES = {"session": "with sessions", "plain": "without sessions"}
CASES = (("lan", "steady"), ("wan", "steady"), ("lan", "partition-10s"))
"""The checker's runs: steady load on a LAN, the WAN profile, a 10 s partition of node c."""
_SEPARATOR = re.compile(r"\s*,\s*|\s+:\s+")


@dataclass
class SessionConfig:
    clients: int = 8
    """Half of them (the even ones) keep a session."""
    reads_per_write: int = 2
    pause_s: tuple[float, float] = (0.005, 0.03)
    tries: int = 4
    """Attempts per write (same edit_id), as the workload makes them."""
    request_timeout_s: float = 10.0
    after_heal_s: float = 1.0
    """The clients go on this long after the scenario healed its fault."""
    steady_s: float = 5.0


@dataclass
class Tally:
    """What the clients of one mode saw."""

    writes: Counter[Status] = field(default_factory=Counter)
    reads: int = 0
    """Reads answered 200, each one checked."""
    read_your_writes: int = 0
    monotonic_key: int = 0
    monotonic_vector: int = 0
    monotonic: int = 0
    """Reads that went back in time by either measure."""
    unavailable: int = 0
    """503 answers the clients received (reads and writes, after nginx's retries)."""
    session_unavailable: int = 0
    """Of those, the nodes' `session_unavailable`."""
    other_errors: Counter[str] = field(default_factory=Counter)
    """Other failed requests by what failed: `HTTP 502`, `ReadTimeout`, …"""
    examples: list[str] = field(default_factory=list)

    def example(self, what: str) -> None:
        if len(self.examples) < 5:
            self.examples.append(what)


@dataclass
class SessionClient:
    """One client: writes and reads in turn, checking each read against its own past."""

    n: int
    mode: Mode
    agent: str
    bearer: str
    rng: random.Random
    config: SessionConfig
    tally: Tally
    token: SessionToken | None = None
    """The merged token of everything answered (sent only in the `session` mode)."""
    acknowledged: list[str] = field(default_factory=list)
    """Tags of this client's appends answered 201."""
    read_key: int = -1
    read_vector: SessionToken = field(default_factory=SessionToken)
    """The merge of the tokens of this client's earlier reads (what its reads have seen)."""
    count: int = 0

    async def loop(self, client: httpx.AsyncClient, stop: asyncio.Event) -> None:
        while not stop.is_set():
            await self.write(client, stop)
            for _ in range(self.config.reads_per_write):
                await self.read(client)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), self.rng.uniform(*self.config.pause_s))

    # -- requests -----------------------------------------------------------------------
    def _headers(self) -> dict[str, str]:
        headers = {"Authorization": f"Bearer {self.bearer}"}
        if self.mode == "session" and self.token is not None:
            headers[SESSION_HEADER] = str(self.token)
        return headers

    def _answered(self, response: httpx.Response) -> SessionToken | None:
        """The answer's token, merged into the client's; None when the answer has none."""
        text = response.headers.get(SESSION_HEADER)
        if text is None:
            return None
        answer = SessionToken.parse(text)
        self.token = answer if self.token is None else self.token.merge(answer)
        return answer

    def _failed(self, response: httpx.Response | None, error: str = "") -> None:
        if response is None or response.status_code != 503:
            self.tally.other_errors[error or _status(response)] += 1
            return
        self.tally.unavailable += 1
        with contextlib.suppress(ValueError):
            if response.json().get("error") == "session_unavailable":
                self.tally.session_unavailable += 1

    async def write(self, client: httpx.AsyncClient, stop: asyncio.Event) -> None:
        """Append a new tag; retried with the same edit_id like `Workload` does."""
        self.count += 1
        tag = f"{TAG_OPEN}{self.n}.{self.count}{TAG_CLOSE}"
        body = {
            "agent_id": self.agent,
            "tokens_used": 1,
            "edit_id": str(uuid.UUID(int=self.rng.getrandbits(128), version=4)),
            "position": "end",
            "proposed_text": f" {tag}",
        }
        uncertain, delay = False, 0.1
        for attempt in range(1, self.config.tries + 1):
            response: httpx.Response | None = None
            try:
                response = await client.post(
                    "/api/edits", json=body, headers=self._headers(), params={"mode": self.mode}
                )
            except httpx.TransportError as exc:
                uncertain, error = True, type(exc).__name__
            else:
                error = ""
            if response is not None and response.status_code not in RETRIABLE:
                self._answered(response)
                if response.status_code == 201:
                    self.tally.writes["ok"] += 1
                    self.acknowledged.append(tag)
                else:
                    self.tally.writes["indeterminate" if uncertain else "failed"] += 1
                return
            self._failed(response, error)
            uncertain = uncertain or response is None or response.status_code != 429
            if stop.is_set() or attempt == self.config.tries:
                break
            await asyncio.sleep(delay)
            delay *= 2
        self.tally.writes["indeterminate"] += 1

    async def read(self, client: httpx.AsyncClient) -> None:
        """Read the head and check it against this client's writes and earlier reads."""
        try:
            response = await client.get(
                "/api/document/current", headers=self._headers(), params={"mode": self.mode}
            )
        except httpx.TransportError as exc:
            self._failed(None, type(exc).__name__)
            return
        if response.status_code != 200:
            self._failed(response)
            await asyncio.sleep(0.05)
            return
        answer = self._answered(response)
        current = response.json()
        self.tally.reads += 1
        where = f"client {self.n} read #{self.tally.reads} on node {current.get('node')}"
        missing = [tag for tag in self.acknowledged if tag not in current["text"]]
        if missing:
            self.tally.read_your_writes += 1
            self.tally.example(f"{where} lacks its own acknowledged {missing[-1]}")
        back_key = current["version_key"] < self.read_key
        back_vector = answer is not None and not self.read_vector.covered_by(answer.vector)
        self.tally.monotonic_key += back_key
        self.tally.monotonic_vector += back_vector
        self.tally.monotonic += back_key or back_vector
        if back_key or back_vector:
            self.tally.example(
                f"{where}: version_key {current['version_key']} after {self.read_key}, "
                f"vector {answer.vector if answer else '-'} after {self.read_vector.vector}"
            )
        self.read_key = max(self.read_key, current["version_key"])
        if answer is not None:
            self.read_vector = self.read_vector.merge(answer)


@dataclass
class SessionSummary:
    """One mode's result in one scenario; `line()` is what the suite prints."""

    scenario: str
    profile: str
    seed: int
    mode: Mode
    clients: int
    tally: Tally
    moved_on_503: int
    """Requests of this mode that a node answered 503 and nginx sent to the next node."""
    tokens_seen: bool
    """Whether the nodes' answers carried session tokens at all."""
    timeline: list[str]
    wall_s: float

    def line(self) -> str:
        t = self.tally
        return (
            f"FAULT sessions:{self.scenario} [{self.profile}] seed={self.seed} "
            f"{MODE_NAMES[self.mode]} ({self.clients} clients) | "
            f"timeline: {'; '.join(self.timeline)} | "
            f"writes ok={t.writes['ok']} failed={t.writes['failed']} "
            f"indeterminate={t.writes['indeterminate']} | reads checked={t.reads} | "
            f"read-your-writes violations={t.read_your_writes} "
            f"monotonic-read violations={t.monotonic} "
            f"(version_key {t.monotonic_key}, vector {t.monotonic_vector}) | "
            f"503 to clients={t.unavailable} (session_unavailable {t.session_unavailable}), "
            f"moved on by nginx={self.moved_on_503}, other errors={_counted(t.other_errors)} | "
            f"{self.wall_s:.0f} s" + (f" | e.g. {'; '.join(t.examples[:2])}" if t.examples else "")
        )

    def problems(self) -> list[str]:
        """What breaks the guarantees a session promises (always empty without sessions:
        there the violations are printed, not asserted)."""
        if self.mode != "session":
            return []
        found = []
        if not self.tokens_seen:
            found.append("no answer carried X-Chorus-Session")
        if self.tally.read_your_writes:
            found.append(f"read-your-writes violated {self.tally.read_your_writes}×")
        if self.tally.monotonic:
            found.append(f"monotonic reads violated {self.tally.monotonic}×")
        if not self.tally.writes["ok"] or not self.tally.reads:
            found.append("no write acknowledged or no read answered: the clients did not run")
        return found + [f"e.g. {e}" for e in self.tally.examples if found]


def _status(response: httpx.Response | None) -> str:
    """`HTTP 502 bad_gateway`: the status and the body's `error`, where it has one."""
    if response is None:
        return "no answer"
    try:
        error = response.json().get("error", "")
    except (ValueError, AttributeError):
        error = ""
    return f"HTTP {response.status_code} {error}".strip()


def _counted(counter: Counter[str]) -> str:
    total = sum(counter.values())
    return f"{total} ({', '.join(f'{k}: {n}' for k, n in counter.most_common())})" if total else "0"


def moved_on_503(access_log: Path, since: float) -> Counter[str]:
    """Per mode, the node answers 503 that nginx followed with another attempt (balanced
    requests logged after `since`, epoch seconds); the mode is the request's `mode` argument."""
    moved: Counter[str] = Counter()
    if not access_log.exists():
        return moved
    for line in access_log.read_text().splitlines():
        record = json.loads(line)
        found = re.search(r"[?&]mode=(\w+)", record["uri"])
        if found is None or float(record["t"]) < since:
            continue
        statuses = _SEPARATOR.split(record["ust"])
        moved[found[1]] += sum(status == "503" for status in statuses[:-1])
    return moved


async def run_session_check(
    cluster: FaultCluster, scenario: str, *, seed: int, config: SessionConfig | None = None
) -> list[SessionSummary]:
    """Scenario `scenario` (from `SCENARIOS`) on `cluster` in its current profile, under
    session and plain clients on a fresh document; one summary per mode."""
    config = config or SessionConfig()
    fault = SCENARIOS[scenario]
    name = cluster.profile.name
    run = Run(cluster, random.Random(f"{seed}:{name}:sessions:{scenario}"))
    wall, since = time.monotonic(), time.time()
    tallies = {mode: Tally() for mode in MODES}
    clients = [
        SessionClient(
            n,
            MODES[n % 2],
            AGENTS[n % len(AGENTS)],
            cluster.tokens[AGENTS[n % len(AGENTS)]],
            random.Random(f"{seed}:{name}:sessions:{scenario}:{n}"),
            config,
            tallies[MODES[n % 2]],
        )
        for n in range(config.clients)
    ]
    stop = asyncio.Event()
    async with httpx.AsyncClient(
        base_url=cluster.balancer_url,
        timeout=httpx.Timeout(config.request_timeout_s, connect=2.0),
        limits=httpx.Limits(max_connections=config.clients * 2),
    ) as http:
        await start_document(http, cluster, f"Сеансы: {scenario}")
        run.mark("clients start")
        tasks = [asyncio.create_task(c.loop(http, stop), name=f"session-{c.n}") for c in clients]
        try:
            await asyncio.sleep(WARM_UP_S)
            await (steady(run, config.steady_s) if scenario == "steady" else fault(run))
            await asyncio.sleep(config.after_heal_s)
            run.mark("clients stop")
        finally:
            stop.set()
            _, pending = await asyncio.wait(tasks, timeout=config.request_timeout_s)
            for task in pending:
                task.cancel()
            for task in tasks:
                with contextlib.suppress(asyncio.CancelledError):
                    await task
    moved = moved_on_503(cluster.root / "nginx" / "access.log", since)
    return [
        SessionSummary(
            scenario,
            name,
            seed,
            mode,
            sum(c.mode == mode for c in clients),
            tallies[mode],
            moved[mode],
            any(c.token is not None for c in clients if c.mode == mode),
            run.timeline,
            time.monotonic() - wall,
        )
        for mode in MODES
    ]


@contextlib.contextmanager
def profiled(cluster: FaultCluster, name: str) -> Iterator[FaultCluster]:
    """`cluster` with the replication delays of profile `name`, its own restored after."""
    before = cluster.profile
    cluster.set_profile(profile(name))
    try:
        yield cluster
    finally:
        cluster.set_profile(before)


async def run_cases(
    cluster: FaultCluster, *, seed: int, cases: tuple[tuple[str, str], ...] = CASES
) -> list[SessionSummary]:
    """Every (profile, scenario) of `cases` on one cluster, the profile switched live."""
    summaries = []
    for name, scenario in cases:
        with profiled(cluster, name):
            found = await run_session_check(cluster, scenario, seed=seed)
        for summary in found:
            print(summary.line(), flush=True)
        summaries += found
    return summaries


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--seed", type=int, default=8)
    args = parser.parse_args()
    root = Path(tempfile.mkdtemp(prefix="chorus-sessions-"))
    root.chmod(0o755)  # the PostgreSQL servers run as the postgres user
    try:
        with FaultCluster(root / "cluster", profile=LAN, seed=args.seed) as cluster:
            summaries = asyncio.run(run_cases(cluster, seed=args.seed))
    finally:
        shutil.rmtree(root, ignore_errors=True)
    problems = [p for s in summaries for p in s.problems()]
    for problem in problems:
        print(f"PROBLEM: {problem}")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
