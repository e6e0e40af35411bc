"""Аналитика: the figures of `GET /api/analytics/metrics`, four charts and the budget gauge."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QComboBox,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QVBoxLayout,
    QWidget,
)

from ..net import ApiCall, ChorusApi
from ..net.payloads import Metrics
from .analytics_charts import BucketBarChart, TimeLineChart
from .polling_tab import PollingTab

PERIODS = (("1h", "последний час"), ("24h", "последние сутки"), ("7d", "последняя неделя"))
AXIS_FORMATS = {"1h": ("HH:mm", "%H:%M"), "24h": ("HH:mm", "%H:%M"), "7d": ("dd.MM", "%d.%m")}
GAUGE_STEPS = 1000


def _grouped(value: float) -> str:
    return f"{value:,.0f}".replace(",", " ")


class AnalyticsTab(PollingTab):
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
                ("latency", "Средняя задержка"),
                ("rate", "Правок в минуту"),
                ("lag", "Лаг репликации p95"),
                ("conflicts", "Конфликтов"),
            )
        ):
            label = QLabel("—")
            label.setStyleSheet("font-size: 18px; font-weight: bold;")
            self.figures[key] = label
            cards.addWidget(QLabel(title), 0, i)
            cards.addWidget(label, 1, i)
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
        self.poller = self.poll(self._fetch, self.show_metrics)
        self.period.currentIndexChanged.connect(self.poller.refresh)

    def _fetch(self) -> ApiCall:
        return self._api.metrics(str(self.period.currentData()))

    def show_metrics(self, metrics: Metrics) -> None:
        self.metrics = metrics
        self.figures["edits"].setText(_grouped(metrics.total_edits))
        self.figures["tokens"].setText(_grouped(metrics.total_tokens))
        self.figures["agents"].setText(str(metrics.active_agents))
        self.figures["latency"].setText(f"{metrics.avg_latency_ms:.0f} мс")
        self.figures["rate"].setText(f"{metrics.edits_per_minute:.1f}")
        lag = metrics.replication_p95_ms
        self.figures["lag"].setText("—" if lag is None else f"{lag:.0f} мс")
        self.figures["conflicts"].setText(str(metrics.conflicts))
        axis_format, bar_format = AXIS_FORMATS.get(metrics.period, AXIS_FORMATS["1h"])
        self.tokens_chart.set_points(metrics.tokens, date_format=axis_format)
        self.edits_chart.set_points(metrics.edits, time_format=bar_format)
        self.agents_chart.set_points(metrics.agents, date_format=axis_format)
        self.latency_chart.set_points(metrics.latency, date_format=axis_format)
        self._show_budget(metrics)

    def _show_budget(self, metrics: Metrics) -> None:
        budget = metrics.budget
        fraction = budget.fraction
        if fraction is None:
            self.gauge.setValue(0)
            self.gauge.setFormat("нет данных")
        else:
            self.gauge.setValue(round(fraction * GAUGE_STEPS))
            self.gauge.setFormat(
                f"{_grouped(budget.used or 0)} из {_grouped(budget.limit or 0)} "
                f"({fraction * 100:.1f} %)"
            )
        self.exhausted.setVisible(budget.exceeded)
