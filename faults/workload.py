"""A seeded editing workload through the balancer that records what became of every edit.

Each client loops: read the document, then append a unique tag, replace three characters or
delete a span, always with a client-chosen `edit_id`. A timeout, a connection error or a
502/503/504 is retried with the *same* `edit_id` (the nodes are idempotent by it). What the
client learns is one of:

- `ok`: a node answered 201 — the edit is acknowledged and must never be lost;
- `failed`: a definite no (a 200 `rejected` stale read, or a 4xx) with no earlier attempt
  whose fate is unknown;
- `indeterminate`: no definite answer (every try failed, or the workload stopped while it
  was in flight), or a no after an attempt that may have been applied. Such an edit may or
  may not be in the document; neither is an error.

Appended text carries a tag `⟦client.n⟧`, so a duplicate application shows in the text
itself, not only in the history.
"""

from __future__ import annotations

import asyncio
import contextlib
import random
import re
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from typing import Any, Literal

import httpx

Status = Literal["ok", "failed", "indeterminate"]
RETRIABLE = frozenset({429, 502, 503, 504})
WORDS = ("мир", "текст", "агент", "правка", "узел", "версия", "документ", "история", "тема")
TAG_OPEN, TAG_CLOSE = "⟦", "⟧"
TAG = re.compile(re.escape(TAG_OPEN) + r"\d+\.\d+" + re.escape(TAG_CLOSE))
DELETE_SPAN = 200


@dataclass
class Outcome:
    """What one edit's client learnt."""

    edit_id: str
    kind: str
    tag: str | None
    status: Status = "indeterminate"
    detail: str = "not sent"
    node: str | None = None
    tries: int = 0
    latency_s: float = 0.0


@dataclass
class WorkloadConfig:
    clients: int = 4
    pause_s: tuple[float, float] = (0.02, 0.08)
    tries: int = 4
    request_timeout_s: float = 10.0
    max_text: int = 2500
    """Above this many characters, one edit in three deletes a span, keeping the text small."""


@dataclass
class Workload:
    """Clients editing through `base_url` until `stop()`; outcomes keyed by edit_id."""

    base_url: str
    tokens: dict[str, str]
    """agent_id → bearer token; one client per agent, cycling."""
    seed: int | str
    config: WorkloadConfig = field(default_factory=WorkloadConfig)
    outcomes: dict[str, Outcome] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self._stop = asyncio.Event()
        self._tasks: list[asyncio.Task[None]] = []
        self._agents = sorted(self.tokens)

    # -- running ------------------------------------------------------------------------
    def start(self) -> None:
        self._client = httpx.AsyncClient(
            base_url=self.base_url,
            timeout=httpx.Timeout(self.config.request_timeout_s, connect=2.0),
            limits=httpx.Limits(max_connections=self.config.clients * 2),
        )
        self._tasks = [
            asyncio.create_task(self._client_loop(n), name=f"workload-client-{n}")
            for n in range(self.config.clients)
        ]

    async def stop(self, grace_s: float = 1.0) -> float:
        """Stop issuing edits; give those in flight `grace_s`, then abandon them (they stay
        indeterminate). Returns how long the drain took."""
        started = time.monotonic()
        self._stop.set()
        _, pending = await asyncio.wait(self._tasks, timeout=grace_s)
        for task in pending:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        await self._client.aclose()
        return time.monotonic() - started

    # -- results ------------------------------------------------------------------------
    def counts(self) -> dict[Status, int]:
        counted = Counter(outcome.status for outcome in self.outcomes.values())
        return {status: counted.get(status, 0) for status in ("ok", "failed", "indeterminate")}

    def with_status(self, status: Status) -> set[str]:
        return {e for e, outcome in self.outcomes.items() if outcome.status == status}

    def tags(self) -> dict[str, str]:
        """tag → edit_id of every append issued."""
        return {o.tag: e for e, o in self.outcomes.items() if o.tag is not None}

    # -- one client ---------------------------------------------------------------------
    async def _client_loop(self, n: int) -> None:
        rng = random.Random(f"{self.seed}:client:{n}")
        agent = self._agents[n % len(self._agents)]
        headers = {"Authorization": f"Bearer {self.tokens[agent]}"}
        count = 0
        while not self._stop.is_set():
            count += 1
            current = await self._read(headers)
            body, outcome = self._next_edit(rng, agent, n, count, current)
            self.outcomes[outcome.edit_id] = outcome
            await self._send(body, headers, outcome)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._stop.wait(), rng.uniform(*self.config.pause_s))

    async def _read(self, headers: dict[str, str]) -> dict[str, Any] | None:
        try:
            response = await self._client.get("/api/document/current", headers=headers)
        except httpx.HTTPError:
            return None
        return response.json() if response.status_code == 200 else None

    def _next_edit(
        self, rng: random.Random, agent: str, n: int, count: int, current: dict[str, Any] | None
    ) -> tuple[dict[str, Any], Outcome]:
        edit_id = str(uuid.UUID(int=rng.getrandbits(128), version=4))
        body: dict[str, Any] = {"agent_id": agent, "tokens_used": 3, "edit_id": edit_id}
        text = current["text"] if current else ""
        roll = rng.random()
        if current is None or len(text) < 20 or roll < 0.6:
            tag = f"{TAG_OPEN}{n}.{count}{TAG_CLOSE}"
            body |= {"position": "end", "proposed_text": f" {tag}"}
            return body, Outcome(edit_id, "append", tag)
        body["base_version_key"] = current["version_key"]
        # Deletes and replacements never cut a tag: a cut could join two halves into a tag
        # that exists elsewhere and pass for a duplicate application.
        tags = [m.span() for m in TAG.finditer(text)]
        if len(text) > self.config.max_text and roll < 0.85:
            span = _whole_tags(rng, text, tags)
            if span is not None:
                body |= {"position": f"{span[0]}:{span[1]}", "proposed_text": ""}
                return body, Outcome(edit_id, "delete", None)
        start = _outside_tags(rng, len(text), tags, width=3)
        if start is None:
            tag = f"{TAG_OPEN}{n}.{count}{TAG_CLOSE}"
            body |= {"position": "end", "proposed_text": f" {tag}"}
            del body["base_version_key"]
            return body, Outcome(edit_id, "append", tag)
        body |= {"position": f"{start}:{start + 3}", "proposed_text": rng.choice(WORDS)}
        return body, Outcome(edit_id, "replace", None)

    async def _send(self, body: dict[str, Any], headers: dict[str, str], outcome: Outcome) -> None:
        started = time.monotonic()
        uncertain = False  # an earlier try may have been applied
        delay = 0.1
        try:
            for attempt in range(1, self.config.tries + 1):
                outcome.tries = attempt
                try:
                    response = await self._client.post("/api/edits", json=body, headers=headers)
                except httpx.TransportError as exc:
                    uncertain = True
                    outcome.detail = type(exc).__name__
                else:
                    if response.status_code not in RETRIABLE:
                        self._settle(outcome, response, uncertain=uncertain)
                        return
                    uncertain = uncertain or response.status_code != 429
                    outcome.detail = f"HTTP {response.status_code}"
                if self._stop.is_set() or attempt == self.config.tries:
                    return
                await asyncio.sleep(delay)
                delay *= 2
        finally:
            outcome.latency_s = time.monotonic() - started

    @staticmethod
    def _settle(outcome: Outcome, response: httpx.Response, *, uncertain: bool) -> None:
        try:
            answer = response.json()
        except ValueError:
            answer = {}
        status = answer.get("status") if isinstance(answer, dict) else None
        outcome.node = answer.get("node") if isinstance(answer, dict) else None
        outcome.detail = f"HTTP {response.status_code} {status or answer}"[:200]
        if response.status_code == 201:
            outcome.status = "ok"
        elif uncertain:
            outcome.status = "indeterminate"
        else:
            outcome.status = "failed"


def _whole_tags(
    rng: random.Random, text: str, tags: list[tuple[int, int]]
) -> tuple[int, int] | None:
    """A span of whole consecutive tags (with the space before the first), at most
    DELETE_SPAN characters; None when the text has no tag."""
    if not tags:
        return None
    first = last = rng.randrange(len(tags))
    while last + 1 < len(tags) and tags[last + 1][1] - tags[first][0] <= DELETE_SPAN:
        last += 1
    start = tags[first][0]
    if start > 0 and text[start - 1] == " ":
        start -= 1
    return start, tags[last][1]


def _outside_tags(
    rng: random.Random, length: int, tags: list[tuple[int, int]], *, width: int
) -> int | None:
    """A random start of `width` characters that touch no tag; None after 20 misses."""
    if length <= width:
        return None
    for _ in range(20):
        start = rng.randrange(length - width)
        if all(end <= start or start + width <= begin for begin, end in tags):
            return start
    return None
