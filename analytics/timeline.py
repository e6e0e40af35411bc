"""The cluster timeline behind `GET /api/analytics/timeline`: a pure fold over stored events.

`derive()` reads the period's events oldest first and keeps a little state (failing links,
nodes down, the budget, open groups); it does no I/O, so every rule is tested with plain lists.

Rules (a link is `source → target`; `replication_failed` is sent once per outage of a link,
`replication_recovered` once when it works again):

- `link_failing` (warning): a `replication_failed` for a link not already failing.
- `node_down` (error): node X is down once every other known node that is not down itself has
  a failing link to X. Known nodes: those named by any event of the period's last hour (edits
  and deliveries included), by a timeline event of the period, or by the link history before
  it. Two nodes down at once in a cluster of three are therefore shown as
  failing links only: from c alone one cannot tell a dead node from a cut link.
- `node_back` (ok): a down node gets a `replication_recovered` from a peer (it answers again:
  a frozen process thawed, a partition healed), or it sent `node_recovered` with nothing to
  catch up (then «запущен», or «снова в строю» when it was down). Nodes started within 10 s of
  each other with nothing to catch up are one entry.
- `node_caught_up` (ok): a `node_recovered` with `caught_up_ops` > 0. A restarted node forgets
  its own failing links, so `node_recovered` clears the links from it (no entry).
- `link_recovered` (ok): a `replication_recovered`, unless it is worded as `node_back` or
  `partition_healed` instead.
- `partition_healed` (ok): a `replication_recovered` after which no link is failing ends the
  outage that began with the first failing link; it replaces that `link_recovered`.
- `budget_exhausted` (error): the first `budget_exceeded`, or `budget_changed` saying
  `exceeded`, while the budget was not exhausted. Later refusals (a node sends one per refused
  edit) and the other nodes' `budget_changed` join the same episode: its detail counts them.
- `budget_restored` (ok): a `budget_changed` not `exceeded` ends the episode. Outside an
  episode a `budget_changed` with a new limit is `budget_changed` (info); the same limit
  repeated by the other nodes is no entry.
- `document_initialised` (info): one per `document_id`, whichever nodes report it.
- `agents_started` / `agents_stopped` (info; a stop for the budget is a warning, a crash an
  error): the supervisor's `agent_started` / `agent_stopped`, one entry per run of events of
  the same kind (and stop reason) no more than 10 s apart: «Запущено 10 агентов».

The budget's state at the start of the period comes from the newest budget-bearing event before
it, and each link's from its newest `replication_failed`/`replication_recovered` (and its
sender's newest `node_recovered`) before it, so an outage that began earlier is still seen to
end. Entries are returned newest first, timestamped by the event that opened them.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from wording import count, duration, joined, number, plural

from .schemas import Severity, TimelineEvent, TimelineKind

GROUP_GAP = timedelta(seconds=10)
"""Agent starts/stops (and node starts) closer than this to the previous one share an entry."""

OPERATOR = "operator"
STOP_REASONS: dict[str, tuple[str, Severity]] = {
    "stopped": ("по команде оператора", Severity.INFO),
    "budget_exhausted": ("бюджет токенов исчерпан, узлы отказывают в правках", Severity.WARNING),
    "failed": ("агенты завершились с ошибкой", Severity.ERROR),
}


@dataclass(frozen=True)
class StoredEvent:
    """One stored analytics event, as the timeline reads it."""

    event_type: str
    timestamp: datetime
    agent_id: str | None = None
    metadata: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class BudgetState:
    """The budget before the period: exhausted or not, and its limit."""

    exhausted: bool = False
    limit: int | None = None


@dataclass
class _Entry:
    """A timeline entry being built (groups and episodes change their detail later)."""

    timestamp: datetime
    kind: TimelineKind
    severity: Severity
    title: str
    detail: str | None = None
    node: str | None = None
    peer: str | None = None
    seq: int = 0

    def public(self) -> TimelineEvent:
        return TimelineEvent(
            timestamp=self.timestamp,
            kind=self.kind,
            node=self.node,
            peer=self.peer,
            title=self.title,
            detail=self.detail,
            severity=self.severity,
        )


@dataclass
class _Group:
    """Agent (or node) events folded into one entry."""

    entry: _Entry
    last: datetime
    members: list[str]


@dataclass
class _Episode:
    """An exhausted budget: from the first refusal to the restore."""

    since: datetime | None
    entry: _Entry | None
    used: int | None
    limit: int | None
    refused: int = 0
    lowered: bool = False


def _text(metadata: dict[str, Any], key: str) -> str | None:
    value = metadata.get(key)
    return value if isinstance(value, str) and value else None


def _int(metadata: dict[str, Any], key: str) -> int | None:
    value = metadata.get(key)
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return round(value)


def _ms(delta: timedelta) -> float:
    return max(delta.total_seconds() * 1000, 0.0)


def _span(ids: Sequence[str]) -> str:
    """Agent ids for a detail: all of them up to four, else the first two and the last."""
    if len(ids) <= 4:
        return ", ".join(ids)
    return f"{ids[0]}, {ids[1]} … {ids[-1]}"


def _tokens(n: int) -> str:
    return count(n, "токен", "токена", "токенов")


class _Deriver:
    def __init__(self, nodes: Iterable[str], budget: BudgetState) -> None:
        self.nodes: set[str] = set(nodes)
        self.failing: dict[tuple[str, str], datetime] = {}
        self.down: dict[str, datetime] = {}
        self.outage_since: datetime | None = None
        self.episode = (
            _Episode(since=None, entry=None, used=None, limit=budget.limit)
            if budget.exhausted
            else None
        )
        self.limit = budget.limit
        self.documents: set[str] = set()
        self.groups: dict[tuple[str, str], _Group] = {}
        self.entries: list[_Entry] = []
        self.silent = False

    # -- output ------------------------------------------------------------------------
    def emit(self, entry: _Entry) -> _Entry | None:
        if self.silent:
            return None
        entry.seq = len(self.entries)
        self.entries.append(entry)
        return entry

    def result(self, limit: int) -> list[TimelineEvent]:
        newest = sorted(self.entries, key=lambda e: (e.timestamp, e.seq), reverse=True)
        return [entry.public() for entry in newest[:limit]]

    # -- dispatch ----------------------------------------------------------------------
    def feed(self, event: StoredEvent) -> None:
        handler = getattr(self, f"_on_{event.event_type}", None)
        if handler is not None:
            handler(event)

    # -- links and nodes ---------------------------------------------------------------
    def _link(self, event: StoredEvent) -> tuple[str, str] | None:
        source = _text(event.metadata, "source_node")
        target = _text(event.metadata, "target_node")
        if source is None or target is None:
            return None
        self.nodes.update((source, target))
        return source, target

    def _on_replication_failed(self, event: StoredEvent) -> None:
        link = self._link(event)
        if link is None or link in self.failing:
            return
        source, target = link
        if not self.failing:
            self.outage_since = event.timestamp
        self.failing[link] = event.timestamp
        self.emit(
            _Entry(
                event.timestamp,
                TimelineKind.LINK_FAILING,
                Severity.WARNING,
                f"Связь {source} → {target} нарушена",
                _text(event.metadata, "error_message"),
                node=source,
                peer=target,
            )
        )
        self._check_down(target, event.timestamp)

    def _check_down(self, node: str, at: datetime) -> None:
        if node in self.down:
            return
        peers = sorted(peer for peer in self.nodes if peer != node and peer not in self.down)
        if not peers or any((peer, node) not in self.failing for peer in peers):
            return
        self.down[node] = at
        many = len(peers)
        self.emit(
            _Entry(
                at,
                TimelineKind.NODE_DOWN,
                Severity.ERROR,
                f"Узел {node} недоступен",
                f"{plural(many, 'узел', 'узлы', 'узлы')} {joined(peers)} "
                f"не {plural(many, 'может', 'могут', 'могут')} передать ему правки",
                node=node,
            )
        )

    def _on_replication_recovered(self, event: StoredEvent) -> None:
        link = self._link(event)
        if link is None:
            return
        source, target = link
        since = self.failing.pop(link, None)
        down_ms = _int(event.metadata, "down_ms")
        if down_ms is None and since is not None:
            down_ms = round(_ms(event.timestamp - since))
        back = False
        if target in self.down:
            was_down = self.down.pop(target)
            back = True
            self.emit(
                _Entry(
                    event.timestamp,
                    TimelineKind.NODE_BACK,
                    Severity.OK,
                    f"Узел {target} снова доступен",
                    f"узел {source} снова передаёт ему правки; "
                    f"был недоступен {duration(_ms(event.timestamp - was_down))}",
                    node=target,
                )
            )
        if not self.failing and self.outage_since is not None:
            outage = _ms(event.timestamp - self.outage_since)
            self.outage_since = None
            self.emit(
                _Entry(
                    event.timestamp,
                    TimelineKind.PARTITION_HEALED,
                    Severity.OK,
                    "Сеть восстановлена: все связи работают",
                    f"последней восстановилась связь {source} → {target}; "
                    f"сбой длился {duration(outage)}",
                    node=source,
                    peer=target,
                )
            )
        elif not back:
            self.emit(
                _Entry(
                    event.timestamp,
                    TimelineKind.LINK_RECOVERED,
                    Severity.OK,
                    f"Связь {source} → {target} восстановлена",
                    None if down_ms is None else f"не работала {duration(down_ms)}",
                    node=source,
                    peer=target,
                )
            )

    def _on_node_recovered(self, event: StoredEvent) -> None:
        node = _text(event.metadata, "node")
        if node is None:
            return
        self.nodes.add(node)
        for link in [link for link in self.failing if link[0] == node]:
            del self.failing[link]  # its process restarted: it no longer knows of that outage
        if not self.failing:
            self.outage_since = None
        was_down = self.down.pop(node, None)
        ops = _int(event.metadata, "caught_up_ops") or 0
        details = []
        if was_down is not None:
            details.append(f"был недоступен {duration(_ms(event.timestamp - was_down))}")
        unreachable = event.metadata.get("unreachable_peers")
        if isinstance(unreachable, list) and unreachable:
            details.append(f"не ответили: {joined([str(peer) for peer in unreachable])}")
        if ops > 0:
            title = f"Узел {node} догнал {count(ops, 'версию', 'версии', 'версий')}"
            took = _int(event.metadata, "duration_ms")
            if took is not None:
                title += f" за {duration(took)}"
            sources = event.metadata.get("from_peers")
            if isinstance(sources, dict) and sources:
                parts = [f"от {peer}: {number(n)}" for peer, n in sorted(sources.items())]
                title += f" ({', '.join(parts)})"
            self.emit(
                _Entry(
                    event.timestamp,
                    TimelineKind.NODE_CAUGHT_UP,
                    Severity.OK,
                    title,
                    "; ".join(details) or None,
                    node=node,
                )
            )
            return
        if was_down is not None or details:
            title = f"Узел {node} снова в строю" if was_down is not None else f"Узел {node} запущен"
            details.append("пропущенных версий нет")
            self.emit(
                _Entry(
                    event.timestamp,
                    TimelineKind.NODE_BACK,
                    Severity.OK,
                    title,
                    "; ".join(details),
                    node=node,
                )
            )
            return
        group = self._group(("node_started", ""), node, event.timestamp)
        if group is not None:
            nodes = sorted(group.members)
            if len(nodes) == 1:
                group.entry.title = f"Узел {nodes[0]} запущен"
                group.entry.node = nodes[0]
            else:
                group.entry.title = f"Запущены узлы {joined(nodes)}"
                group.entry.node = None

    def _group(self, key: tuple[str, str], member: str, at: datetime) -> _Group | None:
        """The open group for `key` with `member` added, or a new one (None when silent)."""
        group = self.groups.get(key)
        if group is not None and at - group.last <= GROUP_GAP:
            group.members.append(member)
            group.last = at
            return group
        kind, reason = key
        if kind == "node_started":
            entry = _Entry(at, TimelineKind.NODE_BACK, Severity.OK, "", "пропущенных версий нет")
        elif kind == "agent_started":
            entry = _Entry(at, TimelineKind.AGENTS_STARTED, Severity.INFO, "")
        else:
            words, severity = STOP_REASONS.get(reason, STOP_REASONS["stopped"])
            entry = _Entry(at, TimelineKind.AGENTS_STOPPED, severity, "", words)
        if self.emit(entry) is None:
            return None
        group = _Group(entry, at, [member])
        self.groups[key] = group
        return group

    # -- budget ------------------------------------------------------------------------
    def _on_budget_exceeded(self, event: StoredEvent) -> None:
        self._exhausted(event, lowered=False)
        if self.episode is not None:
            self.episode.refused += 1
            self._word_episode()

    def _on_budget_changed(self, event: StoredEvent) -> None:
        used = _int(event.metadata, "budget_used")
        limit = _int(event.metadata, "budget_limit")
        flag = event.metadata.get("exceeded")
        if isinstance(flag, bool):
            exceeded = flag
        else:
            exceeded = used is not None and limit is not None and used >= limit
        if exceeded:
            self._exhausted(event, lowered=True)
            return
        if self.episode is not None:
            episode = self.episode
            self.episode = None
            self.limit = limit if limit is not None else self.limit
            parts = []
            if limit is not None:
                parts.append(f"лимит: {_tokens(limit)}")
            if used is not None:
                parts.append(f"израсходовано: {_tokens(used)}")
            if episode.since is not None:
                parts.append(
                    f"бюджет был исчерпан {duration(_ms(event.timestamp - episode.since))}"
                )
            self.emit(
                _Entry(
                    event.timestamp,
                    TimelineKind.BUDGET_RESTORED,
                    Severity.OK,
                    "Бюджет токенов восстановлен: агенты могут продолжать",
                    "; ".join(parts) or None,
                )
            )
            return
        if limit is None or limit == self.limit:
            return  # the other nodes repeating a change already shown
        self.limit = limit
        detail = f"новый лимит: {_tokens(limit)}"
        if used is not None:
            detail += f"; израсходовано: {_tokens(used)}"
        self.emit(
            _Entry(
                event.timestamp,
                TimelineKind.BUDGET_CHANGED,
                Severity.INFO,
                "Лимит бюджета токенов изменён",
                detail,
            )
        )

    def _exhausted(self, event: StoredEvent, *, lowered: bool) -> None:
        used = _int(event.metadata, "budget_used")
        limit = _int(event.metadata, "budget_limit")
        if limit is not None:
            self.limit = limit
        if self.episode is not None:
            self.episode.used = used if used is not None else self.episode.used
            self.episode.limit = limit if limit is not None else self.episode.limit
            return
        entry = self.emit(
            _Entry(
                event.timestamp,
                TimelineKind.BUDGET_EXHAUSTED,
                Severity.ERROR,
                "Бюджет токенов исчерпан",
            )
        )
        self.episode = _Episode(event.timestamp, entry, used, limit, lowered=lowered)
        self._word_episode()

    def _word_episode(self) -> None:
        episode = self.episode
        if episode is None or episode.entry is None:
            return
        parts = []
        if episode.lowered:
            parts.append("лимит снижен")
        if episode.used is not None:
            spent = f"израсходовано: {_tokens(episode.used)}"
            if episode.limit is not None:
                spent += f" (лимит {number(episode.limit)})"
            parts.append(spent)
        if episode.refused:
            parts.append(f"узлы отклонили {count(episode.refused, 'правку', 'правки', 'правок')}")
        episode.entry.detail = "; ".join(parts) or None

    # -- document and agents -----------------------------------------------------------
    def _on_document_initialised(self, event: StoredEvent) -> None:
        document = _text(event.metadata, "document_id") or ""
        if document in self.documents:
            return
        self.documents.add(document)
        topic = _text(event.metadata, "topic")
        node = _text(event.metadata, "node")
        who = event.agent_id or OPERATOR
        by = "оператор" if who == OPERATOR else who
        detail = f"создал {by}" + (f" на узле {node}" if node else "")
        self.emit(
            _Entry(
                event.timestamp,
                TimelineKind.DOCUMENT_INITIALISED,
                Severity.INFO,
                f"Новый документ: «{topic}»" if topic else "Новый документ",
                detail,
                node=node,
            )
        )

    def _on_agent_started(self, event: StoredEvent) -> None:
        group = self._group(("agent_started", ""), event.agent_id or "?", event.timestamp)
        if group is not None:
            n = len(group.members)
            group.entry.title = (
                f"{plural(n, 'Запущен', 'Запущено', 'Запущено')} "
                f"{count(n, 'агент', 'агента', 'агентов')}"
            )
            group.entry.detail = _span(group.members)

    def _on_agent_stopped(self, event: StoredEvent) -> None:
        reason = _text(event.metadata, "reason") or "stopped"
        reason = reason if reason in STOP_REASONS else "stopped"
        group = self._group(("agent_stopped", reason), event.agent_id or "?", event.timestamp)
        if group is not None:
            n = len(group.members)
            group.entry.title = (
                f"{plural(n, 'Остановлен', 'Остановлено', 'Остановлено')} "
                f"{count(n, 'агент', 'агента', 'агентов')}"
            )
            group.entry.detail = f"{_span(group.members)}: {STOP_REASONS[reason][0]}"


def derive(
    events: Iterable[StoredEvent],
    *,
    history: Iterable[StoredEvent] = (),
    nodes: Iterable[str] = (),
    budget: BudgetState = BudgetState(),
    limit: int = 200,
) -> list[TimelineEvent]:
    """The timeline of `events` (oldest first), newest entry first, at most `limit` entries.

    `history` (oldest first) sets the link and node state before the period without entries;
    `nodes` are the known node names; `budget` the budget's state before the period.
    """
    deriver = _Deriver(nodes, budget)
    deriver.silent = True
    for event in history:
        deriver.feed(event)
    deriver.silent = False
    for event in events:
        deriver.feed(event)
    return deriver.result(limit)
