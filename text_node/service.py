"""What a node does, call by call: the routes call this and nothing else.

The durability rule lives here, in `submit_edit`: an accepted edit is committed on this node
first (in the same transaction as the outbox rows that owe it to every peer), then answered
after the first peer's acknowledgement or `ack_timeout_s`, whichever comes first — and at
once where every peer is already known to be failing, since nobody can acknowledge it then
(the response's empty `acknowledged_by` says it is not replicated yet; the outbox and
anti-entropy carry it later).
"""

import asyncio
import base64
import binascii
import time
import uuid
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from typing import Any

from crdt_core import (
    Added,
    DiffError,
    Fold,
    InvalidOperation,
    Op,
    OpKind,
    SessionToken,
    decode_update,
)

from . import projection, store
from .anti_entropy import AntiEntropy
from .durable import DurableReplica, View
from .edits import EditRequest, Edits
from .errors import CatchingUp, DatabaseUnavailableError, NoDocument, SessionUnavailable
from .events import op_event
from .relay import Relay
from .settings import NODE_NAMES, OPERATOR, NodeSettings


@dataclass(frozen=True, slots=True)
class Submitted:
    """An edit's outcome, and the peers that acknowledged it before the answer."""

    outcome: projection.Outcome
    acknowledged_by: list[str]


class NodeService:
    """One Text Service node: its durable replica, its relay and its anti-entropy."""

    def __init__(self, durable: DurableReplica, relay: Relay, anti_entropy: AntiEntropy) -> None:
        self.durable = durable
        self.relay = relay
        self.anti_entropy = anti_entropy
        self.settings: NodeSettings = durable.settings
        self.edits = Edits(durable)

    @property
    def view(self) -> View:
        return self.durable.view

    # -- sessions ----------------------------------------------------------------------
    def session(self) -> SessionToken:
        """The token of what this node has committed (the `X-Chorus-Session` of its
        answers): the published view's, never the replica's, which runs ahead during a
        change and would let a session be "covered" by an answer that does not show it."""
        return self.view.token

    async def honour(self, token: SessionToken) -> None:
        """Return once this node holds everything `token` has seen, pulling what it lacks
        from its peers at once; `SessionUnavailable` after `session_wait_s` (a stale answer
        would break the session's guarantees; another node may serve it)."""
        if token.covered_by(self.view.watermark):
            return
        deadline = time.monotonic() + self.settings.session_wait_s
        round_ = asyncio.ensure_future(self.anti_entropy.refresh())
        try:
            while not token.covered_by(self.view.watermark):
                left = deadline - time.monotonic()
                if left <= 0:
                    raise SessionUnavailable(
                        f"узел {self.settings.name} ещё не получил всё, что видел ваш сеанс "
                        f"(сеанс {token}, у узла {self.session()}): повторите на другом узле"
                    )
                if round_.done():  # the peers answered without it: ask again, 50 ms on
                    await asyncio.sleep(min(0.05, left))
                    round_ = asyncio.ensure_future(self.anti_entropy.refresh())
                    continue
                # a peer's answer is applied as it comes: look again every 50 ms
                await asyncio.wait({round_}, timeout=min(0.05, left))
        finally:
            round_.cancel()  # only this caller's wait: the shared round goes on

    # -- changes -----------------------------------------------------------------------
    async def submit_edit(self, edit: EditRequest) -> Submitted:
        """Accept, reject (stale read) or refuse an agent's edit, under the durability rule."""
        outcome = await self.edits.submit(edit)
        acknowledged: list[int] = []
        if outcome.new and outcome.status != "rejected" and not self.relay.all_failing():
            acknowledged = await self.relay.acknowledgements(
                outcome.op.key, self.settings.ack_timeout_s
            )
        return Submitted(outcome, [NODE_NAMES[peer] for peer in acknowledged])

    async def init_document(self, *, topic: str, text: str, edit_id: str | None) -> Op:
        """Start a new document on every node: a replicated, totally ordered operation."""
        edit_id = edit_id or str(uuid.uuid4())
        durable = self.durable
        held = durable.committed(edit_id)
        if held is not None:
            return held
        taken: list[Op] = []

        def start(_: int | None) -> list[tuple[Op, Added]]:
            held = durable.replica.opset.held(edit_id)  # a retry queued with this one
            if held is not None:
                taken.append(held)
                return []
            try:
                op = durable.replica.init_document(
                    edit_id=edit_id, document_id=edit_id, topic=topic, text=text
                )
            except InvalidOperation as exc:
                raise CatchingUp(f"узел ещё догоняет свои прежние операции: {exc}") from exc
            taken.append(op)
            return [(op, Added.NEW)]

        def events(ops: list[Op]) -> list[dict[str, Any]]:
            used = durable.replica.opset.tokens_used
            limit = durable.limit[1] if durable.limit else self.settings.budget_limit
            node = self.settings.name
            return [
                op_event(op, node=node, version=1, budget_used=used, budget_limit=limit)
                for op in ops
            ]

        await durable.change(start, events=events)
        return taken[0]

    async def receive(self, diffs: list[str]) -> int:
        """Yjs updates from a peer (base64); how many operations were new."""
        return await self.durable.receive([decode_update(diff) for diff in diffs])

    # -- replication reads ---------------------------------------------------------------
    async def sync_answer(self, state_vector: str) -> bytes:
        """The Yjs sync exchange, answering side: every operation held beyond the state
        vector of the asking peer, as one update."""
        try:
            vector = base64.b64decode(state_vector, validate=True)
        except (binascii.Error, ValueError) as exc:
            raise DiffError(f"state_vector is not valid base64: {exc}") from exc
        async with self.durable.locked():
            return self.durable.replica.opset.update_since(vector)

    async def since_version(self, version: int) -> list[tuple[int, Op]]:
        """Spec catch-up: `(dense version, op)` of the current document after `version`."""
        async with self.durable.locked():
            return self.durable.replica.opset.since_version(version)

    def watermark(self) -> dict[int, int]:
        """Per origin, the highest contiguous sequence committed here."""
        return self.view.watermark

    # -- the document --------------------------------------------------------------------
    def fold(self) -> Fold:
        fold = self.durable.replica.opset.fold
        if fold is None:
            raise NoDocument()
        return fold

    async def budget(self) -> tuple[int, int | None]:
        return await self.durable.budget()

    def locked(self) -> AbstractAsyncContextManager[None]:
        """The node's lock: reads of the whole fold take it (versions, authorship)."""
        return self.durable.locked()

    async def list_edits(
        self, *, limit: int, offset: int, status: str | None, agent_id: str | None
    ) -> tuple[list[dict[str, Any]], int]:
        """A page of the current document's edits, newest first, and the total matching."""
        document_id = self.view.document_id
        if document_id is None:
            return [], 0
        async with self.durable.db.connection() as conn:
            return await store.list_edits(
                conn,
                document_id=document_id,
                limit=limit,
                offset=offset,
                status=status,
                agent_id=agent_id,
            )

    def version_of_key(self, key: int) -> int | None:
        fold = self.durable.replica.opset.fold
        return fold.version_of_key(key) if fold else None

    # -- health and the cluster view ------------------------------------------------------
    async def database(self) -> str:
        """ "ok", or why the database does not answer."""
        try:
            async with self.durable.db.connection() as conn:
                await store.ping(conn)
        except DatabaseUnavailableError as exc:
            return str(exc)
        return "ok"

    async def node_state(self, lag_window_s: float | None) -> dict[str, Any]:
        """This node's name, location, version, watermark and how its peers are doing."""
        try:
            outbox, database = await self.durable.outbox.depth(), "ok"
        except DatabaseUnavailableError as exc:
            outbox, database = {}, str(exc)
        view, opset = self.view, self.durable.replica.opset
        return {
            "node": self.settings.name,
            "location": self.settings.location,
            "ready": self.anti_entropy.ready.is_set(),
            "database": database,
            "document_id": view.document_id,
            "version": view.version,
            "version_key": view.version_key,
            "timestamp": view.timestamp,
            "watermark": view.watermark,
            "tokens_used": opset.tokens_used,
            "outbox": outbox,
            "replication_lag_ms": self.relay.lag_percentiles(lag_window_s),
            "catch_up": self.anti_entropy.catch_up,
            "peers": {NODE_NAMES[p]: self.relay.link(p) for p in self.settings.peer_urls},
        }


def author(op: Op) -> str:
    """Who made an operation: its agent; the init is the operator's (only they may init)."""
    return op.agent_id or (OPERATOR if op.kind == OpKind.INIT else "")
