"""Quiz attempts: status, start, autosave, submit. Each takes a session and plain values, flushes,
and never commits; time limits and attempt rules are enforced here, on the server."""

from __future__ import annotations

import functools
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import and_, bindparam, case, func, literal_column, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session, aliased, make_transient_to_detached
from sqlalchemy.orm.attributes import set_committed_value

from ..content.qtypes import QuestionTypes
from ..content.quiz import Quiz
from ..db import utcnow
from .best import raise_best
from .grading import AttemptResult, grade, overall
from .models import (
    EXTRA,
    FINISHED,
    FINISHED_SQL,
    IN_PROGRESS,
    OPEN_SQL,
    RESET,
    QuizAttempt,
    QuizGrant,
    QuizRound,
)
from .snapshot import question_from_json, question_to_json

GRACE = timedelta(seconds=30)  # network and clock slack after the deadline


class QuizRefused(Exception):
    """Starting or submitting is not allowed now; the message says why."""


class AttemptExpired(Exception):
    """An open attempt ran out of time: the view grades it (and announces the grade) first."""

    def __init__(self, attempt_id: int) -> None:
        super().__init__(attempt_id)
        self.attempt_id = attempt_id


@dataclass(frozen=True)
class QuizStatus:
    """Where a learner stands with one quiz."""

    attempts: list[Any]  # rows with id, number, state, dates, percent, passed
    in_progress: QuizAttempt | None
    finished: list[Any]
    grade: Decimal | None
    passed: bool
    attempts_left: int | None
    next_start: datetime | None  # cooldown end
    refusal: str | None  # why a new attempt cannot start now, if it cannot
    numbered: int = 0  # attempts ever made, earlier rounds included (numbers continue)
    expired: Any = None  # an open attempt past its deadline, not graded yet (a row)


_SUMMARY = (QuizAttempt.id, QuizAttempt.number, QuizAttempt.state, QuizAttempt.started_at,
            QuizAttempt.deadline_at, QuizAttempt.finished_at, QuizAttempt.percent,
            QuizAttempt.passed, QuizAttempt.pass_mark)


def _rows(db: Session, user_id: str, quiz: Quiz) -> tuple[list[Any], datetime | None,
                                                          list[datetime]]:
    """The learner's attempts as plain rows and when their latest round (or a trainer's reset
    of this quiz) began, in one query (this runs on every quiz page and every start; without
    attempts the round does not matter), and when the extra attempts a trainer granted
    in that round were granted, oldest first."""
    since = select(func.max(QuizRound.started_at)).where(
        QuizRound.user_id == user_id, QuizRound.course == quiz.course).scalar_subquery()
    granted = select(func.max(QuizGrant.granted_at)).where(
        QuizGrant.user_id == user_id, QuizGrant.course == quiz.course,
        QuizGrant.module == quiz.module).scalar_subquery()
    rows = list(db.execute(select(*_SUMMARY, since.label("round_started"),
                                  granted.label("granted")).where(
        QuizAttempt.user_id == user_id, QuizAttempt.course == quiz.course,
        QuizAttempt.module == quiz.module).order_by(QuizAttempt.number)))
    if not rows:
        return rows, None, []
    start = rows[0].round_started
    if rows[0].granted is None:  # the usual case: no trainer has granted anything
        return rows, start, []
    grants = list(db.execute(select(QuizGrant.kind, QuizGrant.granted_at).where(
        QuizGrant.user_id == user_id, QuizGrant.course == quiz.course,
        QuizGrant.module == quiz.module)))
    start = max(([start] if start else []) + [g.granted_at for g in grants if g.kind == RESET],
                default=None)
    return rows, start, sorted(g.granted_at for g in grants if g.kind == EXTRA
                               and (start is None or g.granted_at >= start))


def round_started(db: Session, user_id: str, course: str) -> datetime | None:
    """When the learner's latest round of this course's quizzes began (None: never restarted)."""
    return db.scalar(select(func.max(QuizRound.started_at)).where(
        QuizRound.user_id == user_id, QuizRound.course == course))


def start_round(db: Session, user_id: str, course: str, reason: str,
                now: datetime | None = None) -> QuizRound:
    """Begin a fresh round of the course's quizzes (earlier attempts stop counting)."""
    row = QuizRound(user_id=user_id, course=course, reason=reason[:200],
                    started_at=now or utcnow())
    db.add(row)
    db.flush()
    return row


def _expired(row: Any, now: datetime) -> bool:
    return bool(row.state == IN_PROGRESS and row.deadline_at and now > row.deadline_at + GRACE)


def status(db: Session, user_id: str, quiz: Quiz, now: datetime | None = None) -> QuizStatus:
    """Attempts so far, the grade by the quiz's method, and whether a new attempt may start.

    Pure reading: an attempt left open past its deadline is reported as `expired` (it is graded
    by a POST: "Grade my saved answers", or the next start), and does not count in the grade
    until then."""
    return _status(db, quiz, *_rows(db, user_id, quiz), now or utcnow())


@dataclass(frozen=True)
class _Round:
    """What the attempt rules read of the current round's attempts."""

    count: int  # attempts that count in this round (open ones included)
    passed: bool
    last_finished_at: datetime | None
    last_started_at: datetime | None
    open_rows: list[Any]  # attempts still open (rows)
    numbered: int  # attempts ever made, earlier rounds included


def _status(db: Session, quiz: Quiz, every: list[Any], since: datetime | None,
            extras: list[datetime], now: datetime) -> QuizStatus:
    """`status` from rows already read."""
    attempts = every
    if since is not None:  # a new round: only its attempts count (and any still open)
        attempts = [a for a in attempts if a.started_at >= since or a.state == IN_PROGRESS]
    finished = [a for a in attempts if a.state == FINISHED]
    facts = _Round(len(attempts), any(a.passed for a in finished),
                   finished[-1].finished_at if finished else None,
                   attempts[-1].started_at if attempts else None,
                   [a for a in attempts if a.state == IN_PROGRESS], len(every))
    return _decide(db, quiz, facts, extras, now, attempts, finished,
                   overall(quiz.grading, [a.percent for a in finished]))


def _decide(db: Session, quiz: Quiz, facts: _Round, extras: list[datetime], now: datetime,
            attempts: list[Any], finished: list[Any], grade_: Decimal | None) -> QuizStatus:
    """The attempt rules, from what they read of the round (the one place they are written)."""
    expired = next((a for a in facts.open_rows if _expired(a, now)), None)
    open_row = next((a for a in facts.open_rows if not _expired(a, now)), None)
    open_attempt = db.get(QuizAttempt, open_row.id) if open_row is not None else None
    left = None if quiz.attempts is None else max(0, quiz.attempts + len(extras) - facts.count)
    next_start = None
    if facts.last_finished_at and quiz.cooldown_minutes:
        next_start = facts.last_finished_at + timedelta(minutes=quiz.cooldown_minutes)
    refusal = None
    if extras and (facts.last_started_at is None or facts.last_started_at < extras[-1]):
        next_start = None  # a trainer's extra attempt, not used yet: no rule stands in its way
    elif open_attempt is None and expired is None:
        if facts.passed and quiz.no_retake_after_pass:
            refusal = "You have passed this quiz; it cannot be taken again."
        elif left == 0:
            refusal = "You have used all your attempts at this quiz."
        elif next_start and now < next_start:
            refusal = f"You can try again from {next_start:%H:%M} UTC."
    return QuizStatus(attempts, open_attempt, finished, grade_, facts.passed, left, next_start,
                      refusal, facts.numbered, expired)


@functools.cache
def _round_statement(capped: bool, passes: bool, last_finished: bool) -> Any:
    """The start's one statement (see `_round_facts`), built once per kind of quiz with bound
    parameters (building it costs more than running it). It reads only what the quiz's rules
    need, each by an index, so a start costs the same after 5 attempts as after 5,000. Numbers
    follow start times, so the round is the attempts numbered after the last one started
    before it (`before`, found walking back from the newest):

    - the attempts ever made: the highest number;
    - with an attempt limit, the attempts counted in this round: those numbered after
      `before`, and any still open from before it (a partial index holds only open ones);
    - with the no-retake rule, whether one of this round's attempts passed (a partial index
      holds only passes);
    - with a cooldown, when this round's latest finished attempt ended;
    - whether an earlier round left finished attempts (their questions are avoided);
    - the open attempts, one row each."""
    user, course, module = bindparam("user_id"), bindparam("course"), bindparam("module")

    def mine(row: Any) -> Any:
        return and_(row.user_id == user, row.course == course, row.module == module)

    def since() -> Any:
        return select(func.max(QuizRound.started_at)).where(
            QuizRound.user_id == user, QuizRound.course == course).scalar_subquery()

    def before() -> Any:  # the last number before the round (0: none, or no round)
        b = aliased(QuizAttempt)
        return func.coalesce(select(b.number).where(mine(b), b.started_at < since()).order_by(
            b.number.desc()).limit(1).scalar_subquery(), 0)

    def numbered() -> Any:  # max() alone, so the database reads it off the unique index's end
        b = aliased(QuizAttempt)
        return func.coalesce(select(func.max(b.number)).where(mine(b)).scalar_subquery(), 0)

    a = aliased(QuizAttempt)
    facts = [since().label("round_started"),
             select(func.count()).select_from(QuizGrant).where(
                 QuizGrant.user_id == user, QuizGrant.course == course,
                 QuizGrant.module == module).scalar_subquery().label("grants"),
             numbered().label("numbered"),
             # the first finished attempt began before the round
             case((since().is_(None), False), else_=select(a.started_at).where(
                 mine(a), a.state == FINISHED_SQL).order_by(a.number).limit(1).scalar_subquery()
                 < since()).label("earlier")]
    if capped:
        # (`number + 0`: the number is no index key here, so the partial index is the way in)
        still_open = select(func.count()).select_from(a).where(
            mine(a), a.state == OPEN_SQL, a.number + 0 <= before())
        facts.append((numbered() - before() + still_open.scalar_subquery()).label("counted"))
    if passes:  # by the partial index of passes, its condition written as the index's is
        facts.append(select(a.id).where(mine(a), a.passed == literal_column("true"),
                                        a.number > before(), a.state == FINISHED_SQL)
                     .limit(1).exists().label("passes"))
    if last_finished:
        facts.append(select(a.finished_at).where(mine(a), a.number > before(),
                                                 a.state == FINISHED_SQL)
                     .order_by(a.number.desc()).limit(1).scalar_subquery().label("last_finished"))
    one = select(*facts).subquery()
    # The open attempts by the partial index: its condition is written as a literal, as the
    # index's is, or the database cannot match the two.
    return select(one, *_SUMMARY).select_from(one.outerjoin(QuizAttempt, and_(
        mine(QuizAttempt), QuizAttempt.state == OPEN_SQL))
    ).order_by(QuizAttempt.number)


def _round_facts(db: Session, user_id: str,
                 quiz: Quiz) -> tuple[_Round, datetime | None, bool] | None:
    """What a start reads, in one statement whatever the number of attempts: the round's facts
    the quiz's rules need, its start, whether an earlier round left finished attempts, and the
    open attempts; None when a trainer has granted something on this quiz (rare: the full rows
    are read then)."""
    capped = quiz.attempts is not None
    statement = _round_statement(capped, bool(quiz.no_retake_after_pass),
                                 bool(quiz.cooldown_minutes))
    values = {"user_id": user_id, "course": quiz.course, "module": quiz.module}
    rows = list(db.execute(statement, values))
    first = rows[0]
    if first.grants:
        return None
    open_rows = [r for r in rows if r.id is not None]
    facts = _Round(first.counted if capped else first.numbered,
                   bool(first.passes) if quiz.no_retake_after_pass else False,
                   first.last_finished if quiz.cooldown_minutes else None, None,
                   open_rows, first.numbered)
    return facts, first.round_started, bool(first.earlier)


def start(db: Session, user_id: str, quiz: Quiz, now: datetime | None = None,
          types: QuestionTypes | None = None) -> QuizAttempt:
    """The learner's open attempt, or a new one if the rules allow; QuizRefused otherwise.
    `types`: the app's question types (they order each question's parts)."""
    now = now or utcnow()
    found = _round_facts(db, user_id, quiz)
    if found is not None:  # the usual case: one statement, however many attempts
        facts, since, earlier = found
        current = _decide(db, quiz, facts, [], now, [], [], None)
    else:  # a trainer granted an extra attempt or a reset: the full rows decide
        rows, since, extras = _rows(db, user_id, quiz)
        current = _status(db, quiz, rows, since, extras, now)
        earlier = current.numbered > len(current.attempts)
    if current.expired is not None:  # rare: the view grades it and announces the grade
        raise AttemptExpired(current.expired.id)
    if current.in_progress is not None:
        return current.in_progress
    if current.refusal:
        raise QuizRefused(current.refusal)
    from .grading import draw
    from .practice import avoid_in_draw

    seed = secrets.randbits(48)
    avoid = avoid_in_draw(db, user_id, quiz, since if earlier else None)
    shown = [question_to_json(q, s, quiz.scenarios.get(q.scenario or ""))
             for s in draw(quiz, seed, avoid, types)
             for q in [next(x for x in quiz.questions if x.id == s.id)]]
    values = dict(
        user_id=user_id, course=quiz.course, module=quiz.module,
        number=current.numbered + 1, quiz_version=quiz.version, state=IN_PROGRESS,
        started_at=now, shown=shown, responses={}, pass_mark=quiz.pass_mark,
        deadline_at=now + timedelta(minutes=quiz.time_limit_minutes)
        if quiz.time_limit_minutes else None)
    new_id = _insert_once(db, values)
    if new_id is None:  # another request started this attempt number first: use that one
        again = status(db, user_id, quiz, now)
        if again.in_progress is not None:
            return again.in_progress
        raise QuizRefused(again.refusal or "Please try again.")
    return _known(db, QuizAttempt(id=new_id, finished_at=None, percent=None, passed=None,
                                  marks=None, **values))


def _insert_once(db: Session, values: dict[str, Any]) -> int | None:
    """Insert an attempt in one statement; None if its number is taken (no savepoint, no
    exception: the conflict is skipped by the database)."""
    connection = db.connection()  # Core: nothing is pending, and the ORM's insert path costs
    return connection.execute(_INSERTS[connection.dialect.name == "postgresql"],
                              values).scalar()


# The start's INSERT per dialect, built once (the values come as parameters, so its compiled
# form is cached; a .values(...) with the data in it is compiled again on every start).
_INSERTS = {postgres: (postgresql.insert if postgres else sqlite.insert)(QuizAttempt)
            .on_conflict_do_nothing().returning(QuizAttempt.id) for postgres in (False, True)}


def _known(db: Session, attempt: QuizAttempt) -> QuizAttempt:
    """Put a row just written, with every column given, in the session without reading it."""
    make_transient_to_detached(attempt)
    db.add(attempt)
    return attempt


def questions_of(attempt: QuizAttempt) -> list[tuple[Any, Any, str | None]]:
    """The attempt's questions as shown: (question, order, scenario text) each."""
    return [question_from_json(data) for data in attempt.shown]


def accepting(attempt: QuizAttempt, now: datetime | None = None) -> bool:
    """True while answers may still be saved (open, and not past the deadline's grace)."""
    now = now or utcnow()
    return attempt.state == IN_PROGRESS and not (
        attempt.deadline_at and now > attempt.deadline_at + GRACE)


def save(db: Session, attempt: QuizAttempt, responses: dict[str, Any],
         now: datetime | None = None) -> bool:
    """Autosave answers; False (nothing saved) once the attempt is closed or out of time."""
    if not accepting(attempt, now):
        return False
    attempt.responses = {**attempt.responses, **responses}
    db.flush()
    return True


def finish(db: Session, attempt: QuizAttempt, responses: dict[str, Any],
           now: datetime | None = None, late: bool = False,
           types: QuestionTypes | None = None) -> AttemptResult | None:
    """Grade and close the attempt once (with the app's question `types`); None if another
    request already closed it."""
    now = now or utcnow()
    final = dict(attempt.responses) if late or not accepting(attempt, now) else {
        **attempt.responses, **responses}
    parts = questions_of(attempt)
    snapshot_quiz = Quiz(attempt.course, attempt.module, "", "", pass_mark=attempt.pass_mark,
                         questions=tuple(q for q, _, _ in parts))
    result = grade(snapshot_quiz, [s for _, s, _ in parts], final, types)
    marks = {qid: {"fraction": str(m.fraction), "right": m.right, "feedback": list(m.feedback)}
             for qid, m in result.marks.items()}
    closed = db.execute(_CLOSE, {"attempt": attempt.id, "open": IN_PROGRESS,
                                 "to_state": FINISHED, "to_finished_at": now,
                                 "to_responses": final, "to_percent": result.percent,
                                 "to_passed": result.passed, "to_marks": marks})
    if closed.rowcount != 1:
        db.expire(attempt)  # another request graded it: read what it wrote, if asked
        return None
    for key, value in dict(state=FINISHED, finished_at=now, responses=final,
                           percent=result.percent, passed=result.passed, marks=marks).items():
        set_committed_value(attempt, key, value)  # what was written; no re-read
    raise_best(db, attempt.user_id, attempt.course, attempt.module, result.percent)
    return result


_ATTEMPTS = QuizAttempt.__table__
# The grading UPDATE, on the table (no ORM step) with bound parameters: built and compiled once.
# It closes the attempt only while it is still open, so a second submit changes nothing.
_CLOSE = update(_ATTEMPTS).where(
    _ATTEMPTS.c.id == bindparam("attempt"), _ATTEMPTS.c.state == bindparam("open")).values(
    {name: bindparam(f"to_{name}") for name in
     ("state", "finished_at", "responses", "percent", "passed", "marks")})


def factor_scores(db: Session, user_id: str, quizzes: list[Quiz]) -> dict[str, Decimal | None]:
    """The learner's grade per module, by each quiz's grading method."""
    return {q.module: status(db, user_id, q).grade for q in quizzes}

