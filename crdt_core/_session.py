"""Session tokens: what a client has seen, as a version vector (session guarantees, Terry et
al. 1994).

A token names the document the client last saw and, per origin node, the highest contiguous
sequence number of the operations it has seen — exactly a node's watermark (its Yjs state
vector). A node whose watermark dominates a token holds everything that client has seen, so
reading or writing there keeps read-your-writes, monotonic reads, monotonic writes and
writes-follow-reads. A client keeps the pointwise maximum of the tokens it is given.

Text form (an HTTP header value): `<document_id>;<origin>:<seq>,<origin>:<seq>,...`, e.g.
`0b6c1f3e-8d2a-4c57-a1b9-5d2e7f9c4a10;0:17,1:9,2:12`; the document id may be empty.
"""

import re
from collections.abc import Mapping
from dataclasses import dataclass, field

from ._clock import MAX_NODES
from ._errors import CrdtError

HEADER = "X-Chorus-Session"
MAX_TOKEN_CHARS = 300
_DOCUMENT = re.compile(r"[0-9A-Za-z_-]{0,64}")


class InvalidSession(CrdtError):
    """A session token that cannot be read (its message is Russian: a client shows it)."""


@dataclass(frozen=True, slots=True)
class SessionToken:
    """The document a client last saw and the version vector of what it has seen."""

    document_id: str = ""
    vector: Mapping[int, int] = field(default_factory=dict)

    @classmethod
    def parse(cls, text: str) -> "SessionToken":
        """Read a token; `InvalidSession` naming what is wrong."""
        if len(text) > MAX_TOKEN_CHARS:
            raise InvalidSession(f"токен сеанса длиннее {MAX_TOKEN_CHARS} символов")
        document_id, sep, pairs = text.strip().partition(";")
        if not sep or not _DOCUMENT.fullmatch(document_id):
            raise InvalidSession("токен сеанса должен иметь вид «документ;узел:номер,…»")
        vector: dict[int, int] = {}
        for pair in filter(None, pairs.split(",")):
            origin, colon, seq = pair.partition(":")
            if not colon or not origin.isdigit() or not seq.isdigit():
                raise InvalidSession(f"в токене сеанса непонятная пара {pair!r}")
            if int(origin) >= MAX_NODES or int(origin) in vector:
                raise InvalidSession(f"в токене сеанса неверный узел {origin}")
            vector[int(origin)] = int(seq)
        return cls(document_id, vector)

    def __str__(self) -> str:
        pairs = ",".join(f"{o}:{s}" for o, s in sorted(self.vector.items()) if s > 0)
        return f"{self.document_id};{pairs}"

    def covered_by(self, watermark: Mapping[int, int]) -> bool:
        """Whether a node with `watermark` holds everything this token has seen."""
        return all(watermark.get(origin, 0) >= seq for origin, seq in self.vector.items())

    def merge(self, other: "SessionToken") -> "SessionToken":
        """The pointwise maximum; the document of the token that has seen more (the newer
        one when neither covers the other)."""
        vector = {
            origin: max(self.vector.get(origin, 0), other.vector.get(origin, 0))
            for origin in {*self.vector, *other.vector}
        }
        newer = self if other.covered_by(self.vector) and self.document_id else other
        return SessionToken(newer.document_id or self.document_id, vector)
