"""`FastSelect`: the reads run on every page give what SQLAlchemy gives, and take the plain path
wherever the fast one could read something else (another transaction, a shared connection, a
host's instrumentation)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import create_engine, event, insert, literal_column, select, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session, scoped_session, sessionmaker
from sqlalchemy.pool import StaticPool

from course.accounts.login import _SIGNED_IN
from course.db import Base, FastSelect, mark_plain_listener
from course.db import session as db_session
from course.lessons.models import LessonProgress
from course.lessons.services import _STATES, lesson_states
from course.quizzes.models import PracticeAnswer
from course.quizzes.practice import _ANSWERS, answers_by_question
from tests.conftest import login, register

WHEN = datetime(2026, 11, 27, 9, 30, 15, 123456, tzinfo=UTC)
RESPONSES: list[Any] = [["b", "d"], {"blank-1": "six months"}, "plain text", [], [3, 1.5, None]]


def _seed(app: Flask) -> str:
    register(app.test_client(), email="lea@example.com", name="Léa Łukasiewicz")
    with app.app_context():
        db = db_session()
        db.add(LessonProgress(user_id="7", course="c", module="m", lesson="read",
                              viewed_version="v1", last_viewed_at=WHEN))
        db.add(LessonProgress(user_id="7", course="c", module="m", lesson="done",
                              viewed_version="v1", last_viewed_at=WHEN - timedelta(days=3),
                              completed_at=WHEN, completed_version="v1"))
        for n, response in enumerate(RESPONSES):
            db.add(PracticeAnswer(user_id="7", course="c", module="m", lesson="read",
                                  question=f"q{n % 2}", bank=n == 1, response=response,
                                  correct=False))
        db.commit()
        return str(db.execute(text("SELECT id FROM course_user")).scalar_one())


def _core(fast: FastSelect, params: dict[str, Any]) -> list[tuple[Any, ...]]:
    return [tuple(r) for r in db_session().connection().execute(fast.statement, params)]


def _statements(app: Flask, run: Any) -> list[str]:
    """The statements `run` sends, as a listener marked plain sees them."""
    with app.app_context():
        engine = app.extensions["course"].db.engine
    seen: list[str] = []

    @mark_plain_listener
    def note(conn, cursor, statement, parameters, context, executemany):  # noqa: ANN001, ANN202
        seen.append(statement)
        return statement, parameters

    event.listen(engine, "before_cursor_execute", note, retval=True)
    try:
        run()
    finally:
        event.remove(engine, "before_cursor_execute", note)
    return seen


def test_the_rows_are_the_ones_sqlalchemy_gives(standalone_app: Flask) -> None:
    """Dates (aware, in UTC, microseconds kept), JSON of every shape, booleans, non-ASCII text,
    no rows at all: the same values, with the columns by name."""
    user_id = _seed(standalone_app)
    cases = [(_SIGNED_IN, {"id": int(user_id)}), (_SIGNED_IN, {"id": 999}),
             (_STATES, {"user_id": "7", "course": "c"}),
             (_ANSWERS, {"user_id": "7", "course": "c", "lesson": "read"}),
             (_ANSWERS, {"user_id": "8", "course": "c", "lesson": "read"})]
    with standalone_app.app_context():
        for fast, params in cases:
            rows = fast.rows(params)
            assert [tuple(r) for r in rows] == _core(fast, params)
            db_session().remove()
        user = _SIGNED_IN.rows({"id": int(user_id)})[0]
        assert (user.email, user.display_name, user.active) == (
            "lea@example.com", "Léa Łukasiewicz", True)
        assert user.active is True
        states = lesson_states(db_session(), "7", "c")
        assert states["read"].viewed_at == WHEN and states["read"].completed_at is None
        done = states["done"].completed_at
        assert done == WHEN and done.utcoffset() == timedelta(0)
        answers = answers_by_question(db_session(), "7", "c", "read")
        assert [a.response for a in answers["q0"]] == [RESPONSES[0], RESPONSES[2], RESPONSES[4]]
        assert [a.response for a in answers["q1"]] == [RESPONSES[1], RESPONSES[3]]


def test_a_session_in_a_transaction_reads_its_own_uncommitted_writes(
        standalone_app: Flask) -> None:
    _seed(standalone_app)
    with standalone_app.app_context():
        db = db_session()
        db.add(LessonProgress(user_id="7", course="c", module="m", lesson="new",
                              viewed_version="v1"))
        db.flush()  # in the session's transaction, not committed
        assert "new" in lesson_states(db, "7", "c")
        db.rollback()
        assert "new" not in lesson_states(db, "7", "c")


@contextmanager
def _outer_transaction(app: Flask) -> Iterator[Any]:
    """A connection in a transaction holding a progress row ("outer") never committed, as a
    host's test suite keeps one and rolls it back at the end."""
    _seed(app)
    with app.app_context():
        connection = app.extensions["course"].db.engine.connect()
        outer = connection.begin()
        try:
            connection.execute(insert(LessonProgress.__table__).values(
                user_id="7", course="c", module="m", lesson="outer", viewed_version="v1",
                first_viewed_at=WHEN, last_viewed_at=WHEN))
            yield connection
        finally:
            outer.rollback()
            connection.close()


def test_a_session_bound_to_an_outer_transaction_is_read_in_it(standalone_app: Flask) -> None:
    """What a test wrote in its outer transaction, never committed, is what pages must read."""
    with _outer_transaction(standalone_app) as connection:
        bound = scoped_session(sessionmaker(bind=connection))
        assert "outer" in {r.lesson for r in _STATES.rows(
            {"user_id": "7", "course": "c"}, bound)}
        bound.remove()


def test_a_pool_of_one_shared_connection_is_read_through_the_session() -> None:
    """SQLite in memory keeps one connection for everyone: a read that gave it back to the
    pool would roll the session's transaction back."""
    engine = create_engine("sqlite://", poolclass=StaticPool)
    Base.metadata.create_all(engine)
    app = Flask(__name__)

    class Holder:
        session = scoped_session(sessionmaker(bind=engine))

    holder = Holder()
    holder.engine = engine  # type: ignore[attr-defined]
    app.extensions["course"] = type("State", (), {"db": holder})()
    with app.app_context():
        db = holder.session
        db.add(LessonProgress(user_id="7", course="c", module="m", lesson="mem",
                              viewed_version="v1"))
        db.flush()
        assert "mem" in {r.lesson for r in _STATES.rows({"user_id": "7", "course": "c"})}
        db.commit()  # still there to commit: nothing rolled it back
        assert db.execute(select(LessonProgress.lesson)).scalars().all() == ["mem"]
        db.remove()
    engine.dispose()


def test_listeners_see_every_read_and_an_instrumented_engine_gets_sqlalchemy_s_path(
        standalone_app: Flask) -> None:
    """A listener marked plain is called by the fast reads (with no connection); while an
    unmarked one (a host's tracing, reading the execution context) is on the engine, every read
    goes through SQLAlchemy and it gets a real context."""
    user_id = _seed(standalone_app)
    client = standalone_app.test_client()
    login(client, "lea@example.com", "correct horse battery")

    seen = _statements(standalone_app, lambda: client.get("/account/"))
    assert any("FROM course_user" in s and "session_token" in s for s in seen)

    with standalone_app.app_context():
        engine = standalone_app.extensions["course"].db.engine
    contexts: list[Any] = []

    def traced(conn, cursor, statement, parameters, context, executemany) -> None:  # noqa: ANN001
        contexts.append((conn, context.compiled is not None))

    event.listen(engine, "before_cursor_execute", traced)
    try:
        assert client.get("/account/").status_code == 200
    finally:
        event.remove(engine, "before_cursor_execute", traced)
    assert contexts and all(conn is not None and compiled for conn, compiled in contexts)
    assert user_id


def test_a_driver_error_is_sqlalchemy_s_and_the_connection_goes_back(
        standalone_app: Flask) -> None:
    """A broken read raises SQLAlchemy's DBAPIError (the site's "database unavailable" page
    answers it) and leaves no connection checked out."""
    missing = FastSelect(select(LessonProgress.__table__.c.lesson).select_from(
        text("course_no_such_table")).where(text("1 = 1")))
    with standalone_app.app_context():
        engine = standalone_app.extensions["course"].db.engine
        with pytest.raises(DBAPIError):
            missing.rows({})
        db_session().remove()
        assert engine.pool.checkedout() == 0


def test_the_lesson_page_reads_without_the_orm_session_on_sqlite(
        standalone_course_site: Any, backend: str) -> None:
    """Opened again within the minute (nothing to record), the lesson page reads the account,
    the progress and the practice answers and opens no ORM session at all on SQLite."""
    site = standalone_course_site
    client = site.app.test_client()
    register(client, email="reader@example.com")
    lesson = "/courses/social-divide/lessons/six-months-to-a-useful-network"
    assert client.get(site.url(lesson)).status_code == 200
    with site.app.app_context():
        engine = site.app.extensions["course"].db.engine
    opened: list[Session] = []
    checkouts: list[object] = []

    def began(session: Session, *args: Any) -> None:
        opened.append(session)

    def checkout(*args: Any) -> None:
        checkouts.append(args)

    event.listen(Session, "after_begin", began)
    event.listen(engine, "checkout", checkout)
    try:
        seen = _statements(site.app, lambda: client.get(site.url(lesson)))
    finally:
        event.remove(Session, "after_begin", began)
        event.remove(engine, "checkout", checkout)
    assert len(seen) == 3, seen
    assert (opened == []) == (backend == "sqlite")
    # SQLite: the reads use the thread's own connection, the pool is not asked at all.
    assert len(checkouts) == (0 if backend == "sqlite" else 1)
    assert engine.pool.checkedout() == 0


def test_each_thread_reads_on_its_own_connection_and_a_failed_one_is_replaced(
        standalone_app: Flask, backend: str) -> None:
    import threading

    from course import db as course_db

    if backend != "sqlite":
        pytest.skip("the fast reads are SQLite's")
    _seed(standalone_app)
    params = {"user_id": "7", "course": "c"}
    seen: dict[str, Any] = {}

    def read(name: str) -> None:
        with standalone_app.app_context():
            assert {r.lesson for r in _STATES.rows(params)} == {"read", "done"}
            engine = standalone_app.extensions["course"].db.engine
            seen[name] = course_db._THREAD.connections[id(engine)][1]

    workers = [threading.Thread(target=read, args=(f"t{n}",)) for n in range(2)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    read("main")
    assert len({id(c) for c in seen.values()}) == 3
    import gc
    import sqlite3

    gc.collect()
    with pytest.raises(sqlite3.ProgrammingError):  # closed when its thread ended
        seen["t0"].execute("SELECT 1")
    with standalone_app.app_context():
        missing = FastSelect(select(literal_column("lesson").label("lesson")).select_from(
            text("course_no_such_table")))
        with pytest.raises(DBAPIError):
            missing.rows({})
        engine = standalone_app.extensions["course"].db.engine
        assert id(engine) not in course_db._THREAD.connections  # let go
        assert {r.lesson for r in _STATES.rows(params)} == {"read", "done"}  # a new one
        assert engine.pool.checkedout() == 0


def test_a_pool_of_one_connection_serves_a_page_that_reads_fast_and_writes(
        make_app: Any, backend: str) -> None:
    """A fast read gives its connection back before the page's ORM session takes one: a page
    never needs two (with one connection and no overflow, it would wait for ever)."""
    if backend != "sqlite":
        pytest.skip("the fast reads are SQLite's")
    app = make_app(SQLALCHEMY_ENGINE_OPTIONS={"pool_size": 1, "max_overflow": 0,
                                              "pool_timeout": 2})
    client = app.test_client()
    register(client, email="lea@example.com", name="Lea")
    assert client.get("/account/").status_code == 200
    from tests.conftest import submit

    assert submit(client, "/account/name", {"display_name": "Lea Renamed"}).status_code in (
        302, 303)
    assert "Lea Renamed" in client.get("/account/").get_data(as_text=True)


def test_a_plain_session_bound_to_a_connection_is_read_in_its_transaction(
        standalone_app: Flask) -> None:
    with _outer_transaction(standalone_app) as connection:
        plugin_db = standalone_app.extensions["course"].db
        plugin_db.session.registry.set(Session(bind=connection))
        assert "outer" in lesson_states(db_session(), "7", "c")
        plugin_db.session.remove()


def test_echo_execute_and_error_listeners_get_sqlalchemy_s_path(
        standalone_app: Flask, caplog: pytest.LogCaptureFixture) -> None:
    """SQL echo, `before_execute` and `handle_error` listeners see the reads as before."""
    user_id = _seed(standalone_app)
    params = {"id": int(user_id)}
    with standalone_app.app_context():
        engine = standalone_app.extensions["course"].db.engine
        executed: list[Any] = []

        def before(conn, clause, *args: Any) -> None:  # noqa: ANN001
            executed.append(clause)

        event.listen(engine, "before_execute", before)
        try:
            assert _SIGNED_IN.rows(params)
        finally:
            event.remove(engine, "before_execute", before)
        assert executed == [_SIGNED_IN.statement]
        db_session().remove()

        engine.echo = True
        try:
            with caplog.at_level("INFO", logger="sqlalchemy.engine"):
                assert _SIGNED_IN.rows(params)
        finally:
            engine.echo = False
        assert any("FROM course_user" in r.getMessage() for r in caplog.records)
        db_session().remove()

        errors: list[Any] = []

        def failed(context: Any) -> None:
            errors.append(context.original_exception)

        missing = FastSelect(select(literal_column("lesson").label("lesson")).select_from(
            text("course_no_such_table")))
        event.listen(engine, "handle_error", failed)
        try:
            with pytest.raises(DBAPIError):
                missing.rows({})
        finally:
            event.remove(engine, "handle_error", failed)
        assert len(errors) == 1
        db_session().remove()


def test_a_missing_parameter_is_an_error_not_a_null(standalone_app: Flask) -> None:
    from sqlalchemy.exc import StatementError

    with standalone_app.app_context():
        with pytest.raises(StatementError, match="user_id"):
            _STATES.rows({"course": "c"})
        db_session().remove()
        engine = standalone_app.extensions["course"].db.engine
        assert _STATES._prepare(engine) is _STATES._prepare(engine)  # compiled once


def test_sqlite_timestamps_are_read_as_sqlalchemy_reads_them() -> None:
    """`UTCDateTime` on SQLite reads the text SQLAlchemy stores in one step: the same aware UTC
    values as SQLAlchemy's parse and a `replace`, and any other text goes that way itself."""
    from sqlalchemy.dialects import postgresql, sqlite
    from sqlalchemy.engine import processors

    from course.db import UTCDateTime

    dialect = sqlite.dialect()
    read = UTCDateTime().dialect_impl(dialect).result_processor(dialect, None)
    for text_ in ("2026-11-27 09:30:15.123456", "2026-11-27 09:30:15", "0001-01-01 00:00:00",
                  "9999-12-31 23:59:59.999999", "2026-11-27", "2026-11-27 09:30:15.5",
                  "2026-11-27T09:30:15"):
        expected = processors.str_to_datetime(text_).replace(tzinfo=UTC)
        got = read(text_)
        assert got == expected and got.tzinfo is UTC, text_
    assert read(None) is None
    for bad in ("2026-13-27 09:30:15", "2026-11-27 25:30:15.000000", "not a date at all!!"):
        with pytest.raises(ValueError):
            read(bad)
    with pytest.raises(ValueError):
        processors.str_to_datetime("2026-13-27 09:30:15")  # as SQLAlchemy's own path says
    pg = postgresql.dialect()
    aware = datetime(2026, 11, 27, 10, 30, tzinfo=UTC)
    assert UTCDateTime().dialect_impl(pg).result_processor(pg, None)(aware) == aware


def test_parameters_are_read_by_name_whatever_else_is_given(standalone_app: Flask) -> None:
    _seed(standalone_app)
    with standalone_app.app_context():
        given = {"user_id": "7", "course": "c"}
        plain = [tuple(r) for r in _STATES.rows(given)]
        assert len(plain) == 2
        assert [tuple(r) for r in _STATES.rows({**given, "unused": 1})] == plain
        # as many as the statement has, but one of them another name: SQLAlchemy's error
        from sqlalchemy.exc import StatementError

        with pytest.raises(StatementError):
            _STATES.rows({"user_id": "7", "courses": "c"})


def test_a_forked_child_reads_on_a_connection_of_its_own(standalone_app: Flask,
                                                        backend: str) -> None:
    import os

    from course import db as course_db

    if backend != "sqlite" or not hasattr(os, "fork"):
        pytest.skip("the fast reads are SQLite's; fork is POSIX")
    _seed(standalone_app)
    params = {"user_id": "7", "course": "c"}
    with standalone_app.app_context():
        engine = standalone_app.extensions["course"].db.engine
        assert {r.lesson for r in _STATES.rows(params)} == {"read", "done"}
    parents = course_db._THREAD.connections[id(engine)][1]
    read_fd, write_fd = os.pipe()
    child = os.fork()
    if child == 0:  # the child: read, then say whether it used a connection of its own
        code = 1
        try:
            os.close(read_fd)
            with standalone_app.app_context():
                rows = {r.lesson for r in _STATES.rows(params)}
            entry = course_db._THREAD.connections[id(engine)]
            own = entry[1] is not parents and entry[0] == os.getpid()
            os.write(write_fd, b"ok" if rows == {"read", "done"} and own else b"no")
            code = 0
        finally:
            os._exit(code)
    os.close(write_fd)
    answer = os.read(read_fd, 16)
    os.close(read_fd)
    _, status = os.waitpid(child, 0)
    assert os.waitstatus_to_exitcode(status) == 0 and answer == b"ok"
    # The parent's connection is untouched and still its own.
    assert course_db._THREAD.connections[id(engine)][1] is parents
    with standalone_app.app_context():
        assert {r.lesson for r in _STATES.rows(params)} == {"read", "done"}
