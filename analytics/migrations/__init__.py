"""Alembic migrations of the analytics database (run by `analytics.db.migrate`)."""
