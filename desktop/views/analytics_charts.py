"""The Analytics tab's charts (Qt Charts): a time line and a bar chart of recent buckets."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCharts import (
    QAbstractAxis,
    QAbstractSeries,
    QBarCategoryAxis,
    QBarSeries,
    QBarSet,
    QChart,
    QChartView,
    QDateTimeAxis,
    QLineSeries,
    QValueAxis,
)
from PySide6.QtCore import QDateTime, QPointF, Qt
from PySide6.QtGui import QPainter

from ..net.payloads import TimePoint

BARS = 30
"""The bar chart shows the newest buckets only: 60 bars do not fit a tab."""


def _view(chart: QChart) -> QChartView:
    chart.legend().hide()
    chart.setMargins(chart.margins() * 0)
    view = QChartView(chart)
    view.setRenderHint(QPainter.RenderHint.Antialiasing)
    view.setMinimumHeight(200)
    return view


def _top(values: Sequence[float]) -> float:
    """A y-axis maximum with a little headroom (at least 1, so an empty chart has an axis)."""
    return max(1.0, max(values, default=0.0) * 1.15)


def _attach_axes(
    chart: QChart, series: QAbstractSeries, x_axis: QAbstractAxis, y_title: str
) -> QValueAxis:
    """Put `x_axis` at the bottom and a new whole-number value axis titled `y_title` on the
    left of `chart`, both attached to `series`; the value axis."""
    y_axis = QValueAxis()
    y_axis.setTitleText(y_title)
    y_axis.setLabelFormat("%.0f")
    chart.addAxis(x_axis, Qt.AlignmentFlag.AlignBottom)
    chart.addAxis(y_axis, Qt.AlignmentFlag.AlignLeft)
    series.attachAxis(x_axis)
    series.attachAxis(y_axis)
    return y_axis


class TimeLineChart:
    """A `QLineSeries` over a date-time x axis."""

    def __init__(self, title: str, y_title: str) -> None:
        self.series = QLineSeries()
        self.chart = QChart()
        self.chart.setTitle(title)
        self.chart.addSeries(self.series)
        self.x_axis = QDateTimeAxis()
        self.x_axis.setFormat("HH:mm")
        self.x_axis.setTickCount(7)
        self.y_axis = _attach_axes(self.chart, self.series, self.x_axis, y_title)
        self.view = _view(self.chart)

    def set_points(self, points: Sequence[TimePoint], *, date_format: str = "HH:mm") -> None:
        self.series.replace([QPointF(point.at.timestamp() * 1000, point.value) for point in points])
        if points:
            first, last = points[0].at, points[-1].at
            self.x_axis.setRange(
                QDateTime.fromMSecsSinceEpoch(int(first.timestamp() * 1000)),
                QDateTime.fromMSecsSinceEpoch(int(last.timestamp() * 1000)),
            )
        self.x_axis.setFormat(date_format)
        self.y_axis.setRange(0, _top([point.value for point in points]))
        self.y_axis.applyNiceNumbers()


class BucketBarChart:
    """A `QBarSeries` of the newest `BARS` buckets; the x title gives the first and last."""

    def __init__(self, title: str, y_title: str) -> None:
        self.bars = QBarSet(y_title)
        self.bars.setColor("#4e79a7")
        self.series = QBarSeries()
        self.series.append(self.bars)
        self.chart = QChart()
        self.chart.setTitle(title)
        self.chart.addSeries(self.series)
        self.x_axis = QBarCategoryAxis()
        self.x_axis.setLabelsVisible(False)  # 30 time labels do not fit: the title spans them
        self.y_axis = _attach_axes(self.chart, self.series, self.x_axis, y_title)
        self.view = _view(self.chart)

    def set_points(self, points: Sequence[TimePoint], *, time_format: str = "%H:%M") -> None:
        shown = list(points)[-BARS:]
        self.bars.remove(0, self.bars.count())
        self.bars.append([point.value for point in shown])
        labels = [point.at.astimezone().strftime(time_format) for point in shown]
        self.x_axis.clear()
        self.x_axis.append(labels)
        self.x_axis.setTitleText(f"{labels[0]} – {labels[-1]}" if labels else "")
        self.y_axis.setRange(0, _top([point.value for point in shown]))
        self.y_axis.applyNiceNumbers()
