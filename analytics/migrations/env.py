"""Alembic environment: migrations run on a connection handed over by `analytics.db.migrate`.

There is no alembic.ini: the Config is built in code and the caller passes an open connection in
`config.attributes["connection"]` (Alembic's "connection sharing" recipe), so migrations work from
any working directory and inside the service's event loop. From a shell use
`python -m analytics migrate`.
"""

from alembic import context

from analytics.models import Base

connection = context.config.attributes.get("connection")
if connection is None:
    raise RuntimeError(
        "analytics migrations need a connection: run `python -m analytics migrate` "
        "or call analytics.db.migrate(engine)"
    )
context.configure(connection=connection, target_metadata=Base.metadata, compare_type=True)
with context.begin_transaction():
    context.run_migrations()
