"""Аналитика: the figures of `GET /api/analytics/metrics`, four charts and the budget gauge.

The budget state is the current one (`budget.exceeded` as the service computes it now, from
the newest budget-bearing event), so a restored limit clears «исчерпан» at the next poll. The
charts mark the cluster's timeline events of the same period.
"""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QComboBox,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QVBoxLayout,
    QWidget,
)

from ..labels import duration
from ..net import ApiCall, ChorusApi
from ..net.payloads import Metrics, TimelineEvent
from .analytics_charts import BucketBarChart, TimeLineChart
from .polling_tab import PollingTab

PERIODS = (("1h", "последний час"), ("24h", "последние сутки"), ("7d", "последняя неделя"))
GAUGE_STEPS = 1000
CARDS_PER_ROW = 4


def _grouped(value: float) -> str:
    return f"{value:,.0f}".replace(",", " ")


def _percentiles(p50: float | None, p95: float | None) -> str:
    """`p50 17 мс · p95 2,2 с`, or "—" while there is nothing measured."""
    parts = [
        f"{name} {duration(value)}"
        for name, value in (("p50", p50), ("p95", p95))
        if value is not None
    ]
    return " · ".join(parts) or "—"


class AnalyticsTab(PollingTab):
    budget_state = Signal(bool)
    """Whether the token budget is exhausted now (after every metrics answer)."""

    def __init__(self, api: ChorusApi, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._api = api
        self.metrics: Metrics | None = None
        self.period = QComboBox()
        for value, title in PERIODS:
            self.period.addItem(title, value)
        self.exhausted = QLabel(
            "Бюджет токенов исчерпан: узлы отклоняют новые правки (429), агенты остановлены."
        )
        self.exhausted.setStyleSheet(
            "background: #fde2e1; border: 1px solid #e0a3a0; padding: 6px; font-weight: bold;"
        )
        self.exhausted.hide()
        self.gauge = QProgressBar()
        self.gauge.setRange(0, GAUGE_STEPS)
        self.figures: dict[str, QLabel] = {}
        cards = QGridLayout()
        for i, (key, title) in enumerate(
            (
                ("edits", "Всего правок"),
                ("tokens", "Потрачено токенов"),
                ("agents", "Активных агентов"),
                ("latency", "Задержка правки"),
                ("rate", "Правок в минуту"),
                ("lag", "Лаг репликации"),
                ("conflicts", "Конфликтов"),
            )
        ):
            label = QLabel("—")
            label.setStyleSheet("font-size: 18px; font-weight: bold;")
            self.figures[key] = label
            row, column = divmod(i, CARDS_PER_ROW)
            cards.addWidget(QLabel(title), 2 * row, column)
            cards.addWidget(label, 2 * row + 1, column)
        self.tokens_chart = TimeLineChart("Расход токенов во времени", "токены")
        self.edits_chart = BucketBarChart("Правки в минуту", "правки")
        self.agents_chart = TimeLineChart("Активные агенты", "агенты")
        self.latency_chart = TimeLineChart("Средняя задержка правки", "мс")
        charts = QGridLayout()
        charts.addWidget(self.tokens_chart.view, 0, 0)
        charts.addWidget(self.edits_chart.view, 0, 1)
        charts.addWidget(self.agents_chart.view, 1, 0)
        charts.addWidget(self.latency_chart.view, 1, 1)
        top = QHBoxLayout()
        top.addWidget(QLabel("Период:"))
        top.addWidget(self.period)
        top.addWidget(QLabel("Бюджет токенов:"))
        top.addWidget(self.gauge, 1)
        layout = QVBoxLayout(self)
        layout.addWidget(self.exhausted)
        layout.addLayout(top)
        layout.addLayout(cards)
        layout.addLayout(charts, 1)
        self.events: list[TimelineEvent] = []
        self.poller = self.poll(self._fetch, self.show_metrics)
        self.events_poller = self.poll(self._fetch_events, self.show_events)
        self.period.currentIndexChanged.connect(self.poller.refresh)
        self.period.currentIndexChanged.connect(self.events_poller.refresh)

    def _fetch(self) -> ApiCall:
        return self._api.metrics(str(self.period.currentData()))

    def _fetch_events(self) -> ApiCall:
        return self._api.timeline(str(self.period.currentData()))

    def charts(self) -> list[TimeLineChart | BucketBarChart]:
        return [self.tokens_chart, self.edits_chart, self.agents_chart, self.latency_chart]

    def show_events(self, events: list[TimelineEvent]) -> None:
        """Mark the timeline's events on every chart."""
        self.events = events
        for chart in self.charts():
            chart.set_events(events)

    def show_metrics(self, metrics: Metrics) -> None:
        self.metrics = metrics
        self.figures["edits"].setText(_grouped(metrics.total_edits))
        self.figures["tokens"].setText(_grouped(metrics.total_tokens))
        self.figures["agents"].setText(str(metrics.active_agents))
        if metrics.edit_latency_p50_ms is not None:
            self.figures["latency"].setText(
                _percentiles(metrics.edit_latency_p50_ms, metrics.edit_latency_p95_ms)
            )
        else:
            self.figures["latency"].setText(f"{metrics.avg_latency_ms:.0f} мс")
        self.figures["rate"].setText(f"{metrics.edits_per_minute:.1f}")
        self.figures["lag"].setText(
            _percentiles(metrics.replication_p50_ms, metrics.replication_p95_ms)
        )
        self.figures["lag"].setToolTip(
            f"Худшая связь: {metrics.worst_link}" if metrics.worst_link else ""
        )
        self.figures["conflicts"].setText(str(metrics.conflicts))
        self.tokens_chart.set_points(metrics.tokens)
        self.edits_chart.set_points(metrics.edits)
        self.agents_chart.set_points(metrics.agents)
        self.latency_chart.set_points(metrics.latency)
        self._show_budget(metrics)

    def _show_budget(self, metrics: Metrics) -> None:
        budget = metrics.budget
        fraction = budget.fraction
        if fraction is None:
            self.gauge.setValue(0)
            self.gauge.setFormat("нет данных")
        else:
            self.gauge.setValue(round(fraction * GAUGE_STEPS))
            state = " — исчерпан" if budget.exceeded else ""
            self.gauge.setFormat(
                f"{_grouped(budget.used or 0)} из {_grouped(budget.limit or 0)} "
                f"({fraction * 100:.1f} %){state}"
            )
        self.exhausted.setVisible(budget.exceeded)
        self.budget_state.emit(budget.exceeded)
