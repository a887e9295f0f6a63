"""What a manager sees of their organisation: per member progress, best score per factor and
certificate, filtered and paginated in SQL (a page costs the same with 10 or 10,000 members),
and the organisation's average per factor."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from functools import lru_cache

from sqlalchemy import Select, bindparam, exists, false, func, not_, or_, select
from sqlalchemy.orm import Session, load_only
from sqlalchemy.sql import ColumnElement

from ..certificates.models import ACTIVE, Certificate
from ..content.catalog import CourseInfo
from ..db import utcnow
from ..lessons.models import LessonProgress
from ..paging import edge_mark, seek, still_there
from ..quizzes.models import QuizAttempt, QuizBest
from . import tally
from .models import ACTIVE_MEMBER, Assignment, Membership, Organisation

STATUSES = {"not-started": "Not started", "in-progress": "In progress",
            "certified": "Certified"}
PER_PAGE = 50


@dataclass(frozen=True)
class Filters:
    team: str | None = None
    status: str | None = None  # a key of STATUSES
    overdue: bool = False
    expiring: int | None = None  # 30, 60 or 90 days


@dataclass
class MemberRow:
    member: Membership
    done: int
    total: int
    best: dict[str, Decimal] = field(default_factory=dict)
    certificate: Certificate | None = None
    overdue: bool = False

    @property
    def percent(self) -> int:
        return round(100 * self.done / self.total) if self.total else 0

    @property
    def status(self) -> str:
        if self.certificate is not None:
            return "certified"
        return "in-progress" if self.done or self.best else "not-started"


@dataclass(frozen=True)
class MemberPage:
    rows: list[MemberRow]
    total: int
    page: int
    pages: int
    due: date | None = None  # the course's due date for this organisation

    @property
    def first_mark(self) -> str | None:
        """The fingerprint of the first member's name, for the Previous link (`paging`)."""
        return edge_mark(self.rows[0].member.name) if self.rows else None

    @property
    def last_mark(self) -> str | None:
        """The fingerprint of the last member's name, for the Next link (`paging`)."""
        return edge_mark(self.rows[-1].member.name) if self.rows else None


def due_date(db: Session, org: Organisation, course: str) -> date | None:
    return db.scalar(select(Assignment.due_on).where(Assignment.org_id == org.id,
                                                     Assignment.course == course))


def _conditions(org: Organisation, course: CourseInfo, filters: Filters, now: datetime,
                due: date | None) -> list[ColumnElement[bool]]:
    user = Membership.user_id
    certified = exists().where(Certificate.user_id == user, Certificate.course == course.slug,
                               Certificate.status == ACTIVE)
    started = or_(
        exists().where(LessonProgress.user_id == user, LessonProgress.course == course.slug,
                       LessonProgress.completed_at.is_not(None)),
        exists().where(QuizAttempt.user_id == user, QuizAttempt.course == course.slug))
    found: list[ColumnElement[bool]] = [Membership.org_id == org.id, ACTIVE_MEMBER]
    if filters.team:
        found.append(Membership.team == filters.team)
    if filters.status == "certified":
        found.append(certified)
    elif filters.status == "in-progress":
        found += [not_(certified), started]
    elif filters.status == "not-started":
        found += [not_(certified), not_(started)]
    if filters.overdue:
        found.append(not_(certified) if due is not None and due < now.date() else false())
    if filters.expiring:
        found.append(exists().where(
            Certificate.user_id == user, Certificate.course == course.slug,
            Certificate.status == ACTIVE, Certificate.valid_until.is_not(None),
            Certificate.valid_until <= now + timedelta(days=filters.expiring)))
    return found


def member_page(db: Session, org: Organisation, course: CourseInfo, filters: Filters,
                page: int = 1, per_page: int = PER_PAGE,
                now: datetime | None = None, *, after: int | None = None,
                before: int | None = None, mark: str | None = None,
                counts: tally.Tallies | None = None) -> MemberPage:
    """One page of members with their progress, scores and certificate, by name.

    `after` (or `before`): the id of the last (first) member of the page before (after) this
    one, which the pager's links carry with `mark`, the fingerprint of that member's name then
    (`paging.edge_mark`): the page is then read from the name index after (before) that member
    instead of skipping every row before it. Without them, when that member has left the
    organisation or been renamed since, past the last page, or when the seek finds no page
    (nothing after the edge any more), the rows before `page` are skipped; fewer than a page
    before the edge is the first page. `counts`: the tallies of `filters.team` (of the
    organisation without one), when the caller has read them."""
    now = now or utcnow()
    due = due_date(db, org, course.slug)
    where = _conditions(org, course, filters, now, due)
    total = _total(db, org, course, filters, now, due, where, counts)
    pages = max(1, -(-total // per_page))
    asked, page = page, min(max(1, page), pages)
    query = select(Membership).where(*where)
    columns = (Membership.name, Membership.id)
    forward = after is not None
    edge = _edge(db, org, after if forward else before, mark) if asked == page else None
    members: list[Membership] = []
    if edge is not None:
        sought = seek(db.scalars, query, columns, edge, forward=forward, per_page=per_page)
        if sought is not None:
            members = sought[0]
            page = page if forward or sought[1] else 1  # nothing more before it: the first
        elif not forward:  # less than a page before it (members left meanwhile): the first
            page = 1
    if not members:
        members = list(db.scalars(query.order_by(Membership.name, Membership.id)
                                  .limit(per_page).offset((page - 1) * per_page)))
    return MemberPage(_details(db, course, members, now, due), total, page, pages, due)


def _edge(db: Session, org: Organisation, member_id: int | None, mark: str | None
          ) -> tuple[str, int] | None:
    """Where a page edge's member sorts: (name, id); None if they are no member of `org`, or
    their name is no longer the one the link's `mark` was made from."""
    if member_id is None:
        return None
    name = db.scalar(select(Membership.name).where(Membership.id == member_id,
                                                   Membership.org_id == org.id))
    return (name, member_id) if still_there(name, mark) else None


def _total(db: Session, org: Organisation, course: CourseInfo, filters: Filters, now: datetime,
           due: date | None, where: list[ColumnElement[bool]],
           counts: tally.Tallies | None = None) -> int:
    """How many members match: from the tallies when the filters are the team, certified and
    overdue; from the certificates that end by the date when expiring (every such member is
    certified); otherwise counted over the members."""
    if filters.expiring:
        if filters.status in ("in-progress", "not-started") or filters.overdue:
            return 0  # those are members without a certificate in force
        return tally.ending_by(db, org.id, course.slug, now + timedelta(days=filters.expiring),
                               filters.team)
    if filters.status in (None, "certified"):
        counts = counts or tally.read(db, org.id, course.slug, filters.team)
        if filters.overdue:
            late = due is not None and due < now.date()
            return counts.members - counts.certified if late and not filters.status else 0
        return counts.certified if filters.status else counts.members
    return db.scalar(select(func.count()).select_from(Membership).where(*where)) or 0


#: What a member's row shows of their certificate: never its PDF or snapshot (a page of 500 in
#: the CSV export would read every one).
ROW_CERTIFICATE = load_only(Certificate.id, Certificate.user_id, Certificate.course,
                            Certificate.status, Certificate.code, Certificate.valid_until,
                            raiseload=True)


@lru_cache(maxsize=128)
def _details_statements(members: int, lessons: int) -> tuple[Select, Select, Select]:
    """The three reads of `_details` for a page of `members` members (parameters member_0,
    member_1...) and a course of `lessons` published lessons (lesson_0...), course as
    `course`: built once per size. Each member and lesson is a parameter of its own: expanding
    IN lists would be rendered again on every view (three lists, 70 values on a full page)."""
    ids = [bindparam(f"member_{i}") for i in range(members)]
    slugs = [bindparam(f"lesson_{i}") for i in range(lessons)]
    course = bindparam("course")
    progress, best = LessonProgress.__table__.c, QuizBest.__table__.c
    done = (select(progress.user_id, func.count())
            .where(progress.user_id.in_(ids), progress.course == course,
                   progress.lesson.in_(slugs), progress.completed_at.is_not(None))
            .group_by(progress.user_id))
    scores = select(best.user_id, best.module, best.percent).where(best.user_id.in_(ids),
                                                                   best.course == course)
    certificates = select(Certificate).options(ROW_CERTIFICATE).where(
        Certificate.user_id.in_(ids), Certificate.course == course,
        Certificate.status == ACTIVE)
    return done, scores, certificates


def _details(db: Session, course: CourseInfo, members: list[Membership], now: datetime,
             due: date | None) -> list[MemberRow]:
    """Progress, best scores and certificates of one page of members: three queries."""
    ids = [m.user_id for m in members]
    published = [lesson.slug for lesson in course.lessons if not lesson.draft]
    done: dict[str, int] = {}
    best: dict[str, dict[str, Decimal]] = {}
    certificates: dict[str, Certificate] = {}
    if ids:
        read_done, read_best, read_certificates = _details_statements(len(ids), len(published))
        values = {"course": course.slug, **{f"member_{i}": x for i, x in enumerate(ids)},
                  **{f"lesson_{i}": slug for i, slug in enumerate(published)}}
        if published:
            done = dict(db.connection().execute(read_done, values).all())
        for user_id, module, score in db.connection().execute(read_best, values):
            best.setdefault(user_id, {})[module] = score
        certificates = {c.user_id: c for c in db.scalars(read_certificates, values)}
    overdue = due is not None and due < now.date()
    return [MemberRow(m, done.get(m.user_id, 0), len(published), best.get(m.user_id, {}),
                      certificates.get(m.user_id),
                      overdue and m.user_id not in certificates) for m in members]


@dataclass(frozen=True)
class FactorAverage:
    module: str
    title: str
    average: Decimal | None
    learners: int  # how many have a score for it


def factor_averages(db: Session, org: Organisation, course: CourseInfo,
                    quiz_modules: list[str], team: str | None = None,
                    counts: tally.Tallies | None = None) -> list[FactorAverage]:
    """The organisation's (or a team's) average of its members' best score on each factor quiz,
    from its tallies (kept as attempts are graded and members come and go: no attempt, and no
    member, is read). `counts`: those tallies, when the caller has read them."""
    counts = counts or tally.read(db, org.id, course.slug, team)
    titles = {m.slug: m.title for m in course.modules}
    return [FactorAverage(module, titles.get(module, module), *counts.average(module))
            for module in quiz_modules]


def teams(db: Session, org: Organisation) -> list[str]:
    return tally.teams(db, org.id)
