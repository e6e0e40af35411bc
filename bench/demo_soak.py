"""The demo as a user leaves it running: `python -m bench.demo_soak [--minutes 30] [--speed N]`.

A whole stack (no dashboard) on free ports in a temporary directory, the offline simulator and
10 agents with the default roles on «История искусственного интеллекта», at the demo's pace or
`--speed` times faster (every pause and the model's latency shortened, the balancer's rate
limit raised by the same factor: N demo minutes in one). The run is cut into windows of
`--window` demo minutes; at each boundary the document is read, at the end every edit is
fetched and put in its window by its timestamp. Printed per window: accepted edits per role,
rejected and superseded counts, the conflict rate, the size of the document and its growth,
misspellings per 1 000 words (by the spelling role's own dictionary), repeated sentences.

The same run is then repeated without claims (the agents do not claim fragments in chat) on
a fresh document with the simulator restarted on the same seed, and the two conflict rates are
printed side by side. Last come the checks of issue 16, each PASS or FAIL; the exit status is 1
when one fails. Timings are printed, never asserted.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import httpx

from agents.simulator import _speller
from agents.simulator._language import sentences, words
from launcher.config import DEFAULT_RATE_LIMIT, RateLimit
from launcher.demo import INITIAL_TEXT
from launcher.pace import Pace
from launcher.stack import Stack

from .stress import NODES, Run, say, temporary_stack

BUDGET = 100_000_000
"""High enough that no soak ends on the budget (the budget is not what this measures)."""


@dataclass
class Sample:
    """The document at a window's end."""

    size: int
    words: int
    misspellings: int
    repeated: int
    tokens: int = 0
    """Tokens the budget had counted by then (the nodes' `budget_used`)."""


@dataclass
class Window:
    """One window of demo minutes."""

    index: int
    accepted: Counter[str] = field(default_factory=Counter)
    """Accepted edits by role (superseded ones included: they were accepted)."""
    rejected: int = 0
    superseded: int = 0
    sample: Sample | None = None

    @property
    def edits(self) -> int:
        return sum(self.accepted.values()) + self.rejected

    @property
    def conflicts(self) -> int:
        return self.rejected + self.superseded


@dataclass
class Soak:
    """One run: its windows, the final text and what the writers appended."""

    claims: bool
    windows: list[Window]
    roles: dict[str, str]
    text: str
    appended: str
    """What the writers appended (their drafts, slips included)."""
    written: str
    """Everything the accepted edits wrote (appends and replacements)."""
    yielded: int
    """Edits the agents gave up because another agent had claimed the fragment first."""

    def total(self, what: str) -> int:
        return sum(getattr(w, what) for w in self.windows)

    @property
    def conflict_rate(self) -> float:
        edits = self.total("edits")
        return self.total("conflicts") / edits if edits else 0.0


def sample(text: str) -> Sample:
    said = sentences(text)
    return Sample(
        size=len(text),
        words=len(text.split()),
        misspellings=len(_speller.misspellings(text)),
        repeated=len(said) - len(set(said)),
    )


def per_1000(misspellings: int, word_count: int) -> float:
    return 1000 * misspellings / word_count if word_count else 0.0


async def all_edits(http: httpx.AsyncClient) -> list[dict[str, Any]]:
    """Every edit of the current document (through the balancer, newest first)."""
    edits: list[dict[str, Any]] = []
    while True:
        response = await http.get("/api/edits", params={"limit": 500, "offset": len(edits)})
        response.raise_for_status()
        page = response.json()
        edits += page["edits"]
        if len(edits) >= page["total"] or not page["edits"]:
            return edits


def _moment(timestamp: str) -> float:
    return datetime.fromisoformat(timestamp.replace("Z", "+00:00")).timestamp()


async def soak_run(
    stack: Stack, *, pace: Pace, minutes: float, window_min: float, agents: int, claims: bool
) -> Soak:
    """One run of `minutes` demo minutes on a fresh document."""
    count = max(1, round(minutes / window_min))
    window_s = window_min * 60 / pace.speed
    async with httpx.AsyncClient(base_url=stack.balancer_url, timeout=30) as http:
        run = Run(stack, http)
        await run.init()
        base = int((await http.get("/api/document/current")).json().get("budget_used") or 0)
        started = time.time()
        response = await http.post(
            "/api/agents/start",
            json={"count": agents, "use_claims": claims},
            headers=run.operator,
        )
        response.raise_for_status()
        roles = {a["agent_id"]: a["role"] for a in response.json()["agents"]}
        windows = [Window(i) for i in range(count)]
        try:
            for window in windows:
                await asyncio.sleep(started + (window.index + 1) * window_s - time.time())
                current = (await http.get("/api/document/current")).json()
                window.sample = sample(current["text"])
                window.sample.tokens = int(current.get("budget_used") or 0) - base
                agents_now = await run.agents()
                states = Counter(a["state"] for a in agents_now)
                say(
                    f"  {'claims' if claims else 'no claims'}: demo minute "
                    f"{(window.index + 1) * window_min:g}: version {current['version']}, "
                    f"{window.sample.size} characters, agents {dict(states)}"
                )
        finally:
            stopped = await http.post("/api/agents/stop", headers=run.operator)
            stopped.raise_for_status()
        yielded = sum(a.get("yielded", 0) for a in stopped.json()["agents"])
        await wait_converged(run)
        edits = await all_edits(http)
        text = (await http.get("/api/document/current")).json()["text"]
    appended, written = [], []
    for edit in edits:
        if edit["status"] != "rejected":
            written.append(edit["proposed_text"])
        index = int((_moment(edit["created_at"]) - started) // window_s)
        if not 0 <= index < count:
            continue  # after the last window: cancelled mid-cycle as the run stopped
        window = windows[index]
        role = roles.get(edit["agent_id"], edit["agent_id"])
        if edit["status"] == "rejected":
            window.rejected += 1
            continue
        window.accepted[role] += 1
        if edit["status"] == "superseded":
            window.superseded += 1
        if edit["position"] == "end":
            appended.append(edit["proposed_text"])
    return Soak(claims, windows, roles, text, "".join(appended), " ".join(written), yielded)


async def wait_converged(run: Run, limit_s: float = 30.0) -> None:
    deadline = time.monotonic() + limit_s
    while time.monotonic() < deadline:
        versions = {(await run.current(node))["version"] for node in NODES}
        if len(versions) == 1 and await run.outbox_depth() == 0:
            return
        await asyncio.sleep(0.2)
    raise TimeoutError(f"the nodes did not converge within {limit_s:g} s")


def print_windows(soak: Soak, window_min: float) -> None:
    roles = sorted(set(soak.roles.values()))
    say(f"\n{'with' if soak.claims else 'without'} claims, per {window_min:g}-minute window:")
    say(
        "  window       accepted  rejected  superseded  conflicts  characters  growth  "
        "misspellings/1000 words  repeated sentences  tokens/min"
    )
    previous = None
    for window in soak.windows:
        sample_ = window.sample
        assert sample_ is not None
        growth = sample_.size - (previous.size if previous else 0)
        spent = sample_.tokens - (previous.tokens if previous else 0)
        rate = window.conflicts / window.edits if window.edits else 0.0
        start = window.index * window_min
        say(
            f"  {start:4g}–{start + window_min:<4g} min {sum(window.accepted.values()):8} "
            f"{window.rejected:9} {window.superseded:11} {rate:9.1%} {sample_.size:11} "
            f"{growth:+7} {per_1000(sample_.misspellings, sample_.words):24.1f} "
            f"{sample_.repeated:19} {spent / window_min:11.0f}"
        )
        previous = sample_
    last = soak.windows[-1].sample
    if last is not None and last.tokens:
        per_minute = last.tokens / (len(soak.windows) * window_min)
        say(
            f"  {per_minute:.0f} tokens per demo minute: the spec's budget of 15 000 000 "
            f"lasts {15_000_000 / per_minute / 60:.1f} h at this pace"
        )
    say("  accepted edits per role and window:")
    say("  " + f"{'role':24}" + "".join(f"{w.index * window_min:>6g}′" for w in soak.windows))
    for role in roles:
        cells = "".join(f"{w.accepted[role]:7}" for w in soak.windows)
        say(f"  {role:24}{cells}")


def text_problems(text: str, written: str) -> list[str]:
    """What a reader would call broken in `text`: a sentence said twice, a word nobody wrote
    (an edit cut through a word: a misspelling found in no edit's text), «» out of balance."""
    said = sentences(text)
    problems = [f"said twice: {s!r}" for s, n in Counter(said).items() if n > 1]
    initial = {m[0] for m in words(INITIAL_TEXT)}
    known = initial | {m[0] for m in words(written)}
    problems += sorted(
        {f"broken word: {m[0]!r}" for m in words(text) if _speller.is_misspelled(m[0])}
        - {f"broken word: {w!r}" for w in known}
    )
    depth = 0
    for char in text:
        depth += {"«": 1, "»": -1}.get(char, 0)
        if depth < 0:
            problems.append("» before its «")
            depth = 0
    if depth:
        problems.append(f"{depth} « left open")
    return problems


def checks(with_claims: Soak, without: Soak) -> list[tuple[bool, str]]:
    """Issue 16's checks on the runs; (passed, what was checked with its figures)."""
    first, last = with_claims.windows[0], with_claims.windows[-1]
    first_accepted, last_accepted = sum(first.accepted.values()), sum(last.accepted.values())
    by_role = Counter[str]()
    for window in with_claims.windows:
        by_role.update(window.accepted)
    fewest = min((by_role[r], r) for r in set(with_claims.roles.values()))
    final = sample(with_claims.text)
    drafts = sample(with_claims.appended)
    assert first.sample is not None
    assert last.sample is not None
    first_growth = first.sample.size - len(INITIAL_TEXT)
    previous = with_claims.windows[-2].sample if len(with_claims.windows) > 1 else None
    last_growth = last.sample.size - (previous.size if previous else len(INITIAL_TEXT))
    problems = text_problems(with_claims.text, with_claims.written)
    return [
        (
            last_accepted >= 0.6 * first_accepted,
            f"accepted edits in the last window {last_accepted} ≥ 60 % of the first's "
            f"{first_accepted}",
        ),
        (fewest[0] >= 5, f"every role ≥ 5 accepted edits (fewest: {fewest[1]}, {fewest[0]})"),
        (
            with_claims.conflict_rate >= 0.01,
            f"conflicts (rejected + superseded) {with_claims.total('conflicts')} of "
            f"{with_claims.total('edits')} edits = {with_claims.conflict_rate:.1%} ≥ 1 %",
        ),
        (
            with_claims.conflict_rate < without.conflict_rate,
            f"conflict rate with claims {with_claims.conflict_rate:.1%} < without "
            f"{without.conflict_rate:.1%} ({without.total('conflicts')} of "
            f"{without.total('edits')})",
        ),
        (
            not problems,
            "the final text: no sentence twice, no broken word, «» balanced "
            + ("" if not problems else f"{problems[:5]}"),
        ),
        (
            per_1000(final.misspellings, final.words) < per_1000(drafts.misspellings, drafts.words),
            f"misspellings per 1000 words: final text "
            f"{per_1000(final.misspellings, final.words):.1f} < appended drafts "
            f"{per_1000(drafts.misspellings, drafts.words):.1f}",
        ),
        (
            abs(last_growth) < 0.25 * first_growth,
            f"size growth in the last window {last_growth:+} < 25 % of the first's "
            f"{first_growth:+}",
        ),
    ]


async def soak(
    stack: Stack, *, pace: Pace, minutes: float, window_min: float, agents: int, compare: bool
) -> bool:
    """Both runs, their tables and the checks; True when every check passed."""
    options = {"pace": pace, "minutes": minutes, "window_min": window_min, "agents": agents}
    say(f"run 1: {agents} agents with claims, {minutes:g} demo minutes at speed {pace.speed:g}")
    with_claims = await soak_run(stack, claims=True, **options)  # type: ignore[arg-type]
    print_windows(with_claims, window_min)
    without = with_claims
    if compare:
        simulator = stack.get("simulator")
        simulator.stop()
        simulator.launch()  # the same seed from the start: the same drafts and slips
        simulator.wait_ready(30)
        say("\nrun 2: the same without claims (simulator restarted on the same seed)")
        without = await soak_run(stack, claims=False, **options)  # type: ignore[arg-type]
        print_windows(without, window_min)
    say(
        f"\nconflict rate (rejected + superseded of all edits): with claims "
        f"{with_claims.conflict_rate:.1%} ({with_claims.yielded} edits yielded to an earlier "
        f"claim), without claims {without.conflict_rate:.1%}"
    )
    excerpt = with_claims.text.split("\n")
    say(f"\nthe document after {minutes:g} demo minutes (first 10 lines):")
    for line in [line for line in excerpt if line.strip()][:10]:
        say(f"  {line}")
    results = checks(with_claims, without)
    if not compare:
        results = [r for r in results if "without" not in r[1]]
    say("\nchecks:")
    for passed, what in results:
        say(f"  {'PASS' if passed else 'FAIL'}  {what}")
    return all(passed for passed, _ in results)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--minutes", type=float, default=30.0, help="demo minutes per run")
    parser.add_argument("--speed", type=float, default=1.0, help="pace factor (default 1)")
    parser.add_argument("--window", type=float, default=5.0, help="window, demo minutes")
    parser.add_argument("--agents", type=int, default=10, help="agents (default 10)")
    parser.add_argument("--no-compare", action="store_true", help="skip the run without claims")
    args = parser.parse_args()
    pace = Pace(args.speed)
    rate = pace.rate_limit(RateLimit.parse(DEFAULT_RATE_LIMIT))
    with temporary_stack("chorus-soak-", rate, BUDGET, pace) as stack:
        passed = asyncio.run(
            soak(
                stack,
                pace=pace,
                minutes=args.minutes,
                window_min=args.window,
                agents=args.agents,
                compare=not args.no_compare,
            )
        )
    say("all checks passed" if passed else "some checks FAILED")
    return 0 if passed else 1


if __name__ == "__main__":
    sys.exit(main())
