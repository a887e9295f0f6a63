"""The organisation's tallies: per team, its members and members with a learner record, and per
course its certified members, members by the month of their first certificate, and the sum and
count of its members' best score on each factor quiz. Database triggers (migration 0017) keep them
in the transaction of every write that changes them, so reading one is a handful of rows whatever
the organisation's size; `rebuild` recounts every one from the rows (after bulk SQL loads, and in
the tests that hold the triggers to a recount)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from sqlalchemy import (
    Integer,
    String,
    and_,
    bindparam,
    case,
    cast,
    delete,
    func,
    insert,
    literal,
    literal_column,
    select,
)
from sqlalchemy.orm import Session
from sqlalchemy.sql import ColumnElement

from ..certificates.models import ACTIVE, Certificate
from ..lessons.models import Learner, LessonProgress
from ..quizzes.models import QuizAttempt, QuizBest
from .models import (
    ACTIVE_MEMBER,
    MemberCertificate,
    Membership,
    OrgTally,
    QuizAttempted,
    QuizPending,
    UnaffiliatedLearner,
)

MEMBERS, LEARNERS, CERTIFIED = "members", "learners", "certified"
FIRST, ENDS, BEST = "first:", "ends:", "best:"


@dataclass(frozen=True)
class Tallies:
    """The figures of one organisation (or one of its teams) for one course."""

    members: int = 0
    learners: int = 0  # members with a learner record (seen at least once)
    certified: int = 0
    firsts: dict[str, int] = field(default_factory=dict)  # YYYY-MM -> members
    best: dict[str, tuple[int, int]] = field(default_factory=dict)  # module -> (n, hundredths)

    def average(self, module: str) -> tuple[Decimal | None, int]:
        """The average best score on a factor quiz, to one decimal, and how many have one."""
        n, total = self.best.get(module, (0, 0))
        if not n:
            return None, 0
        return (Decimal(total) / 100 / n).quantize(Decimal("0.1"), ROUND_HALF_UP), n


def read(db: Session, org_id: int, course: str, team: str | None = None) -> Tallies:
    """One statement: the organisation's (or the team's) tallies for `course`."""
    where = [OrgTally.org_id == org_id, OrgTally.course.in_(["", course])]
    if team is not None:
        where.append(OrgTally.team == team)
    counts: dict[str, int] = {}
    firsts: dict[str, int] = {}
    best: dict[str, tuple[int, int]] = {}
    for figure, n, total in db.execute(select(
            OrgTally.figure, func.sum(OrgTally.n), func.sum(OrgTally.total))
            .where(*where).group_by(OrgTally.figure)):
        n, total = int(n or 0), int(total or 0)
        if figure.startswith(ENDS):
            continue  # read by `ending_by`, a range of days
        if figure.startswith(FIRST):
            firsts[figure[len(FIRST):]] = n
        elif figure.startswith(BEST):
            best[figure[len(BEST):]] = (n, total)
        else:
            counts[figure] = n
    return Tallies(counts.get(MEMBERS, 0), counts.get(LEARNERS, 0), counts.get(CERTIFIED, 0),
                   firsts, best)


def ending_by(db: Session, org_id: int, course: str, until: datetime,
              team: str | None = None) -> int:
    """Members whose certificate in force for `course` ends at or before `until`: one
    statement (see `_ending_by`)."""
    return int(db.scalar(_ending(team is not None, between=False), {
        "org_id": org_id, "course": course, "team": team, **_moment("u", until)}) or 0)


def ending_between(db: Session, org_id: int, course: str, after: datetime, until: datetime,
                   team: str | None = None) -> int:
    """Members whose certificate in force for `course` ends after `after` and at or before
    `until`, in one statement."""
    return int(db.scalar(_ending(team is not None, between=True), {
        "org_id": org_id, "course": course, "team": team, **_moment("u", until),
        **_moment("a", after)}) or 0)


#: The statements of `ending_by` and `ending_between`, built once (building one costs more than
#: running it), by (for a team, between two moments).
_ENDING: dict[tuple[bool, bool], Any] = {}


def _ending(teamed: bool, between: bool) -> Any:
    """The statement of `ending_by` (or, `between`, of `ending_between`), built on first use."""
    statement = _ENDING.get((teamed, between))
    if statement is None:
        counted = _ending_by("u", teamed)
        statement = _ENDING[teamed, between] = select(
            counted - _ending_by("a", teamed) if between else counted)
    return statement


def _moment(name: str, until: datetime) -> dict[str, object]:
    """The parameters of `_ending_by(name)` for the moment `until`."""
    day = until.astimezone(UTC).date()
    start = datetime(day.year, day.month, day.day, tzinfo=UTC)
    return {f"{name}_until": until, f"{name}_start": start,
            f"{name}_end": start + timedelta(days=1), f"{name}_day": f"{ENDS}{day.isoformat()}"}


def _ending_by(name: str, teamed: bool) -> ColumnElement[int]:
    """`ending_by` as an SQL expression of the parameters `_moment(name, until)`: the whole
    days before that of `until` from the tallies, the day of `until` itself counted up to that
    moment, from whichever side of it has fewer certificates (its members up to then, or its
    tally less those after). The databases evaluate only the branch of the CASE they take."""
    org_id, course = bindparam("org_id"), bindparam("course")
    # typed by the columns they are compared with
    until, start, end, day = (bindparam(f"{name}_{part}")
                              for part in ("until", "start", "end", "day"))
    in_team = [OrgTally.team == bindparam("team")] if teamed else []
    ours = [OrgTally.org_id == org_id, OrgTally.course == course, *in_team]
    zero = literal(0, Integer)
    before = select(func.coalesce(func.sum(OrgTally.n), zero)).where(
        *ours, OrgTally.figure > ENDS, OrgTally.figure < day).scalar_subquery()
    whole_day = select(func.coalesce(func.sum(OrgTally.n), zero)).where(
        *ours, OrgTally.figure == day).scalar_subquery()
    members = [Membership.org_id == org_id, ACTIVE_MEMBER] + (
        [Membership.team == bindparam("team")] if teamed else [])
    mine = MemberCertificate.course == course

    def ending(*when: ColumnElement[bool], join: bool = True) -> ColumnElement[int]:
        query = select(func.count()).select_from(MemberCertificate).where(mine, *when)
        if join:
            query = query.join(Membership, Membership.user_id == MemberCertificate.user_id).where(
                *members)
        return query.scalar_subquery()

    early = (MemberCertificate.ends_at >= start, MemberCertificate.ends_at <= until)
    late = (MemberCertificate.ends_at > until, MemberCertificate.ends_at < end)
    return before + case((ending(*late, join=False) < ending(*early, join=False),
                          whole_day - ending(*late)), else_=ending(*early))


def members(db: Session, org_id: int) -> int:
    """The organisation's members (removed people are not counted)."""
    return int(db.scalar(select(func.sum(OrgTally.n)).where(
        OrgTally.org_id == org_id, OrgTally.course == "", OrgTally.figure == MEMBERS)) or 0)


def members_by_org(db: Session) -> dict[int, int]:
    """Every organisation's members (removed people are not counted), from the tallies: a row
    per team, not per member."""
    return {org_id: int(n or 0) for org_id, n in db.execute(
        select(OrgTally.org_id, func.sum(OrgTally.n)).where(
            OrgTally.course == "", OrgTally.figure == MEMBERS).group_by(OrgTally.org_id))}


def teams(db: Session, org_id: int) -> list[str]:
    """The teams that have members, by name."""
    return list(db.scalars(select(OrgTally.team).where(
        OrgTally.org_id == org_id, OrgTally.course == "", OrgTally.figure == MEMBERS,
        OrgTally.n > 0, OrgTally.team != "").order_by(OrgTally.team)))


def _format(db: Session, column: object, day: bool = False) -> object:
    """A UTC timestamp as YYYY-MM (or YYYY-MM-DD), in SQL."""
    # constants written out, not bound: PostgreSQL matches a GROUP BY expression by its text
    if db.get_bind().dialect.name == "postgresql":
        return func.to_char(func.timezone(literal_column("'UTC'"), column),
                            literal_column("'YYYY-MM-DD'" if day else "'YYYY-MM'"))
    return func.strftime(literal_column("'%Y-%m-%d'" if day else "'%Y-%m'"), column)


def rebuild(db: Session) -> None:
    """Recount the certificate standings and every tally from the rows, and rebuild the lists
    of learners in no organisation and of learners yet to start each attempted quiz."""
    _rebuild_lists(db)
    db.execute(delete(MemberCertificate))
    active = Certificate.status == ACTIVE
    db.execute(insert(MemberCertificate).from_select(
        ["user_id", "course", "certified", "first_month", "ends_at"],
        select(Certificate.user_id, Certificate.course,
               func.max(case((active, 1), else_=0)),
               _format(db, func.min(Certificate.issued_at)),
               func.min(case((active, Certificate.valid_until), else_=None)))
        .group_by(Certificate.user_id, Certificate.course)))
    db.execute(delete(OrgTally))  # after the standings: their trigger added to the tallies
    team = func.coalesce(Membership.team, "")
    at = [Membership.org_id, team]
    cols = ["org_id", "team", "course", "figure", "n", "total"]
    zero = literal(0, Integer)
    blank = literal("", String)
    standing = MemberCertificate.user_id == Membership.user_id
    queries = [
        select(*at, blank, literal(MEMBERS), func.count(), zero).where(ACTIVE_MEMBER)
        .group_by(*at),
        select(*at, blank, literal(LEARNERS), func.count(), zero)
        .join(Learner, Learner.user_id == Membership.user_id).where(ACTIVE_MEMBER)
        .group_by(*at),
        select(*at, MemberCertificate.course, literal(CERTIFIED), func.count(), zero)
        .join(MemberCertificate, and_(standing, MemberCertificate.certified == 1))
        .where(ACTIVE_MEMBER).group_by(*at, MemberCertificate.course),
        select(*at, MemberCertificate.course, literal(FIRST) + MemberCertificate.first_month,
               func.count(), zero)
        .join(MemberCertificate, and_(standing, MemberCertificate.first_month.is_not(None)))
        .where(ACTIVE_MEMBER).group_by(*at, MemberCertificate.course,
                                       MemberCertificate.first_month),
        select(*at, MemberCertificate.course,
               literal(ENDS) + _format(db, MemberCertificate.ends_at, day=True), func.count(), zero)
        .join(MemberCertificate, and_(standing, MemberCertificate.ends_at.is_not(None)))
        .where(ACTIVE_MEMBER).group_by(*at, MemberCertificate.course,
                                       _format(db, MemberCertificate.ends_at, day=True)),
        select(*at, QuizBest.course, literal(BEST) + QuizBest.module, func.count(),
               func.sum(cast(func.round(QuizBest.percent * 100), Integer)))
        .join(QuizBest, QuizBest.user_id == Membership.user_id).where(ACTIVE_MEMBER)
        .group_by(*at, QuizBest.course, QuizBest.module),
    ]
    for query in queries:
        db.execute(insert(OrgTally).from_select(cols, query))


def snapshot(db: Session) -> set[tuple[object, ...]]:
    """Every non-zero tally and every standing (for comparing with a recount)."""
    tallies = {tuple(r) for r in db.execute(select(
        OrgTally.org_id, OrgTally.team, OrgTally.course, OrgTally.figure, OrgTally.n,
        OrgTally.total).where((OrgTally.n != 0) | (OrgTally.total != 0)))}
    standings = {("standing", *r) for r in db.execute(select(
        MemberCertificate.user_id, MemberCertificate.course, MemberCertificate.certified,
        MemberCertificate.first_month, MemberCertificate.ends_at).where(
        (MemberCertificate.certified != 0) | MemberCertificate.first_month.is_not(None)))}
    return tallies | standings


def _rebuild_lists(db: Session) -> None:
    """The learners in no organisation; the quizzes attempted and who is yet to start each."""
    db.execute(delete(UnaffiliatedLearner))
    db.execute(insert(UnaffiliatedLearner).from_select(["user_id"], select(Learner.user_id).where(
        ~select(Membership.id).where(Membership.user_id == Learner.user_id, ACTIVE_MEMBER)
        .exists())))
    db.execute(delete(QuizPending))
    db.execute(delete(QuizAttempted))
    db.execute(insert(QuizAttempted).from_select(
        ["course", "module"], select(QuizAttempt.course, QuizAttempt.module).distinct()))
    opened = select(LessonProgress.user_id, QuizAttempted.course, QuizAttempted.module).join(
        QuizAttempted, QuizAttempted.course == LessonProgress.course)
    tried = select(QuizAttempt.user_id, QuizAttempt.course, QuizAttempt.module)
    db.execute(insert(QuizPending).from_select(["user_id", "course", "module"],
                                               opened.except_(tried)))
