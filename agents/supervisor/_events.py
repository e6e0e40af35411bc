"""The supervisor's `agent_started` / `agent_stopped` events for the Analytics Service.

Fire and forget: `emit()` returns at once and a background post (short timeout) delivers the
events; a failure is logged, never raised, so agents start and stop whether or not analytics
answers. The posts belong to `AnalyticsEvents` (`async with`): on exit the ones in flight get
their timeout to finish, then are cancelled.
"""

import asyncio
import logging
from collections.abc import Sequence
from typing import Any, Protocol

import httpx

log = logging.getLogger(__name__)

BATCH_PATH = "/api/analytics/events/batch"
DEFAULT_TIMEOUT_S = 2.0


class EventSink(Protocol):
    """Where the supervisor's events go."""

    def emit(self, events: Sequence[dict[str, Any]]) -> None:
        """Hand `events` over without waiting for their delivery."""


class NoEvents:
    """The sink when no analytics URL is configured: events go nowhere."""

    def emit(self, events: Sequence[dict[str, Any]]) -> None:
        """Drop `events`."""


class AnalyticsEvents:
    """Posts events to `POST /api/analytics/events/batch` of `client` in the background."""

    def __init__(
        self, client: httpx.AsyncClient, token: str, *, timeout_s: float = DEFAULT_TIMEOUT_S
    ) -> None:
        self._client = client
        self._headers = {"Authorization": f"Bearer {token}"}
        self._timeout_s = timeout_s
        self._tasks: set[asyncio.Task[None]] = set()

    async def __aenter__(self) -> "AnalyticsEvents":
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.drain()

    def emit(self, events: Sequence[dict[str, Any]]) -> None:
        """Start posting `events` (one batch) and return."""
        if not events:
            return
        task = asyncio.create_task(self._post(list(events)), name="analytics-events")
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def drain(self) -> None:
        """Wait for the posts in flight (each has its timeout), cancelling any left after it."""
        pending = set(self._tasks)
        if not pending:
            return
        _, late = await asyncio.wait(pending, timeout=self._timeout_s)
        for task in late:
            task.cancel()
        await asyncio.gather(*late, return_exceptions=True)

    async def _post(self, events: list[dict[str, Any]]) -> None:
        kinds = sorted({str(event.get("event_type")) for event in events})
        try:
            response = await self._client.post(
                BATCH_PATH,
                json={"events": events},
                headers=self._headers,
                timeout=self._timeout_s,
            )
        except httpx.HTTPError as exc:
            log.warning("analytics did not take %d %s events: %r", len(events), kinds, exc)
            return
        if response.is_error:
            log.warning(
                "analytics refused %d %s events: %d %s",
                len(events),
                kinds,
                response.status_code,
                response.text[:200],
            )
