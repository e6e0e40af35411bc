"""The Cluster tab's tables: nodes a, b, c and the six replication links between them.

A node that stops answering keeps its last report: its last known version is what tells how
far behind it will be when it comes back. Next to each node's watermark (its version vector)
stands this client's session: whether the node holds everything the client has seen, and so
answers it at once (issue 19).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace

from PySide6.QtCore import QObject
from PySide6.QtGui import QBrush, QColor

from crdt_core import SessionToken
from wording import plural

from ..labels import PROCESS_STATE, VERSIONS, ago, clock_time, counted, duration, word
from ..net.chorus_api import NODE_LOCATIONS, NODE_NAMES
from ..net.failures import in_russian
from ..net.payloads import NodeProcess, NodeState, PeerLink
from .record_table import ALERT_BACKGROUND, Column, RecordTableModel

CATCHING_UP_BACKGROUND = QColor("#fff3c4")
"""A node that answers but is still catching up, a link whose state is unknown."""


@dataclass(frozen=True)
class NodeRow:
    """What the client knows of one node: its last report, and whether it answers now."""

    name: str
    location: str
    state: NodeState | None = None
    """The last answer of `/nodes/{name}/api/node` (kept while the node is down)."""
    answering: bool = False
    problem: str = "нет данных"
    """Why the node is not healthy ("" when it is)."""
    process: NodeProcess | None = None
    """The launcher's view of the process (local mode only)."""

    @property
    def healthy(self) -> bool:
        return self.answering and self.state is not None and not self.problem

    @property
    def catching_up(self) -> bool:
        state = self.state
        if not self.answering or state is None:
            return False
        return not state.ready or (state.catch_up is not None and state.catch_up.state != "done")


def _health(row: NodeRow) -> str:
    if row.healthy:
        return "работает"
    if row.catching_up:
        return "догоняет остальных"
    return f"недоступен ({row.problem})"


def _lag(row: NodeRow) -> str:
    if not row.answering or row.state is None or row.state.lag_p95_ms is None:
        return "—"
    return duration(row.state.lag_p95_ms)


def catch_up_text(state: NodeState | None) -> str:
    """«догоняет: принял 5 версий», «догнал 17 версий за 85 мс (от a: 12, от c: 5)»."""
    if state is None or state.catch_up is None:
        return "—"
    catch_up = state.catch_up
    if catch_up.state != "done":
        return f"догоняет: принял {counted(catch_up.ops, VERSIONS)}"
    if catch_up.ops == 0:
        return "не отставал"
    took = f" за {duration(catch_up.duration_ms)}" if catch_up.duration_ms is not None else ""
    sources = ", ".join(f"от {peer}: {count}" for peer, count in sorted(catch_up.sources.items()))
    return f"догнал {counted(catch_up.ops, VERSIONS)}{took}" + (f" ({sources})" if sources else "")


def vector_text(vector: Mapping[int, int]) -> str:
    """«a 17 · b 9 · c 12»: a version vector with the nodes' names (zero where nothing)."""
    origins = sorted({*range(len(NODE_NAMES)), *vector})
    names = [NODE_NAMES[o] if o < len(NODE_NAMES) else str(o) for o in origins]
    return " · ".join(f"{name} {vector.get(o, 0)}" for name, o in zip(names, origins, strict=True))


def session_text(session: SessionToken | None) -> str:
    """«ваш сеанс видел: a 17 · b 9 · c 12», or that it has read nothing yet."""
    if session is None:
        return "Ваш сеанс ещё ничего не читал: откройте вкладку «Документ»."
    return f"Ваш сеанс видел: {vector_text(session.vector)}"


def coverage_text(session: SessionToken | None, watermark: Mapping[int, int]) -> str:
    """Whether a node with `watermark` holds everything the session has seen, in words."""
    if not watermark:
        return "—"
    if session is None:
        return "сеанс пуст"
    if session.covered_by(watermark):
        return "покрывает ваш сеанс"
    missing = ", ".join(
        f"от {NODE_NAMES[o] if o < len(NODE_NAMES) else o} — {seq - watermark.get(o, 0)}"
        for o, seq in sorted(session.vector.items())
        if seq > watermark.get(o, 0)
    )
    return f"не хватает операций сеанса: {missing}"


def _working(up: int, total: int) -> str:
    """«Работает 1 из 3 узлов», «Работают 2 из 3 узлов», «Не работает ни один узел»."""
    if up == 0:
        return "Не работает ни один узел."
    verb = plural(up, "Работает", "Работают", "Работают")
    return f"{verb} {up} из {total} узлов."


class ClusterTableModel(RecordTableModel[NodeRow]):
    """Always three rows, a b c; `clock()` is seconds since the epoch (a seam for tests)."""

    def __init__(
        self, parent: QObject | None = None, clock: Callable[[], float] = time.time
    ) -> None:
        super().__init__(parent)
        self._clock = clock
        self.session: SessionToken | None = None
        """This client's session token (see `ApiClient.session`)."""
        self.columns = (
            Column("Узел", lambda r: r.name),
            Column("Расположение", lambda r: r.location),
            Column("Состояние", _health),
            Column("Процесс", lambda r: word(PROCESS_STATE, r.process.state) if r.process else "—"),
            Column("Версия", self._version, numeric=True),
            Column("Отставание", self._behind_text),
            Column("Догон после запуска", lambda r: catch_up_text(r.state)),
            Column("Лаг p95", _lag, numeric=True),
            Column("Репликация", self._last_replication),
            Column("Очередь", lambda r: str(r.state.outbox) if r.answering and r.state else "—"),
            Column("Узел видел", self._watermark),
            Column("Ваш сеанс", self._coverage),
        )
        self.set_rows([NodeRow(name, NODE_LOCATIONS[name]) for name in NODE_NAMES])

    def head(self) -> int | None:
        """The newest version among the nodes that answer (None: none answers)."""
        versions = [r.state.version for r in self._rows if r.answering and r.state is not None]
        return max(versions) if versions else None

    def behind(self, row: NodeRow) -> int | None:
        """How many versions `row` lacks against the newest answering node, same document."""
        if row.state is None:
            return None
        peers = [
            r.state.version
            for r in self._rows
            if r.answering and r.state is not None and r.state.document_id == row.state.document_id
        ]
        return max(0, max(peers) - row.state.version) if peers else None

    def _version(self, row: NodeRow) -> str:
        if row.state is None:
            return "—"
        if row.answering:
            return str(row.state.version)
        return f"{row.state.version} (последняя известная)"

    def _behind_text(self, row: NodeRow) -> str:
        behind = self.behind(row)
        if behind is None:
            return "—"
        return f"отстаёт на {counted(behind, VERSIONS)}" if behind else "нет"

    def _last_replication(self, row: NodeRow) -> str:
        if row.state is None or row.state.last_ack_ms is None:
            return "—"
        return ago(self._clock() - row.state.last_ack_ms / 1000)

    @staticmethod
    def _watermark(row: NodeRow) -> str:
        if row.state is None or not row.state.watermark:
            return "—"
        return vector_text(row.state.watermark)

    def _coverage(self, row: NodeRow) -> str:
        if row.state is None:
            return "—"
        text = coverage_text(self.session, row.state.watermark)
        return text if row.answering or text == "—" else f"{text} (последнее известное)"

    def set_session(self, session: SessionToken | None) -> None:
        """The client's session changed: every row's coverage may have."""
        self.session = session
        if self._rows:
            last = self.index(len(self._rows) - 1, len(self.columns) - 1)
            self.dataChanged.emit(self.index(0, 0), last)

    def node(self, name: str) -> NodeRow:
        return self._rows[NODE_NAMES.index(name)]

    def set_state(self, state: NodeState) -> None:
        """A node answered: healthy unless it is still catching up or lost its database."""
        problem = ""
        if state.database != "ok":
            problem = "нет базы данных"
        elif not state.ready or (state.catch_up is not None and state.catch_up.state != "done"):
            problem = "догоняет остальных"
        row = self.node(state.name)
        location = state.location or row.location
        self._put(replace(row, state=state, answering=True, problem=problem, location=location))

    def set_down(self, name: str, problem: str) -> None:
        """A node did not answer; its last report stays as its last known figures."""
        self._put(replace(self.node(name), answering=False, problem=problem))

    def set_process(self, process: NodeProcess) -> None:
        if process.name in NODE_NAMES:
            self._put(replace(self.node(process.name), process=process))

    def _put(self, row: NodeRow) -> None:
        self.replace_row(NODE_NAMES.index(row.name), row)
        # Every row's lag behind the newest node may have changed.
        last = self.index(len(self._rows) - 1, len(self.columns) - 1)
        self.dataChanged.emit(self.index(0, 0), last)

    def row_brush(self, row: NodeRow) -> QBrush | None:
        if row.healthy:
            return None
        return QBrush(CATCHING_UP_BACKGROUND if row.catching_up else ALERT_BACKGROUND)

    def summary(self) -> tuple[str, str]:
        """(severity ok | warning | error, one Russian line saying what is wrong, if anything)."""
        rows = self._rows
        down = [r for r in rows if not r.answering]
        catching = [r for r in rows if r.catching_up]
        problems: list[str] = []
        for row in down:
            behind = self.behind(row)
            lag = f", отстаёт на {counted(behind, VERSIONS)}" if behind else ""
            known = f", последняя версия {row.state.version}" if row.state else ""
            problems.append(f"узел {row.name} недоступен ({row.problem}){known}{lag}")
        for row in catching:
            problems.append(f"узел {row.name} догоняет остальных")
        for row in rows:
            if row.answering and row.state is not None and row.state.database != "ok":
                problems.append(f"у узла {row.name} нет базы данных")
        failing = sorted(
            f"{r.name} → {link.peer}"
            for r in rows
            if r.answering and r.state is not None
            for link in r.state.peers
            if link.state == "failing"
        )
        if failing:
            problems.append("не работает связь " + ", ".join(failing))
        up = len(rows) - len(down)
        if problems:
            severity = "error" if down or failing else "warning"
            text = "; ".join(problems)
            return severity, f"{text[0].upper()}{text[1:]}. {_working(up, len(rows))}"
        versions = {r.state.version for r in rows if r.state is not None}
        if len(versions) > 1:
            lagging = [r for r in rows if self.behind(r)]
            detail = ", ".join(
                f"{r.name} отстаёт на {counted(self.behind(r) or 0, VERSIONS)}" for r in lagging
            )
            return "warning", f"Все узлы работают; репликация в пути: {detail}."
        version = next(iter(versions)) if versions else 0
        return "ok", f"Все узлы работают, версии совпадают ({version})."


@dataclass(frozen=True)
class LinkRow:
    """The link from `source` to `target` as `source` reports it (None: it has not)."""

    source: str
    target: str
    link: PeerLink | None
    source_answering: bool


_LINK_STATE = {"ok": "работает", "failing": "сбой", "unknown": "нет данных"}


def _link_state(row: LinkRow) -> str:
    if row.link is None:
        return "нет данных"
    state = word(_LINK_STATE, row.link.state)
    return state if row.source_answering else f"{state} (узел {row.source} не отвечает)"


def _ms(value: float | None) -> str:
    return "—" if value is None else duration(value)


class LinksTableModel(RecordTableModel[LinkRow]):
    """a→b, a→c, b→a, b→c, c→a, c→b: state, lag, since when, why it fails."""

    def __init__(
        self, parent: QObject | None = None, clock: Callable[[], float] = time.time
    ) -> None:
        super().__init__(parent)
        self._clock = clock
        self.columns = (
            Column("Связь", lambda r: f"{r.source} → {r.target}"),
            Column("Состояние", _link_state),
            Column("Лаг p50", lambda r: _ms(r.link.lag_p50_ms) if r.link else "—", numeric=True),
            Column("Лаг p95", lambda r: _ms(r.link.lag_p95_ms) if r.link else "—", numeric=True),
            Column(
                "Сбой с", lambda r: clock_time(r.link.since) if r.link and r.link.since else "—"
            ),
            Column("Последнее подтверждение", self._acked),
            Column("Ошибка", lambda r: in_russian(r.link.failing or "") if r.link else ""),
        )
        self.set_rows(
            [LinkRow(s, t, None, False) for s in NODE_NAMES for t in NODE_NAMES if s != t]
        )

    def _acked(self, row: LinkRow) -> str:
        if row.link is None or row.link.last_ack_ms is None:
            return "—"
        return ago(self._clock() - row.link.last_ack_ms / 1000)

    def link(self, source: str, target: str) -> LinkRow:
        return next(r for r in self._rows if (r.source, r.target) == (source, target))

    def set_nodes(self, rows: Sequence[NodeRow]) -> None:
        """Every link from what each node last said of its peers."""
        fresh = []
        for row in self._rows:
            node = next((n for n in rows if n.name == row.source), None)
            links = {link.peer: link for link in node.state.peers} if node and node.state else {}
            answering = bool(node and node.answering)
            fresh.append(replace(row, link=links.get(row.target), source_answering=answering))
        for number, row in enumerate(fresh):
            if row != self._rows[number]:
                self.replace_row(number, row)

    def row_brush(self, row: LinkRow) -> QBrush | None:
        if row.link is None or not row.source_answering or row.link.state == "unknown":
            return QBrush(CATCHING_UP_BACKGROUND)
        return QBrush(ALERT_BACKGROUND) if row.link.state == "failing" else None
