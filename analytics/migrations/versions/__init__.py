"""Alembic revisions of the analytics database."""
