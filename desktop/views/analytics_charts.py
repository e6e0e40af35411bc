"""The Analytics tab's charts (Qt Charts): a time line and a bar chart of recent buckets.

Both label their axes with `ticks`: whole-number steps up the y axis, round times (HH:MM)
along x, and draw the cluster's timeline events (node down, caught up, budget exhausted …) as
vertical marks coloured by severity; hovering a mark names the event.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime, timedelta

from PySide6.QtCharts import (
    QAbstractSeries,
    QBarSeries,
    QBarSet,
    QCategoryAxis,
    QChart,
    QChartView,
    QLineSeries,
    QValueAxis,
)
from PySide6.QtCore import QPointF, Qt
from PySide6.QtGui import QColor, QCursor, QPainter, QPen
from PySide6.QtWidgets import QToolTip

from ..models.timeline_model import SEVERITY_COLOUR
from ..net.payloads import TimelineEvent, TimePoint
from ..ticks import time_ticks, value_ticks

BARS = 30
"""The bar chart shows the newest buckets only: 60 bars do not fit a tab."""
X_LABELS = 7
"""At most this many time labels along x."""


def _view(chart: QChart) -> QChartView:
    chart.legend().hide()
    chart.setMargins(chart.margins() * 0)
    view = QChartView(chart)
    view.setRenderHint(QPainter.RenderHint.Antialiasing)
    view.setMinimumHeight(200)
    return view


class _Chart:
    """A chart with a category x axis (time labels at chosen values), a whole-number y axis
    and the timeline's marks. Subclasses say how a time maps to an x value."""

    def __init__(self, title: str, y_title: str, series: QAbstractSeries) -> None:
        self.chart = QChart()
        self.chart.setTitle(title)
        self.chart.addSeries(series)
        self.x_axis = QCategoryAxis()
        self.x_axis.setLabelsPosition(QCategoryAxis.AxisLabelsPosition.AxisLabelsPositionOnValue)
        self.y_axis = QValueAxis()
        self.y_axis.setTitleText(y_title)
        self.y_axis.setLabelFormat("%.0f")
        self.y_axis.setTickType(QValueAxis.TickType.TicksDynamic)
        self.y_axis.setTickAnchor(0)
        self.chart.addAxis(self.x_axis, Qt.AlignmentFlag.AlignBottom)
        self.chart.addAxis(self.y_axis, Qt.AlignmentFlag.AlignLeft)
        series.attachAxis(self.x_axis)
        series.attachAxis(self.y_axis)
        self.view = _view(self.chart)
        self.marks: list[tuple[TimelineEvent, QLineSeries]] = []
        self._events: list[TimelineEvent] = []
        self._to_x: Callable[[datetime], float] | None = None
        self._x_range = (0.0, 1.0)

    @property
    def x_labels(self) -> list[str]:
        return list(self.x_axis.categoriesLabels())

    @property
    def y_ticks(self) -> list[float]:
        """The values the y axis labels."""
        step = self.y_axis.tickInterval()
        count = round(self.y_axis.max() / step) if step else 0
        return [step * i for i in range(count + 1)]

    def set_events(self, events: Sequence[TimelineEvent]) -> None:
        """The timeline to mark (events outside the chart's time range are left out)."""
        self._events = list(events)
        self._draw_marks()

    def _set_axes(
        self,
        values: Sequence[float],
        span: tuple[datetime, datetime] | None,
        to_x: Callable[[datetime], float],
        x_range: tuple[float, float],
    ) -> None:
        ticks = value_ticks(max(values, default=0.0))
        self.y_axis.setRange(0, ticks.top)
        self.y_axis.setTickInterval(ticks.step)
        for label in self.x_axis.categoriesLabels():
            self.x_axis.remove(label)
        self._to_x, self._x_range = to_x, x_range
        self.x_axis.setStartValue(x_range[0])
        if span is not None:
            for moment, label in time_ticks(*span, max_labels=X_LABELS):
                self.x_axis.append(label, to_x(moment))
        self.x_axis.setRange(*x_range)
        self._draw_marks()

    def _draw_marks(self) -> None:
        for _, line in self.marks:
            self.chart.removeSeries(line)
            line.deleteLater()
        self.marks = []
        if self._to_x is None:
            return
        low, high = self._x_range
        top = self.y_axis.max()
        for event in self._events:
            x = self._to_x(event.at)
            if not low <= x <= high:
                continue
            line = QLineSeries()
            pen = QPen(QColor(SEVERITY_COLOUR.get(event.severity, SEVERITY_COLOUR["info"])))
            pen.setWidthF(1.5)
            pen.setStyle(Qt.PenStyle.DashLine)
            line.setPen(pen)
            line.append([QPointF(x, 0), QPointF(x, top)])
            self.chart.addSeries(line)
            line.attachAxis(self.x_axis)
            line.attachAxis(self.y_axis)
            line.hovered.connect(lambda _point, state, e=event: _mark_tooltip(e, state))
            self.marks.append((event, line))


def _mark_tooltip(event: TimelineEvent, state: bool) -> None:
    if state:
        moment = event.at.astimezone().strftime("%H:%M:%S")
        detail = f"\n{event.detail}" if event.detail else ""
        QToolTip.showText(QCursor.pos(), f"{moment} — {event.title}{detail}")
    else:
        QToolTip.hideText()


class TimeLineChart(_Chart):
    """A `QLineSeries` over time (x: milliseconds since the epoch)."""

    def __init__(self, title: str, y_title: str) -> None:
        self.series = QLineSeries()
        super().__init__(title, y_title, self.series)

    def set_points(self, points: Sequence[TimePoint]) -> None:
        self.series.replace([QPointF(_ms(point.at), point.value) for point in points])
        span = None
        if points:
            # Through the end of the newest bucket (it is still filling), so that an event
            # of the last minute gets its mark.
            bucket = points[-1].at - points[-2].at if len(points) > 1 else timedelta(0)
            span = (points[0].at, points[-1].at + bucket)
        x_range = (_ms(span[0]), _ms(span[1])) if span else (0.0, 1.0)
        if x_range[1] <= x_range[0]:
            x_range = (x_range[0] - 30_000, x_range[0] + 30_000)
        self._set_axes([point.value for point in points], span, _ms, x_range)


def _ms(moment: datetime) -> float:
    return moment.timestamp() * 1000


class BucketBarChart(_Chart):
    """A `QBarSeries` of the newest `BARS` buckets (x: the bucket's index)."""

    def __init__(self, title: str, y_title: str) -> None:
        self.bars = QBarSet(y_title)
        self.bars.setColor("#4e79a7")
        self.series = QBarSeries()
        self.series.append(self.bars)
        super().__init__(title, y_title, self.series)

    def set_points(self, points: Sequence[TimePoint]) -> None:
        shown = list(points)[-BARS:]
        self.bars.remove(0, self.bars.count())
        self.bars.append([point.value for point in shown])
        if not shown:
            self._set_axes([], None, lambda _moment: -1.0, (-0.5, 0.5))
            return
        first = shown[0].at
        bucket = (shown[-1].at - first) / (len(shown) - 1) if len(shown) > 1 else None
        bucket = bucket or timedelta(minutes=1)

        def to_x(moment: datetime) -> float:
            return (moment - first) / bucket

        self._set_axes(
            [point.value for point in shown],
            (first, shown[-1].at),
            to_x,
            (-0.5, len(shown) - 0.5),
        )
