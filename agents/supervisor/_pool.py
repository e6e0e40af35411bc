"""The agents one supervisor runs: asyncio tasks owned by an `AgentPool` (`async with`)."""

import asyncio
import logging
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from ..agent import Agent, AgentConfig, AgentState
from ..roles import Role
from ..runner import AgentClients
from ._events import EventSink, NoEvents

log = logging.getLogger(__name__)

MAX_AGENTS = 50


@dataclass(frozen=True)
class AgentTuning:
    """The loop settings every agent of the pool gets."""

    cycle_delay_s: float = 1.0
    edits_per_minute: float = 0.0
    max_attempts: int = 5
    backoff_s: float = 0.5
    use_claims: bool = True
    use_sessions: bool = True
    claim_ttl_s: float = 30.0
    max_idle_delay_s: float = 60.0


class PoolError(Exception):
    """A start the pool refuses."""


class AlreadyRunning(PoolError):
    """Agents are running: stop them first."""


class MissingToken(PoolError):
    """No token for an agent the start asked for."""


STOP_GRACE_S = 5.0


def _role_text(role: Role) -> str:
    """What `POST /api/agents/start` takes back to give an agent this role."""
    return role.instruction if role.key == "custom" else role.name


STOP_REASONS = {
    AgentState.BUDGET_EXHAUSTED: "budget_exhausted",
    AgentState.FAILED: "failed",
}
"""`reason` of an agent_stopped event by the agent's final state; any other is "stopped"."""


def _utc_now() -> datetime:
    return datetime.now(UTC)


class AgentPool:
    """Starts N agents as tasks and stops them; on exit every task is cancelled and awaited.

    Each start and each agent's end is reported to `events` (agent_started / agent_stopped,
    fire and forget), so the analytics timeline shows them.
    """

    def __init__(
        self,
        clients: AgentClients,
        tokens: dict[str, str],
        tuning: AgentTuning,
        *,
        events: EventSink | None = None,
        clock: Callable[[], datetime] = _utc_now,
    ) -> None:
        self._clients = clients
        self._tokens = tokens
        self._tuning = tuning
        self._events: EventSink = events or NoEvents()
        self._clock = clock
        self._start_id = ""
        self._agents: list[Agent] = []
        self._tasks: list[asyncio.Task[Any]] = []

    async def __aenter__(self) -> "AgentPool":
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    @property
    def running(self) -> bool:
        return any(not task.done() for task in self._tasks)

    def start(
        self,
        roles: Sequence[Role],
        *,
        use_claims: bool | None = None,
        use_sessions: bool | None = None,
    ) -> list[dict[str, Any]]:
        """Start agent-1..agent-len(roles), agent-i with roles[i-1]; their stats.
        `use_claims` and `use_sessions` override the pool's tuning for this start."""
        if self.running:
            raise AlreadyRunning(
                f"агенты уже работают ({len(self._agents)}): сначала остановите их "
                "(POST /api/agents/stop)"
            )
        ids = [f"agent-{n}" for n in range(1, len(roles) + 1)]
        missing = [agent_id for agent_id in ids if agent_id not in self._tokens]
        if missing:
            raise MissingToken(
                f"нет токена для {missing[0]}: в SUPERVISOR_AGENT_TOKENS их {len(self._tokens)}"
            )
        tuning = self._tuning
        self._agents = [
            Agent(
                AgentConfig(
                    agent_id=agent_id,
                    role=role,
                    token=self._tokens[agent_id],
                    cycle_delay_s=tuning.cycle_delay_s,
                    max_attempts=tuning.max_attempts,
                    backoff_s=tuning.backoff_s,
                    edits_per_minute=tuning.edits_per_minute,
                    use_claims=tuning.use_claims if use_claims is None else use_claims,
                    use_sessions=tuning.use_sessions if use_sessions is None else use_sessions,
                    claim_ttl_s=tuning.claim_ttl_s,
                    max_idle_delay_s=tuning.max_idle_delay_s,
                ),
                llm=self._clients.llm,
                text=self._clients.text,
                chat=self._clients.chat,
            )
            for agent_id, role in zip(ids, roles, strict=True)
        ]
        self._start_id = uuid.uuid4().hex
        self._tasks = [
            asyncio.create_task(self._run(agent), name=agent.config.agent_id)
            for agent in self._agents
        ]
        self._events.emit([self._event("agent_started", agent) for agent in self._agents])
        return self.stats()

    async def _run(self, agent: Agent) -> None:
        try:
            await agent.run()
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # a bug in one agent must not go unseen: record and log it
            agent.stats.state = AgentState.FAILED
            agent.stats.last_error = f"{type(exc).__name__}: {exc}"
            log.exception("%s crashed", agent.config.agent_id)
            raise
        finally:
            reason = STOP_REASONS.get(agent.stats.state, "stopped")
            self._events.emit([self._event("agent_stopped", agent, reason=reason)])

    def _event(self, event_type: str, agent: Agent, **extra: Any) -> dict[str, Any]:
        """An analytics event about `agent`; its id makes a redelivery harmless."""
        stats = agent.stats
        return {
            "event_type": event_type,
            "agent_id": stats.agent_id,
            "timestamp": self._clock().isoformat(),
            "metadata": {
                "role": stats.role,
                "start_id": self._start_id,
                "accepted": stats.accepted,
                "rejected": stats.rejected,
                "agent_tokens": stats.tokens,
                **extra,
            },
            "event_id": f"{event_type}:{self._start_id}:{stats.agent_id}",
        }

    async def stop(self) -> list[dict[str, Any]]:
        """Stop every agent and wait for them; their final stats. An agent between cycles is
        cancelled at once; one in a cycle may finish it for `STOP_GRACE_S` (so an edit the
        node accepted is counted), then it is cancelled too."""
        for agent in self._agents:
            agent.stop()
        busy = [t for t, a in zip(self._tasks, self._agents, strict=False) if a.in_cycle]
        for task in self._tasks:
            if task not in busy:
                task.cancel()
        if busy:
            await asyncio.wait(busy, timeout=STOP_GRACE_S)
        for task in self._tasks:
            task.cancel()
        results = await asyncio.gather(*self._tasks, return_exceptions=True)
        for task, result in zip(self._tasks, results, strict=True):
            if isinstance(result, Exception):
                log.error("%s ended with %r", task.get_name(), result)
        for agent in self._agents:  # cancelled before its first step, or mid-cycle
            if agent.stats.state in (AgentState.STARTING, AgentState.RUNNING, AgentState.IDLE):
                agent.stats.state = AgentState.STOPPED
        self._tasks = []
        return self.stats()

    def stats(self) -> list[dict[str, Any]]:
        """Each agent's counters, with what starting it again takes: `role_text` (a default
        role's name, a custom role's whole text), `use_claims` and `use_sessions`."""
        return [
            agent.stats.as_dict()
            | {
                "role_text": _role_text(agent.config.role),
                "use_claims": agent.config.use_claims,
                "use_sessions": agent.config.use_sessions,
            }
            for agent in self._agents
        ]
