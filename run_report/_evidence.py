"""The consistency evidence, judged at report time: each check passes or fails, with its
numbers (the spec's final criteria: every node synchronised, the texts byte-identical, the
edits in the databases = the events in analytics).

Every accepted edit is one version on a node and the init is version 1, so the accepted
edits a node holds are its version - 1; analytics counts one `edit_applied` event per edit
(idempotent by edit), so the two agree once every outbox has drained.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import wording

from ._collect import NodeView


@dataclass(frozen=True)
class Check:
    """One judged statement: its title, pass or fail, and the figures behind it."""

    title: str
    passed: bool
    detail: str


def accepted_edits(node: NodeView) -> int | None:
    """The accepted edits node holds (its version - 1), None when it did not answer."""
    return None if node.version is None else node.version - 1


def consistency(nodes: list[NodeView], analytics_edits: int) -> list[Check]:
    """The checks, in the order the report lists them."""
    up = [node for node in nodes if node.reachable]
    down = [node for node in nodes if not node.reachable]
    checks = [
        Check(
            "Все узлы отвечают",
            not down,
            "; ".join(f"узел {node.name} не отвечает: {node.error}" for node in down)
            or f"отвечают {wording.joined(node.name for node in up)}",
        )
    ]
    hashes = {node.sha256 for node in up}
    checks.append(
        Check(
            "Тексты совпадают побайтно (sha256)",
            not down and len(hashes) == 1,
            _per_node(up, lambda node: node.sha256[:16] + "…") + _missing(down),
        )
    )
    heads = {(node.document_id, node.version, node.version_key) for node in up}
    checks.append(
        Check(
            "Версии совпадают (документ, версия, version_key)",
            not down and len(heads) == 1,
            _per_node(up, lambda node: f"версия {node.version}") + _missing(down),
        )
    )
    counts = {accepted_edits(node) for node in up}
    checks.append(
        Check(
            "Принятые правки на узлах = события edit_applied в аналитике",
            not down and counts == {analytics_edits},
            _per_node(up, lambda node: wording.number(accepted_edits(node) or 0))
            + f"; в аналитике {wording.number(analytics_edits)}"
            + _missing(down),
        )
    )
    depth = sum(node.outbox or 0 for node in up)
    checks.append(
        Check(
            "Очереди исходящих (outbox) пусты",
            not down and depth == 0,
            _per_node(up, lambda node: wording.number(node.outbox or 0)) + _missing(down),
        )
    )
    return checks


def verdict(checks: list[Check], nodes: list[NodeView]) -> str:
    """One sentence: in sync, or not and why (which node is missing first)."""
    if all(check.passed for check in checks):
        return "Кластер синхронизирован: все проверки пройдены."
    down = [node.name for node in nodes if not node.reachable]
    failed = [check.title for check in checks if not check.passed]
    if down:
        names = wording.joined(down)
        missing = f"узел {names} не отвечает" if len(down) == 1 else f"узлы {names} не отвечают"
        return f"Кластер НЕ синхронизирован: {missing}."
    return f"Кластер НЕ синхронизирован: не пройдено — {'; '.join(failed)}."


def _per_node(nodes: list[NodeView], figure: Callable[[NodeView], str]) -> str:
    return ", ".join(f"{node.name}: {figure(node)}" for node in nodes)


def _missing(down: list[NodeView]) -> str:
    return "".join(f"; {node.name}: не отвечает" for node in down)
