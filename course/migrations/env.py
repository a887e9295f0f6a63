"""Alembic environment for the plugin's tables only (course_*), with its own version table."""

from __future__ import annotations

from alembic import context

from course.db import VERSION_TABLE, Base, UTCDateTime
from course.migrations_check import include_name


def render_item(type_, obj, autogen_context):  # noqa: ANN001, ANN201
    """Write our UTC type as a plain DateTime, so migrations never import plugin code."""
    if type_ == "type" and isinstance(obj, UTCDateTime):
        return "sa.DateTime(timezone=True)"
    return False


def run() -> None:
    engine = context.config.attributes["engine"]
    with engine.begin() as connection:
        context.configure(
            connection=connection,
            target_metadata=Base.metadata,
            version_table=VERSION_TABLE,
            include_name=include_name,
            render_as_batch=connection.dialect.name == "sqlite",
            compare_type=True,
            render_item=render_item,
        )
        with context.begin_transaction():
            context.run_migrations()


run()
