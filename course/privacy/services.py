"""A learner's data, gathered for download, and erased when they close their account. Issued
certificates stay verifiable: their record remains, marked as issued to a closed account,
without the PDF and, unless the learner chooses otherwise, without the name."""

from __future__ import annotations

import secrets
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import delete, or_, select
from sqlalchemy.orm import Session

from ..capstone.services import export_for as capstone_export
from ..certificates.models import Certificate
from ..identity import normalise_email
from ..lessons.models import Learner, LessonProgress
from ..orgs.models import Invitation, KnownUser, Membership, Organisation, ReminderSent
from ..orgs.services import audit
from ..quizzes.models import (
    PracticeAnswer,
    QuizAttempt,
    QuizBest,
    QuizGrant,
    QuizRound,
    SelfAssessmentScore,
)


def _plain(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def _rows(db: Session, model: type, user_id: str, *skip: str) -> list[dict[str, Any]]:
    columns = [c for c in model.__table__.columns if c.name not in {"id", "user_id", *skip}]
    return [{c.name: _plain(getattr(row, c.key)) for c in columns}
            for row in db.scalars(select(model).where(model.user_id == user_id))]


def collect(db: Session, user_id: str, profile: dict[str, Any]) -> dict[str, Any]:
    """Everything the plugin holds about one person, as JSON-ready values."""
    member = db.scalar(select(Membership).where(Membership.user_id == user_id))
    org = db.get(Organisation, member.org_id) if member else None
    return {
        "format": "course-personal-data/1",
        "exported_at": _plain(datetime.now().astimezone()),
        "profile": {**profile, "user_id": user_id},
        "organisation": {"name": org.name, "team": member.team, "role": member.role,
                         "joined_at": _plain(member.joined_at),
                         "optional_reminders": member.optional_reminders} if member else None,
        "learner": _rows(db, Learner, user_id),
        # In a host: the name, address and last log-in the administrators' Users page shows.
        "known_user": _rows(db, KnownUser, user_id),
        "lesson_progress": _rows(db, LessonProgress, user_id),
        "self_assessment": _rows(db, SelfAssessmentScore, user_id),
        "quiz_attempts": _rows(db, QuizAttempt, user_id),
        "quiz_rounds": _rows(db, QuizRound, user_id),
        "quiz_grants": _rows(db, QuizGrant, user_id),  # extra attempts and resets, with why
        "practice_answers": _rows(db, PracticeAnswer, user_id),
        "certificates": _rows(db, Certificate, user_id, "pdf"),
        "capstones": capstone_export(db, user_id),
        "reminders_sent": _rows(db, ReminderSent, user_id),
    }


def close(db: Session, user_id: str, *, keep_name: bool, email: str | None) -> dict[str, int]:
    """Erase the person's data; keep their certificates verifiable. Returns what was removed."""
    removed: dict[str, int] = {}
    for model in (LessonProgress, QuizAttempt, QuizRound, QuizGrant, SelfAssessmentScore,
                  PracticeAnswer, ReminderSent, Learner):
        removed[model.__tablename__] = db.execute(
            delete(model).where(model.user_id == user_id)).rowcount
    db.execute(delete(QuizBest).where(QuizBest.user_id == user_id))  # derived from the attempts
    member = db.scalar(select(Membership).where(Membership.user_id == user_id))
    if member is not None:
        audit(db, member.org_id, None, "member-closed-account", None)
        db.delete(member)
    if email:
        db.execute(delete(Invitation).where(or_(Invitation.email == normalise_email(email),
                                                Invitation.accepted_by == user_id)))
    anonymous = "closed-" + secrets.token_hex(8)
    certificates = list(db.scalars(select(Certificate).where(Certificate.user_id == user_id)))
    for cert in certificates:
        cert.user_id = anonymous
        cert.holder_closed = True
        cert.pdf = b""
        cert.snapshot = {k: v for k, v in cert.snapshot.items() if k != "name"}
        if not keep_name:
            cert.name = ""
    removed["certificates kept, anonymised"] = len(certificates)
    db.flush()
    return removed
