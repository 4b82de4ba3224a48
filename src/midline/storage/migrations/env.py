"""Alembic environment: runs on the connection :func:`midline.storage.migrate.upgrade` hands it."""

from __future__ import annotations

from alembic import context

from midline.storage.orm import Base

connection = context.config.attributes.get("connection")
if connection is None:
    raise RuntimeError("midline migrations run through midline.storage.migrate.upgrade, not the alembic CLI")
context.configure(connection=connection, target_metadata=Base.metadata)
with context.begin_transaction():
    context.run_migrations()
