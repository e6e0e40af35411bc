"""Three replicas, a hostile network, crashes and recoveries — then heal and check everything.

The network reorders, duplicates and drops messages. A crash loses a node's memory but keeps
its durable store (every operation it held, and its outbox of unacknowledged deliveries). A
recovery rebuilds the node from that store, re-pushes its outbox and catches up from every
peer that is up by exact watermark. Every heal must restore all invariants of DESIGN.md §3.
"""

from dataclasses import dataclass, field

from hypothesis import event, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule

from crdt_core import CrdtError, Op, OpKind, Replica

from .invariants import check_all

ALPHABET = "абвгдеёжзийклмнопрстуфхцчшщъыьэюя АБВЁЖЯ,.«»—!?😀👍🏽\n"
texts = st.text(alphabet=ALPHABET, max_size=6)
NODES = 3


@dataclass
class Node:
    """A simulated Text Service node: memory, durable store, outbox, clock skew."""

    index: int
    skew: int
    replica: Replica | None = None
    durable: dict[int, Op] = field(default_factory=dict)  # key -> op
    outbox: dict[int, set[int]] = field(default_factory=dict)  # peer -> keys not acknowledged

    @property
    def up(self) -> bool:
        return self.replica is not None


class ReplicationMachine(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.now = 1_000
        self.nodes: list[Node] = []
        self.network: list[tuple[int, int, Op]] = []  # (sender, receiver, op)
        # (document_id, edit_id) -> first acknowledged copy; refs answered "rejected"
        self.accepted: dict[tuple[str, str], Op] = {}
        self.rejected: set[tuple[str, str]] = set()
        self.edit_count = 0

    # -- set-up --------------------------------------------------------------------------
    @initialize(skews=st.lists(st.integers(-3, 3), min_size=NODES, max_size=NODES))
    def start(self, skews: list[int]) -> None:
        self.nodes = [Node(i, skew) for i, skew in enumerate(skews)]
        for node in self.nodes:
            node.outbox = {peer: set() for peer in range(NODES) if peer != node.index}
            node.replica = self._fresh_replica(node)
        first = self._replica(0)
        init = first.init_document(edit_id="init-0", document_id="doc", topic="тема", text="")
        self._accepted(self.nodes[0], init)

    def _fresh_replica(self, node: Node) -> Replica:
        return Replica(node.index, lambda: self.now + node.skew, keep_document=False)

    def _replica(self, index: int) -> Replica:
        replica = self.nodes[index].replica
        assert replica is not None
        return replica

    def _accepted(self, node: Node, op: Op) -> None:
        """A new local operation: durable, queued for every peer, acknowledged to the client."""
        node.durable[op.key] = op
        ref = (op.document_id, op.edit_id)
        if op.kind == OpKind.REJECT:
            self.rejected.add(ref)
        else:
            self.accepted.setdefault(ref, op)
        for peer, pending in node.outbox.items():
            pending.add(op.key)
            self.network.append((node.index, peer, op))

    # -- clients -------------------------------------------------------------------------
    @rule(ms=st.integers(0, 5))
    def time_passes(self, ms: int) -> None:
        self.now += ms

    @rule(data=st.data(), index=st.integers(0, NODES - 1), text=texts, tokens=st.integers(0, 50))
    def edit(self, data: st.DataObject, index: int, text: str, tokens: int) -> None:
        node = self.nodes[index]
        if not node.up or self._replica(index).opset.fold is None:
            return
        fold = self._replica(index).fold
        base = data.draw(st.integers(max(1, fold.version - 3), fold.version), label="base")
        length = len(fold.text_at(base))
        if data.draw(st.booleans(), label="append") and text:
            position = "end"
        else:
            start = data.draw(st.integers(0, length), label="start")
            end = data.draw(st.integers(start, min(length, start + 5)), label="end")
            position = f"{start}:{end}"
        self.edit_count += 1
        try:
            op = self._replica(index).accept_edit(
                edit_id=f"e{self.edit_count}",
                position=position,
                text=text,
                agent_id=f"agent-{index}",
                tokens_used=tokens,
                base_version=base,
            )
        except CrdtError:
            return  # malformed (a no-op edit): refused, nothing recorded
        self._accepted(node, op)

    @rule(data=st.data(), a=st.integers(0, NODES - 1), b=st.integers(0, NODES - 1))
    def concurrent_replacements(self, data: st.DataObject, a: int, b: int) -> None:
        """Two nodes showing the same text replace overlapping fragments before exchanging."""
        if a == b or not (self.nodes[a].up and self.nodes[b].up):
            return
        folds = [self._replica(i).opset.fold for i in (a, b)]
        if folds[0] is None or folds[1] is None or folds[0].text != folds[1].text:
            return
        if folds[0].document_id != folds[1].document_id or not folds[0].text:
            return
        length = len(folds[0].text)
        for index in (a, b):
            start = data.draw(st.integers(0, length - 1), label="start")
            end = data.draw(st.integers(start + 1, min(length, start + 4)), label="end")
            self.edit_count += 1
            op = self._replica(index).accept_edit(
                edit_id=f"e{self.edit_count}",
                position=f"{start}:{end}",
                text=data.draw(texts.filter(bool), label="text"),
                agent_id=f"agent-{index}",
            )
            self._accepted(self.nodes[index], op)

    @rule(data=st.data(), index=st.integers(0, NODES - 1))
    def client_retries_elsewhere(self, data: st.DataObject, index: int) -> None:
        """A client that timed out retries an edit (same edit_id) on another node."""
        node = self.nodes[index]
        if not node.up or not self.accepted or self._replica(index).opset.fold is None:
            return
        ref = data.draw(st.sampled_from(sorted(self.accepted)), label="edit")
        original = self.accepted[ref]
        edit_id = original.edit_id
        replica = self._replica(index)
        if original.kind == OpKind.INIT:
            if replica.opset.winner(edit_id, original.document_id) is None:
                self._accepted(
                    node,
                    replica.init_document(
                        edit_id=edit_id,
                        document_id=original.document_id,
                        topic=original.topic,
                        text=original.text,
                    ),
                )
            return
        if not original.text:
            return  # only an edit that inserts text can be re-made as an append
        try:
            op = self._replica(index).accept_edit(
                edit_id=edit_id,
                position="end",
                text=original.text,
                agent_id=original.agent_id,
                tokens_used=original.tokens_used,
            )
        except CrdtError:
            return
        if op.key not in node.durable and op.kind != OpKind.REJECT:
            self._accepted(node, op)

    @precondition(lambda self: sum(op.kind.value == "init" for op in self.accepted.values()) < 3)
    @rule(index=st.integers(0, NODES - 1), text=texts)
    def new_document(self, index: int, text: str) -> None:
        node = self.nodes[index]
        if not node.up:
            return
        self.edit_count += 1
        op = self._replica(index).init_document(
            edit_id=f"init-{self.edit_count}",
            document_id=f"doc-{self.edit_count}",
            topic="новая тема",
            text=text,
        )
        self._accepted(node, op)

    # -- network -------------------------------------------------------------------------
    @precondition(lambda self: self.network)
    @rule(data=st.data())
    def deliver(self, data: st.DataObject) -> None:
        sender, receiver, op = self.network.pop(
            data.draw(st.integers(0, len(self.network) - 1), label="message")
        )
        self._deliver(sender, receiver, op)

    def _deliver(self, sender: int, receiver: int, op: Op) -> None:
        target = self.nodes[receiver]
        if not target.up:
            return  # lost: the receiver is down, the sender's outbox keeps it
        self._replica(receiver).receive([op])
        target.durable[op.key] = op
        self.nodes[sender].outbox[receiver].discard(op.key)  # acknowledged

    @precondition(lambda self: self.network)
    @rule(data=st.data())
    def duplicate(self, data: st.DataObject) -> None:
        index = data.draw(st.integers(0, len(self.network) - 1), label="message")
        self.network.append(self.network[index])

    @precondition(lambda self: self.network)
    @rule(data=st.data())
    def drop(self, data: st.DataObject) -> None:
        self.network.pop(data.draw(st.integers(0, len(self.network) - 1), label="message"))

    # -- faults --------------------------------------------------------------------------
    @rule(index=st.integers(0, NODES - 1))
    def crash(self, index: int) -> None:
        self.nodes[index].replica = None

    @rule(index=st.integers(0, NODES - 1))
    def recover(self, index: int) -> None:
        if not self.nodes[index].up:
            self._recover(self.nodes[index])

    def _recover(self, node: Node) -> None:
        """Rebuild from the durable store, re-push the outbox, catch up from every live peer."""
        replica = self._fresh_replica(node)
        replica.receive(sorted(node.durable.values(), key=lambda op: op.key))
        node.replica = replica
        for receiver, keys in node.outbox.items():
            self.network.extend((node.index, receiver, node.durable[k]) for k in sorted(keys))
        for peer in self.nodes:
            if peer is not node and peer.up:
                self._anti_entropy(source=peer, target=node)

    def _anti_entropy(self, *, source: Node, target: Node) -> None:
        assert source.replica is not None
        assert target.replica is not None
        missing = source.replica.opset.missing(target.replica.opset.watermark())
        target.replica.receive(missing)
        target.durable.update((op.key, op) for op in missing)

    @rule(a=st.integers(0, NODES - 1), b=st.integers(0, NODES - 1))
    def anti_entropy(self, a: int, b: int) -> None:
        if a != b and self.nodes[a].up and self.nodes[b].up:
            self._anti_entropy(source=self.nodes[a], target=self.nodes[b])

    # -- healing -------------------------------------------------------------------------
    @rule(data=st.data())
    def heal(self, data: st.DataObject) -> None:
        order = data.draw(st.permutations(range(len(self.network))), label="delivery order")
        self._heal([self.network[i] for i in order])

    def _heal(self, messages: list[tuple[int, int, Op]]) -> None:
        self.network = []
        for node in self.nodes:
            if not node.up:
                self._recover(node)
        messages += self.network
        self.network = []
        for sender, receiver, op in messages:
            self._deliver(sender, receiver, op)
        for source in self.nodes:
            for target in self.nodes:
                if source is not target:
                    self._anti_entropy(source=source, target=target)
        replicas = [self._replica(i) for i in range(NODES)]
        check_all(replicas, self.accepted, self.rejected)
        fold = replicas[0].fold
        superseded = sum(fold.status(op.edit_id) == "superseded" for op in fold.ops())
        event(f"heal with {'some' if superseded else 'no'} superseded edits")

    @invariant()
    def durable_store_matches_memory(self) -> None:
        for node in self.nodes:
            if node.replica is not None:
                assert set(node.durable) == {op.key for op in node.replica.opset.all_ops()}

    def teardown(self) -> None:
        if self.nodes:
            self._heal(list(self.network))


TestReplication = ReplicationMachine.TestCase
TestReplication.settings = settings(stateful_step_count=60)
