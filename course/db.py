"""The database floor: the plugin's declarative base, naming conventions, types and engine setup.

Every table the plugin owns is named `course_<name>` and lives on `Base.metadata`, which is
separate from any host's metadata so that the plugin's migrations and the host's stay apart. The
plugin never owns a session of its own: it uses the Flask-SQLAlchemy `db` it was given (the host's,
or the one the standalone app creates), through `session()`.
"""

from __future__ import annotations

import logging
import os
import re
import threading
import weakref
from collections import namedtuple
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, DateTime, Engine, MetaData, Select, Table, event
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import DeclarativeBase, Session, scoped_session
from sqlalchemy.pool import NullPool, QueuePool
from sqlalchemy.types import TypeDecorator

from .ctx import app_context_id, this_app
from .kept import KeptByObject

TABLE_PREFIX = "course_"
log = logging.getLogger(__name__)
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

    def result_processor(self, dialect: Any, coltype: Any) -> Any:
        """On SQLite, text in the one shape SQLAlchemy stores ("2026-11-27 18:07:15" with or
        without six digits of microseconds) is read as UTC in one step: parsing it and then
        `replace(tzinfo=UTC)` costs eight times as much (the replace alone 2.3 µs a value
        here), and a learner's progress has two timestamps a lesson. Anything else takes
        SQLAlchemy's path, as before."""
        general = super().result_processor(dialect, coltype)
        if dialect.name != "sqlite" or general is None:
            return general
        parse = datetime.fromisoformat

        def process(value: Any) -> datetime | None:
            if value is None:
                return None
            if value.__class__ is str and len(value) in (19, 26) and value[10] == " " and (
                    value[4] == value[7] == "-"):
                try:
                    return parse(value + "+00:00")
                except ValueError:
                    pass
            return general(value)  # type: ignore[no-any-return]

        return process


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
    return this_app().extensions["course"].db.session


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


#: The attribute that marks a cursor-execute listener as one that reads only the statement and
#: its parameters (`mark_plain_listener`).
PLAIN_LISTENER = "course_plain_listener"


def mark_plain_listener(fn: Callable[..., Any]) -> Callable[..., Any]:
    """Mark `fn`, a `before_cursor_execute` listener registered with `retval=True` (so that
    SQLAlchemy keeps the function itself) or an `after_cursor_execute` one, as reading only the
    statement and its parameters: `FastSelect` then fires it too, with no Connection or
    execution context. While any unmarked listener is on the engine, `FastSelect` runs its
    statement through SQLAlchemy instead, so a host's instrumentation sees what it expects."""
    setattr(fn, PLAIN_LISTENER, True)
    return fn


@dataclass(frozen=True)
class _Prepared:
    sql: str
    names: tuple[str, ...]  # the parameters, in the order of the statement's placeholders
    defaults: Mapping[str, Any]
    row: Any  # a namedtuple class with the selected columns' names
    processors: tuple[tuple[int, Callable[[Any], Any]], ...]  # (column, result processor)

    def args(self, params: Mapping[str, Any]) -> tuple[Any, ...] | None:
        """The placeholders' values; None when one is missing (SQLAlchemy's path says which)."""
        names = self.names
        try:
            if len(names) == len(params):  # each given (the usual call): read in one pass
                return tuple([params[n] for n in names])
        except KeyError:
            pass
        try:
            return tuple(params[n] if n in params else self.defaults[n] for n in names)
        except KeyError:
            return None


class FastSelect:
    """A select run on every page (the signed-in account, a learner's progress): on SQLite,
    straight on the DBAPI cursor of the thread's own connection (`_thread_connection`),
    compiled once, its rows as named tuples with SQLAlchemy's own result processing (dates,
    JSON, booleans).

    With the database in the process, SQLAlchemy's per-statement machinery (execution context,
    result object), the ORM session's set-up and tear-down and a pool checkout are most of what
    a read costs: measured on the lesson page, its three reads this way took a third off the
    whole request. Elsewhere it is the plain path, `session().connection()`: on another
    database (the round trip is the cost there), a pool that shares one connection (SQLite in
    memory: the session's own), a session already in a transaction or bound to a connection
    (what it sees must be read), a statement needing bind processing or expanded parameters,
    and an engine that anything else watches (`_plain_listeners`)."""

    def __init__(self, statement: Select[Any]) -> None:
        self.statement = statement
        #: By dialect (engines come and go: tests, a host's reconfiguration).
        self._prepared: KeptByObject[_Prepared | None] = KeptByObject(16)
        #: The last dialect asked for and its statement: one app's reads find it here.
        self._last: tuple[Any, _Prepared | None] = (None, None)

    def rows(self, params: Mapping[str, Any], db: Session | None = None) -> list[Any]:
        """The statement's rows for `params` (each with the selected columns by name), as
        `db` (default: the plugin's session) would read them."""
        if db is None:
            db = this_app().extensions["course"].db.session
        engine = _fast_engine(db)
        prepared = self._prepare(engine) if engine is not None else None
        listeners = _plain_listeners(engine) if prepared is not None else None
        args = prepared.args(params) if listeners is not None else None
        if args is None:  # the plain path
            return list(db.connection().execute(self.statement, dict(params)))
        found = _run(engine, prepared.sql, args, listeners)
        make, processors = prepared.row._make, prepared.processors
        if not processors:
            return [make(r) for r in found]
        out = []
        for raw in found:
            values = list(raw)
            for index, process in processors:
                values[index] = process(values[index])
            out.append(make(values))
        return out

    def _prepare(self, engine: Engine) -> _Prepared | None:
        """The statement ready for the DBAPI cursor, or None where it needs SQLAlchemy."""
        dialect = engine.dialect
        last = self._last
        if last[0] is dialect:
            return last[1]
        prepared = self._prepared.get(dialect, lambda: self._compile(dialect))
        self._last = (dialect, prepared)
        return prepared

    def _compile(self, dialect: Any) -> _Prepared | None:
        compiled = self.statement.compile(dialect=dialect)
        names = compiled.positiontup
        columns = [c.key for c in self.statement.selected_columns]
        binds = [compiled.binds[n] for n in names or ()]
        if (names is not None and not compiled.literal_execute_params
                and not compiled.post_compile_params
                and all(b.type.dialect_impl(dialect).bind_processor(dialect) is None
                        for b in binds)
                and columns and all(c and c.isidentifier() and not c.startswith("_")
                                    for c in columns)
                and len(set(columns)) == len(columns)):
            processors = tuple(
                (i, p) for i, c in enumerate(self.statement.selected_columns)
                if (p := c.type.dialect_impl(dialect).result_processor(dialect, None)))
            return _Prepared(str(compiled), tuple(names),
                             {b.key: b.value for b in binds if not b.required},
                             namedtuple("Row", columns), processors)  # noqa: PYI024
        return None


def _fast_engine(db: Session) -> Engine | None:
    """The SQLite engine `db` reads from, if a read may bypass it: `db` is not in a
    transaction, is bound to an engine (not to a connection, as a test bound to an outer
    transaction is), and the engine's pool hands each checkout a connection of its own."""
    try:
        if isinstance(db, scoped_session):
            kw = db.session_factory.kw
            if kw.get("bind") is not None or kw.get("binds"):
                return None
            current = _scoped_now(db)  # the session this request has already, if any
            if current is not None and (current.in_transaction() or current.bind is not None):
                return None
            engine = _app_engine(this_app())
        else:
            if db.in_transaction():
                return None
            engine = db.get_bind()
    except Exception:  # noqa: BLE001 - whatever cannot tell is read the plain way
        return None
    if (not isinstance(engine, Engine) or engine.dialect.name != "sqlite"
            or not isinstance(engine.pool, QueuePool | NullPool)):
        return None
    return engine


try:
    from flask_sqlalchemy.session import _app_ctx_id as _FLASK_SQLALCHEMY_SCOPE
except ImportError:  # pragma: no cover - another Flask-SQLAlchemy: its scope function is called
    _FLASK_SQLALCHEMY_SCOPE = None


def _scoped_now(db: scoped_session[Any]) -> Session | None:
    """The session `db` holds for the current scope, if it made one (one scope look-up, where
    `has()` and then the call would make two)."""
    registry = db.registry
    kept = getattr(registry, "registry", None)
    if isinstance(kept, dict):  # a ScopedRegistry: sessions by scope
        scope = registry.scopefunc  # type: ignore[attr-defined]
        # Flask-SQLAlchemy's own scope, the app context, read without its proxy.
        key = app_context_id() if scope is _FLASK_SQLALCHEMY_SCOPE else scope()
        return kept.get(key)  # type: ignore[no-any-return]
    return registry() if registry.has() else None


#: Each app's Flask-SQLAlchemy engine, found once: asking the extension for it looks the app up
#: again through its proxy on every read. An app's engine is made when the extension is set up
#: and kept as long as the app.
_ENGINES: weakref.WeakKeyDictionary[Any, Engine] = weakref.WeakKeyDictionary()


def _app_engine(app: Any) -> Engine:
    engine = _ENGINES.get(app)
    if engine is None:
        engine = _ENGINES[app] = app.extensions["course"].db.engine
    return engine


_NO_LISTENERS: tuple[list[Any], list[Any]] = ([], [])


def _plain_listeners(engine: Engine) -> tuple[list[Any], list[Any]] | None:
    """The engine's cursor listeners, before and after, if every one is marked plain; None
    when anything else watches its statements (SQL echo or an INFO log, execute or error
    listeners, execution options such as a schema map): SQLAlchemy's path serves those."""
    dispatch = engine.dispatch
    if (engine.echo or dispatch.before_execute or dispatch.after_execute
            or engine.dialect.dispatch.handle_error or engine.get_execution_options()
            or engine.logger.isEnabledFor(logging.INFO)):
        return None
    before, after = dispatch.before_cursor_execute, dispatch.after_cursor_execute
    if not before and not after:
        return _NO_LISTENERS
    if any(not getattr(fn, PLAIN_LISTENER, False) for fn in (*before, *after)):
        return None
    return list(before), list(after)



class _ThreadConnections(dict[int, tuple[int, Any, Any]]):
    """One thread's fast-read connections, by id(engine): (process, connection, engine ref).
    Closed when the thread ends, as each is when its engine goes (never in a forked child:
    what the parent made is the parent's)."""

    def __del__(self) -> None:
        for pid, pooled, _engine in list(self.values()):
            _close(pid, pooled)


def _close(pid: int, pooled: Any) -> None:
    if pid != os.getpid():
        return
    try:
        pooled.close()
    except Exception:  # noqa: BLE001 - it is let go either way
        log.debug("closing a fast-read connection failed", exc_info=True)


_THREAD = threading.local()
#: Connections a forked child found in its thread's store: kept referenced, so that the child
#: never closes what its parent made.
_INHERITED: list[Any] = []


def _thread_connection(engine: Engine) -> Any:
    """This thread's own connection to `engine`'s database: taken from the pool once (made as
    the pool makes them, pragmas and all) and detached from it, so that a read pays for no
    checkout and a request never holds a pool slot while its ORM session wants one. A forked
    child makes its own (one made before the fork is left alone, never used or closed)."""
    kept = getattr(_THREAD, "connections", None)
    if kept is None:
        kept = _THREAD.connections = _ThreadConnections()
    key, pid = id(engine), os.getpid()
    entry = kept.get(key)
    if entry is not None:
        if entry[0] == pid and entry[2]() is engine:
            return entry[1]
        if entry[0] != pid:
            _INHERITED.append(entry)
        else:
            _close(*entry[:2])
    fairy = engine.raw_connection()
    fairy.detach()
    # The DBAPI connection alone: the pool's wrapper would keep the pool, and so the engine,
    # alive for as long as the thread keeps its connection.
    pooled = fairy.dbapi_connection
    del fairy

    def gone(_ref: Any, kept: _ThreadConnections = kept, pooled: Any = pooled) -> None:
        if kept.get(key, (None, None))[1] is pooled:
            kept.pop(key, None)
        _close(pid, pooled)

    kept[key] = (pid, pooled, weakref.ref(engine, gone))
    return pooled


def _drop_thread_connection(engine: Engine) -> None:
    kept = getattr(_THREAD, "connections", None)
    entry = kept.pop(id(engine), None) if kept is not None else None
    if entry is not None:
        _close(*entry[:2])


def _run(engine: Engine, sql: str, args: tuple[Any, ...],
         listeners: tuple[list[Any], list[Any]]) -> list[Any]:
    """`sql` on this thread's own connection (`_thread_connection`); a driver error raised as
    SQLAlchemy's (the site's database-unavailable page), the connection let go."""
    dialect = engine.dialect
    pooled = _thread_connection(engine)
    cursor = None
    try:
        cursor = pooled.cursor()
        for fn in listeners[0]:
            fn(None, cursor, sql, args, None, False)
        cursor.execute(sql, args)
        found = cursor.fetchall()
        for fn in listeners[1]:
            fn(None, cursor, sql, args, None, False)
        return found
    except dialect.loaded_dbapi.Error as error:
        _drop_thread_connection(engine)  # a connection that failed is not used again
        cursor = None
        raise DBAPIError.instance(sql, args, error, dialect.loaded_dbapi.Error,
                                  dialect=dialect) from error
    finally:
        if cursor is not None:
            cursor.close()
