"""A read-only text coloured by author, and its legend: shared by the Document and History tabs.

The runs come from `GET /api/document/authorship` (the CRDT knows who inserted every
character). Qt counts text positions in UTF-16 code units, the API in code points: runs are
converted once and kept in Qt's units. Each run's character format carries its tooltip (the
edit, its author, the version), which Qt's text control shows on hover.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Callable, Mapping, Sequence
from html import escape

from PySide6.QtCore import QObject, QPoint, Qt, QTimer
from PySide6.QtGui import QColor, QTextCharFormat, QTextCursor
from PySide6.QtWidgets import QLabel, QTextEdit, QWidget

from ..authorship import agent_colour, legend, run_tooltip
from ..changes import utf16_converter
from ..net import ApiFailure, ChorusApi, FailureKind
from ..net.payloads import AuthorRun, Authorship

HIGHLIGHT = QColor("#fff3a3")
"""New text when no authorship is known: a yellow background."""
RECENT_UNDERLINE = QColor("#d9480f")
"""New text over an author's colour: an orange underline."""
RETRY_MS = 400
TRIES = 3


def ask_authorship(
    api: ChorusApi,
    version: int,
    context: QObject,
    on_runs: Callable[[Authorship], None],
    on_failure: Callable[[ApiFailure], None],
    *,
    tries: int = TRIES,
) -> None:
    """Ask for `version`'s runs. The balancer may pick a node a few milliseconds behind the
    one that named the version, which refuses it (422): ask again before giving up. Retries
    stop with `context` (the tab) gone."""
    call = api.authorship(version)
    call.succeeded.connect(on_runs)

    def failed(failure: ApiFailure) -> None:
        if failure.kind is FailureKind.INVALID and tries > 1:
            QTimer.singleShot(
                RETRY_MS,
                context,
                lambda: ask_authorship(api, version, context, on_runs, on_failure, tries=tries - 1),
            )
        else:
            on_failure(failure)

    call.failed.connect(failed)


class AuthoredText(QTextEdit):
    """Shows a text either plainly with new parts highlighted, or coloured by its runs."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setReadOnly(True)
        self.runs: list[AuthorRun] = []
        """The runs painted now (empty: plain text)."""
        self.roles: dict[str, str] = {}
        self._starts16: list[int] = []
        self._ends16: list[int] = []

    def show_plain(self, text: str, marks: Sequence[tuple[int, int]] = ()) -> None:
        """`text` without authorship; `marks` (code-point ranges) on a yellow background."""
        self._set_text(text)
        self.runs, self._starts16, self._ends16 = [], [], []
        mark = QTextCharFormat()
        mark.setBackground(HIGHLIGHT)
        self._format_ranges(text, marks, mark)

    def show_runs(
        self,
        text: str,
        runs: Sequence[AuthorRun],
        roles: Mapping[str, str],
        marks: Sequence[tuple[int, int]] = (),
    ) -> None:
        """`text` with each run on its author's colour; `marks` underlined."""
        self._set_text(text)
        self.roles = dict(roles)
        self.runs = list(runs)
        utf16 = utf16_converter(text)
        size = len(text)
        self._starts16 = [utf16(min(run.start, size)) for run in self.runs]
        self._ends16 = [utf16(min(run.end, size)) for run in self.runs]
        for run, start, end in zip(self.runs, self._starts16, self._ends16, strict=True):
            colour = agent_colour(run.agent_id)
            if end <= start:
                continue
            paint = QTextCharFormat()
            if colour is not None:
                paint.setBackground(QColor(colour))
            paint.setToolTip(run_tooltip(run, self.roles))
            self._format(start, end, paint)
        underline = QTextCharFormat()
        underline.setUnderlineStyle(QTextCharFormat.UnderlineStyle.SingleUnderline)
        underline.setUnderlineColor(RECENT_UNDERLINE)
        underline.setFontUnderline(True)
        self._format_ranges(text, marks, underline)

    def run_at(self, position: int) -> AuthorRun | None:
        """The run at Qt text position `position` (UTF-16), if any."""
        index = bisect_right(self._starts16, position) - 1
        if index < 0 or position >= self._ends16[index]:
            return None
        return self.runs[index]

    def reveal(self, start: int, end: int) -> None:
        """Select code-point range `[start, end)` and scroll it into view."""
        text = self.toPlainText()
        utf16 = utf16_converter(text)
        cursor = QTextCursor(self.document())
        cursor.setPosition(utf16(min(end, len(text))))
        cursor.setPosition(utf16(min(start, len(text))), QTextCursor.MoveMode.KeepAnchor)
        self.setTextCursor(cursor)
        self.ensureCursorVisible()

    def tooltip_at(self, point: QPoint) -> str:
        """What hovering viewport point `point` says ("" outside any run): Qt's text control
        shows the tooltip of the character format under the mouse."""
        return self.cursorForPosition(point).charFormat().toolTip()

    def _set_text(self, text: str) -> None:
        """Replace the text (or only its formats when it is the same), keeping the scroll."""
        scroll = self.verticalScrollBar().value()
        if self.toPlainText() == text:
            cursor = QTextCursor(self.document())
            cursor.select(QTextCursor.SelectionType.Document)
            cursor.setCharFormat(QTextCharFormat())
        else:
            self.setPlainText(text)
        self.verticalScrollBar().setValue(scroll)

    def _format_ranges(
        self, text: str, ranges: Sequence[tuple[int, int]], char_format: QTextCharFormat
    ) -> None:
        utf16 = utf16_converter(text)
        for start, end in ranges:
            self._format(utf16(start), utf16(min(end, len(text))), char_format)

    def _format(self, start: int, end: int, char_format: QTextCharFormat) -> None:
        cursor = QTextCursor(self.document())
        cursor.setPosition(start)
        cursor.setPosition(end, QTextCursor.MoveMode.KeepAnchor)
        cursor.mergeCharFormat(char_format)


class AuthorLegend(QLabel):
    """A coloured square, the author (with role) and their share of the text, per author."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWordWrap(True)
        self.setTextFormat(Qt.TextFormat.RichText)

    def show_runs(
        self, runs: Sequence[AuthorRun], roles: Mapping[str, str], *, note: str = ""
    ) -> None:
        """The authors of `runs`; `note` says what the underline means."""
        entries = legend(runs, roles)
        if not entries:
            self.setText("")
            return
        parts = []
        for entry in entries:
            colour = entry.colour or "#ffffff"
            parts.append(
                f'<span style="background:{colour}">&nbsp;&nbsp;&nbsp;&nbsp;</span>&nbsp;'
                f"{escape(entry.name)} — {entry.share * 100:.0f}&nbsp;%"
            )
        tail = f" &nbsp; <i>{escape(note)}</i>" if note else ""
        self.setText("Авторы: " + " &nbsp; ".join(parts) + tail)

    def show_note(self, note: str) -> None:
        """Why there are no colours (e.g. the nodes do not report authorship yet)."""
        self.setText(escape(note))
