"""Alembic environment: always driven programmatically by db.migrate with a live connection."""

from __future__ import annotations

from alembic import context

import db.drafts_models  # noqa: F401  (its tables join Base.metadata)
from db.models import Base

connection = context.config.attributes["connection"]
context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    render_as_batch=connection.dialect.name == "sqlite",
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()
