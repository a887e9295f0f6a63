"""The gradebook's reading side: one page of a course's learners for one quiz (status, grade,
attempts), paged and filtered in SQL so it stays fast at 100,000 learners; one learner's every
attempt; the CSV of a filtered view. Each takes a session and plain values and writes nothing.

A quiz's status for a learner counts the attempts of their current round only (after the
latest recertification round of the course and the latest reset of this quiz), as the quiz's
own rules do: passed (a passing attempt), in progress (an open attempt), failed (finished
attempts, none passing) or not started."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import ColumnElement, and_, exists, func, select
from sqlalchemy.orm import Session, aliased

from ..content.quiz import Quiz
from ..lessons.models import Learner, LessonProgress
from ..orgs.models import (
    ACTIVE_MEMBER,
    Membership,
    Organisation,
    QuizAttempted,
    QuizPending,
)
from ..paging import edge_mark, seek, still_there
from ..quizzes.grading import overall
from ..quizzes.models import FINISHED, IN_PROGRESS, RESET, QuizAttempt, QuizGrant, QuizRound
from .scope import FEW, NO_ORG, Scope, in_any_org, in_org

PER_PAGE = 50
CSV_BATCH = 500  # learners read at a time for the CSV
PASSED, FAILED, NOT_STARTED, STARTED = "passed", "failed", "not_started", "in_progress"
STATUSES = {PASSED: "Passed", FAILED: "Failed", NOT_STARTED: "Not started",
            STARTED: "In progress"}


@dataclass(frozen=True)
class Filters:
    """What the trainer asked for: an organisation (an id, NO_ORG or ""), a status or ""."""

    org: str = ""
    status: str = ""


@dataclass
class Row:
    """One learner's standing on the chosen quiz."""

    user_id: str
    name: str
    email: str | None
    organisation: str | None
    status: str = NOT_STARTED
    grade: Decimal | None = None
    counted: int = 0  # attempts in the current round
    attempts: int = 0  # every attempt, earlier rounds included
    last_at: datetime | None = None
    grants: int = 0  # extra attempts and resets on record


@dataclass(frozen=True)
class Page:
    """One page of the gradebook. `first` and `last`: the user ids of its edge rows, which the
    previous and next links carry so that the next page is found by seeking past the last row
    (an index range) instead of skipping every row before it."""

    rows: list[Row]
    page: int
    has_next: bool
    per_page: int = PER_PAGE
    more_before: bool | None = None  # known when the page was sought backwards
    #: Fingerprints of the edge rows' names as they sort (`paging.edge_mark`), for the links.
    first_mark: str | None = None
    last_mark: str | None = None

    @property
    def has_previous(self) -> bool:
        return self.page > 1 if self.more_before is None else self.more_before

    @property
    def first(self) -> str | None:
        return self.rows[0].user_id if self.rows else None

    @property
    def last(self) -> str | None:
        return self.rows[-1].user_id if self.rows else None


def _counts(quiz: Quiz, attempt: Any = QuizAttempt) -> ColumnElement[bool]:
    """The attempt belongs to the learner's current round: no round of the course and no reset
    of this quiz began after it started."""
    return and_(
        ~exists().where(QuizRound.user_id == attempt.user_id, QuizRound.course == quiz.course,
                        QuizRound.started_at > attempt.started_at),
        ~exists().where(QuizGrant.user_id == attempt.user_id, QuizGrant.course == quiz.course,
                        QuizGrant.module == quiz.module, QuizGrant.kind == RESET,
                        QuizGrant.granted_at > attempt.started_at))


def _attempt_exists(quiz: Quiz, *where: Any, current: bool = True) -> ColumnElement[bool]:
    a = aliased(QuizAttempt)
    conditions = [a.user_id == Learner.user_id, a.course == quiz.course,
                  a.module == quiz.module, *[w(a) for w in where]]
    if current:
        conditions.append(_counts(quiz, a))
    return exists().where(*conditions)


def status_clause(quiz: Quiz, status: str) -> ColumnElement[bool] | None:
    """The SQL condition for one status (None: any status)."""
    passed = _attempt_exists(quiz, lambda a: a.state == FINISHED, lambda a: a.passed.is_(True))
    open_ = _attempt_exists(quiz, lambda a: a.state == IN_PROGRESS, current=False)
    if status == PASSED:
        return passed
    if status == STARTED:
        return and_(~passed, open_)
    if status == FAILED:
        return and_(~passed, ~open_, _attempt_exists(quiz, lambda a: a.state == FINISHED))
    if status == NOT_STARTED:
        return and_(~open_, ~_attempt_exists(quiz))
    return None


def yet_to_start(db: Session, quiz: Quiz) -> Any | None:
    """Who may be "not started" on `quiz`, when they are few (at most FEW): the learners with
    no attempt at it (kept by triggers) and those whose attempts a new round or a reset may
    have set aside. None when many, or when nobody has attempted the quiz yet (then everyone
    is not started, and walking learners by name finds a page at once)."""
    if db.get(QuizAttempted, (quiz.course, quiz.module)) is None:
        return None
    ids = select(QuizPending.user_id).where(
        QuizPending.course == quiz.course, QuizPending.module == quiz.module).union(
        select(QuizRound.user_id).where(QuizRound.course == quiz.course),
        select(QuizGrant.user_id).where(QuizGrant.course == quiz.course,
                                        QuizGrant.module == quiz.module,
                                        QuizGrant.kind == RESET))
    many = db.scalar(select(func.count()).select_from(ids.limit(FEW + 1).subquery()))
    return ids if (many or 0) <= FEW else None


def _query(scope: Scope, quiz: Quiz, filters: Filters, candidates: Any | None = None) -> Any:
    """Learners who opened a lesson of the quiz's course, in scope and matching the filters,
    by name (an index), with their organisation; among `candidates` (ids) if given."""
    query = (select(Learner.user_id, Learner.display_name, Learner.email)
             .where(exists().where(LessonProgress.user_id == Learner.user_id,
                                   LessonProgress.course == quiz.course),
                    scope.clause()))
    if filters.org == NO_ORG:
        query = query.where(~in_any_org())
    elif filters.org.isdigit():
        query = query.where(in_org(int(filters.org)))
    wanted = status_clause(quiz, filters.status)
    if wanted is not None:
        query = query.where(wanted)
    if candidates is not None:
        query = query.where(Learner.user_id.in_(candidates))
    return query.order_by(Learner.display_name, Learner.user_id)


def _edge(db: Session, scope: Scope, user_id: str | None, mark: str | None
          ) -> tuple[str, str] | None:
    """Where a page edge's learner sorts now: (name, user id); None if they are gone or out
    of the trainer's scope (else a page sought from anyone's id would tell roughly where that
    person's name sorts among the trainer's own learners), or renamed since the link's `mark`
    was made."""
    if not user_id:
        return None
    name = db.scalar(select(Learner.display_name).where(Learner.user_id == user_id,
                                                        scope.clause()))
    return (name, user_id) if still_there(name, mark) else None


def gradebook_page(db: Session, scope: Scope, quiz: Quiz, filters: Filters,
                   page: int = 1, per_page: int = PER_PAGE, *, after: str | None = None,
                   before: str | None = None, mark: str | None = None) -> Page:
    """One page of learners with their standing on `quiz` (one row more is read to know
    whether another page follows); attempts are read for this page's learners only.

    `after` (or `before`): the user id of the last (first) row of the page before (after)
    this one, with `mark`, the fingerprint of that learner's name then (`paging.edge_mark`):
    the page is then found by seeking in the name index from that learner, in the same time at
    page 2,000 as at page 2. Without them (a typed `?page=`, or a learner since gone or
    renamed) the rows before the page are skipped, which takes longer the deeper the page."""
    page = max(1, page)
    few = yet_to_start(db, quiz) if filters.status == NOT_STARTED else None
    query = _query(scope, quiz, filters, few)
    forward = bool(after)
    edge = _edge(db, scope, after if forward else before, mark)
    sought = None if edge is None else seek(db.execute, query, (
        Learner.display_name, Learner.user_id), edge, forward=forward, per_page=per_page)
    if sought is not None:
        rows, more = sought
        marks = _marks(rows)
        if forward:
            return Page(_standings(db, quiz, rows), page, more, per_page, True, *marks)
        return Page(_standings(db, quiz, rows), page if more else 1, True, per_page, more,
                    *marks)
    if edge is not None and not forward:  # less than a page before the edge: the first page
        page = 1
    found = list(db.execute(query.limit(per_page + 1).offset((page - 1) * per_page)))
    rows = _standings(db, quiz, found[:per_page])
    return Page(rows, page, len(found) > per_page, per_page, None, *_marks(found[:per_page]))


def _marks(found: list[Any]) -> tuple[str | None, str | None]:
    """The fingerprints of the first and last rows' names, as the name index sorts them."""
    if not found:
        return None, None
    return edge_mark(found[0].display_name), edge_mark(found[-1].display_name)


def _standings(db: Session, quiz: Quiz, found: list[Any]) -> list[Row]:
    """Rows for these learners: their organisations, attempts, rounds, resets and grants in four
    queries."""
    if not found:
        return []
    # the organisations of this page's learners only (in the paging query, PostgreSQL would
    # look one up for every row skipped before the page too)
    orgs = dict(db.execute(select(Membership.user_id, Organisation.name).join(
        Organisation, Organisation.id == Membership.org_id).where(
        Membership.user_id.in_([r.user_id for r in found]), ACTIVE_MEMBER)).all())
    rows = {r.user_id: Row(r.user_id, r.display_name or "Learner", r.email,
                           orgs.get(r.user_id)) for r in found}
    ids = list(rows)
    since: dict[str, datetime] = {}
    for r in db.execute(select(QuizRound.user_id, QuizRound.started_at).where(
            QuizRound.user_id.in_(ids), QuizRound.course == quiz.course)):
        since[r.user_id] = max(since.get(r.user_id, r.started_at), r.started_at)
    for r in db.execute(select(QuizGrant.user_id, QuizGrant.kind, QuizGrant.granted_at).where(
            QuizGrant.user_id.in_(ids), QuizGrant.course == quiz.course,
            QuizGrant.module == quiz.module)):
        rows[r.user_id].grants += 1
        if r.kind == RESET:
            since[r.user_id] = max(since.get(r.user_id, r.granted_at), r.granted_at)
    attempts: dict[str, list[Any]] = {}
    for a in db.execute(select(QuizAttempt.user_id, QuizAttempt.state, QuizAttempt.started_at,
                               QuizAttempt.finished_at, QuizAttempt.percent, QuizAttempt.passed)
                        .where(QuizAttempt.user_id.in_(ids), QuizAttempt.course == quiz.course,
                               QuizAttempt.module == quiz.module)
                        .order_by(QuizAttempt.number)):
        attempts.setdefault(a.user_id, []).append(a)
    for user_id, every in attempts.items():
        _fill(rows[user_id], quiz, every, since.get(user_id))
    return list(rows.values())


def _fill(row: Row, quiz: Quiz, every: list[Any], since: datetime | None) -> None:
    current = [a for a in every if since is None or a.started_at >= since
               or a.state == IN_PROGRESS]
    finished = [a for a in current if a.state == FINISHED]
    row.attempts, row.counted = len(every), len(current)
    row.last_at = max(a.finished_at or a.started_at for a in every)
    row.grade = overall(quiz.grading, [a.percent for a in finished])
    if any(a.passed for a in finished):
        row.status = PASSED
    elif any(a.state == IN_PROGRESS for a in current):
        row.status = STARTED
    elif finished:
        row.status = FAILED


def csv_rows(db: Session, scope: Scope, quiz: Quiz, filters: Filters, quiz_title: str,
             with_email: bool) -> Iterator[list[object]]:
    """Header, then one row per learner of the filtered view, a page at a time (memory stays
    flat at any size)."""
    yield (["learner"] + (["email"] if with_email else []) +
           ["organisation", "quiz", "status", "grade %", "attempts counted", "attempts in all",
            "last attempt (UTC)", "extra attempts and resets"])
    page, after, mark = 1, None, None
    while True:  # each batch sought from the last row of the one before
        batch = gradebook_page(db, scope, quiz, filters, page, per_page=CSV_BATCH, after=after,
                               mark=mark)
        for r in batch.rows:
            yield ([r.name] + ([r.email or ""] if with_email else []) +
                   [r.organisation or "", quiz_title, STATUSES[r.status],
                    "" if r.grade is None else int(r.grade), r.counted, r.attempts,
                    r.last_at.strftime("%Y-%m-%d %H:%M") if r.last_at else "", r.grants])
        if not batch.has_next:
            return
        page, after, mark = page + 1, batch.last, batch.last_mark


# ------------------------------------------------------------------ one learner
@dataclass
class QuizRecord:
    """One quiz of one learner: every attempt, which of them count, and the grants."""

    quiz: Quiz
    title: str
    attempts: list[Any] = field(default_factory=list)  # QuizAttempt rows, oldest first
    counted: set[int] = field(default_factory=set)  # ids of the attempts that count
    grants: list[QuizGrant] = field(default_factory=list)
    status: Any = None  # the quiz's own QuizStatus for the learner


def learner_record(db: Session, user_id: str, quizzes: list[tuple[Quiz, str]],
                   status_of: Any) -> list[QuizRecord]:
    """Every quiz of the course for one learner (`status_of(quiz)` gives the quiz's own
    status: which attempts count, attempts left, why a start would be refused)."""
    course = quizzes[0][0].course if quizzes else ""
    attempts = list(db.scalars(select(QuizAttempt).where(
        QuizAttempt.user_id == user_id, QuizAttempt.course == course)
        .order_by(QuizAttempt.module, QuizAttempt.number)))
    grants = list(db.scalars(select(QuizGrant).where(
        QuizGrant.user_id == user_id, QuizGrant.course == course)
        .order_by(QuizGrant.granted_at)))
    records = []
    for quiz, title in quizzes:
        state = status_of(quiz)
        records.append(QuizRecord(
            quiz, title, [a for a in attempts if a.module == quiz.module],
            {a.id for a in state.attempts}, [g for g in grants if g.module == quiz.module],
            state))
    return records


def time_taken(attempt: Any) -> str:
    """How long a finished attempt took, for people: "12 min 5 s", "1 h 3 min"."""
    if attempt.finished_at is None:
        return ""
    seconds = max(0, int((attempt.finished_at - attempt.started_at) / timedelta(seconds=1)))
    hours, rest = divmod(seconds, 3600)
    minutes, seconds = divmod(rest, 60)
    if hours:
        return f"{hours} h {minutes} min"
    return f"{minutes} min {seconds} s" if minutes else f"{seconds} s"
