"""The `events` table (spec component 7) as a SQLAlchemy model.

Columns are the spec's, plus `event_id`: the sender's id of the event, unique, so a redelivered
event (outbox retry after a timeout) is stored once. `metadata` is a reserved attribute name in
SQLAlchemy's declarative classes, hence the attribute `meta` for the `metadata` column.
"""

from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, DateTime, Index, Integer, String, text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    """Declarative base of the analytics schema (migrations are the source of truth)."""


class Event(Base):
    """One telemetry event sent by a Text Service node (or the agent supervisor)."""

    __tablename__ = "events"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=True)
    event_type: Mapped[str] = mapped_column(String, nullable=False)
    agent_id: Mapped[str | None] = mapped_column(String)
    version: Mapped[int | None] = mapped_column(Integer)
    tokens: Mapped[int] = mapped_column(Integer, nullable=False, server_default=text("0"))
    timestamp: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)
    meta: Mapped[dict[str, Any]] = mapped_column(
        "metadata", JSONB, nullable=False, server_default=text("'{}'::jsonb")
    )
    event_id: Mapped[str | None] = mapped_column(String, unique=True)

    __table_args__ = (
        Index("idx_events_timestamp", timestamp.desc()),
        Index("idx_events_type", "event_type"),
    )
