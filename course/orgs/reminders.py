"""Reminder emails: learners past their organisation's due date, and learners whose certificate
expires soon. Each event is reminded once: a reminder is claimed (a unique row) before it is
sent, so a second run, or two runs at once, send nothing twice."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import exc, exists, not_, select
from sqlalchemy.orm import Session

from ..certificates.models import ACTIVE, Certificate
from ..db import utcnow
from .models import ACTIVE_MEMBER, Assignment, Membership, Organisation, ReminderSent

OVERDUE = "overdue"  # required by the employer: no opt-out
EXPIRING = "expiring"  # optional: the email carries an unsubscribe link


@dataclass(frozen=True)
class Reminder:
    org: Organisation
    member: Membership
    kind: str
    event: str
    course: str
    when: datetime | None = None  # the due date or the expiry

    @property
    def optional(self) -> bool:
        return self.kind == EXPIRING


def due(db: Session, expiring_days: int, now: datetime | None = None) -> list[Reminder]:
    """Every reminder owed now and not yet sent."""
    now = now or utcnow()
    found: list[Reminder] = []
    for assignment, org in db.execute(select(Assignment, Organisation).join(Organisation).where(
            Assignment.due_on.is_not(None), Assignment.due_on < now.date())):
        event = f"{assignment.course}@{assignment.due_on.isoformat()}"
        certified = exists().where(Certificate.user_id == Membership.user_id,
                                   Certificate.course == assignment.course,
                                   Certificate.status == ACTIVE)
        sent = exists().where(ReminderSent.user_id == Membership.user_id,
                              ReminderSent.kind == OVERDUE, ReminderSent.event == event)
        for member in db.scalars(select(Membership).where(
                Membership.org_id == org.id, ACTIVE_MEMBER, not_(certified), not_(sent),
                Membership.email.is_not(None)).order_by(Membership.id)):
            found.append(Reminder(org, member, OVERDUE, event, assignment.course,
                                  datetime.combine(assignment.due_on, datetime.min.time())))
    sent = exists().where(ReminderSent.user_id == Membership.user_id,
                          ReminderSent.kind == EXPIRING, ReminderSent.event == Certificate.code)
    for member, org, cert in db.execute(select(Membership, Organisation, Certificate).join(
            Organisation, Organisation.id == Membership.org_id).join(
            Certificate, Certificate.user_id == Membership.user_id).where(
            Certificate.status == ACTIVE, Certificate.valid_until.is_not(None),
            Certificate.valid_until > now,
            Certificate.valid_until <= now + timedelta(days=expiring_days),
            Membership.optional_reminders.is_(True), Membership.email.is_not(None), ACTIVE_MEMBER,
            not_(sent)).order_by(Membership.id)):
        found.append(Reminder(org, member, EXPIRING, cert.code, cert.course, cert.valid_until))
    return found


def claim(db: Session, reminder: Reminder) -> bool:
    """Record the reminder as sent; False if it was claimed already (by another run)."""
    try:
        with db.begin_nested():
            db.add(ReminderSent(org_id=reminder.org.id, user_id=reminder.member.user_id,
                                kind=reminder.kind, event=reminder.event))
            db.flush()
    except exc.IntegrityError:
        return False
    return True


def release(db: Session, reminder: Reminder) -> None:
    """Forget a claim whose email could not be sent, so the next run tries again."""
    row = db.scalar(select(ReminderSent).where(
        ReminderSent.user_id == reminder.member.user_id, ReminderSent.kind == reminder.kind,
        ReminderSent.event == reminder.event))
    if row is not None:
        db.delete(row)
        db.flush()
