"""Capstone submissions and reviews: drafts, submitting, who may review whom, and recording a
review under the rubric the version was submitted with. Takes a session and plain values;
flushes, never commits.

Who reviews: a learner in an organisation is reviewed by that organisation's managers; a learner
in none by the site's trainers (administrators hold every role). Nobody reviews their own work.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, exists, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ..content.capstone import Rubric, evaluate
from ..db import utcnow
from ..errors import CourseError
from ..orgs.models import ACTIVE_MEMBER, MANAGER, Membership, Organisation
from .models import (
    DRAFT,
    PASSED,
    RETURNED,
    SUBMITTED,
    CapstoneReview,
    CapstoneSubmission,
    CapstoneVersion,
)

EDITABLE = (DRAFT, RETURNED)


class CapstoneError(CourseError):
    """A capstone action that cannot be done now; the message says why, for the user."""


@dataclass(frozen=True)
class Upload:
    """An attachment already checked and stored: its stored name, type and size."""

    name: str
    kind: str
    size: int


def submission_for(db: Session, user_id: str, course: str) -> CapstoneSubmission | None:
    """The learner's submission for `course`, if they have saved anything."""
    return db.scalar(select(CapstoneSubmission).where(
        CapstoneSubmission.user_id == user_id, CapstoneSubmission.course == course))


def versions(db: Session, submission: CapstoneSubmission) -> list[CapstoneVersion]:
    """Every version, oldest first."""
    return list(db.scalars(select(CapstoneVersion).where(
        CapstoneVersion.submission_id == submission.id).order_by(CapstoneVersion.number)))


def reviews(db: Session, submission: CapstoneSubmission) -> dict[int, CapstoneReview]:
    """The review of each reviewed version, by version id."""
    rows = db.scalars(select(CapstoneReview).join(
        CapstoneVersion, CapstoneVersion.id == CapstoneReview.version_id).where(
        CapstoneVersion.submission_id == submission.id))
    return {r.version_id: r for r in rows}


def _start(db: Session, user_id: str, course: str, name: str,
           email: str | None) -> CapstoneSubmission:
    submission = CapstoneSubmission(user_id=user_id, course=course, status=DRAFT,
                                    learner_name=name[:200], learner_email=email)
    try:
        with db.begin_nested():
            db.add(submission)
            db.flush()
    except IntegrityError:  # a parallel request started it first
        db.expire_all()
        submission = submission_for(db, user_id, course)
        if submission is None:
            raise
    return submission


def save_draft(db: Session, *, user_id: str, course: str, name: str, email: str | None,
               body: str, html: str, upload: Upload | None = None,
               remove_attachment: bool = False) -> tuple[CapstoneVersion, str | None]:
    """Save the learner's draft (starting a new version after a return). Returns the draft and
    the stored name of an attachment it no longer uses (for the caller to delete after the
    commit), if any."""
    submission = submission_for(db, user_id, course) or _start(db, user_id, course, name, email)
    if submission.status not in EDITABLE:
        raise CapstoneError("Your capstone is with a reviewer or has passed: it cannot be "
                            "changed now.")
    submission.learner_name, submission.learner_email = name[:200], email
    history = versions(db, submission)
    draft = history[-1] if history and history[-1].state == DRAFT else None
    if draft is None:
        draft = _new_draft(db, submission, history)
    dropped = None
    if upload is not None or remove_attachment:
        if draft.attachment and not any(v.attachment == draft.attachment for v in history
                                        if v is not draft):
            dropped = draft.attachment  # only this draft used it
        draft.attachment = upload.name if upload else None
        draft.attachment_type = upload.kind if upload else None
        draft.attachment_size = upload.size if upload else None
    draft.body, draft.html, draft.saved_at = body, html, utcnow()
    db.flush()
    return draft, dropped


def _new_draft(db: Session, submission: CapstoneSubmission,
               history: list[CapstoneVersion]) -> CapstoneVersion:
    """The next version, starting from the last one's attachment; when a parallel save made
    it first (the version number is unique), that one."""
    last = history[-1] if history else None
    draft = CapstoneVersion(submission_id=submission.id, number=len(history) + 1, state=DRAFT,
                            attachment=last.attachment if last else None,
                            attachment_type=last.attachment_type if last else None,
                            attachment_size=last.attachment_size if last else None)
    try:
        with db.begin_nested():
            db.add(draft)
            db.flush()
    except IntegrityError:
        db.expire_all()
        draft = versions(db, submission)[-1]
        if draft.state != DRAFT:
            raise CapstoneError("Your capstone changed in another window: reload the "
                                "page.") from None
    return draft


def submit(db: Session, submission: CapstoneSubmission, draft: CapstoneVersion,
           rubric: Rubric, review_days: int, now: datetime | None = None) -> bool:
    """Hand the draft in for review under `rubric`; False when it was handed in already (a
    double submit) or cannot be."""
    now = now or utcnow()
    moved = db.execute(update(CapstoneVersion).where(
        CapstoneVersion.id == draft.id, CapstoneVersion.state == DRAFT).values(
        state=SUBMITTED, submitted_at=now, rubric=rubric.to_dict()))
    if moved.rowcount != 1 or submission.status not in EDITABLE:
        return False
    submission.status = SUBMITTED
    submission.submitted_at = now
    submission.due_at = now + timedelta(days=review_days)
    db.flush()
    db.refresh(draft)
    return True


# ------------------------------------------------------------------ reviewers
def organisation_of(db: Session, user_id: str) -> Organisation | None:
    """The organisation the learner belongs to, if any."""
    return db.scalar(select(Organisation).join(
        Membership, Membership.org_id == Organisation.id).where(Membership.user_id == user_id,
                                                                ACTIVE_MEMBER))


def managed_org_id(db: Session, user_id: str) -> int | None:
    """The organisation this user manages, if any."""
    return db.scalar(select(Membership.org_id).where(Membership.user_id == user_id,
                                                     Membership.role == MANAGER, ACTIVE_MEMBER))


def reviewer_scope(db: Session, submission: CapstoneSubmission, reviewer_id: str,
                   is_trainer: bool, site_name: str) -> str | None:
    """In whose name this reviewer may review the submission (the learner's organisation, or
    the site for a learner in none), or None when they may not."""
    org = organisation_of(db, submission.user_id)
    if org is not None:
        return org.name if managed_org_id(db, reviewer_id) == org.id else None
    return site_name if is_trainer else None


def queue(db: Session, reviewer_id: str, is_trainer: bool,
          status: str = SUBMITTED) -> list[CapstoneSubmission]:
    """Submissions waiting for this reviewer (or with `status`), oldest first; never their
    own."""
    org_id = managed_org_id(db, reviewer_id)
    member = exists().where(Membership.user_id == CapstoneSubmission.user_id, ACTIVE_MEMBER)
    scopes = []
    if org_id is not None:
        scopes.append(exists().where(Membership.user_id == CapstoneSubmission.user_id,
                                     Membership.org_id == org_id, ACTIVE_MEMBER))
    if is_trainer:
        scopes.append(~member)
    if not scopes:
        return []
    query = select(CapstoneSubmission).where(
        CapstoneSubmission.status == status, CapstoneSubmission.user_id != reviewer_id,
        scopes[0] if len(scopes) == 1 else scopes[0] | scopes[1])
    order = CapstoneSubmission.submitted_at.asc() if status == SUBMITTED else (
        CapstoneSubmission.submitted_at.desc())
    return list(db.scalars(query.order_by(order, CapstoneSubmission.id).limit(200)))


@dataclass(frozen=True)
class Marking:
    """What the reviewer chose: a level and a comment per criterion, an overall comment."""

    levels: dict[str, str]
    comments: dict[str, str]
    comment: str


def record_review(db: Session, submission: CapstoneSubmission, version: CapstoneVersion, *,
                  reviewer_id: str, reviewer_name: str, reviewed_for: str, decision: str,
                  marking: Marking, now: datetime | None = None) -> CapstoneReview:
    """Return or pass a submitted version; a pass needs the rubric's pass rule to hold, which
    is computed here from the rubric the version was submitted under."""
    if reviewer_id == submission.user_id:
        raise CapstoneError("You cannot review your own work.")
    rubric = Rubric.from_dict(version.rubric or {"criteria": []})
    outcome = evaluate(rubric, marking.levels)
    if decision == PASSED and not outcome.passes:
        raise CapstoneError("It cannot pass: the pass rule (" + rubric.describe_rule()
                            + ") is not met: " + "; ".join(outcome.shortfalls) + ".")
    if decision not in (PASSED, RETURNED):
        raise CapstoneError("Choose to return the work for revision or to pass it.")
    now = now or utcnow()
    moved = db.execute(update(CapstoneVersion).where(
        CapstoneVersion.id == version.id, CapstoneVersion.state == SUBMITTED).values(
        state=decision))
    if moved.rowcount != 1:
        raise CapstoneError("This version has been reviewed already.")
    scores = []
    for criterion in rubric.criteria:
        level = criterion.level(marking.levels.get(criterion.name))
        scores.append({"criterion": criterion.name, "level": level.name if level else None,
                       "points": level.points if level else 0,
                       "max_points": criterion.max_points,
                       "comment": marking.comments.get(criterion.name, "").strip()[:4000]})
    review = CapstoneReview(version_id=version.id, reviewer_id=reviewer_id,
                            reviewer_name=reviewer_name[:200], reviewed_for=reviewed_for[:200],
                            decision=decision, scores=scores, total=outcome.total,
                            max_total=outcome.max_total, comment=marking.comment.strip()[:8000],
                            reviewed_at=now)
    db.add(review)
    submission.status = decision
    submission.passed_at = now if decision == PASSED else None
    db.flush()
    db.refresh(version)
    return review


def passed_review(db: Session, user_id: str, course: str) -> CapstoneReview | None:
    """The review that passed the learner's capstone for `course`, if it has passed."""
    return db.scalar(select(CapstoneReview).join(
        CapstoneVersion, CapstoneVersion.id == CapstoneReview.version_id).join(
        CapstoneSubmission, CapstoneSubmission.id == CapstoneVersion.submission_id).where(
        CapstoneSubmission.user_id == user_id, CapstoneSubmission.course == course,
        CapstoneReview.decision == PASSED).order_by(CapstoneReview.id.desc()).limit(1))


def export_for(db: Session, user_id: str) -> list[dict]:
    """A learner's capstones for their data download: each version's text and every review
    (attachments are named by type and size only; the learner downloads them from the page)."""
    out = []
    for submission in db.scalars(select(CapstoneSubmission).where(
            CapstoneSubmission.user_id == user_id).order_by(CapstoneSubmission.id)):
        marks = reviews(db, submission)
        out.append({"course": submission.course, "status": submission.status,
                    "submitted_at": _iso(submission.submitted_at),
                    "versions": [_version(v, marks.get(v.id)) for v in versions(db, submission)]})
    return out


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None


def _version(version: CapstoneVersion, review: CapstoneReview | None) -> dict:
    return {"number": version.number, "state": version.state, "text": version.body,
            "attachment": {"type": version.attachment_type, "bytes": version.attachment_size}
            if version.attachment else None, "saved_at": _iso(version.saved_at),
            "submitted_at": _iso(version.submitted_at),
            "review": {"decision": review.decision, "scores": review.scores,
                       "total": review.total, "max_total": review.max_total,
                       "comment": review.comment, "reviewer": review.reviewer_name,
                       "for": review.reviewed_for, "at": _iso(review.reviewed_at)}
            if review else None}


CLOSED_REVIEWER = "a reviewer whose account is closed"


def forget_user(db: Session, user_id: str) -> list[str]:
    """Delete a closing account's capstones, and their name from reviews they wrote of other
    people's work (the reviews stay); returns the stored attachment names to delete."""
    db.execute(update(CapstoneReview).where(CapstoneReview.reviewer_id == user_id).values(
        reviewer_id="closed", reviewer_name=CLOSED_REVIEWER))
    ids = list(db.scalars(select(CapstoneSubmission.id).where(
        CapstoneSubmission.user_id == user_id)))
    if not ids:
        return []
    version_ids = select(CapstoneVersion.id).where(CapstoneVersion.submission_id.in_(ids))
    names = {n for n in db.scalars(select(CapstoneVersion.attachment).where(
        CapstoneVersion.submission_id.in_(ids))) if n}
    db.execute(delete(CapstoneReview).where(CapstoneReview.version_id.in_(version_ids)))
    db.execute(delete(CapstoneVersion).where(CapstoneVersion.submission_id.in_(ids)))
    db.execute(delete(CapstoneSubmission).where(CapstoneSubmission.id.in_(ids)))
    db.flush()
    return sorted(names)
