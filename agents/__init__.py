"""Chorus agents: the LLM editing loop, its roles, the LLM seam and the offline simulator."""

from .agent import (
    Agent,
    AgentConfig,
    AgentError,
    AgentRejected,
    AgentState,
    AgentStats,
    BudgetExhausted,
    CycleResult,
    ServiceUnavailable,
)
from .llm import LlmClient, LlmError, LlmReply, MalformedLlmOutput, OpenAiLlm, parse_proposal
from .proposal import EDIT_SCHEMA, Action, EditProposal, PlannedEdit, locate
from .roles import DEFAULT_ROLES, Role, default_roles, resolve
from .settings import AgentConfigError, AgentSettings

__all__ = [
    "DEFAULT_ROLES",
    "EDIT_SCHEMA",
    "Action",
    "Agent",
    "AgentConfig",
    "AgentConfigError",
    "AgentError",
    "AgentRejected",
    "AgentSettings",
    "AgentState",
    "AgentStats",
    "BudgetExhausted",
    "CycleResult",
    "EditProposal",
    "LlmClient",
    "LlmError",
    "LlmReply",
    "MalformedLlmOutput",
    "OpenAiLlm",
    "PlannedEdit",
    "Role",
    "ServiceUnavailable",
    "default_roles",
    "locate",
    "parse_proposal",
    "resolve",
]
