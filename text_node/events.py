"""Analytics events a node sends (through its outbox), in the Analytics Service's format."""

from datetime import UTC, datetime
from typing import Any


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
