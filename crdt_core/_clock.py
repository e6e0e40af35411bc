"""Hybrid logical clock and the total order key of operations.

Every node stamps its operations with `ts = max(now_ms, last_ts + 1)` and, on receiving a
remote operation, advances `last_ts` to at least its timestamp. Timestamps therefore grow
strictly per node and respect causality: an operation accepted after another was seen gets a
larger timestamp. `(ts, node)` packed into one integer is unique and identical on every node,
so sorting by it is the timestamp last-write-wins order with a deterministic tie-break.
"""

from collections.abc import Callable

MAX_NODES = 4


def version_key(ts_ms: int, node: int) -> int:
    """Pack an HLC timestamp and a node index into the total order key."""
    if not 0 <= node < MAX_NODES:
        raise ValueError(f"node index must be in 0..{MAX_NODES - 1}, got {node}")
    return ts_ms * MAX_NODES + node


def split_key(key: int) -> tuple[int, int]:
    """Inverse of `version_key`: `(ts_ms, node)`."""
    return divmod(key, MAX_NODES)


class HybridLogicalClock:
    """A node's hybrid logical clock; `now_ms` is injected so tests control time."""

    def __init__(self, node: int, now_ms: Callable[[], int], last_ts: int = 0) -> None:
        if not 0 <= node < MAX_NODES:
            raise ValueError(f"node index must be in 0..{MAX_NODES - 1}, got {node}")
        self.node = node
        self._now_ms = now_ms
        self.last_ts = last_ts

    def tick(self) -> int:
        """Timestamp for a new local operation, strictly above every timestamp seen."""
        self.last_ts = max(self._now_ms(), self.last_ts + 1)
        return self.last_ts

    def observe(self, ts_ms: int) -> None:
        """Account for a remote operation's timestamp so later local ones order after it."""
        self.last_ts = max(self.last_ts, ts_ms)

    def next_key(self) -> int:
        """Tick and return the total order key of the new operation."""
        return version_key(self.tick(), self.node)
