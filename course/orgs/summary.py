"""The manager's headline figures for one course: enrolled, active in the last 30 days,
completion rate, overdue, certificates expiring within 90 days; and completions per month.
The dashboard's tiles, its monthly chart and the summary CSV all read them from here, so they
always agree. Removed members are not counted."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import Integer, case, func, literal, select
from sqlalchemy.orm import Session

from ..db import utcnow
from ..lessons.models import Learner
from . import tally
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


INACTIVE_PROBE = 5000  # learners not seen lately, counted up to this to pick the smaller side


#: `headline`'s `due` when the caller has not read the due date.
UNREAD: Any = object()


def headline(db: Session, org: Organisation, course: str, now: datetime | None = None,
             counts: tally.Tallies | None = None, due: date | None = UNREAD) -> Headline:
    """The headline figures of `org` for `course`: enrolled, certified and the certificates
    expiring from the organisation's tallies (kept as rows are written; expiring by the day the
    certificate in force ends), the members active counted from the smaller side (the learners
    seen, or not seen, lately)."""
    now = now or utcnow()
    counts = counts or tally.read(db, org.id, course)  # the organisation's, read once a page
    # the certificate in force (one per member) ends within EXPIRING_DAYS and has not ended
    expiring = tally.ending_between(db, org.id, course, now,
                                    now + timedelta(days=EXPIRING_DAYS))
    due = due_date(db, org, course) if due is UNREAD else due
    certified = counts.certified
    overdue = counts.members - certified if due is not None and due < now.date() else 0
    return Headline(counts.members, active_members(db, org, counts.learners, now), certified,
                    overdue, expiring, due)


def active_members(db: Session, org: Organisation, learners: int, now: datetime) -> int:
    """Members seen in the last ACTIVE_DAYS days, in one statement: `learners` (members with a
    learner record, a tally) less those not seen lately when these are few; counted directly
    otherwise (the databases evaluate only the branch of the CASE they take)."""
    since = now - timedelta(ACTIVE_DAYS)
    stale = select(func.count()).select_from(
        select(Learner.user_id).where(Learner.last_seen_at < since)
        .limit(INACTIVE_PROBE).subquery()).scalar_subquery()

    def members_seen(*when: Any, limit: int | None = None) -> Any:
        # a bounded subquery is read first: the members are looked up from its few rows
        seen = select(Learner.user_id).where(*when).limit(limit).subquery()
        return select(func.count()).select_from(seen).join(
            Membership, Membership.user_id == seen.c.user_id).where(
            Membership.org_id == org.id, ACTIVE_MEMBER).scalar_subquery()

    # every stale learner is in the bounded subquery when there are fewer than the probe
    return int(db.scalar(select(case(
        (stale < INACTIVE_PROBE,
         literal(learners, Integer) - members_seen(Learner.last_seen_at < since,
                                                   limit=INACTIVE_PROBE)),
        else_=members_seen(Learner.last_seen_at >= since)))) or 0)


@dataclass(frozen=True)
class Month:
    label: str  # 2026-11
    completions: int


def completions_by_month(db: Session, org: Organisation, course: str, months: int = MONTHS,
                         now: datetime | None = None,
                         counts: tally.Tallies | None = None) -> list[Month]:
    """How many current members completed `course` (their first certificate for it) in each of
    the last `months` calendar months, oldest first."""
    now = now or utcnow()
    labels = _month_labels(now.date(), months)
    counted = (counts or tally.read(db, org.id, course)).firsts  # kept as certificates are issued
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
