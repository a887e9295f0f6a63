"""Each learner's best score per quiz, kept in `course_quiz_best` as attempts are graded, so
that the manager's factor averages read one row per member and factor instead of every attempt.

The grading path raises it with one statement (`raise_best`, an upsert that only ever
increases); finished attempts written through the ORM (imports, fixtures, tools) raise it from
a flush hook; `rebuild` recomputes it from the attempts (after bulk SQL loads)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from sqlalchemy import bindparam, delete, event, func, insert, select, text
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from .models import FINISHED, QuizAttempt, QuizBest


def _upsert(dialect: str, rows: list[dict[str, Any]]) -> Any:
    make = postgresql.insert if dialect == "postgresql" else sqlite.insert
    stmt = make(QuizBest.__table__).values(rows)
    table = QuizBest.__table__
    return stmt.on_conflict_do_update(
        index_elements=[table.c.user_id, table.c.course, table.c.module],
        set_={"percent": stmt.excluded.percent},
        where=table.c.percent < stmt.excluded.percent)


def raise_best(db: Session, user_id: str, course: str, module: str,
               percent: Decimal) -> None:
    """Record `percent` as the learner's best on this quiz if it beats the one on record (one
    statement, in the caller's transaction)."""
    db.connection().execute(_RAISE, {"user_id": user_id, "course": course, "module": module,
                                     "percent": percent})


# `raise_best`'s upsert, as text: the dialects' ON CONFLICT constructs have no cache key, so
# SQLAlchemy compiled that statement again on every graded attempt. SQLite and PostgreSQL
# spell this upsert the same way.
_RAISE = text(
    "INSERT INTO course_quiz_best (user_id, course, module, percent) "
    "VALUES (:user_id, :course, :module, :percent) "
    "ON CONFLICT (user_id, course, module) DO UPDATE SET percent = excluded.percent "
    "WHERE course_quiz_best.percent < excluded.percent"
).bindparams(bindparam("percent", type_=QuizBest.__table__.c.percent.type))


def rebuild(db: Session) -> None:
    """Recompute every best score from the finished attempts."""
    db.execute(delete(QuizBest))
    db.execute(insert(QuizBest).from_select(
        ["user_id", "course", "module", "percent"],
        select(QuizAttempt.user_id, QuizAttempt.course, QuizAttempt.module,
               func.max(QuizAttempt.percent)).where(
            QuizAttempt.state == FINISHED, QuizAttempt.percent.is_not(None)).group_by(
            QuizAttempt.user_id, QuizAttempt.course, QuizAttempt.module)))


def forget(db: Session, user_id: str) -> int:
    """Drop a person's best scores (their attempts are being erased)."""
    return db.execute(delete(QuizBest).where(QuizBest.user_id == user_id)).rowcount


@event.listens_for(Session, "after_flush")
def _finished_through_the_orm(session: Session, context: Any) -> None:
    """Finished attempts added or changed as ORM objects raise the best score too (the grading
    path writes with a Core UPDATE and calls `raise_best` itself)."""
    rows = [{"user_id": obj.user_id, "course": obj.course, "module": obj.module,
             "percent": obj.percent}
            for obj in (*session.new, *session.dirty)
            if isinstance(obj, QuizAttempt) and obj.state == FINISHED
            and obj.percent is not None]
    if rows:
        connection = session.connection()
        for row in rows:
            connection.execute(_upsert(connection.dialect.name, [row]))
