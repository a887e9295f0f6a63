"""The manager's headline figures for one course: enrolled, active in the last 30 days,
completion rate, overdue, certificates expiring within 90 days; and completions per month.
The dashboard's tiles, its monthly chart and the summary CSV all read them from here, so they
always agree. Removed members are not counted."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..certificates.models import ACTIVE, Certificate
from ..db import utcnow
from ..lessons.models import Learner
from .models import ACTIVE_MEMBER, Membership, Organisation
from .reports import FactorAverage, due_date

ACTIVE_DAYS = 30
EXPIRING_DAYS = 90
MONTHS = 12


@dataclass(frozen=True)
class Headline:
    enrolled: int
    active: int  # seen in the last ACTIVE_DAYS days
    certified: int
    overdue: int
    expiring: int  # certificates in force that end within EXPIRING_DAYS days
    due: date | None

    @property
    def completion_rate(self) -> int:
        """Certified members as a whole percentage of the enrolled ones."""
        return round(100 * self.certified / self.enrolled) if self.enrolled else 0


def _count(db: Session, *where: object) -> int:
    return db.scalar(select(func.count()).select_from(Membership).where(*where)) or 0


def headline(db: Session, org: Organisation, course: str,
             now: datetime | None = None) -> Headline:
    """The headline figures of `org` for `course` (five counting queries)."""
    now = now or utcnow()
    members = (Membership.org_id == org.id, ACTIVE_MEMBER)
    active_cert = select(Certificate.user_id).where(Certificate.course == course,
                                                    Certificate.status == ACTIVE)
    seen = select(Learner.user_id).where(Learner.last_seen_at >= now - timedelta(ACTIVE_DAYS))
    enrolled = _count(db, *members)
    certified = _count(db, *members, Membership.user_id.in_(active_cert))
    expiring = _count(db, *members, Membership.user_id.in_(active_cert.where(
        Certificate.valid_until > now,
        Certificate.valid_until <= now + timedelta(days=EXPIRING_DAYS))))
    due = due_date(db, org, course)
    overdue = enrolled - certified if due is not None and due < now.date() else 0
    return Headline(enrolled, _count(db, *members, Membership.user_id.in_(seen)), certified,
                    overdue, expiring, due)


@dataclass(frozen=True)
class Month:
    label: str  # 2026-11
    completions: int


def completions_by_month(db: Session, org: Organisation, course: str, months: int = MONTHS,
                         now: datetime | None = None) -> list[Month]:
    """How many current members completed `course` (their first certificate for it) in each of
    the last `months` calendar months, oldest first."""
    now = now or utcnow()
    labels = _month_labels(now.date(), months)
    year, month = (int(part) for part in labels[0].split("-"))
    start = datetime(year, month, 1, tzinfo=UTC)
    first = func.min(Certificate.issued_at)
    firsts = select(first.label("first")).join(
        Membership, Membership.user_id == Certificate.user_id).where(
        Membership.org_id == org.id, ACTIVE_MEMBER, Certificate.course == course).group_by(
        Certificate.user_id).having(first >= start).subquery()
    # Counted in SQL, a month label per row: no timestamp comes back to Python.
    if db.get_bind().dialect.name == "postgresql":
        label = func.to_char(func.timezone("UTC", firsts.c.first), "YYYY-MM")
    else:
        label = func.strftime("%Y-%m", firsts.c.first)
    counted = dict(db.execute(select(label, func.count()).group_by(label)).all())
    return [Month(label, counted.get(label, 0)) for label in labels]


def _month_labels(today: date, months: int) -> list[str]:
    year, month = today.year, today.month
    labels = []
    for _ in range(months):
        labels.append(f"{year:04d}-{month:02d}")
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return labels[::-1]


def summary_rows(org: Organisation, course_title: str, figures: Headline,
                 averages: list[FactorAverage], months: list[Month]) -> list[list[object]]:
    """The summary CSV: the tiles' figures, the factor averages, then completions per month."""
    rows: list[list[object]] = [
        ["figure", "value"], ["organisation", org.name], ["course", course_title],
        ["enrolled", figures.enrolled], [f"active in the last {ACTIVE_DAYS} days", figures.active],
        ["certified", figures.certified], ["completion rate %", figures.completion_rate],
        ["overdue", figures.overdue],
        [f"certificates expiring within {EXPIRING_DAYS} days", figures.expiring]]
    rows += [[f"average best score %: {a.title}", "" if a.average is None else a.average]
             for a in averages]
    rows += [[f"completions {m.label}", m.completions] for m in months]
    return rows
