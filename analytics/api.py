"""HTTP routes of the Analytics Service: thin, they validate and call the repository/metrics."""

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query

from . import repository
from .deps import ClockDep, DatabaseDep, require_ingest_token
from .metrics import compute_metrics, compute_timeline
from .schemas import (
    BatchStored,
    EventBatchIn,
    EventIn,
    Health,
    Metrics,
    Period,
    StatusOk,
    Timeline,
)

router = APIRouter()
DEFAULT_TIMELINE = 200
MAX_TIMELINE = 1000
MAX_BUCKET_S = 86_400
_unavailable: dict[int | str, dict[str, Any]] = {
    503: {"description": "the analytics database is unavailable"}
}


@router.post(
    "/api/analytics/events",
    dependencies=[Depends(require_ingest_token)],
    responses=_unavailable,
)
async def ingest_event(event: EventIn, database: DatabaseDep, clock: ClockDep) -> StatusOk:
    """Store one event (spec FR 18); a redelivery with a known `event_id` is stored once."""
    await repository.insert_events(database=database, events=[event], received_at=clock())
    return StatusOk()


@router.post(
    "/api/analytics/events/batch",
    dependencies=[Depends(require_ingest_token)],
    responses=_unavailable,
)
async def ingest_batch(batch: EventBatchIn, database: DatabaseDep, clock: ClockDep) -> BatchStored:
    """Store up to 1000 events atomically; `stored` counts the new ones."""
    stored = await repository.insert_events(
        database=database, events=batch.events, received_at=clock()
    )
    return BatchStored(stored=stored, received=len(batch.events))


@router.get("/api/analytics/metrics", responses=_unavailable)
async def metrics(
    database: DatabaseDep,
    clock: ClockDep,
    period: Period = Period.HOUR,
    since: datetime | None = None,
    bucket_s: Annotated[int | None, Query(ge=1, le=MAX_BUCKET_S)] = None,
) -> Metrics:
    """Aggregated metrics of the last `period` (spec FR 19 plus the dashboard's figures);
    `since` starts the window later, `bucket_s` sets the width of the series' buckets."""
    return await compute_metrics(
        database=database, period=period, now=clock(), since=since, bucket_s=bucket_s
    )


@router.get("/api/analytics/timeline", responses=_unavailable)
async def timeline(
    database: DatabaseDep,
    clock: ClockDep,
    period: Period = Period.HOUR,
    limit: Annotated[int, Query(ge=1, le=MAX_TIMELINE)] = DEFAULT_TIMELINE,
) -> Timeline:
    """The cluster's events of the last `period` (nodes down and back, catch-up, links,
    budget, document, agents), worded in Russian, newest first, at most `limit`."""
    return await compute_timeline(database=database, period=period, now=clock(), limit=limit)


@router.get("/health", responses=_unavailable)
async def health(database: DatabaseDep) -> Health:
    """200 when the database answers `SELECT 1`, else 503."""
    await repository.ping(database=database)
    return Health()
