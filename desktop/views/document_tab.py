"""Документ: the current text coloured by author, with what the newest edits wrote marked.

The text comes from `GET /api/document/current`; for each new version the tab asks
`GET /api/document/authorship?version=N` for its runs. Where the nodes do not answer that
(an older node), the tab says so and marks new text by a word diff instead.

Text removed since the previous refresh stays a while as grey struck-through ghosts at the
place it was removed (a replacement: the old text struck through before the new one), found
by the same word diff; they fade and are gone after a few changes or `ghosts.FADE_S` seconds.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from pathlib import Path

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import (
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from ..authorship import author_name, runs_since
from ..changes import diff_texts
from ..ghosts import Ghost, alive, carry, shade, tooltip, visible
from ..labels import clock_time
from ..net import ApiFailure, ChorusApi
from ..net.payloads import Authorship, Document
from .authored_text import HIGHLIGHT, AuthoredText, AuthorLegend, ShownGhost, ask_authorship
from .polling_tab import PollingTab

__all__ = ["HIGHLIGHT", "DocumentTab"]

FADE_TICK_MS = 1000
"""How often fading ghosts are looked at (the view repaints only when one changes)."""


class DocumentTab(PollingTab):
    def __init__(self, api: ChorusApi, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._api = api
        self.document: Document | None = None
        self.authorship: Authorship | None = None
        """The runs of the shown version, once the node has answered them."""
        self.roles: dict[str, str] = {}
        self.highlighted: list[tuple[int, int]] = []
        """Character ranges of the shown text that the newest versions wrote."""
        self._since: int | None = None
        """The version shown before the current one (same document), for the marks."""
        self.ghosts: list[Ghost] = []
        """Text removed lately, still shown struck through."""
        self.clock: Callable[[], float] = time.monotonic
        self.fade_timer = QTimer(self)
        self.fade_timer.setInterval(FADE_TICK_MS)
        self.fade_timer.timeout.connect(self.fade)
        self.title = QLabel("Документ ещё не загружен")
        self.title.setStyleSheet("font-size: 16px; font-weight: bold;")
        self.info = QLabel()
        self.saved = QLabel()
        self.text = AuthoredText()
        self.legend = AuthorLegend()
        self.save_button = QPushButton("Сохранить в файл…")
        self.save_button.clicked.connect(self._ask_where_to_save)
        self.latest_button = QPushButton("К последней правке")
        self.latest_button.setToolTip("Прокрутить к тексту, который написала последняя правка")
        self.latest_button.setEnabled(False)
        self.latest_button.clicked.connect(self.jump_to_latest)
        bar = QHBoxLayout()
        bar.addWidget(self.info, 1)
        bar.addWidget(self.saved)
        bar.addWidget(self.latest_button)
        bar.addWidget(self.save_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.title)
        layout.addLayout(bar)
        layout.addWidget(self.legend)
        layout.addWidget(self.text, 1)
        self.poller = self.poll(api.current_document, self.show_document)

    def set_roles(self, roles: Mapping[str, str]) -> None:
        """Agents' roles (from the supervisor) for the legend and the hover text."""
        if dict(roles) == self.roles:
            return
        self.roles = dict(roles)
        if self.authorship is not None:
            self._paint_authorship()

    def show_document(self, document: Document) -> None:
        """Show `document`; mark what changed if it is a newer version of the same one, and
        ask who wrote what."""
        previous = self.document
        self.document = document
        self.title.setText(document.topic or "Без темы")
        self.info.setText(
            f"Версия {document.version} · узел {document.node} · {clock_time(document.timestamp)}"
            if document.document_id
            else "Документ не инициализирован: откройте вкладку «Инициализация»"
        )
        if previous is not None and previous.text == document.text:
            return
        same = previous is not None and previous.document_id == document.document_id
        self._since = previous.version if previous is not None and same else None
        if previous is not None and same:
            diff = diff_texts(previous.text, document.text)
            self.highlighted = diff.inserted if previous.text else []
            self.ghosts = carry(
                self.ghosts,
                diff,
                self.clock(),
                first=previous.version + 1,
                last=document.version,
            )
        else:
            self.highlighted, self.ghosts = [], []
        self.authorship = None
        self.text.show_plain(document.text, self.highlighted, self._shown_ghosts())
        self._time_fading()
        self.latest_button.setEnabled(bool(self.highlighted))
        if document.document_id:
            ask_authorship(
                self._api, document.version, self, self.show_authorship, self._no_authorship
            )

    def show_authorship(self, authorship: Authorship) -> None:
        """The runs of a version: painted if it is still the version shown."""
        document = self.document
        if (
            document is None
            or authorship.version != document.version
            or authorship.document_id != document.document_id
            or authorship.text != document.text
        ):
            return
        self.authorship = authorship
        if self._since is not None:
            self.highlighted = runs_since(authorship.runs, self._since)
        self._paint_authorship()

    def latest_range(self) -> tuple[int, int] | None:
        """Where the newest edit wrote: its run (with authorship), else the last change."""
        if self.authorship is not None and self.authorship.runs:
            newest = max(self.authorship.runs, key=lambda run: run.version)
            if newest.version > 1 and newest.end > newest.start:
                return newest.start, newest.end
        return self.highlighted[-1] if self.highlighted else None

    def jump_to_latest(self) -> None:
        """Scroll the newest edit's text into view (it may be below the fold)."""
        target = self.latest_range()
        if target is not None:
            self.text.reveal(*target)

    def fade(self) -> None:
        """Drop the ghosts that have faded and repaint those that turned lighter (the fade
        timer's tick)."""
        self.ghosts = alive(self.ghosts, self.clock())
        if self._shown_ghosts() != self.text.ghosts:
            self._repaint()
        self._time_fading()

    def _time_fading(self) -> None:
        if self.ghosts and not self.fade_timer.isActive():
            self.fade_timer.start()
        elif not self.ghosts:
            self.fade_timer.stop()

    def _shown_ghosts(self) -> list[ShownGhost]:
        """The ghosts as painted now: their grey, and who removed them where known (the
        authorship names the edit that made each version still present in the text)."""
        now = self.clock()
        editors: dict[int, str] = {}
        if self.authorship is not None:
            for run in self.authorship.runs:
                who = f"{run.edit_id[:8]} · {author_name(run.agent_id, self.roles)}"
                editors.setdefault(run.version, who)
        return [
            ShownGhost(
                ghost.at,
                visible(ghost.text),
                shade(ghost, now),
                tooltip(ghost, editors.get(ghost.last, "")),
            )
            for ghost in self.ghosts
        ]

    def _repaint(self) -> None:
        if self.authorship is not None:
            self._paint_authorship()
        elif self.document is not None:
            self.text.show_plain(self.document.text, self.highlighted, self._shown_ghosts())

    def _paint_authorship(self) -> None:
        assert self.authorship is not None
        runs = self.authorship.runs
        self.text.show_runs(
            self.authorship.text, runs, self.roles, self.highlighted, self._shown_ghosts()
        )
        self.latest_button.setEnabled(self.latest_range() is not None)
        notes = []
        if self.highlighted:
            notes.append("подчёркнуто: новое с прошлого обновления")
        if self.ghosts:
            notes.append("зачёркнуто серым: удалённое (скоро исчезнет)")
        self.legend.show_runs(runs, self.roles, note="; ".join(notes))

    def _no_authorship(self, failure: ApiFailure) -> None:
        self.legend.show_note(f"Авторство недоступно: {failure.detail}")

    def save_to(self, path: Path) -> None:
        """Write the shown text to `path` as UTF-8."""
        text = self.document.text if self.document else ""
        path.write_text(text, encoding="utf-8")
        self.saved.setText(f"Сохранено: {path}")

    def _ask_where_to_save(self) -> None:
        topic = self.document.topic if self.document and self.document.topic else "документ"
        name, _ = QFileDialog.getSaveFileName(
            self, "Сохранить документ", f"{topic}.txt", "Текст (*.txt);;Все файлы (*)"
        )
        if name:
            try:
                self.save_to(Path(name))
            except OSError as exc:
                self.saved.setText(f"Не удалось сохранить: {exc}")
