"""One agent's loop (spec scenario 2): read → ask the LLM → edit → chat note → wait → repeat.

HTTP goes through injected `httpx.AsyncClient`s (tests hand in ASGI transports) and the model
through an `LlmClient`. Network errors, 5xx and rate-limit 429s are retried with exponential
backoff (at most `max_attempts` tries, `Retry-After` honoured), reusing the same `edit_id` so
that a retry after an unknown outcome cannot apply the edit twice. A budget 429 stops the agent;
an LLM failure or an edit that does not fit the text costs one cycle.

Claims (spec constraint 4, made a protocol): before it rewrites or deletes a fragment (more
than `SMALL_FIX_WORDS` words) an agent announces it in chat ("Беру: «…»"), reads the chat
again, and yields when another agent claimed an overlapping fragment earlier (the chat is one
Redis stream, so "earlier" is the same for everyone: two agents that claim one sentence at once
never both rewrite it). A fix of a word or two is made at once, as people fix a typo without
asking. Fragments claimed in chat are also left out of the prompt's work for `claim_ttl_s`. So
claims prevent the costly collisions (two rewrites of one sentence) and leave small ones to the
nodes' conflict rule (a stale fix is rejected; of two concurrent ones the later wins).

An agent whose model keeps answering "nothing to edit" is idle: it doubles its pause each time
(up to `max_idle_delay_s`, so it stops spending tokens on a text it cannot improve), shows state
`idle`, and asks its model again when the document or the chat has changed since (it looks,
which costs no tokens, after each pause), or at the latest after `max_idle_delay_s`.

Each agent keeps its own session with the Text Service (`session.TextSession`, issue 19): the
merged `X-Chorus-Session` of every answer goes with its next read and edit, so whichever node
the balancer picks shows it its own edits and never an older document than it already saw — an
edit is not built on a base the agent has already moved past.
"""

import asyncio
import logging
import random
import re
import time
import uuid
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

import httpx

from .llm import LlmClient, LlmError, MalformedLlmOutput
from .prompt import INSTRUCTIONS, ChatLine, build_prompt
from .proposal import Action, PlannedEdit, locate, word_prefix
from .roles import Role
from .session import TextSession

log = logging.getLogger(__name__)

CLAIM = re.compile(r"беру:?\s*«(.+)»", re.IGNORECASE)
MAX_NOTE_CHARS = 2000
MAX_BACKOFF_S = 60.0
SMALL_FIX_WORDS = 3
"""A replacement changing at most this many words is a small fix: made without a claim."""


class AgentError(Exception):
    """Base of the agent's errors."""


class BudgetExhausted(AgentError):
    """The Text Service answered 429 `budget_exceeded`: the agent stops (spec scenario 6)."""


class ServiceUnavailable(AgentError):
    """A service still failed after every attempt (network, 5xx, rate limit)."""


class AgentRejected(AgentError):
    """A service refused the agent itself (401/403): retrying cannot help, the agent stops."""


class AgentState(StrEnum):
    STARTING = "starting"
    RUNNING = "running"
    IDLE = "idle"  # its model had nothing to edit: it waits for the text to change
    STOPPED = "stopped"
    BUDGET_EXHAUSTED = "budget_exhausted"
    FAILED = "failed"


class CycleResult(StrEnum):
    ACCEPTED = "accepted"
    REJECTED = "rejected"
    NOTHING = "nothing"  # the model had nothing to edit
    SKIPPED = "skipped"  # target not found, claimed fragment, no document
    YIELDED = "yielded"  # another agent claimed the fragment first
    STALE = "stale"  # 409: the document changed under the edit
    LLM_ERROR = "llm_error"
    FAILED = "failed"  # a service stayed unavailable or refused the request


@dataclass
class AgentStats:
    """Per-agent counters, as a supervisor or dashboard shows them."""

    agent_id: str
    role: str
    state: AgentState = AgentState.STARTING
    cycles: int = 0
    accepted: int = 0
    rejected: int = 0
    skipped: int = 0
    yielded: int = 0
    stale: int = 0
    llm_errors: int = 0
    failed_cycles: int = 0
    retries: int = 0
    tokens: int = 0
    chat_messages: int = 0
    last_error: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {k: (str(v) if isinstance(v, AgentState) else v) for k, v in vars(self).items()}


@dataclass(frozen=True)
class AgentConfig:
    """What an agent needs besides its clients."""

    agent_id: str
    role: Role
    token: str
    cycle_delay_s: float = 1.0
    max_attempts: int = 5
    backoff_s: float = 0.5
    edits_per_minute: float = 0.0
    claim_ttl_s: float = 30.0
    use_claims: bool = True
    chat_window: int = 20
    max_idle_delay_s: float = 60.0
    """The longest pause of an idle agent (it doubles from `cycle_delay_s`)."""
    use_sessions: bool = True
    """Send the agent's session token (`X-Chorus-Session`) with every document read and edit
    post, so it reads its own edits and never an older document than it saw."""


@dataclass(frozen=True)
class _Claim:
    until: float
    """Monotonic seconds."""
    order: tuple[int, int]
    """Its chat message's place in the stream (milliseconds, sequence)."""


@dataclass
class _Claims:
    """Fragments other agents claimed in chat, each until its expiry."""

    ttl_s: float
    claims: dict[str, _Claim] = field(default_factory=dict)

    def add(self, fragment: str, order: tuple[int, int], now: float) -> None:
        """A claim of `fragment`; claimed again, it keeps its earliest place in the chat."""
        known = self.claims.get(fragment)
        if known is not None and known.until > now:
            order = min(order, known.order)
        self.claims[fragment] = _Claim(now + self.ttl_s, order)

    def active(self, now: float, before: tuple[int, int] | None = None) -> list[str]:
        """Fragments claimed until now or later (and earlier in the chat than `before`)."""
        self.claims = {f: c for f, c in self.claims.items() if c.until > now}
        return [f for f, c in self.claims.items() if before is None or c.order < before]


class Agent:
    """One autonomous editor. `run()` loops until stopped, out of budget or refused."""

    def __init__(
        self,
        config: AgentConfig,
        *,
        llm: LlmClient,
        text: httpx.AsyncClient,
        chat: httpx.AsyncClient,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.config = config
        self.stats = AgentStats(agent_id=config.agent_id, role=config.role.name)
        self._llm = llm
        self._text = text
        self._chat = chat
        self._sleep = sleep
        self._clock = clock
        self._auth = {"Authorization": f"Bearer {config.token}"}
        self._chat_since: str | None = None
        self._recent: deque[ChatLine] = deque(maxlen=config.chat_window)
        self._claims = _Claims(config.claim_ttl_s)
        self._unreported_tokens = 0
        self._next_edit_at = 0.0
        self._stopping = False
        self.in_cycle = False
        """True while a cycle runs (a stop lets it finish, so its edit is counted)."""
        self._idle_cycles = 0
        self._seen: tuple[Any, Any] | None = None
        """(document id, version) of the last document read."""
        self._jitter = random.Random(config.agent_id)
        self.session = TextSession(enabled=config.use_sessions)
        """What this agent has seen of the Text Service (its session token)."""

    def stop(self) -> None:
        """Finish the current cycle, then return from `run()`."""
        self._stopping = True

    async def run(self, *, max_cycles: int | None = None) -> AgentStats:
        """Cycle until `stop()`, `max_cycles`, a budget 429 or a refusal of the agent."""
        self.stats.state = AgentState.RUNNING
        try:
            while not self._stopping and (max_cycles is None or self.stats.cycles < max_cycles):
                self.in_cycle = True
                try:
                    await self.cycle()
                finally:
                    self.in_cycle = False
                if not self._stopping and (max_cycles is None or self.stats.cycles < max_cycles):
                    await self._rest()
        except BudgetExhausted as exc:
            self.stats.state = AgentState.BUDGET_EXHAUSTED
            self.stats.last_error = str(exc)
            log.info("%s: token budget exhausted, stopping", self.config.agent_id)
        except AgentRejected as exc:
            self.stats.state = AgentState.FAILED
            self.stats.last_error = str(exc)
            log.error("%s: %s", self.config.agent_id, exc)
        finally:
            if self.stats.state in (AgentState.RUNNING, AgentState.IDLE):
                self.stats.state = AgentState.STOPPED
        return self.stats

    async def cycle(self) -> CycleResult:
        """One pass of scenario 2. Raises only `BudgetExhausted` and `AgentRejected`."""
        self.stats.cycles += 1
        try:
            result = await self._cycle()
        except ServiceUnavailable as exc:
            self.stats.last_error = str(exc)
            result = CycleResult.FAILED
        counter = {
            CycleResult.ACCEPTED: "accepted",
            CycleResult.REJECTED: "rejected",
            CycleResult.NOTHING: "skipped",
            CycleResult.SKIPPED: "skipped",
            CycleResult.YIELDED: "yielded",
            CycleResult.STALE: "stale",
            CycleResult.LLM_ERROR: "llm_errors",
            CycleResult.FAILED: "failed_cycles",
        }[result]
        setattr(self.stats, counter, getattr(self.stats, counter) + 1)
        if result is CycleResult.NOTHING:
            self._idle_cycles += 1
        elif result in (CycleResult.ACCEPTED, CycleResult.REJECTED, CycleResult.STALE):
            self._idle_cycles = 0
        if self.stats.state in (AgentState.RUNNING, AgentState.IDLE):
            idle = self._idle_cycles > 0
            self.stats.state = AgentState.IDLE if idle else AgentState.RUNNING
        return result

    def _pause(self) -> float:
        """The wait before the next cycle: the cycle delay, doubled per "nothing to edit" in
        a row (asking the LLM again at once would spend tokens for nothing)."""
        delay = self.config.cycle_delay_s * 2.0 ** min(self._idle_cycles, 10)
        return min(delay, max(self.config.max_idle_delay_s, self.config.cycle_delay_s))

    async def _rest(self) -> None:
        """Wait `_pause()`. An agent with nothing to edit then asks its model again once
        something changed (the document's version, or a message from another agent in the
        chat: a proposal it may answer), or at the latest after `max_idle_delay_s`. It looks
        after each pause; looking costs no tokens."""
        pause = self._pause()
        await self._sleep(pause)
        if self._idle_cycles == 0 or pause <= 0:
            return
        waited = pause
        while waited < self.config.max_idle_delay_s and not self._stopping:
            if await self._something_new():
                return
            await self._sleep(pause)
            waited += pause

    async def _something_new(self) -> bool:
        return await self._document_changed() or await self._chat_moved()

    async def _chat_moved(self) -> bool:
        """Whether another agent wrote in the chat since this one last read it (the messages
        stay unread: the next cycle reads them)."""
        try:
            response = await self._chat.get("/api/chat/messages", params=self._unread())
        except httpx.TransportError:
            return False
        if response.status_code != 200:
            return False
        messages = response.json()
        return isinstance(messages, list) and any(
            isinstance(m, dict) and m.get("agent_id") != self.config.agent_id for m in messages
        )

    async def _document_changed(self) -> bool:
        """Whether the document's id or version moved since the last read (a failed look
        says no: the pause simply runs its course). Raises `BudgetExhausted` when the budget
        cannot cover what this agent has spent."""
        try:
            response = await self._text.get("/api/document/current", headers=self.session.headers())
        except httpx.TransportError:
            return False
        self.session.observe(response)
        if response.status_code != 200:
            return False
        document = _json_or_empty(response)
        self._check_budget(document)  # an idle agent learns of an exhausted budget too
        return (document.get("document_id"), document.get("version")) != self._seen

    async def _cycle(self) -> CycleResult:
        started = time.monotonic()
        response = await self._request(self._text, "GET", "/api/document/current")
        if response.status_code != 200:
            self.stats.last_error = f"GET /api/document/current: {_describe(response)}"
            return CycleResult.SKIPPED
        document = response.json()
        self._seen = (document.get("document_id"), document.get("version"))
        self._check_budget(document)
        text: str = document["text"]
        await self._read_chat()
        claimed = self._claims.active(self._clock()) if self.config.use_claims else []
        prompt = build_prompt(
            agent_id=self.config.agent_id,
            role=self.config.role.instruction,
            topic=str(document.get("topic") or ""),
            document=text,
            chat=list(self._recent),
            claimed=claimed,
        )
        try:
            reply = await self._llm.propose(instructions=INSTRUCTIONS, prompt=prompt)
        except LlmError as exc:
            if isinstance(exc, MalformedLlmOutput):
                self._spend(exc.tokens_used)
            self.stats.last_error = str(exc)
            return CycleResult.LLM_ERROR
        self._spend(reply.tokens_used)
        planned = locate(reply.proposal, text)
        if planned is None:
            if reply.proposal.action is not Action.NONE:
                return CycleResult.SKIPPED  # misquoted, or the text moved on
            if not reply.proposal.note.strip():
                return CycleResult.NOTHING
            await self._post_note(reply.proposal.note)  # a proposal or an answer in chat
            return CycleResult.SKIPPED
        if _overlaps_claim(planned, text, claimed):
            return CycleResult.SKIPPED
        targeted = self.config.use_claims and planned.position != "end"
        if targeted and not await self._may_edit(planned, text):
            return CycleResult.YIELDED
        result = await self._submit(planned, document, started)
        if result is CycleResult.ACCEPTED:
            await self._post_note(reply.proposal.note)
        return result

    async def _submit(
        self, planned: PlannedEdit, document: dict[str, Any], started: float
    ) -> CycleResult:
        """Send the edit. `started` is when the cycle read the document: the time from it to
        here (reading, the chat, the LLM, a claim) goes with the edit as `cycle_ms`; the wait
        for the agent's pace does not count."""
        cycle_ms = round((time.monotonic() - started) * 1000)
        await self._pace()
        body = {
            "agent_id": self.config.agent_id,
            "proposed_text": planned.proposed_text,
            "position": planned.position,
            "tokens_used": self._unreported_tokens,
            "base_version": document["version"],
            "base_version_key": document.get("version_key"),
            "document_id": document.get("document_id"),
            "edit_id": str(uuid.uuid4()),  # one id for every retry of this edit
            "cycle_ms": cycle_ms,
        }
        response = await self._request(self._text, "POST", "/api/edits", json=body, auth=True)
        if response.status_code in (200, 201):
            self._unreported_tokens = 0
            status = response.json().get("status")
            if status == "rejected":
                return CycleResult.REJECTED
            return CycleResult.ACCEPTED
        if response.status_code == 409:
            return CycleResult.STALE
        self._refuse_if_unauthorised(response, "POST /api/edits")
        self.stats.last_error = f"POST /api/edits: {_describe(response)}"
        return CycleResult.FAILED

    async def _may_edit(self, planned: PlannedEdit, text: str) -> bool:
        """Whether this agent may save its edit of a fragment now. A small fix goes ahead (it
        already kept clear of the claims it read); a larger edit is announced first and must
        be the earliest claim on its fragment. Without a chat it goes ahead (claims are
        advisory)."""
        old = text[planned.start : planned.end]
        if _small_fix(old, planned.proposed_text):
            return True
        fragment = _claimable(old)
        posted = await self._post_chat(f"Беру: «{fragment}»") if fragment else None
        if posted is None:
            return True
        await self._read_chat()
        earlier = self._claims.active(self._clock(), before=_order(posted.get("message_id", "")))
        return not _overlaps_claim(planned, text, earlier)

    def _unread(self) -> dict[str, str | int]:
        """The query of the chat messages since this agent last read it."""
        params: dict[str, str | int] = {"limit": self.config.chat_window}
        if self._chat_since is not None:
            params["since"] = self._chat_since
        return params

    async def _read_chat(self) -> None:
        try:
            response = await self._request(
                self._chat, "GET", "/api/chat/messages", params=self._unread()
            )
        except ServiceUnavailable as exc:  # the chat is advisory: edit without it
            self.stats.last_error = str(exc)
            return
        if response.status_code != 200:
            self.stats.last_error = f"GET /api/chat/messages: {_describe(response)}"
            return
        now = self._clock()
        for message in response.json():
            self._chat_since = message["timestamp"]
            if message["agent_id"] == self.config.agent_id:
                continue
            self._recent.append(ChatLine(message["agent_id"], message["message"]))
            claim = CLAIM.search(message["message"])
            if claim:
                self._claims.add(claim.group(1), _order(message.get("message_id", "")), now)

    async def _post_note(self, note: str) -> None:
        await self._post_chat(note)

    async def _post_chat(self, note: str) -> dict[str, Any] | None:
        """Post `note` to the chat; the stored message, or None when it was not posted."""
        note = note.strip()[:MAX_NOTE_CHARS]
        if not note:
            return None
        body = {"agent_id": self.config.agent_id, "message": note}
        try:
            response = await self._request(
                self._chat, "POST", "/api/chat/messages", json=body, auth=True
            )
        except ServiceUnavailable as exc:
            self.stats.last_error = str(exc)
            return None
        if response.status_code == 201:
            self.stats.chat_messages += 1
            self._recent.append(ChatLine(self.config.agent_id, note))  # its own, for follow-ups
            return _json_or_empty(response)
        self._refuse_if_unauthorised(response, "POST /api/chat/messages")
        self.stats.last_error = f"POST /api/chat/messages: {_describe(response)}"
        return None

    async def _request(
        self,
        client: httpx.AsyncClient,
        method: str,
        url: str,
        *,
        json: dict[str, Any] | None = None,
        params: dict[str, str | int] | None = None,
        auth: bool = False,
    ) -> httpx.Response:
        """The response, after retrying network errors, 5xx and rate-limit 429s.

        Reads go without the bearer token: the balancer's rate limit is keyed by it, and
        reading the document must not eat into the agent's edit allowance. Requests to the
        Text Service carry the agent's session, and every answer's token joins it (a 503
        `session_unavailable`, when no node could catch up in time, is retried like any 5xx).
        """
        text = client is self._text
        headers = {**(self._auth if auth else {}), **(self.session.headers() if text else {})}
        problem = ""
        for attempt in range(1, self.config.max_attempts + 1):
            delay = self._backoff(attempt)
            try:
                response = await client.request(
                    method, url, json=json, params=params, headers=headers or None
                )
            except httpx.TransportError as exc:
                problem = _transport_problem(exc)
            else:
                if text:
                    self.session.observe(response)
                if response.status_code == 429:
                    body = _json_or_empty(response)
                    if body.get("error") == "budget_exceeded":
                        raise BudgetExhausted(f"{method} {url}: {_describe(response)}")
                    problem = f"превышен лимит запросов: {_describe(response)}"
                    delay = _retry_after(response) or delay
                elif response.status_code >= 500:
                    problem = _describe(response)
                else:
                    return response
            if attempt < self.config.max_attempts:
                self.stats.retries += 1
                log.info(
                    "%s: %s %s: %s; retry in %.2f s",
                    self.config.agent_id,
                    method,
                    url,
                    problem,
                    delay,
                )
                await self._sleep(delay)
        raise ServiceUnavailable(
            f"{method} {url}: не удалось за {self.config.max_attempts} попыток: {problem}"
        )

    def _backoff(self, attempt: int) -> float:
        base = self.config.backoff_s * 2.0 ** (attempt - 1)
        return min(MAX_BACKOFF_S, base * (1 + 0.25 * self._jitter.random()))

    async def _pace(self) -> None:
        if self.config.edits_per_minute <= 0:
            return
        wait = self._next_edit_at - self._clock()
        if wait > 0:
            await self._sleep(wait)
        self._next_edit_at = self._clock() + 60.0 / self.config.edits_per_minute

    def _check_budget(self, document: dict[str, Any]) -> None:
        """Stop before asking the LLM when the budget cannot cover what this agent has spent
        and not yet reported (an agent with nothing to edit would never see the 429)."""
        used, limit = document.get("budget_used"), document.get("budget_limit")
        if not isinstance(used, int) or not isinstance(limit, int):
            return
        if used + self._unreported_tokens >= limit:
            raise BudgetExhausted(
                f"бюджет токенов исчерпан: израсходовано {used} из {limit}, и агент потратил "
                f"ещё {self._unreported_tokens} после своей последней правки"
            )

    def _spend(self, tokens: int) -> None:
        self.stats.tokens += tokens
        self._unreported_tokens += tokens

    def _refuse_if_unauthorised(self, response: httpx.Response, what: str) -> None:
        if response.status_code in (401, 403):
            raise AgentRejected(f"{what}: {_describe(response)}; проверьте API_TOKEN и AGENT_ID")


def _claimable(fragment: str) -> str:
    """What to claim of a fragment: the quotable start of its first line."""
    return word_prefix(fragment.strip().split("\n")[0].strip())


def _small_fix(old: str, new: str) -> bool:
    """Whether replacing `old` by `new` changes at most `SMALL_FIX_WORDS` words in one line."""
    if not new or "\n" in old + new:
        return False
    head = 0
    while head < min(len(old), len(new)) and old[head] == new[head]:
        head += 1
    tail = 0
    while tail < min(len(old), len(new)) - head and old[-1 - tail] == new[-1 - tail]:
        tail += 1
    changed = max(old[head : len(old) - tail], new[head : len(new) - tail], key=len)
    return len(changed.split()) <= SMALL_FIX_WORDS


def _order(message_id: object) -> tuple[int, int]:
    """A chat message's place in the stream from its id ("1733512345678-0")."""
    millis, _, sequence = str(message_id).partition("-")
    try:
        return int(millis), int(sequence or 0)
    except ValueError:
        return (0, 0)


def _overlaps_claim(planned: PlannedEdit, text: str, claimed: list[str]) -> bool:
    if planned.position == "end":
        return False
    for claim in claimed:
        for match in re.finditer(re.escape(claim), text):
            if match.start() < planned.end and planned.start < match.end():
                return True
    return False


def _json_or_empty(response: httpx.Response) -> dict[str, Any]:
    try:
        body = response.json()
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}


def _transport_problem(exc: httpx.TransportError) -> str:
    """A network failure in Russian, for the agent's `last_error` on people's screens."""
    if isinstance(exc, httpx.TimeoutException):
        return "нет ответа вовремя"
    if isinstance(exc, httpx.ConnectError):
        return "соединение не установлено: сервис недоступен"
    return "соединение оборвалось"


def _describe(response: httpx.Response) -> str:
    body = _json_or_empty(response)
    detail = body.get("message") or body.get("error") or response.text[:200]
    return f"HTTP {response.status_code} {detail}".strip()


def _retry_after(response: httpx.Response) -> float | None:
    value = response.headers.get("Retry-After")
    if value is None:
        return None
    try:
        return min(MAX_BACKOFF_S, max(0.0, float(value)))
    except ValueError:
        return None
