"""История: any version of the document, chosen on a slider, coloured by author.

The tab polls `GET /api/document/versions?limit=1` for the newest version; the slider follows
it while it stands at the newest. For the chosen version it asks, after a short pause (a
dragged slider asks once, where it stops): the text (`/versions/{v}`), its runs
(`/authorship?version=v`) and the edit that made it (a page of `/versions` around v).
Answers for a version no longer chosen are dropped.
"""

from __future__ import annotations

from collections.abc import Mapping

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QSlider, QVBoxLayout, QWidget

from ..authorship import OPERATOR, author_name
from ..labels import EDIT_STATUS, clock_time, word
from ..net import ApiFailure, ChorusApi, FailureKind
from ..net.payloads import Authorship, Document, VersionEntry, VersionList
from .authored_text import TRIES, AuthoredText, AuthorLegend, ask_authorship
from .polling_tab import PollingTab

SETTLE_MS = 200
"""How long the slider must rest before the tab asks for the version under it."""
ENTRY_SLACK = 10
"""Versions either side of the chosen one in the page asked for its edit."""


class HistoryTab(PollingTab):
    def __init__(self, api: ChorusApi, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._api = api
        self.total = 0
        self.document_id: str | None = None
        self.roles: dict[str, str] = {}
        self.shown_version: int | None = None
        """The version whose text is on screen."""
        self.entry: VersionEntry | None = None
        self.authorship: Authorship | None = None
        self._text: Document | None = None
        self.slider = QSlider(Qt.Orientation.Horizontal)
        self.slider.setRange(0, 0)
        self.slider.setEnabled(False)
        self.slider.setTickPosition(QSlider.TickPosition.TicksBelow)
        self.previous_button = QPushButton("◀ Раньше")
        self.next_button = QPushButton("Позже ▶")
        self.latest_button = QPushButton("К последней версии")
        self.position = QLabel("Версий пока нет")
        self.info = QLabel()
        self.info.setWordWrap(True)
        self.text = AuthoredText()
        self.legend = AuthorLegend()
        self._settle = QTimer(self)
        self._settle.setSingleShot(True)
        self._settle.setInterval(SETTLE_MS)
        self._settle.timeout.connect(self.load_chosen)
        self.slider.valueChanged.connect(self._moved)
        self.previous_button.clicked.connect(lambda: self.slider.setValue(self.slider.value() - 1))
        self.next_button.clicked.connect(lambda: self.slider.setValue(self.slider.value() + 1))
        self.latest_button.clicked.connect(lambda: self.slider.setValue(self.total))

        controls = QHBoxLayout()
        controls.addWidget(self.previous_button)
        controls.addWidget(self.slider, 1)
        controls.addWidget(self.next_button)
        controls.addWidget(self.latest_button)
        layout = QVBoxLayout(self)
        layout.addLayout(controls)
        layout.addWidget(self.position)
        layout.addWidget(self.info)
        layout.addWidget(self.legend)
        layout.addWidget(self.text, 1)
        self._buttons()
        self.poller = self.poll(
            lambda: api.versions(limit=1), self.show_versions, self._no_versions
        )

    @property
    def chosen(self) -> int:
        return self.slider.value()

    def set_roles(self, roles: Mapping[str, str]) -> None:
        if dict(roles) == self.roles:
            return
        self.roles = dict(roles)
        self._paint()

    def show_versions(self, listing: VersionList) -> None:
        """The newest version: the slider's end; followed when the slider stood there."""
        following = self.chosen == self.total or self.document_id != listing.document_id
        if self.document_id != listing.document_id:
            self.shown_version = None  # another document: its version 3 is not the old one's
        self.document_id = listing.document_id
        self.total = listing.total
        self.slider.setEnabled(self.total > 0)
        self.slider.setRange(min(1, self.total), self.total)
        if following:
            self.slider.setValue(self.total)
        self._buttons()
        if self.total == 0:
            self.position.setText("Версий пока нет: документ не инициализирован")
        else:
            self.position.setText(f"Версия {self.chosen} из {self.total}")

    def choose(self, version: int) -> None:
        """Show `version` now (no pause)."""
        self.slider.setValue(version)
        self.load_chosen()

    def _moved(self, _value: int) -> None:
        self._buttons()
        if self.total > 0:
            self.position.setText(f"Версия {self.chosen} из {self.total}")
            self._settle.start()

    def _buttons(self) -> None:
        self.previous_button.setEnabled(self.total > 0 and self.chosen > 1)
        self.next_button.setEnabled(self.chosen < self.total)
        self.latest_button.setEnabled(self.chosen < self.total)

    def load_chosen(self) -> None:
        """Ask for the chosen version's text, runs and edit."""
        self._settle.stop()
        version = self.chosen
        if version < 1 or version == self.shown_version:
            return
        self.shown_version = version
        self._text, self.authorship, self.entry = None, None, None
        text = self._api.version(version)
        text.succeeded.connect(lambda document: self._got_text(version, document))
        text.failed.connect(lambda failure: self._no_text(version, failure))
        ask_authorship(
            self._api,
            version,
            self,
            lambda authorship: self._got_runs(version, authorship),
            lambda failure: self._no_runs(version, failure),
        )
        self._ask_entry(version, self.total, TRIES)

    def _ask_entry(self, version: int, head: int, tries: int) -> None:
        """The entry of `version`: a page around where it stands below `head`. The node that
        answers may be ahead of or behind `head`; its own `total` then corrects the offset."""
        offset = max(0, head - version - ENTRY_SLACK)
        call = self._api.versions(limit=2 * ENTRY_SLACK + 1, offset=offset)
        call.succeeded.connect(lambda listing: self._got_entry(version, listing, tries - 1))

    def _got_text(self, version: int, document: Document) -> None:
        if version == self.shown_version:
            self._text = document
            self._paint()

    def _no_text(self, version: int, failure: ApiFailure) -> None:
        if version == self.shown_version:
            self.info.setText(f"Версия {version} не загружена: {failure.detail}")

    def _got_runs(self, version: int, authorship: Authorship) -> None:
        if version == self.shown_version and authorship.version == version:
            self.authorship = authorship
            self._paint()

    def _no_runs(self, version: int, failure: ApiFailure) -> None:
        if version == self.shown_version:
            self.legend.show_note(f"Авторство недоступно: {failure.detail}")

    def _got_entry(self, version: int, listing: VersionList, tries: int = 0) -> None:
        if version != self.shown_version:
            return
        match = [entry for entry in listing.versions if entry.version == version]
        if match:
            self.entry = match[0]
            self._describe()
        elif tries > 0 and listing.total >= version:
            self._ask_entry(version, listing.total, tries)

    def _paint(self) -> None:
        """The runs when they came, else the plain text; the edit of this version marked."""
        if self.authorship is not None:
            runs = self.authorship.runs
            made_here = [(r.start, r.end) for r in runs if r.version == self.shown_version]
            self.text.show_runs(self.authorship.text, runs, self.roles, made_here)
            self.legend.show_runs(runs, self.roles, note="подчёркнуто: что внесла эта версия")
        elif self._text is not None:
            self.text.show_plain(self._text.text)
        self._describe()

    def _describe(self) -> None:
        version = self.shown_version
        if version is None:
            return
        parts = []
        if self._text is not None and self._text.timestamp:
            parts.append(clock_time(self._text.timestamp))
        entry = self.entry
        if entry is not None:
            made = "начальный текст" if entry.kind == "init" else "правка"
            # The initial text's op may carry no agent: the operator wrote it.
            agent = entry.agent_id or (OPERATOR if entry.kind == "init" else "")
            author = author_name(agent, self.roles)
            status = word(EDIT_STATUS, entry.status) if entry.status else ""
            parts.append(", ".join(p for p in (f"{made}: {author}", status) if p))
            if entry.node:
                parts.append(f"узел {entry.node}")
        self.info.setText(f"Версия {version}: " + " · ".join(parts) if parts else "")

    def _no_versions(self, failure: ApiFailure) -> None:
        if self.total > 0:
            return  # the versions shown stay; the next poll may answer
        if failure.kind is FailureKind.CONFLICT:  # 409 no_document: nothing initialised yet
            self.position.setText(f"Версий пока нет: {failure.detail}")
        else:
            self.position.setText(f"История недоступна: {failure.message}")
