"""`/api/replication/*`: node-to-node delivery and catch-up (service token only)."""

from fastapi import APIRouter, Query

from crdt_core import DiffError, decode_diff
from service_kit import ApiError

from ..deps import NodeDep, ServiceDep
from ..schemas import BatchRequest, CatchUpEntry, CatchUpResponse, SyncRequest, SyncResponse

router = APIRouter(prefix="/api/replication", tags=["replication"])


def _decode(diffs: list[str]) -> list:  # type: ignore[type-arg]
    try:
        return [decode_diff(diff) for diff in diffs]
    except DiffError as exc:
        raise ApiError(422, "invalid_diff", str(exc), field="diff") from exc


@router.post("/sync", response_model=SyncResponse)
async def sync(body: SyncRequest, node: NodeDep, _: ServiceDep) -> SyncResponse:
    """Take one operation from a peer (spec FR 11); idempotent."""
    applied = await node.apply_remote(_decode([body.diff]))
    return SyncResponse(version=node.view.version, applied=applied)


@router.post("/batch", response_model=SyncResponse)
async def batch(body: BatchRequest, node: NodeDep, _: ServiceDep) -> SyncResponse:
    """Take several operations from a peer in one transaction; idempotent."""
    applied = await node.apply_remote(_decode(body.diffs))
    return SyncResponse(version=node.view.version, applied=applied)


def _parse_watermark(value: str) -> dict[int, int]:
    watermark = {}
    for pair in filter(None, value.split(",")):
        origin, sep, seq = pair.partition(":")
        if not sep or not origin.isdigit() or not seq.isdigit():
            raise ApiError(
                422, "validation_error", "watermark must be 'origin:seq,...'", field="watermark"
            )
        watermark[int(origin)] = int(seq)
    return watermark


@router.get("/catch-up", response_model=CatchUpResponse)
async def catch_up(
    node: NodeDep,
    _: ServiceDep,
    since_version: int | None = Query(default=None, ge=0),
    watermark: str | None = Query(default=None, max_length=200),
) -> CatchUpResponse:
    """Spec FR 12: versions after `since_version` of the current document; or, with
    `watermark=origin:seq,...` (exact, used between nodes), every operation beyond it."""
    if (since_version is None) == (watermark is None):
        raise ApiError(
            422,
            "validation_error",
            "give exactly one of since_version and watermark",
            field="since_version",
        )
    async with node.locked():
        opset = node.replica.opset
        if watermark is not None:
            ops = opset.missing(_parse_watermark(watermark))
        else:
            ops = [op for _, op in opset.since_version(since_version or 0)]
        entries = [CatchUpEntry(**node.diff_entry(op)) for op in ops]
        return CatchUpResponse(versions=entries, watermark=opset.watermark())
