"""Alembic's environment for the portal: always called with an open connection (``db.migrate``
passes it in ``config.attributes``), so the portal's own settings decide the database."""

from __future__ import annotations

from alembic import context

from origincert.portal.db import Base

connection = context.config.attributes["connection"]
context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    render_as_batch=True,  # SQLite alters a table by copying it
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()
