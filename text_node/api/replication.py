"""`/api/replication/*`: node-to-node delivery and catch-up (service token only).

The `diff` of every message is a Yjs update of the op set's Doc, base64: one operation's
(`/sync`, the spec's shape), several (`/batch`, what the relay sends), or, for the Yjs sync
exchange of anti-entropy, everything beyond the asking node's state vector (`/catch-up`).
"""

import base64

from fastapi import APIRouter, Query

from crdt_core import DiffError, write_update
from service_kit import ApiError

from ..deps import NodeDep, ServiceDep
from ..events import iso
from ..schemas import BatchRequest, CatchUpEntry, CatchUpResponse, SyncRequest, SyncResponse

router = APIRouter(prefix="/api/replication", tags=["replication"])


async def _receive(node: NodeDep, diffs: list[str]) -> SyncResponse:
    try:
        applied = await node.receive(diffs)
    except DiffError as exc:
        raise ApiError(422, "invalid_diff", str(exc), field="diff") from exc
    return SyncResponse(version=node.view.version, applied=applied)


@router.post("/sync", response_model=SyncResponse)
async def sync(body: SyncRequest, node: NodeDep, _: ServiceDep) -> SyncResponse:
    """Take a Yjs update from a peer (spec FR 11); idempotent."""
    return await _receive(node, [body.diff])


@router.post("/batch", response_model=SyncResponse)
async def batch(body: BatchRequest, node: NodeDep, _: ServiceDep) -> SyncResponse:
    """Take several Yjs updates from a peer in one transaction; idempotent."""
    return await _receive(node, body.diffs)


def _encode(update: bytes) -> str:
    return base64.b64encode(update).decode("ascii")


@router.get("/catch-up", response_model=CatchUpResponse)
async def catch_up(
    node: NodeDep,
    _: ServiceDep,
    since_version: int | None = Query(default=None, ge=0),
    state_vector: str | None = Query(default=None, max_length=4096),
) -> CatchUpResponse:
    """Spec FR 12: versions after `since_version` of the current document, one operation's
    update each; or, with `state_vector` (base64, the Yjs sync exchange between nodes), one
    update with every operation held beyond it."""
    if (since_version is None) == (state_vector is None):
        raise ApiError(
            422,
            "validation_error",
            "укажите ровно один из параметров since_version и state_vector",
            field="since_version",
        )
    if state_vector is not None:
        try:
            update = await node.sync_answer(state_vector)
        except DiffError as exc:
            raise ApiError(422, "validation_error", str(exc), field="state_vector") from exc
        entry = CatchUpEntry(
            version=None,
            diff=_encode(update),
            timestamp=node.view.timestamp,
            edit_id="",
            version_key=0,
        )
        return CatchUpResponse(versions=[entry], watermark=node.watermark())
    entries = [
        CatchUpEntry(
            version=version,
            version_key=op.key,
            edit_id=op.edit_id,
            timestamp=iso(op.ts),
            diff=_encode(write_update([op])),
        )
        for version, op in await node.since_version(since_version or 0)
    ]
    return CatchUpResponse(versions=entries, watermark=node.watermark())
