"""Quiz attempts: what was shown, what was answered, and the result, kept as a record."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import JSON, Index, Numeric, String, UniqueConstraint, literal_column, text
from sqlalchemy.orm import Mapped, mapped_column

from ..db import Base, UTCDateTime, utcnow

IN_PROGRESS = "in_progress"
FINISHED = "finished"
#: The states as SQL literals, for statements that compare an attempt's state. SQLite weighs
#: the partial indexes below against the values bound to a statement, so a state compared as
#: a parameter makes it plan the statement again on every run (for a quiz start's statement,
#: 15 times the cost of running it).
OPEN_SQL = literal_column(f"'{IN_PROGRESS}'")
FINISHED_SQL = literal_column(f"'{FINISHED}'")


class QuizAttempt(Base):
    """One attempt. `number` is unique per learner and quiz, so parallel starts cannot both
    count as the same attempt; finishing is a conditional update, so a double submit grades
    once."""

    __tablename__ = "course_quiz_attempt"
    __table_args__ = (
        UniqueConstraint("user_id", "course", "module", "number"),
        # Only the open attempts (a handful at any time, whatever the history): a start finds a
        # learner's open attempt without reading their finished ones.
        Index("ix_course_quiz_attempt_open", "user_id", "course", "module",
              sqlite_where=text(f"state = '{IN_PROGRESS}'"),
              postgresql_where=text(f"state = '{IN_PROGRESS}'")),
        # Only the passes (one per round where a pass ends the quiz): the no-retake rule finds
        # this round's pass without reading the failed attempts.
        Index("ix_course_quiz_attempt_passed", "user_id", "course", "module", "number",
              sqlite_where=text("passed = true"), postgresql_where=text("passed = true")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[str] = mapped_column(String(64), index=True)
    course: Mapped[str] = mapped_column(String(64))
    module: Mapped[str] = mapped_column(String(64))
    number: Mapped[int]
    quiz_version: Mapped[str] = mapped_column(String(64))
    state: Mapped[str] = mapped_column(String(20), default=IN_PROGRESS)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    deadline_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    shown: Mapped[list] = mapped_column(JSON)  # the questions exactly as shown
    responses: Mapped[dict] = mapped_column(JSON, default=dict)
    pass_mark: Mapped[int]
    percent: Mapped[Decimal | None] = mapped_column(Numeric(5, 2), default=None)
    passed: Mapped[bool | None] = mapped_column(default=None)
    marks: Mapped[dict | None] = mapped_column(JSON, default=None)  # per question, for review


class QuizBest(Base):
    """A learner's best score on one quiz over every finished attempt (earlier rounds included),
    raised in the same transaction as the attempt that beats it: the manager's factor averages
    read one row per member and factor instead of every attempt."""

    __tablename__ = "course_quiz_best"

    user_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    course: Mapped[str] = mapped_column(String(64), primary_key=True)
    module: Mapped[str] = mapped_column(String(64), primary_key=True)
    percent: Mapped[Decimal] = mapped_column(Numeric(5, 2))


class SelfAssessmentScore(Base):
    """A learner's own rating of one factor, from the self-assessment: `stage` is "start" (the
    baseline, before the course) or "end" (after every factor quiz is passed); the first answers
    of each stage count. `percent` rests on `rated` of the factor's `statements` ("don't know"
    answers do not count; None when every one was); both counts are None on ratings given
    before "don't know" existed, when every statement was rated."""

    __tablename__ = "course_self_assessment"
    __table_args__ = (UniqueConstraint("user_id", "course", "module", "stage"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[str] = mapped_column(String(64), index=True)
    course: Mapped[str] = mapped_column(String(64))
    module: Mapped[str] = mapped_column(String(64))
    stage: Mapped[str] = mapped_column(String(10), default="start", server_default="start")
    percent: Mapped[Decimal | None] = mapped_column(Numeric(5, 2), default=None)
    rated: Mapped[int | None] = mapped_column(default=None)
    statements: Mapped[int | None] = mapped_column(default=None)
    answered_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class QuizRound(Base):
    """A fresh round of a course's quizzes for one learner (recertification, say): from
    `started_at`, earlier attempts no longer count towards passing, attempt limits or the
    no-retake rule. They stay on record."""

    __tablename__ = "course_quiz_round"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[str] = mapped_column(String(64), index=True)
    course: Mapped[str] = mapped_column(String(64))
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    reason: Mapped[str] = mapped_column(String(200))


EXTRA = "extra"  # a grant of one more attempt, past the limit, the cooldown or a pass
RESET = "reset"  # a fresh start at one quiz: earlier attempts stop counting (kept on record)


class QuizGrant(Base):
    """A trainer's decision about one learner's quiz: one extra attempt, or a reset. It is the
    audit record too (who, when, why). An extra attempt is used by the next attempt started
    after it; a reset works like a round (`QuizRound`) for one quiz."""

    __tablename__ = "course_quiz_grant"
    __table_args__ = (Index("ix_course_quiz_grant_user_id_course_module",
                            "user_id", "course", "module"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[str] = mapped_column(String(64))
    course: Mapped[str] = mapped_column(String(64))
    module: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(10))  # EXTRA or RESET
    reason: Mapped[str] = mapped_column(String(500))
    granted_by: Mapped[str] = mapped_column(String(64))  # the trainer's user id
    granted_by_name: Mapped[str] = mapped_column(String(200))  # their name at the time
    granted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class PracticeAnswer(Base):
    """One answer to a practice question inside a lesson: kept for the learner's own review,
    never graded. `bank` is true when the question came from the module's quiz bank, so the
    learner's graded draw can avoid it; each retry is a new row."""

    __tablename__ = "course_practice_answer"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[str] = mapped_column(String(64), index=True)
    course: Mapped[str] = mapped_column(String(64))
    module: Mapped[str] = mapped_column(String(64))
    lesson: Mapped[str] = mapped_column(String(100))
    question: Mapped[str] = mapped_column(String(200))
    bank: Mapped[bool]
    response: Mapped[list] = mapped_column(JSON)  # what the learner chose, as given
    correct: Mapped[bool]
    answered_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
