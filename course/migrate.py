"""Alembic migrations of the plugin's own tables, with their own version table, and the filter
that keeps a host's own migrations away from them.

Run with `flask course db upgrade`, or from code with `upgrade(engine)`. A host's autogenerate sees
every table in the database and would plan to drop ours: with Flask-Migrate the plugin adds
`exclude_course_tables` to the host's configuration by itself (`watch_flask_migrate`); with plain
Alembic the host's env.py passes `include_name=exclude_course_tables` to `context.configure` (or
`include_name=exclude_course_tables.wrapping(its_own_filter)`).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask import Flask, appcontext_pushed
from sqlalchemy import Engine

from .db import TABLE_PREFIX, VERSION_TABLE

MIGRATIONS = Path(__file__).resolve().parent / "migrations"


def alembic_config(engine: Engine) -> Config:
    """An Alembic Config pointing at the plugin's migrations and bound to `engine`."""
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.attributes["engine"] = engine
    return cfg


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Apply migrations up to `revision`."""
    command.upgrade(alembic_config(engine), revision)


def downgrade(engine: Engine, revision: str) -> None:
    """Revert migrations down to `revision` ("base" removes every plugin table)."""
    command.downgrade(alembic_config(engine), revision)


def current_revision(engine: Engine) -> str | None:
    """The revision the database is at, or None before the first upgrade."""
    with engine.connect() as conn:
        ctx = MigrationContext.configure(conn, opts={"version_table": VERSION_TABLE})
        return ctx.get_current_revision()


def head_revision() -> str | None:
    """The newest revision shipped with the plugin."""
    return ScriptDirectory.from_config(alembic_config(None)).get_current_head()  # type: ignore[arg-type]


NameFilter = Callable[[str | None, str, Any], bool]


def exclude_course_tables(name: str | None, type_: str, parent_names: Any) -> bool:
    """Alembic `include_name` filter for a host: the plugin's tables (and its version table)
    take no part in the host's migrations; everything else does."""
    return not (type_ == "table" and bool(name) and name.startswith(TABLE_PREFIX))


def _wrapping(host_filter: NameFilter | None) -> NameFilter:
    """`exclude_course_tables` combined with a filter of the host's own."""
    if host_filter is None or getattr(host_filter, "_course_excludes", False):
        return host_filter or exclude_course_tables

    def combined(name: str | None, type_: str, parent_names: Any) -> bool:
        return exclude_course_tables(name, type_, parent_names) and host_filter(
            name, type_, parent_names)

    combined._course_excludes = True  # type: ignore[attr-defined]
    return combined


exclude_course_tables.wrapping = _wrapping  # type: ignore[attr-defined]
exclude_course_tables._course_excludes = True  # type: ignore[attr-defined]


def _exclude_objects(host_filter: Callable[..., bool] | None) -> Callable[..., bool]:
    """An `include_object` filter leaving out plugin tables (and their indexes and columns) that
    a host's metadata might hold, combined with the host's own."""
    if getattr(host_filter, "_course_excludes", False):
        return host_filter  # type: ignore[return-value]

    def combined(obj: Any, name: str | None, type_: str, reflected: bool, compare_to: Any) -> bool:
        table = obj if type_ == "table" else getattr(obj, "table", None)
        table_name = name if type_ == "table" else getattr(table, "name", None)
        if table_name and str(table_name).startswith(TABLE_PREFIX):
            return False
        return host_filter is None or host_filter(obj, name, type_, reflected, compare_to)

    combined._course_excludes = True  # type: ignore[attr-defined]
    return combined


def _add_filters(app: Flask) -> bool:
    """Add our filters to the app's Flask-Migrate configuration; False when it has none yet."""
    config = app.extensions.get("migrate")
    args = getattr(config, "configure_args", None)
    if not isinstance(args, dict):
        return False
    args["include_name"] = _wrapping(args.get("include_name"))
    args["include_object"] = _exclude_objects(args.get("include_object"))
    return True


def _on_context(app: Flask, **_: Any) -> None:
    """Each app context: add the filters once Flask-Migrate is there (it may be set up after
    the plugin), then stop listening. An app that has begun serving requests without it has
    no migrations to filter (`flask db` runs in a process of its own): listening stops too,
    so that a site without Flask-Migrate pays for no signal on every request."""
    if _add_filters(app) or getattr(app, "_got_first_request", False):
        appcontext_pushed.disconnect(_on_context, sender=app)


def watch_flask_migrate(app: Flask) -> None:
    """Keep the plugin's tables out of the host's Flask-Migrate autogenerate, whether
    Flask-Migrate is set up before the plugin or after it (no edit by the host)."""
    if not _add_filters(app):
        appcontext_pushed.connect(_on_context, sender=app)
