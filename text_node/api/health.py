"""`/health` for the balancer and `/api/node` for the cluster view."""

from typing import Any

from fastapi import APIRouter, Query
from fastapi.responses import JSONResponse

from .. import store
from ..deps import NodeDep, ReplicatorDep, SettingsDep
from ..errors import DatabaseUnavailableError
from ..settings import NODE_NAMES

router = APIRouter(tags=["health"])


@router.get("/health")
async def health(node: NodeDep, replicator: ReplicatorDep) -> JSONResponse:
    """200 only when the database answers and start-up catch-up is done."""
    try:
        async with node.db.connection() as conn:
            await store.ping(conn)
    except DatabaseUnavailableError as exc:
        return JSONResponse({"status": "unavailable", "database": str(exc)}, status_code=503)
    if not replicator.ready.is_set():
        return JSONResponse({"status": "catching_up", "database": "ok"}, status_code=503)
    return JSONResponse({"status": "ok", "database": "ok", "version": node.view.version})


@router.get("/api/node")
async def node_state(
    node: NodeDep,
    replicator: ReplicatorDep,
    settings: SettingsDep,
    lag_window_s: float | None = Query(
        default=None, gt=0, le=86_400, description="lag of the last N seconds only"
    ),
) -> dict[str, Any]:
    """This node's name, location, version, watermark and how its peers are doing."""
    try:
        async with node.db.connection() as conn:
            outbox = await store.outbox_depth(conn)
        database = "ok"
    except DatabaseUnavailableError as exc:
        outbox, database = {}, str(exc)
    view = node.view
    return {
        "node": settings.name,
        "location": settings.location,
        "ready": replicator.ready.is_set(),
        "database": database,
        "document_id": view.document_id,
        "version": view.version,
        "version_key": view.version_key,
        "timestamp": view.timestamp,
        "watermark": node.replica.opset.watermark(),
        "tokens_used": node.replica.opset.tokens_used,
        "outbox": outbox,
        "replication_lag_ms": replicator.lag_percentiles(lag_window_s),
        "catch_up": replicator.catch_up,
        "peers": {NODE_NAMES[peer]: replicator.link(peer) for peer in settings.peer_urls},
    }
