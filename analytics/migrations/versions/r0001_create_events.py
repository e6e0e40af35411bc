"""Create the events table with the spec's indexes and a unique event_id.

Revision ID: 0001
Revises:
Create Date: 2025-11-24
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Create `events` (spec columns plus the unique `event_id`) and its two indexes."""
    op.create_table(
        "events",
        sa.Column("id", sa.BigInteger(), primary_key=True, autoincrement=True),
        sa.Column("event_type", sa.String(), nullable=False),
        sa.Column("agent_id", sa.String(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=True),
        sa.Column("tokens", sa.Integer(), nullable=False, server_default=sa.text("0")),
        sa.Column("timestamp", sa.DateTime(timezone=True), nullable=False),
        sa.Column("metadata", JSONB(), nullable=False, server_default=sa.text("'{}'::jsonb")),
        sa.Column("event_id", sa.String(), nullable=True),
        sa.UniqueConstraint("event_id", name="events_event_id_key"),
    )
    op.create_index("idx_events_timestamp", "events", [sa.text("timestamp DESC")])
    op.create_index("idx_events_type", "events", ["event_type"])


def downgrade() -> None:
    """Drop the events table and its indexes."""
    op.drop_table("events")
