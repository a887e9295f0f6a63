"""The gradebook's write actions: grant a learner one extra attempt at a quiz, or reset it for
them. Each flushes a `QuizGrant` (who, when, why: the audit record the gradebook shows); the
view commits."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from ..db import utcnow
from ..names import clean_name
from ..quizzes.models import EXTRA, RESET, QuizGrant

KINDS = {EXTRA: "Extra attempt", RESET: "Reset"}


class GrantRefused(Exception):
    """The grant cannot be made; the message says why."""


def grant(db: Session, *, learner_id: str, course: str, module: str, kind: str, reason: str,
          by: str, by_name: str, now: datetime | None = None) -> QuizGrant:
    """Record an extra attempt or a reset for the learner at one quiz."""
    if kind not in KINDS:
        raise GrantRefused("Choose an extra attempt or a reset.")
    if learner_id == by:
        raise GrantRefused("You cannot grant yourself an attempt or reset your own quiz.")
    reason = clean_name(reason, 500)  # no NUL (PostgreSQL), control or bidi characters
    if not reason:
        raise GrantRefused("Give a reason.")
    row = QuizGrant(user_id=learner_id, course=course, module=module, kind=kind,
                    reason=reason, granted_by=by, granted_by_name=by_name[:200],
                    granted_at=now or utcnow())
    db.add(row)
    db.flush()
    return row
