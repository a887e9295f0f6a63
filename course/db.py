"""The database floor: the plugin's declarative base, naming conventions, types and engine setup.

Every table the plugin owns is named `course_<name>` and lives on `Base.metadata`, which is
separate from any host's metadata so that the plugin's migrations and the host's stay apart. The
plugin never owns a session of its own: it uses the Flask-SQLAlchemy `db` it was given (the host's,
or the one the standalone app creates), through `session()`.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

from flask import current_app
from sqlalchemy import Connection, DateTime, Engine, MetaData, Table, event
from sqlalchemy.orm import DeclarativeBase, Session
from sqlalchemy.types import TypeDecorator

TABLE_PREFIX = "course_"
VERSION_TABLE = "course_alembic_version"

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    """Declarative base of every plugin model; tables must be prefixed `course_`."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)

    def __init_subclass__(cls, **kwargs: Any) -> None:
        name = cls.__dict__.get("__tablename__")
        if name is not None and not re.fullmatch(TABLE_PREFIX + r"[a-z0-9_]+", name):
            raise TypeError(f"plugin table {name!r} must be named {TABLE_PREFIX}<name>")
        super().__init_subclass__(**kwargs)


def utcnow() -> datetime:
    """The current time, timezone-aware, in UTC."""
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """Stores UTC timestamps the same way on SQLite and PostgreSQL and returns them aware."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def insert_ignore(conn: Connection | Session, table: Table, rows: list[dict[str, Any]]) -> None:
    """Insert rows, skipping any that collide with a unique key (safe under concurrency)."""
    if not rows:
        return
    name = conn.dialect.name if isinstance(conn, Connection) else conn.get_bind().dialect.name
    if name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    elif name == "sqlite":
        from sqlalchemy.dialects.sqlite import insert
    else:  # pragma: no cover - only the two supported engines reach here
        raise NotImplementedError(name)
    conn.execute(insert(table).on_conflict_do_nothing(), rows)


def session() -> Session:
    """The session of the Flask-SQLAlchemy `db` the plugin serves the current app with."""
    return current_app.extensions["course"].db.session


def configure_sqlite(engine: Engine, busy_timeout_ms: int) -> None:
    """Turn on WAL, foreign keys and a busy timeout on every new SQLite connection of `engine`."""
    if engine.dialect.name != "sqlite" or getattr(engine, "_course_pragmas", False):
        return

    @event.listens_for(engine, "connect")
    def _pragmas(dbapi_conn: Any, _record: Any) -> None:
        cursor = dbapi_conn.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={int(busy_timeout_ms)}")
        if engine.url.database not in (None, "", ":memory:"):
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    engine._course_pragmas = True  # type: ignore[attr-defined]
