"""Issuing certificates: eligibility from lessons and quizzes, then one issue, rendered before
anything is written. Takes a session and plain values; flushes, never commits."""

from __future__ import annotations

import calendar
import hashlib
import secrets
import string
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import lru_cache
from pathlib import Path
from typing import Any

from sqlalchemy import Select, bindparam, exc, func, select
from sqlalchemy.orm import Session

from ..capstone.services import passed_review
from ..content.catalog import CourseInfo
from ..content.quiz import Quiz
from ..db import utcnow
from ..lessons.services import completed_among, lesson_parameters, lesson_states
from ..names import name_or_neutral, usable_name
from ..quizzes.models import QuizRound
from ..quizzes.profile import factor_profile
from ..quizzes.services import round_started, start_round
from .eligibility import Eligibility, check
from .models import ACTIVE, REVOKED, SUPERSEDED, Certificate
from .render import Branding, CertificateData, Factor, normalise_name, renderer_for

TEMPLATE = "default"


CODE_ALPHABET = string.ascii_letters + string.digits


def new_code() -> str:
    """A verification code: 27 letters and digits, about 160 random bits, nothing to break a
    line on when it is printed or to mangle when it is copied."""
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(27))


def add_months(moment: datetime, months: int) -> datetime:
    """The same day `months` later (the month's last day when it is shorter)."""
    month = moment.month - 1 + months
    year, month = moment.year + month // 12, month % 12 + 1
    day = min(moment.day, calendar.monthrange(year, month)[1])
    return moment.replace(year=year, month=month, day=day)


def eligibility(db: Session, user_id: str, course: CourseInfo,
                quizzes: dict[tuple[str, str], Quiz], since: datetime | None = None) -> Eligibility:
    """Whether the learner may have the course's certificate, and what is missing if not
    (counting only quiz attempts from `since`, for a recertification)."""
    states = lesson_states(db, user_id, course.slug)
    done = {slug for slug, s in states.items() if s.completed_at}
    profile = factor_profile(db, user_id, course, quizzes, since)
    best = {f.module: f.best for f in profile if f.best is not None}
    marks = {f.module: f.pass_mark for f in profile}
    review = passed_review(db, user_id, course.slug) if course.capstone else None
    return check(course, done, best, marks, review.reviewed_for if review else None)


# Built once: every passed quiz and lesson completion asks it.
_CURRENT = (select(Certificate).where(Certificate.user_id == bindparam("user_id"),
                                      Certificate.course == bindparam("course"),
                                      Certificate.status == ACTIVE)
            .order_by(Certificate.version.desc()).limit(1))


def current(db: Session, user_id: str, course: str) -> Certificate | None:
    """The learner's active certificate for `course`, if any."""
    return db.scalar(_CURRENT, {"user_id": user_id, "course": course})


@dataclass(frozen=True)
class Standing:
    """What decides whether a certificate may have become due, read in one statement: when
    the learner's active certificate was issued (None: none), when their latest quiz round
    began (None: never restarted), and how many of the given lessons they have completed."""

    certified_at: datetime | None
    round_started: datetime | None
    lessons_done: int

    @property
    def renewing(self) -> bool:
        """Certified, and a round of the quizzes began after it: a renewal is under way."""
        return (self.certified_at is not None and self.round_started is not None
                and self.round_started > self.certified_at)


_CERTS, _ROUNDS = Certificate.__table__, QuizRound.__table__


@lru_cache(maxsize=64)
def _standing(lessons: int) -> Select[Any]:
    """The `Standing` statement for a number of lessons, of the tables' columns, built once:
    a passed quiz and a completed lesson each ask it."""
    return select(
        select(_CERTS.c.issued_at).where(
            _CERTS.c.user_id == bindparam("user_id"), _CERTS.c.course == bindparam("course"),
            _CERTS.c.status == ACTIVE).order_by(_CERTS.c.version.desc()).limit(1)
        .scalar_subquery().label("certified_at"),
        select(func.max(_ROUNDS.c.started_at)).where(
            _ROUNDS.c.user_id == bindparam("user_id"), _ROUNDS.c.course == bindparam("course"))
        .scalar_subquery().label("round_started"),
        completed_among(lessons).label("lessons_done"))


def standing(db: Session, user_id: str, course: str, lessons: list[str]) -> Standing:
    """The learner's `Standing` in `course`, counting the completed lessons among `lessons`
    (slugs, each once: a slug is unique in a course and stored once per learner)."""
    row = db.connection().execute(_standing(len(lessons)), {
        "user_id": user_id, "course": course, **lesson_parameters(lessons)}).one()
    return Standing(row.certified_at, row.round_started, row.lessons_done or 0)


@dataclass
class Pending:
    """A certificate ready to render and store: the record without its PDF, the data to
    print, where its template is, and the version it supersedes (for a re-issue)."""

    certificate: Certificate
    data: CertificateData
    folder: Path
    branding: Branding | None = None
    supersedes: Certificate | None = None

    def render(self) -> bytes:
        return renderer_for(self.folder).render(self.data, self.branding)


@dataclass(frozen=True)
class Look:
    """Whose certificate it looks like: the organisation's name, template and branding."""

    organisation: str | None = None
    template: str = TEMPLATE
    branding: Branding | None = None


def _template_folder(content_root: Path, template: str) -> Path:
    folder = content_root / "certificates" / template
    return folder if (folder / "certificate.html").is_file() else (
        content_root / "certificates" / TEMPLATE)


@dataclass(frozen=True)
class IssueContext:
    """What every certificate issued by one request, job or command shares: built once (see
    `issuing.context`) and handed down instead of relaying each value."""

    content_root: Path
    issuer: str
    #: The verify page's URL with `{code}` where the verification code goes.
    verify_url: str
    quizzes: dict[tuple[str, str], Quiz] = field(default_factory=dict)


def prepare_issue(db: Session, ctx: IssueContext, *, user_id: str, name: str,
                  course: CourseInfo, status: Eligibility, look: Look | None = None,
                  reason: str | None = None, extra: dict | None = None,
                  supersedes: Certificate | None = None) -> Pending:
    """A certificate dated now from the learner's results (not rendered, not stored)."""
    look = look or Look()
    content_root, issuer, verify_url = ctx.content_root, ctx.issuer, ctx.verify_url
    now = utcnow()
    code = new_code()
    if status.capstone_reviewed_by and course.capstone is not None:
        extra = {**(extra or {}), "capstone": {"title": course.capstone.title,
                                               "reviewed_by": status.capstone_reviewed_by}}
    titles = {m.slug: m.title for m in course.modules}
    valid_until = add_months(now, course.certificate_valid_months) if (
        course.certificate_valid_months) else None
    data = CertificateData(
        normalise_name(name_or_neutral(name)), course.title,
        tuple(Factor(titles[m], f"{score:.0f}") for m, score in status.scores.items()),
        f"{now:%d %B %Y}", f"{valid_until:%d %B %Y}" if valid_until else None, code,
        verify_url.replace("{code}", code), issuer, look.organisation, course.version,
        extra or {})
    folder = _template_folder(content_root, look.template)
    version = supersedes.version + 1 if supersedes is not None else (db.scalar(
        select(func.max(Certificate.version)).where(
            Certificate.user_id == user_id, Certificate.course == course.slug)) or 0) + 1
    record = Certificate(
        user_id=user_id, course=course.slug, version=version, code=code, status=ACTIVE,
        name=data.name, course_title=course.title, issued_at=now, valid_until=valid_until,
        snapshot=data.snapshot(), template=folder.name, reason=reason)
    return Pending(record, data, folder, look.branding, supersedes)


def prepare_reissue(ctx: IssueContext, certificate: Certificate, reason: str, *, name: str,
                    look: Look | None = None, holder_request: bool = False) -> Pending:
    """A new version of an active certificate from its snapshot (same results and dates), with
    a corrected name or the organisation's current template, say."""
    content_root, verify_url = ctx.content_root, ctx.verify_url
    if certificate.status != ACTIVE:
        raise ValueError("only an active certificate can be re-issued")
    old = certificate.snapshot
    code = new_code()
    look = look or Look(old.get("organisation"), certificate.template)
    data = CertificateData(normalise_name(usable_name(name)) or certificate.name,
                           old["course_title"],
                           tuple(Factor(f["title"], f["score"]) for f in old["factors"]),
                           old["issued_on"], old["valid_until"], code,
                           verify_url.replace("{code}", code), old["issuer"],
                           look.organisation, old.get("template_version", ""),
                           {"reissue_of": certificate.code, "reason": reason.strip()[:500],
                            "reissued_on": utcnow().date().isoformat(),
                            **({"holder_name_change": True} if holder_request else {}),
                            **{k: v for k, v in old.get("extra", {}).items()
                               if k == "capstone"}})
    folder = _template_folder(content_root, look.template)
    record = Certificate(user_id=certificate.user_id, course=certificate.course,
                         version=certificate.version + 1, code=code, status=ACTIVE,
                         name=data.name, course_title=data.course_title,
                         issued_at=certificate.issued_at, valid_until=certificate.valid_until,
                         snapshot=data.snapshot(), template=folder.name,
                         reason=reason.strip()[:500])
    return Pending(record, data, folder, look.branding, certificate)


def complete(db: Session, pending: Pending, pdf: bytes) -> Certificate | None:
    """Store a rendered certificate (superseding the old version, if any); None when a
    parallel request stored this version first."""
    certificate = pending.certificate
    certificate.pdf = pdf
    certificate.sha256 = hashlib.sha256(pdf).hexdigest()
    try:
        with db.begin_nested():
            db.add(certificate)
            db.flush()
    except exc.IntegrityError:
        db.expire_all()
        return None
    old = pending.supersedes
    if old is not None:
        old.status = SUPERSEDED
        old.superseded_by = certificate.id
        db.flush()
    return certificate


def issue_if_eligible(db: Session, ctx: IssueContext, *, user_id: str, name: str,
                      course: CourseInfo, look: Look | None = None) -> Certificate | None:
    """Issue the certificate if the learner is eligible and has none; returns the certificate
    issued here, or None (not eligible, certified already, or a parallel request was first).

    Rendered before anything is written, so a failed render leaves no partial rows."""
    if current(db, user_id, course.slug) is not None:
        return None
    status = eligibility(db, user_id, course, ctx.quizzes)
    if not status.eligible:
        return None
    pending = prepare_issue(db, ctx, user_id=user_id, name=name, course=course, status=status,
                            look=look)
    return complete(db, pending, pending.render())


# ------------------------------------------------------------------ recertification
RECERTIFY_REASON = "Recertification"


def recertification_due(certificate: Certificate, window_days: int,
                        now: datetime | None = None) -> bool:
    """An active certificate that expires within `window_days` (or has expired) may be renewed
    by retaking the factor quizzes."""
    now = now or utcnow()
    return (certificate.status == ACTIVE and certificate.valid_until is not None
            and certificate.valid_until - timedelta(days=window_days) <= now)


def recertification_started(db: Session, certificate: Certificate) -> datetime | None:
    """When the learner began renewing this certificate, if they have (a quiz round started
    after it was first issued)."""
    since = round_started(db, certificate.user_id, certificate.course)
    return since if since is not None and since > certificate.issued_at else None


def start_recertification(db: Session, certificate: Certificate, window_days: int,
                          now: datetime | None = None) -> bool:
    """Open a fresh round of the course's quizzes for renewing `certificate`; False when it is
    not due or already under way."""
    if not recertification_due(certificate, window_days, now) or recertification_started(
            db, certificate) is not None:
        return False
    start_round(db, certificate.user_id, certificate.course, RECERTIFY_REASON, now)
    return True


def recertify_if_eligible(db: Session, ctx: IssueContext, certificate: Certificate, *,
                          name: str, course: CourseInfo,
                          look: Look | None = None) -> Certificate | None:
    """Once every factor quiz is passed again in the recertification round, issue a new version
    dated today, with a new validity, that supersedes `certificate`."""
    since = recertification_started(db, certificate)
    if since is None or certificate.status != ACTIVE:
        return None
    status = eligibility(db, certificate.user_id, course, ctx.quizzes, since)
    if not status.eligible:
        return None
    pending = prepare_issue(db, ctx, user_id=certificate.user_id, name=name, course=course,
                            status=status, look=look, reason=RECERTIFY_REASON,
                            extra={"renews": certificate.code}, supersedes=certificate)
    return complete(db, pending, pending.render())  # None: a parallel request renewed it


def verify_status(certificate: Certificate, now: datetime | None = None) -> str:
    """valid, expired, revoked or superseded."""
    now = now or utcnow()
    if certificate.status != ACTIVE:
        return certificate.status
    if certificate.valid_until is not None and certificate.valid_until < now:
        return "expired"
    return "valid"


def by_pdf(db: Session, pdf: bytes) -> Certificate | None:
    """The certificate whose stored PDF is exactly these bytes."""
    return db.scalar(select(Certificate).where(
        Certificate.sha256 == hashlib.sha256(pdf).hexdigest()))


def revoke(db: Session, certificate: Certificate, reason: str) -> bool:
    """Revoke an active certificate with a reason; False if it was not active."""
    if certificate.status != ACTIVE or not reason.strip():
        return False
    certificate.status = REVOKED
    certificate.reason = reason.strip()[:500]
    db.flush()
    return True


def reissue(db: Session, ctx: IssueContext, certificate: Certificate, reason: str, *,
            name: str, look: Look | None = None, holder_request: bool = False) -> Certificate:
    """A new version of an active certificate (a corrected name, say), rendered from the old
    snapshot, which it supersedes; the old one's verify page then points to the new one.
    `holder_request`: the holder's own change to the name they now use (the verify page says
    so, and it counts towards COURSE_CERTIFICATE_NAME_CHANGES)."""
    pending = prepare_reissue(ctx, certificate, reason, name=name, look=look,
                              holder_request=holder_request)
    new = complete(db, pending, pending.render())
    if new is None:
        raise ValueError("this certificate was re-issued at the same moment by someone else")
    return new


#: The reason of a version the holder had re-issued with the name they now use.
NEW_NAME_REASON = "Re-issued at the holder's request, with the name they now use"


def holder_name_changes(db: Session, certificate: Certificate) -> list[str | None]:
    """The holder's own name changes in this certificate's issue, oldest first: the day each
    was made (ISO date; None for versions made before the day was recorded). A re-issue keeps
    the results and dates, so the versions of one issue share its `issued_at`; a renewal is a
    new issue and starts again (one statement). Only the holder's own re-issue marks a version
    so: a reason is free text that staff type too. (A version from before the mark has the
    reason and no day.)"""
    rows = db.scalars(select(Certificate.snapshot).where(
        Certificate.user_id == certificate.user_id, Certificate.course == certificate.course,
        Certificate.issued_at == certificate.issued_at,
        Certificate.version <= certificate.version, Certificate.reason == NEW_NAME_REASON)
        .order_by(Certificate.version))
    extras = [snapshot.get("extra") or {} for snapshot in rows]
    return [extra.get("reissued_on") for extra in extras
            if extra.get("holder_name_change") or "reissued_on" not in extra]


def name_changes_left(db: Session, certificate: Certificate, allowed: int) -> int:
    """How many more times the holder may have `certificate` re-issued with a new name
    themselves (COURSE_CERTIFICATE_NAME_CHANGES per issue); administrators are not bound."""
    return max(0, allowed - len(holder_name_changes(db, certificate)))


def expiring_filter(within_days: int, now: datetime | None = None) -> list[Any]:
    """The conditions of an active certificate whose validity ends within `within_days`."""
    now = now or utcnow()
    return [Certificate.status == ACTIVE, Certificate.valid_until.is_not(None),
            Certificate.valid_until <= now + timedelta(days=within_days)]

