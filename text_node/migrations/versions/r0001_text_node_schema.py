"""The node schema: documents, edits, token_budget (spec) and ops, outbox (replication).

Revision ID: 0001
Revises:
Create Date: 2026-11-24
"""

from collections.abc import Sequence

from alembic import op

from text_node.models import metadata

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Create every table and index of `text_node.models` as of this revision."""
    metadata.create_all(op.get_bind())


def downgrade() -> None:
    """Drop them again."""
    metadata.drop_all(op.get_bind())
