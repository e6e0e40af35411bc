"""Shared helpers: a fake wall clock and replicas that all hold one document."""

from crdt_core import Replica

BASE_TEXT = "Привет, мир!"


class Ticker:
    """A fake wall clock that advances one millisecond per reading."""

    def __init__(self, start: int = 1_000) -> None:
        self.now = start

    def __call__(self) -> int:
        self.now += 1
        return self.now


def replicas(count: int, text: str = BASE_TEXT, *, ticker: Ticker | None = None) -> list[Replica]:
    """`count` replicas on one clock, all holding the init of document `doc` with `text`."""
    clock = ticker or Ticker()
    nodes = [Replica(node, clock) for node in range(count)]
    init = nodes[0].init_document(edit_id="init", document_id="doc", topic="тема", text=text)
    for node in nodes[1:]:
        node.receive([init])
    return nodes
