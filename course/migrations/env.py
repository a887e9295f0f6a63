"""Alembic environment for the plugin's tables only (course_*), with its own version table."""

from __future__ import annotations

from alembic import context

from course.accounts import models as _accounts  # noqa: F401  (registers the tables)
from course.db import TABLE_PREFIX, VERSION_TABLE, Base, UTCDateTime


def include_name(name, type_, parent_names):  # noqa: ANN001, ANN201
    """Only the plugin's own tables take part: a host's tables are never touched."""
    if type_ == "table":
        return name is not None and name.startswith(TABLE_PREFIX)
    return True


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
