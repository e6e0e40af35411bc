"""The node's side of its reader process (`reader`): starts it, and tells it every commit.

After a commit only the text groups that changed are sent: the published view's groups are
immutable strings that later commits leave alone, so a changed one is found by identity, and
an append to a 1 MB document sends one group of a few KB, not the document. Twice a second the
budget and whether the node's view is worth reading (caught up since it started, its database
answering a ping) go along as well, which also tells the reader that the node is alive.

The reader is a child of the node: it ends when its pipe does, so a node killed with
SIGKILL takes its reader with it, and a reader that dies on its own is started again.
"""

from __future__ import annotations

import asyncio
import logging
import struct
import sys
from typing import Any

import orjson

from . import store
from .durable import DurableReplica, View
from .errors import DatabaseUnavailableError
from .settings import NodeSettings

HEARTBEAT_S = 0.5
DATABASE_WAIT_S = 1.0
SPACING_S = 0.002
"""Commits closer together than this are told as one: under load a node commits hundreds of
times a second, and the reader needs only the last of them by the time it is read. Short,
because an edit is answered after its commit: a reader told later than that shows a client
without a session token an older text than its own edit's answer did (with 10 ms here, 4 % of
such reads on the fault suite's LAN profile, against under 1 % from the nodes)."""
BACKLOG_BYTES = 8_000_000
"""A reader this far behind on its pipe is sent nothing more until it drains; it is then
sent the whole text once again."""

FRAME = struct.Struct(">I")
"""Each message on the feed: its length, then that many bytes of JSON."""

log = logging.getLogger(__name__)


def frame(message: dict[str, Any]) -> bytes:
    """One message of the feed, as the node writes it."""
    payload = orjson.dumps(message)
    return FRAME.pack(len(payload)) + payload


class ReaderFeed:
    """The reader process of one node (`settings.reader_port`), fed from `durable`'s views."""

    def __init__(
        self, settings: NodeSettings, durable: DurableReplica, ready: asyncio.Event
    ) -> None:
        self.settings = settings
        self.durable = durable
        self.ready = ready
        """Set once the node has caught up from its peers after starting (`AntiEntropy`)."""
        self.process: asyncio.subprocess.Process | None = None
        self._sent: tuple[str, ...] | None = None
        """The groups the reader holds; None: it must be sent all of them."""
        self._due: asyncio.TimerHandle | None = None
        self._told = 0.0
        self._database_ok = True

    async def start(self) -> None:
        settings = self.settings
        self.process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "text_node.reader",
            settings.host,
            str(settings.reader_port),
            settings.name,
            stdin=asyncio.subprocess.PIPE,
        )
        self._sent = None
        self._tell()

    def published(self, view: View) -> None:
        """A view was committed: tell the reader at once, or, within `SPACING_S` of the last
        time, when that has passed (then the newest view)."""
        if self._due is not None:
            return
        loop = asyncio.get_running_loop()
        wait = self._told + SPACING_S - loop.time()
        if wait <= 0:
            self._tell()
        else:
            self._due = loop.call_later(wait, self._tell)

    def _tell(self) -> None:
        self._due = None
        self._told = asyncio.get_running_loop().time()
        view = self.durable.view
        parts, sent = view.text_parts, self._sent
        if sent is None:
            changed = list(enumerate(parts))
        else:
            changed = [
                (index, part)
                for index, part in enumerate(parts)
                if index >= len(sent) or sent[index] is not part
            ]
        message = {
            **self._status(),
            "head": {
                "version": view.version,
                "timestamp": view.timestamp,
                "document_id": view.document_id,
                "version_key": view.version_key,
                "topic": view.topic,
            },
            "session": str(view.token),
            "count": len(parts),
            "parts": changed,
        }
        if self._send(message):
            self._sent = parts
        else:
            self._sent = None

    async def run(self) -> None:
        """Every `HEARTBEAT_S`: the budget (re-reading the limit when due), and a new reader
        if the last one died."""
        while True:
            await asyncio.sleep(HEARTBEAT_S)
            if self.process is None or self.process.returncode is not None:
                log.warning(
                    "node %s: its reader process ended, starting it again", self.settings.name
                )
                await self.start()
                continue
            self._database_ok = await self._database_answers()
            await self.durable.budget()  # re-reads the limit when due
            if self._sent is None:
                self._tell()
            else:
                self._send(self._status())

    async def close(self) -> None:
        if self._due is not None:
            self._due.cancel()
        process, self.process = self.process, None
        if process is None or process.returncode is not None:
            return
        if process.stdin is not None:
            process.stdin.close()
        try:
            await asyncio.wait_for(process.wait(), 5.0)
        except TimeoutError:
            process.kill()
            await process.wait()

    async def _database_answers(self) -> bool:
        """Whether the node's database answers a ping within `DATABASE_WAIT_S`. A node
        without its database commits nothing, neither its agents' edits nor its peers', so its
        view stands still while the others go on."""
        try:
            async with asyncio.timeout(DATABASE_WAIT_S), self.durable.db.connection() as conn:
                await store.ping(conn)
        except (DatabaseUnavailableError, TimeoutError):
            return False
        return True

    def _status(self) -> dict[str, object]:
        unready = None
        if not self.ready.is_set():
            unready = "ещё догоняет соседей после запуска"
        elif not self._database_ok:
            unready = "не получает ответа от своей базы данных: его текст может отставать"
        return {"budget": self.durable.budget_held(), "unready": unready}

    def _send(self, message: dict[str, object]) -> bool:
        """Whether `message` was handed to the pipe (not while the reader lags behind)."""
        process = self.process
        if process is None or process.stdin is None or process.returncode is not None:
            return False
        transport = process.stdin.transport
        if transport.is_closing() or transport.get_write_buffer_size() > BACKLOG_BYTES:
            return False
        transport.write(frame(message))
        return True
