"""The agent supervisor: starts, stops and reports N agents running as asyncio tasks."""

from ..runner import AgentClients
from ._events import AnalyticsEvents, EventSink, NoEvents
from ._pool import AgentPool, AgentTuning, AlreadyRunning, MissingToken, PoolError
from .app import create_app
from .settings import SupervisorError, SupervisorSettings, parse_tokens

__all__ = [
    "AgentClients",
    "AgentPool",
    "AgentTuning",
    "AlreadyRunning",
    "AnalyticsEvents",
    "EventSink",
    "MissingToken",
    "NoEvents",
    "PoolError",
    "SupervisorError",
    "SupervisorSettings",
    "create_app",
    "parse_tokens",
]
