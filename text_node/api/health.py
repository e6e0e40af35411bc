"""`/health` for the balancer and `/api/node` for the cluster view."""

from typing import Any

from fastapi import APIRouter, Query
from fastapi.responses import JSONResponse

from ..deps import NodeDep
from ..schemas import NodeState

router = APIRouter(tags=["health"])


@router.get("/health")
async def health(node: NodeDep) -> JSONResponse:
    """200 only when the database answers and start-up catch-up is done."""
    database = await node.database()
    if database != "ok":
        return JSONResponse({"status": "unavailable", "database": database}, status_code=503)
    if not node.anti_entropy.ready.is_set():
        return JSONResponse({"status": "catching_up", "database": "ok"}, status_code=503)
    return JSONResponse({"status": "ok", "database": "ok", "version": node.view.version})


@router.get("/api/node", response_model=NodeState)
async def node_state(
    node: NodeDep,
    lag_window_s: float | None = Query(
        default=None, gt=0, le=86_400, description="lag of the last N seconds only"
    ),
) -> dict[str, Any]:
    """This node's name, location, version, watermark and how its peers are doing."""
    return await node.node_state(lag_window_s)
