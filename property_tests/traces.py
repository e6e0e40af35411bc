"""Real editing traces (josephg/editing-traces) from the shared data folder, and their replay.

A concurrent trace is a DAG of transactions. Replaying it through replicas: every transaction
runs on its agent's replica, after that replica received exactly the operations of the
transaction's causal past; in the end every replica receives everything.
"""

import gzip
import json
import os
from pathlib import Path
from typing import Any

from crdt_core import Op, Replica

_DEFAULT_DIR = Path(__file__).resolve().parents[2] / "shared" / "data" / "editing-traces"


def trace_dir() -> Path:
    """Folder of the traces: $CHORUS_TRACES, else ../shared/data/editing-traces."""
    folder = Path(os.environ.get("CHORUS_TRACES", _DEFAULT_DIR))
    if not folder.is_dir():
        raise FileNotFoundError(
            f"editing traces not found in {folder}: set CHORUS_TRACES to the folder holding "
            "concurrent_traces_*.json.gz and sequential_traces_*.json.gz"
        )
    return folder


def load_trace(name: str) -> dict[str, Any]:
    """Load e.g. `concurrent_traces_clownschool` or `sequential_traces_automerge-paper`."""
    with gzip.open(trace_dir() / f"{name}.json.gz") as handle:
        data: dict[str, Any] = json.load(handle)
    return data


class _Ticker:
    """A fake wall clock that advances one millisecond per reading."""

    def __init__(self) -> None:
        self.now = 1_000_000

    def __call__(self) -> int:
        self.now += 1
        return self.now


def apply_patch(replica: Replica, edit_id: str, patch: list[Any]) -> Op | None:
    """Apply one `[pos, deleted, inserted]` patch as a local edit on the replica's head."""
    pos, deleted, inserted = patch[0], patch[1], patch[2]
    if not deleted and not inserted:
        return None
    return replica.accept_edit(edit_id=edit_id, position=f"{pos}:{pos + deleted}", text=inserted)


def replay_concurrent(trace: dict[str, Any], replica_count: int = 3) -> list[Replica]:
    """Replay a concurrent trace through `replica_count` replicas; return them fully synced."""
    ticker = _Ticker()
    replicas = [Replica(node, ticker) for node in range(replica_count)]
    init = replicas[0].init_document(edit_id="init", document_id="trace", topic="", text="")
    for replica in replicas[1:]:
        replica.receive([init])
    txns = trace["txns"]
    ops_of: list[list[Op]] = [[] for _ in txns]
    held = [[False] * len(txns) for _ in replicas]
    for index, txn in enumerate(txns):
        replica_index = txn["agent"] % replica_count
        replica = replicas[replica_index]
        delivery = _missing_past(txn["parents"], txns, held[replica_index])
        missing = [op for i in delivery for op in ops_of[i]]
        if missing:
            replica.receive(sorted(missing, key=lambda o: o.key))
        for j, patch in enumerate(txn["patches"]):
            op = apply_patch(replica, f"t{index}.{j}", patch)
            if op is not None:
                ops_of[index].append(op)
        held[replica_index][index] = True
    everything = [op for ops in ops_of for op in ops]
    for replica in replicas:
        replica.receive(everything)
    return replicas


def _missing_past(parents: list[int], txns: list[dict[str, Any]], held: list[bool]) -> list[int]:
    """Transactions in the causal past of `parents` that a replica does not hold yet."""
    found: list[int] = []
    stack = [p for p in parents if not held[p]]
    while stack:
        index = stack.pop()
        if held[index]:
            continue
        held[index] = True
        found.append(index)
        stack.extend(p for p in txns[index]["parents"] if not held[p])
    return found
