"""Answers shaped as the services give them (taken from a running stack), for tests without one."""

from typing import Any


def edit(n: int, status: str = "accepted", agent: str = "agent-1") -> dict[str, Any]:
    return {
        "edit_id": f"00000000-0000-0000-0000-{n:012d}",
        "agent_id": agent,
        "proposed_text": f"Правка номер {n}.",
        "position": "end" if n % 2 else "0:10",
        "tokens_used": 100 + n,
        "status": status,
        "created_at": "2026-11-25T01:37:41.772+00:00",
        "node": "abc"[n % 3],
        "version_key": 7182282647000 + n,
        "base_version": 1,
        "version": n + 1 if status != "rejected" else None,
        "reason": "stale" if status == "rejected" else "",
    }


def edit_page(edits: list[dict[str, Any]], total: int, offset: int = 0) -> dict[str, Any]:
    return {"edits": edits, "total": total, "limit": 50, "offset": offset}


def message(n: int, agent: str = "agent-2") -> dict[str, Any]:
    return {
        "agent_id": agent,
        "message": f"Беру абзац {n}.",
        "timestamp": f"2026-11-25T01:37:{n:02d}.853Z",
        "message_id": f"17955706618{n:02d}-0",
    }


def document(version: int, text: str, document_id: str = "doc-1") -> dict[str, Any]:
    return {
        "version": version,
        "text": text,
        "timestamp": "2026-11-25T01:37:41.772+00:00",
        "document_id": document_id,
        "version_key": 7182282647090,
        "topic": "История искусственного интеллекта",
        "node": "b",
    }


def _series(field: str, values: list[float]) -> list[dict[str, Any]]:
    return [
        {"timestamp": f"2026-11-25T01:{minute:02d}:00Z", field: value}
        for minute, value in enumerate(values)
    ]


def metrics(*, used: int = 1191, limit: int = 15_000_000, exceeded: bool = False) -> dict[str, Any]:
    return {
        "period": "1h",
        "total_edits": 3,
        "total_tokens": used,
        "active_agents": 2,
        "avg_latency_ms": 13.3,
        "edits_per_minute": 3.0,
        "token_usage_by_time": _series("tokens", [0, 400, 791]),
        "edits_by_time": _series("edits", [0, 1, 2]),
        "active_agents_by_time": _series("agents", [0, 1, 2]),
        "latency_by_time": _series("avg_latency_ms", [0, 12.5, 14.0]),
        "edits_by_status": {"accepted": 3, "rejected": 0, "superseded": 0},
        "budget": {"limit": limit, "used": used, "exceeded": exceeded},
        "agents": [],
        "nodes": [],
        "replication": {"count": 8, "failed": 0, "lag_ms": {"p50": 66.0, "p95": 86.8, "p99": 90}},
        "conflicts": 0,
        "window_start": "2026-11-25T00:37:49.884612Z",
        "generated_at": "2026-11-25T01:37:49.884612Z",
        "bucket_seconds": 60,
    }


def node(name: str, *, ready: bool = True, database: str = "ok") -> dict[str, Any]:
    return {
        "node": name,
        "location": {"a": "Москва", "b": "Санкт-Петербург", "c": "Новосибирск"}[name],
        "ready": ready,
        "database": database,
        "document_id": "doc-1",
        "version": 3,
        "version_key": 7182282647090,
        "timestamp": "2026-11-25T01:37:41.772+00:00",
        "watermark": {"0": 1, "1": 1, "2": 1},
        "tokens_used": 773,
        "outbox": {"b": 2, "analytics": 1},
        "replication_lag_ms": {"p50": 91.0, "p95": 95.0, "p99": 99.0, "count": 2},
        "peers": {
            "b": {"last_ack_ms": 1_795_570_661_863, "failing": None},
            "c": {"last_ack_ms": 1_795_570_661_851, "failing": None},
        },
    }


def agents(running: bool = True) -> dict[str, Any]:
    return {
        "running": running,
        "count": 2,
        "agents": [
            {
                "agent_id": f"agent-{n}",
                "role": "эксперт по теме",
                "state": "running" if n == 1 else "failed",
                "cycles": 2,
                "accepted": n,
                "rejected": 0,
                "skipped": 0,
                "stale": 0,
                "llm_errors": 0,
                "failed_cycles": 0,
                "retries": 0,
                "tokens": 772,
                "chat_messages": 1,
                "last_error": "" if n == 1 else "RuntimeError: boom",
            }
            for n in (1, 2)
        ],
    }


def node_with_links(
    name: str,
    *,
    version: int = 3,
    failing: dict[str, str] | None = None,
    catch_up: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """`/api/node` as the contract's nodes answer it: link states, lag per link, catch-up."""
    failing = failing or {}
    peers = {}
    for peer in "abc":
        if peer == name:
            continue
        broken = failing.get(peer)
        peers[peer] = {
            "last_ack_ms": None if broken else 1_795_570_661_863,
            "failing": broken,
            "state": "failing" if broken else "ok",
            "since": "2026-11-25T01:37:41.772Z",
            "lag_ms": {"p50": None if broken else 12.0, "p95": None if broken else 1500.0},
        }
    return {
        **node(name),
        "version": version,
        "peers": peers,
        "catch_up": catch_up
        or {
            "state": "done",
            "ops": 17,
            "duration_ms": 85,
            "from": {"a": 12, "c": 5},
            "finished_at": "2026-11-25T01:37:41.772Z",
        },
    }


def versions(total: int, newest: int | None = None, count: int = 1) -> dict[str, Any]:
    newest = total if newest is None else newest
    return {
        "document_id": "doc-1",
        "total": total,
        "versions": [
            {
                "version": v,
                "version_key": 7182282647000 + v,
                "edit_id": f"e{v:07d}-0000-0000-0000-000000000000",
                "agent_id": "operator" if v == 1 else f"agent-{v % 3 + 1}",
                "kind": "init" if v == 1 else "edit",
                "status": "accepted",
                "tokens_used": 0 if v == 1 else 120,
                "node": "abc"[v % 3],
                "timestamp": "2026-11-25T01:37:41.772Z",
            }
            for v in range(newest, max(0, newest - count), -1)
        ],
    }


def authorship(version: int, pieces: list[tuple[str, str, int]]) -> dict[str, Any]:
    """`pieces`: (text, agent, version that inserted it), in order."""
    runs, start = [], 0
    for text, agent, made in pieces:
        runs.append(
            {
                "start": start,
                "end": start + len(text),
                "edit_id": f"e{made:07d}-0000-0000-0000-000000000000",
                "agent_id": agent,
                "kind": "init" if made == 1 else "edit",
                "version": made,
                "timestamp": "2026-11-25T01:37:41.772Z",
            }
        )
        start += len(text)
    return {
        "document_id": "doc-1",
        "version": version,
        "node": "a",
        "text": "".join(text for text, _, _ in pieces),
        "runs": runs,
    }


def timeline() -> dict[str, Any]:
    return {
        "events": [
            {
                "timestamp": "2026-11-25T01:02:30Z",
                "kind": "node_caught_up",
                "node": "b",
                "peer": None,
                "title": "Узел b догнал 17 версий за 85 мс",
                "detail": "от a: 12, от c: 5",
                "severity": "ok",
            },
            {
                "timestamp": "2026-11-25T01:01:00Z",
                "kind": "node_down",
                "node": "b",
                "peer": None,
                "title": "Узел b недоступен",
                "detail": "узлы a и c не могут передать ему правки",
                "severity": "error",
            },
        ],
        "generated_at": "2026-11-25T01:37:49.884612Z",
    }
