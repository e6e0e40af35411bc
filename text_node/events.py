"""Analytics events a node sends (through its outbox), in the Analytics Service's format."""

from datetime import UTC, datetime
from typing import Any

from crdt_core import Op, OpKind

from .settings import OPERATOR


def iso(ts_ms: int) -> str:
    """An HLC / wall-clock millisecond timestamp as ISO 8601 UTC."""
    return datetime.fromtimestamp(ts_ms / 1000, UTC).isoformat(timespec="milliseconds")


def event(
    event_type: str,
    *,
    event_id: str,
    ts_ms: int,
    agent_id: str = "",
    version: int = 0,
    tokens: int = 0,
    **metadata: Any,
) -> dict[str, Any]:
    """One event; `event_id` makes redelivery idempotent at the Analytics Service."""
    return {
        "event_id": event_id,
        "event_type": event_type,
        "agent_id": agent_id or None,
        "version": version,
        "tokens": tokens,
        "timestamp": iso(ts_ms),
        "metadata": metadata,
    }


def op_event(
    op: Op,
    *,
    node: str,
    version: int,
    budget_used: int,
    budget_limit: int,
    request_ms: float = 0.0,
    cycle_ms: int | None = None,
) -> dict[str, Any]:
    """The event of a new local operation: a document started, an edit applied or refused
    as a stale read. `request_ms` is the edit's time on this node, `cycle_ms` the agent's."""
    if op.kind == OpKind.INIT:
        return event(
            "document_initialised",
            event_id=f"document_initialised:{op.document_id}",
            ts_ms=op.ts,
            agent_id=op.agent_id or OPERATOR,
            version=1,
            node=node,
            document_id=op.document_id,
            topic=op.topic,
        )
    if op.kind == OpKind.REJECT:
        return event(
            "edit_rejected",
            event_id=f"edit_rejected:{op.edit_id}:{op.key}",
            ts_ms=op.ts,
            agent_id=op.agent_id,
            version=op.base_version,
            tokens=op.tokens_used,
            edit_id=op.edit_id,
            node=node,
            reason="conflict",
            message=op.reason,
        )
    timing = {"cycle_ms": cycle_ms} if cycle_ms is not None else {}
    return event(
        "edit_applied",
        event_id=f"edit_applied:{op.document_id}:{op.edit_id}",
        ts_ms=op.ts,
        agent_id=op.agent_id,
        version=version,
        tokens=op.tokens_used,
        edit_id=op.edit_id,
        node=node,
        latency_ms=request_ms,
        request_ms=request_ms,
        **timing,
        budget_used=budget_used,
        budget_limit=budget_limit,
    )


def budget_exceeded_event(
    *, node: str, ts_ms: int, agent_id: str, tokens: int, used: int, limit: int
) -> dict[str, Any]:
    """An agent's edit refused: it asked for `tokens` more than the budget has left."""
    return event(
        "budget_exceeded",
        event_id=f"budget_exceeded:{node}:{ts_ms}:{agent_id}",
        ts_ms=ts_ms,
        agent_id=agent_id,
        tokens=tokens,
        node=node,
        budget_limit=limit,
        budget_used=used,
    )


def budget_changed_event(*, node: str, ts_ms: int, used: int, limit: int) -> dict[str, Any]:
    """The limit was changed by hand (a scenario restoring it, an operator): analytics'
    budget state follows the limit, not the last refusal."""
    return event(
        "budget_changed",
        event_id=f"budget_changed:{node}:{ts_ms}",
        ts_ms=ts_ms,
        node=node,
        budget_used=used,
        budget_limit=limit,
        exceeded=used >= limit,
    )
