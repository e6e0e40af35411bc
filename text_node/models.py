"""Tables of a node's database.

The spec's tables — `documents`, `edits`, `token_budget` — plus what replication needs: `ops`
(the durable op set: every operation held, with its origin sequence number) and `outbox`
(deliveries to peers and to analytics not yet acknowledged).

Two deliberate differences from the spec's sketch, both forced by replication:
- `documents` is keyed by `version_key`: a dense `version` is a rank in key order and moves up
  by one when a late operation lands below it. Only the head and every N-th version keep
  their text (the rest is replayed from `ops`), so storage does not grow as size × versions.
- `edits` is keyed by `(edit_id, document_id)`: a client retry that landed after a new
  document started is an edit of that document too.
"""

from sqlalchemy import (
    BigInteger,
    Column,
    DateTime,
    Index,
    Integer,
    MetaData,
    SmallInteger,
    String,
    Table,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB, UUID

metadata = MetaData()

documents = Table(
    "documents",
    metadata,
    Column("version_key", BigInteger, primary_key=True, autoincrement=False),
    Column("version", Integer, nullable=False),
    Column("document_id", String, nullable=False),
    Column("text", Text, nullable=True),
    Column("timestamp", DateTime(timezone=True), nullable=False),
    Column("edit_id", UUID(as_uuid=False), nullable=False),
    Index("idx_documents_version", text("version DESC")),
)

edits = Table(
    "edits",
    metadata,
    Column("edit_id", UUID(as_uuid=False), primary_key=True),
    Column("document_id", String, primary_key=True),
    Column("agent_id", String, nullable=False),
    Column("proposed_text", Text, nullable=False),
    Column("position", String, nullable=False),
    Column("tokens_used", Integer, nullable=False),
    Column("status", String, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("node", SmallInteger, nullable=False),
    Column("version_key", BigInteger, nullable=False),
    Column("base_version", Integer, nullable=False),
    Column("reason", Text, nullable=False, server_default=""),
    Index("idx_edits_status", "status"),
    Index("idx_edits_version_key", text("version_key DESC")),
)

token_budget = Table(
    "token_budget",
    metadata,
    Column("id", Integer, primary_key=True, server_default=text("1")),
    Column("total_tokens", BigInteger, nullable=False, server_default=text("0")),
    Column("limit_tokens", BigInteger, nullable=False, server_default=text("15000000")),
)

ops = Table(
    "ops",
    metadata,
    Column("version_key", BigInteger, primary_key=True, autoincrement=False),
    Column("origin", SmallInteger, nullable=False),
    Column("seq", Integer, nullable=False),
    Column("edit_id", String, nullable=False),
    Column("document_id", String, nullable=False),
    Column("kind", String, nullable=False),
    Column("body", JSONB, nullable=False),
    UniqueConstraint("origin", "seq", name="uq_ops_origin_seq"),
)

outbox = Table(
    "outbox",
    metadata,
    Column("id", BigInteger, primary_key=True, autoincrement=True),
    Column("destination", String, nullable=False),
    Column("version_key", BigInteger, nullable=True),
    Column("payload", JSONB, nullable=True),
    Column("attempts", Integer, nullable=False, server_default=text("0")),
    Column(
        "next_attempt_at", DateTime(timezone=True), nullable=False, server_default=text("now()")
    ),
    Index("idx_outbox_due", "destination", "next_attempt_at"),
)
