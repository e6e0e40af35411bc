"""Alembic environment: migrations run on a connection handed over by `text_node.db.migrate`."""

from alembic import context

from text_node.models import metadata

connection = context.config.attributes.get("connection")
if connection is None:
    raise RuntimeError("text_node migrations need a connection: call text_node.db.migrate(engine)")
context.configure(connection=connection, target_metadata=metadata, compare_type=True)
with context.begin_transaction():
    context.run_migrations()
