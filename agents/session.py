"""One agent's session with the Text Service (session guarantees, issue 19).

Every answer of the Text Service under `/api/document` and `/api/edits` carries
`X-Chorus-Session`: what the serving node held. The agent keeps the pointwise maximum of
those tokens and sends it with each document read and edit post, so whichever node the
balancer picks answers only once it holds everything this agent has seen: an agent that has
just written reads its own edit, and its reads never go back in time. The session belongs to
the agent, not to the HTTP client (the supervisor's agents share one client).
"""

import logging

import httpx

from crdt_core import SESSION_HEADER, InvalidSession, SessionToken

log = logging.getLogger(__name__)


class TextSession:
    """The merged token of every Text Service answer seen; `enabled=False` sends nothing
    (the benchmark's run without sessions) and only remembers."""

    def __init__(self, *, enabled: bool = True) -> None:
        self.enabled = enabled
        self.token: SessionToken | None = None
        """The pointwise maximum of the tokens seen; None before the first answer."""

    def headers(self) -> dict[str, str]:
        """The header to send: none before the first answer, or when disabled."""
        if not self.enabled or self.token is None:
            return {}
        return {SESSION_HEADER: str(self.token)}

    def observe(self, response: httpx.Response) -> None:
        """Merge the token of an answer into the session (an answer without one, e.g. from
        an older node or the balancer's own error page, leaves it as it was)."""
        header = response.headers.get(SESSION_HEADER)
        if header is None:
            return
        try:
            token = SessionToken.parse(header)
        except InvalidSession as exc:
            # A node's bug, not the agent's: keep what it had and say so in the log.
            log.warning("ignoring an unreadable %s %r: %s", SESSION_HEADER, header, exc)
            return
        self.token = token if self.token is None else self.token.merge(token)
