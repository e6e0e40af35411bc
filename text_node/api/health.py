"""`/health` for the balancer and `/api/node` for the cluster view."""

import time
from typing import Any

from fastapi import APIRouter, Query
from fastapi.responses import JSONResponse

from ..deps import NodeDep
from ..schemas import NodeState

router = APIRouter(tags=["health"])


@router.get("/health")
async def health(node: NodeDep) -> JSONResponse:
    """200 only when the database answers and start-up catch-up is done. `clock` is this
    node's wall clock (Unix seconds), so the fault suite sees a skewed node's offset."""
    clock = round(time.time(), 3)
    database = await node.database()
    if database != "ok":
        body = {"status": "unavailable", "database": database, "clock": clock}
        return JSONResponse(body, status_code=503)
    if not node.anti_entropy.ready.is_set():
        body = {"status": "catching_up", "database": "ok", "clock": clock}
        return JSONResponse(body, status_code=503)
    body = {"status": "ok", "database": "ok", "version": node.view.version, "clock": clock}
    return JSONResponse(body)


@router.get("/api/node", response_model=NodeState)
async def node_state(
    node: NodeDep,
    lag_window_s: float | None = Query(
        default=None, gt=0, le=86_400, description="lag of the last N seconds only"
    ),
) -> dict[str, Any]:
    """This node's name, location, version, watermark and how its peers are doing."""
    return await node.node_state(lag_window_s)
