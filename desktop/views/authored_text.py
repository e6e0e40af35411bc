"""A read-only text coloured by author, and its legend: shared by the Document and History tabs.

The runs come from `GET /api/document/authorship` (the CRDT knows who inserted every
character). Qt counts text positions in UTF-16 code units, the API in code points: runs are
converted once and kept in Qt's units. Each run's character format carries its tooltip (the
edit, its author, the version), which Qt's text control shows on hover.

Text removed since the last refresh can be shown as ghosts (`ShownGhost`): grey, struck
through, at the place it was removed. They are characters of the Qt document but not of the
text: offsets given and taken here are the real text's, and copying a selection gives the
real text with the ghosts left out.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from html import escape

from PySide6.QtCore import QMimeData, QObject, QPoint, Qt, QTimer
from PySide6.QtGui import QBrush, QColor, QTextCharFormat, QTextCursor, QTextFormat
from PySide6.QtWidgets import QLabel, QPlainTextEdit, QTextEdit, QWidget

from ..authorship import agent_colour, legend, run_tooltip
from ..changes import from_utf16_converter, utf16_converter
from ..ghosts import Layout
from ..net import ApiFailure, ChorusApi, FailureKind
from ..net.payloads import AuthorRun, Authorship

HIGHLIGHT = QColor("#fff3a3")
"""New text when no authorship is known: a yellow background."""
RECENT_UNDERLINE = QColor("#d9480f")
"""New text over an author's colour: an orange underline."""
GHOST_PROPERTY = QTextFormat.Property.UserProperty + 1
"""Set (True) on the character format of ghost text."""
RETRY_MS = 400
TRIES = 3


@dataclass(frozen=True)
class ShownGhost:
    """Removed text to show struck through before real offset `at`."""

    at: int
    text: str
    colour: str
    tooltip: str


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
    """Shows a text either plainly with new parts highlighted, or coloured by its runs; text
    removed lately as struck-through ghosts in either case."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setReadOnly(True)
        self.setUndoRedoEnabled(False)
        self.runs: list[AuthorRun] = []
        """The runs painted now (empty: plain text)."""
        self.roles: dict[str, str] = {}
        self.ghosts: list[ShownGhost] = []
        """The ghosts shown now, in order."""
        self.laid_out = Layout.of("", ())
        """The real text and the ghosts in it: what the Qt document holds."""
        self._starts16: list[int] = []
        self._ends16: list[int] = []
        self._to16: Callable[[int], int] = utf16_converter("")
        self._from16: Callable[[int], int] = from_utf16_converter("")

    def document_text(self) -> str:
        """The text shown, without the ghosts."""
        return self.laid_out.real

    def show_plain(
        self,
        text: str,
        marks: Sequence[tuple[int, int]] = (),
        ghosts: Sequence[ShownGhost] = (),
    ) -> None:
        """`text` without authorship; `marks` (code-point ranges) on a yellow background."""
        self._set_text(text, ghosts)
        self.runs, self._starts16, self._ends16 = [], [], []
        mark = QTextCharFormat()
        mark.setBackground(HIGHLIGHT)
        self._format_ranges(marks, mark)
        self._paint_ghosts()

    def show_runs(
        self,
        text: str,
        runs: Sequence[AuthorRun],
        roles: Mapping[str, str],
        marks: Sequence[tuple[int, int]] = (),
        ghosts: Sequence[ShownGhost] = (),
    ) -> None:
        """`text` with each run on its author's colour; `marks` underlined."""
        self._set_text(text, ghosts)
        self.roles = dict(roles)
        self.runs = list(runs)
        size = len(text)
        self._starts16 = [self.qt_position(min(run.start, size)) for run in self.runs]
        self._ends16 = [self._end16(min(run.end, size)) for run in self.runs]
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
        self._format_ranges(marks, underline)
        self._paint_ghosts()

    def run_at(self, position: int) -> AuthorRun | None:
        """The run at Qt text position `position` (UTF-16), if any (none on a ghost)."""
        if self.ghost_at(position) is not None:
            return None
        index = bisect_right(self._starts16, position) - 1
        if index < 0 or position >= self._ends16[index]:
            return None
        return self.runs[index]

    def ghost_at(self, position: int) -> ShownGhost | None:
        """The ghost at Qt text position `position` (UTF-16), if any."""
        index = self.laid_out.ghost_at(self._from16(position))
        return None if index is None else self.ghosts[index]

    def reveal(self, start: int, end: int) -> None:
        """Select code-point range `[start, end)` of the text and scroll it into view."""
        size = len(self.laid_out.real)
        cursor = QTextCursor(self.document())
        cursor.setPosition(self._end16(min(end, size)))
        cursor.setPosition(self.qt_position(min(start, size)), QTextCursor.MoveMode.KeepAnchor)
        self.setTextCursor(cursor)
        self.ensureCursorVisible()

    def selected_text(self) -> str:
        """The selected part of the text, ghosts left out: what copying it gives."""
        cursor = self.textCursor()
        return self.laid_out.real_text(
            self._from16(cursor.selectionStart()), self._from16(cursor.selectionEnd())
        )

    def createMimeDataFromSelection(self) -> QMimeData:
        """Copy and drag give the real text, never a ghost's. The data comes from a plain
        editor holding only that text: Qt owns and deletes it, and one made in Python would
        call back into Python from the clipboard's destructor as the application exits."""
        real = QPlainTextEdit()
        real.setPlainText(self.selected_text())
        real.selectAll()
        return real.createMimeDataFromSelection()

    def tooltip_at(self, point: QPoint) -> str:
        """What hovering viewport point `point` says ("" outside any run): Qt's text control
        shows the tooltip of the character format under the mouse."""
        return self.cursorForPosition(point).charFormat().toolTip()

    def _set_text(self, text: str, ghosts: Sequence[ShownGhost]) -> None:
        """Replace the text and ghosts (or only the formats when the same), keeping the scroll,
        and the selection while the real text stays the same."""
        scroll = self.verticalScrollBar().value()
        laid_out = Layout.of(text, [(ghost.at, ghost.text) for ghost in ghosts])
        cursor = self.textCursor()
        keep: tuple[int, int] | None = None
        if cursor.hasSelection() and self.laid_out.real == text:
            keep = (
                self.laid_out.real_offset(self._from16(cursor.anchor())),
                self.laid_out.real_offset(self._from16(cursor.position())),
            )
        if self.toPlainText() == laid_out.shown:
            whole = QTextCursor(self.document())
            whole.select(QTextCursor.SelectionType.Document)
            whole.setCharFormat(QTextCharFormat())
        else:
            self.setPlainText(laid_out.shown)
        self.ghosts = list(ghosts)
        self.laid_out = laid_out
        self._to16 = utf16_converter(laid_out.shown)
        self._from16 = from_utf16_converter(laid_out.shown)
        if keep is not None:
            anchor, position = keep
            cursor = QTextCursor(self.document())
            cursor.setPosition(self.qt_position(anchor))
            cursor.setPosition(self.qt_position(position), QTextCursor.MoveMode.KeepAnchor)
            self.setTextCursor(cursor)
        self.verticalScrollBar().setValue(scroll)

    def qt_position(self, offset: int) -> int:
        """The Qt position (UTF-16, ghosts counted) where the text's character `offset` is."""
        return self._to16(self.laid_out.start(offset))

    def _end16(self, offset: int) -> int:
        """The Qt position where a real range ending at `offset` ends."""
        return self._to16(self.laid_out.end(offset))

    def _paint_ghosts(self) -> None:
        for ghost, (start, end) in zip(self.ghosts, self.laid_out.spans, strict=True):
            paint = QTextCharFormat()
            paint.setForeground(QColor(ghost.colour))
            paint.setBackground(QBrush(Qt.BrushStyle.NoBrush))
            paint.setFontStrikeOut(True)
            paint.setToolTip(ghost.tooltip)
            paint.setProperty(GHOST_PROPERTY, True)
            cursor = QTextCursor(self.document())
            cursor.setPosition(self._to16(start))
            cursor.setPosition(self._to16(end), QTextCursor.MoveMode.KeepAnchor)
            cursor.setCharFormat(paint)

    def _format_ranges(
        self, ranges: Sequence[tuple[int, int]], char_format: QTextCharFormat
    ) -> None:
        size = len(self.laid_out.real)
        for start, end in ranges:
            self._format(self.qt_position(start), self._end16(min(end, size)), char_format)

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
