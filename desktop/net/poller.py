"""A `QTimer` that asks for fresh data every few seconds, one request at a time."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QTimer

from .client import ApiCall

POLL_MS = 2500
"""The spec's 2-3 s refresh."""


class Poller(QObject):
    """Calls `fetch()` on each tick unless the previous call is still out; results to
    `on_result`, failures to `on_failure` (the window hears of failures from the client)."""

    def __init__(
        self,
        fetch: Callable[[], ApiCall],
        on_result: Callable[[Any], None],
        *,
        on_failure: Callable[[Any], None] | None = None,
        interval_ms: int = POLL_MS,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._fetch = fetch
        self._on_result = on_result
        self._on_failure = on_failure
        self._busy = False
        self._again = False
        self.timer = QTimer(self)
        self.timer.setInterval(interval_ms)
        self.timer.timeout.connect(self.poll)

    def start(self) -> None:
        """Poll now and then on every tick."""
        self.timer.start()
        self.poll()

    def stop(self) -> None:
        self.timer.stop()

    def poll(self) -> None:
        """One request now, unless one is out already (the timer's tick)."""
        if self._busy:
            return
        self._busy = True
        call = self._fetch()
        call.succeeded.connect(self._succeeded)
        call.failed.connect(self._failed)

    def refresh(self) -> None:
        """One request now, or right after the one out (its answer may predate a change the
        operator just made, such as another page of edits)."""
        if self._busy:
            self._again = True
        else:
            self.poll()

    def _succeeded(self, result: Any) -> None:
        self._done()
        if not self._again:
            self._on_result(result)
        self._repeat()

    def _failed(self, failure: Any) -> None:
        self._done()
        if self._on_failure is not None and not self._again:
            self._on_failure(failure)
        self._repeat()

    def _done(self) -> None:
        self._busy = False

    def _repeat(self) -> None:
        if self._again:
            self._again = False
            self.poll()
