"""HTTP to the balancer through one `QNetworkAccessManager`: JSON in and out, errors as signals.

No widget imports (QtCore and QtNetwork only). Every request returns an `ApiCall` that emits
`succeeded(parsed)` or `failed(ApiFailure)` once; the client also emits `call_failed` and
`call_succeeded` with the request's source so the window can show a failure and clear it when
that source answers again. Reads carry no token: nginx limits requests per Authorization
header, and polling with the operator's token would spend its allowance on reads.

The client keeps one session with the Text Service (issue 19): the pointwise maximum of the
`X-Chorus-Session` tokens of every document and edits answer, sent back with every such
request, so whichever node nginx picks answers only once it holds everything this client has
seen (its own init shows at once; the document never goes back to an older version).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from typing import Any

from PySide6.QtCore import QByteArray, QObject, QUrl, QUrlQuery, Signal
from PySide6.QtNetwork import QNetworkAccessManager, QNetworkReply, QNetworkRequest

from crdt_core import SESSION_HEADER, InvalidSession, SessionToken

from .failures import (
    ApiFailure,
    bad_response,
    failure_from_network,
    failure_from_status,
)
from .payloads import PayloadError, parse_any

DEFAULT_TIMEOUT_MS = 5000
"""A frozen node completes the TCP handshake and then says nothing: give up after this."""

Parser = Callable[[Any], Any]

SESSION_PATHS = ("/api/document", "/api/edits")
"""The Text Service's answers that carry a session token, and the requests that honour one."""
_SESSION_HEADER = SESSION_HEADER.encode("ascii")


class ApiCall(QObject):
    """One request in flight; emits exactly one of its two signals, then is released."""

    succeeded = Signal(object)
    failed = Signal(object)

    def __init__(self, what: str, source: str | None, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.what = what
        """`METHOD /path` for messages."""
        self.source = source
        """What the window groups failures by; None: the caller shows failures itself."""


class ApiClient(QObject):
    """The balancer's base URL and the operator token, and requests against them."""

    call_failed = Signal(str, object)
    """(source, ApiFailure) for calls made with a source."""
    call_succeeded = Signal(str)
    """source, for calls made with a source."""
    session_changed = Signal(object)
    """The session token grew (a `SessionToken`), or was dropped (None: another balancer)."""

    def __init__(
        self,
        base_url: str,
        token: str,
        *,
        timeout_ms: int = DEFAULT_TIMEOUT_MS,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._manager = QNetworkAccessManager(self)
        # Qt deletes each reply once its `finished` has been handled.
        self._manager.setAutoDeleteReplies(True)
        self._timeout_ms = timeout_ms
        self._pending: dict[QNetworkReply, tuple[ApiCall, Parser]] = {}
        self.base_url = ""
        self.token = ""
        self.session: SessionToken | None = None
        """What this client has seen of the Text Service; None before its first answer."""
        self.configure(base_url, token)

    def configure(self, base_url: str, token: str) -> None:
        """Point at another balancer or use another token (settings changed). Another
        balancer is another cluster: the session starts anew."""
        base_url = base_url.strip().rstrip("/")
        if base_url != self.base_url and self.session is not None:
            self.session = None
            self.session_changed.emit(None)
        self.base_url = base_url
        self.token = token.strip()

    def get(
        self,
        path: str,
        *,
        params: Mapping[str, str | int] | None = None,
        parse: Parser = parse_any,
        source: str | None = "",
    ) -> ApiCall:
        """GET `path` (without token). `source` "" means the request itself, None: unreported."""
        request = self._request(path, params)
        reply = self._manager.get(request)
        return self._track(reply, f"GET {path}", source, parse)

    def post(
        self,
        path: str,
        body: Mapping[str, Any] | None = None,
        *,
        parse: Parser = parse_any,
        source: str | None = "",
    ) -> ApiCall:
        """POST JSON to `path` with the operator's bearer token."""
        request = self._request(path, None)
        request.setHeader(QNetworkRequest.KnownHeaders.ContentTypeHeader, "application/json")
        if self.token:
            request.setRawHeader(b"Authorization", f"Bearer {self.token}".encode())
        payload = QByteArray(json.dumps(body or {}, ensure_ascii=False).encode("utf-8"))
        reply = self._manager.post(request, payload)
        return self._track(reply, f"POST {path}", source, parse)

    def in_flight(self) -> int:
        """Requests not answered yet."""
        return len(self._pending)

    def _request(self, path: str, params: Mapping[str, str | int] | None) -> QNetworkRequest:
        url = QUrl(self.base_url + path)
        if params:
            query = QUrlQuery()
            for key, value in params.items():
                query.addQueryItem(key, str(value))
            url.setQuery(query)
        request = QNetworkRequest(url)
        request.setTransferTimeout(self._timeout_ms)
        request.setRawHeader(b"Accept", b"application/json")
        if self.session is not None and path.startswith(SESSION_PATHS):
            request.setRawHeader(_SESSION_HEADER, str(self.session).encode("ascii"))
        return request

    def _track(self, reply: QNetworkReply, what: str, source: str | None, parse: Parser) -> ApiCall:
        call = ApiCall(what, what if source == "" else source, self)
        self._pending[reply] = (call, parse)
        # A bound slot, not a lambda holding the reply: such a cycle, collected after Qt
        # deleted the reply, crashes PySide6.
        reply.finished.connect(self._finished)
        return call

    def _finished(self) -> None:
        reply = self.sender()
        assert isinstance(reply, QNetworkReply)
        call, parse = self._pending.pop(reply)
        self._observe_session(reply)
        outcome = self._outcome(reply, call.what, parse)
        if isinstance(outcome, ApiFailure):
            if call.source is not None:
                self.call_failed.emit(call.source, outcome)
            call.failed.emit(outcome)
        else:
            if call.source is not None:
                self.call_succeeded.emit(call.source)
            call.succeeded.emit(outcome)
        call.deleteLater()

    def _observe_session(self, reply: QNetworkReply) -> None:
        """Merge the answer's session token into the client's (an answer without one, or
        from another path, leaves it as it was)."""
        if not reply.url().path().startswith(SESSION_PATHS):
            return
        if not reply.hasRawHeader(SESSION_HEADER):
            return
        text = bytes(reply.rawHeader(SESSION_HEADER).data()).decode("ascii", "replace")
        try:
            token = SessionToken.parse(text)
        except InvalidSession:
            return  # a node's bug, not something the person can act on: keep the session
        merged = token if self.session is None else self.session.merge(token)
        if merged != self.session:
            self.session = merged
            self.session_changed.emit(merged)

    @staticmethod
    def _outcome(reply: QNetworkReply, what: str, parse: Parser) -> Any:
        status = reply.attribute(QNetworkRequest.Attribute.HttpStatusCodeAttribute)
        body = bytes(reply.readAll().data())
        if not isinstance(status, int):
            return failure_from_network(what, reply.error().name)
        if status >= 400:
            return failure_from_status(what, status, body)
        try:
            return parse(json.loads(body.decode("utf-8")) if body else None)
        except (ValueError, PayloadError) as exc:
            return bad_response(what, str(exc))
