"""The one issuing path: every certificate issued, renewed or re-issued goes through here, from
the quiz and lesson views, the capstone's pass, the learner's retry, the administrator's and the
manager's actions, bulk jobs and the command line.

Eligibility, render and store happen first (services: flush only), with the audit of the event
in the holder's organisation (the `certificate_audit` the organisations feature provides); then
one commit; then the announcement, the same from every path: the `certificate_issued` signal
(for hosts), the email with the PDF and, in a request, a notice to the person who caused it.
Revocation goes the same way: revoke and audit, commit, then `certificate_revoked`.
"""

from __future__ import annotations

import logging
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass
from typing import Any

from flask import Flask, current_app, flash, has_app_context, render_template
from markupsafe import Markup
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from .. import signals
from ..db import session as db_session
from ..identity import current_display_name, current_email, current_user_id
from ..links import external_url, url_for
from ..mail import build_message, send
from ..names import name_or_neutral
from ..state import get_state
from . import services
from .models import Certificate
from .render import CertificateRenderError, normalise_name

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Holder:
    """Whose certificate to issue when it is not the current user's (a reviewer passing a
    learner's capstone completes that learner's certificate)."""

    user_id: str
    name: str
    email: str | None


def _inside(app: Flask) -> AbstractContextManager[object]:
    """`app`'s context: the current one when it is already pushed, else a new one."""
    if has_app_context() and current_app._get_current_object() is app:
        return nullcontext()
    return app.app_context()


def verify_url_template(app: Flask | None = None) -> str:
    """The verify URL with `{code}`, on the configured site (works outside a request too)."""
    app = app or current_app._get_current_object()
    with _inside(app):
        return external_url("course.certificates.verify", code="CODE").replace("CODE", "{code}")


def context(app: Flask | None = None) -> services.IssueContext:
    """What every certificate issued here shares, built once per request, job or command."""
    app = app or current_app._get_current_object()
    state = get_state(app)
    with _inside(app):
        loaded = state.content()
        return services.IssueContext(state.content_root(app), app.config["COURSE_SITE_NAME"],
                                     verify_url_template(app), loaded.quizzes)


def look_for(user_id: str) -> services.Look:
    """How this learner's certificates look (their organisation's branding, if any)."""
    lookup = get_state().certificate_look
    return lookup(db_session(), user_id) if lookup is not None else services.Look()


def audit(db: Session, certificate: Certificate, action: str, *, by: str | None = None,
          reason: str | None = None) -> None:
    """Record the event in the holder's organisation's audit log, before the commit (flush)."""
    record = get_state().certificate_audit
    if record is not None:
        record(db, certificate, action, by=by, reason=reason)


def complete(db: Session, pending: services.Pending, pdf: bytes) -> Certificate | None:
    """Store a certificate rendered elsewhere (a bulk job's worker) and audit it (flush); None
    when a parallel request stored this version first."""
    certificate = services.complete(db, pending, pdf)
    if certificate is not None:
        audit(db, certificate, "certificate-issued")
    return certificate


# ------------------------------------------------------------------ the announcement
def _mail_certificate(app: Flask, certificate: Certificate, email: str | None) -> None:
    """Email the holder their new certificate, in the background (never delays the page)."""
    config = app.config
    if not config["COURSE_CERTIFICATE_EMAIL"] or not email:
        return
    with _inside(app):
        body = render_template("course/certificates/issued_email.txt", certificate=certificate,
                               verify_url=external_url("course.certificates.verify",
                                                       code=certificate.code),
                               mine_url=external_url("course.certificates.mine"))
    msg = build_message(config, email, f"Your certificate: {certificate.course_title}", body)
    msg.add_attachment(certificate.pdf, maintype="application", subtype="pdf",
                       filename="certificate.pdf")
    get_state(app).tasks.submit(app, send, config, msg)


def announce(app: Flask, certificate: Certificate, email: str | None) -> None:
    """After the commit: tell hosts (`certificate_issued`) and email the holder the PDF."""
    signals.certificate_issued.send(app, user_id=certificate.user_id,
                                    course=certificate.course, code=certificate.code,
                                    version=certificate.version)
    _mail_certificate(app, certificate, email)


def holder_email(user_id: str) -> str | None:
    """The holder's address as last seen (the lessons feature keeps it), for the email."""
    lookup = get_state().learner_email
    return lookup(db_session(), user_id) if lookup is not None else None


# ------------------------------------------------------------------ issuing in a request
def issue_due_for(course_slug: str, holder: Holder | None = None) -> Certificate | None:
    """Issue the current learner's (or `holder`'s) certificate for a course if they have just
    become eligible, or renew it if they are recertifying and have passed every factor quiz
    again (flushes). Returns the new certificate, or None when nothing was issued."""
    loaded = get_state().content()
    course = loaded.course(course_slug) if loaded.catalog else None
    user_id = holder.user_id if holder else current_user_id()
    if course is None or user_id is None or loaded.errors:
        return None
    db = db_session()
    name = (holder.name if holder else current_display_name()) or user_id
    ctx, look = context(), look_for(user_id)
    existing = services.current(db, user_id, course_slug)
    if existing is None:
        new = services.issue_if_eligible(db, ctx, user_id=user_id, name=name, course=course,
                                         look=look)
    else:
        new = services.recertify_if_eligible(db, ctx, existing, name=name, course=course,
                                             look=look)
    if new is not None:
        audit(db, new, "certificate-issued")
    return new


def issue_and_announce(course_slug: str, holder: Holder | None = None) -> Certificate | None:
    """Issue (or renew) the current learner's (or `holder`'s) certificate if it is due; then
    commit, announce it and tell the user. Raises CertificateRenderError, having written
    nothing, when the PDF cannot be made."""
    certificate = issue_due_for(course_slug, holder)
    if certificate is None:
        return None
    db_session().commit()
    announce(current_app._get_current_object(), certificate,
             holder.email if holder else current_email())
    if holder is not None:
        flash(f"{certificate.name}'s certificate for {certificate.course_title} is issued.",
              "success")
        return certificate
    flash(Markup('Congratulations: your certificate for {} is ready. '
                 '<a href="{}">See it and share it</a>, or '
                 '<a href="{}">Download it from My certificates</a>.').format(
                     certificate.course_title,
                     url_for("course.certificates.completion", course=certificate.course),
                     url_for("course.certificates.mine")), "success")
    return certificate


def after_progress(user_id: str, course: str, passed: bool | None = None
                   ) -> Certificate | None:
    """Called by the lesson and quiz views after they commit the learner's progress: issue the
    certificate if it is now due (or renew it, during a recertification), and return it (the
    view may then lead to the completion page). The progress is committed already, so a
    failure here costs the learner only a notice; the certificate is issued on the next try
    (My certificates)."""
    if passed is False:  # a quiz that was not passed cannot complete a course
        return None
    db = db_session()
    try:
        loaded = get_state().content()
        info = loaded.course(course) if loaded.catalog else None
        lessons = [x.slug for x in info.lessons if not x.draft] if info is not None else []
        now = services.standing(db, user_id, course, lessons)  # one statement
        if now.certified_at is not None and not now.renewing:
            return None  # already certified and not renewing: nothing to check
        if now.certified_at is None and info is not None and now.lessons_done < len(lessons):
            return None  # a quiz passed before the lessons are done: nothing can be due yet
        return issue_and_announce(course)
    except (CertificateRenderError, SQLAlchemyError):
        log.exception("certificate for %s could not be issued", user_id)
        db.rollback()
        flash(Markup('You have earned your certificate, but it could not be produced just '
                     'now. <a href="{}">Open My certificates</a> to try again.').format(
                         url_for("course.certificates.mine")), "error")
        return None


# ------------------------------------------------------------------ staff actions
def apply_action(certificate: Certificate, action: str | None, reason: str, *,
                 name: str | None = None, look: services.Look | None = None) -> Certificate | None:
    """Revoke or re-issue a certificate as an administrator or manager asked (audited), commit,
    tell the signal's receivers and the user; returns the new version of a re-issue."""
    db, app = db_session(), current_app._get_current_object()
    if action == "revoke" and services.revoke(db, certificate, reason):
        audit(db, certificate, "certificate-revoked", by=current_user_id(),
              reason=certificate.reason)
        db.commit()
        signals.certificate_revoked.send(
            app, user_id=certificate.user_id, course=certificate.course, code=certificate.code,
            reason=certificate.reason, by=current_user_id())
        flash("The certificate is revoked.", "success")
    elif action == "reissue" and certificate.status == "active":
        new = services.reissue(db, context(), certificate, reason,
                               name=name or certificate.name,
                               look=look or look_for(certificate.user_id))
        audit(db, new, "certificate-issued", by=current_user_id())
        db.commit()
        announce(app, new, holder_email(new.user_id))
        flash(f"Re-issued as version {new.version}.", "success")
        return new
    else:
        flash("Only an active certificate can be revoked or re-issued.", "error")
    return None


NEW_NAME_REASON = services.NEW_NAME_REASON


class NameChangesUsed(Exception):
    """The holder has changed the name on this certificate as often as they may themselves."""


def name_changes_allowed() -> int:
    """How many times a holder may have one certificate re-issued with a new name."""
    return max(0, int(current_app.config["COURSE_CERTIFICATE_NAME_CHANGES"]))


def times(count: int) -> str:
    return {1: "once", 2: "twice"}.get(count, f"{count} times")


def name_change_offer(db: Session) -> dict[str, Any]:
    """What the pages that offer a re-issue with the new name need: how many more times
    each certificate may be (`name_changes_left(certificate)`) and how many in all."""
    allowed = name_changes_allowed()
    return {"name_changes_allowed": allowed, "name_changes_times": times(allowed),
            "name_changes_left": lambda c: services.name_changes_left(db, c, allowed)}


def holder_name_now() -> str:
    """The current user's name as a certificate would print it today."""
    return normalise_name(name_or_neutral(current_display_name()))


def reissue_with_current_name(certificate: Certificate) -> Certificate | None:
    """The holder asked for their certificate with the name they use now: a new version with
    the same results and dates that supersedes it (its verify page then points to the new
    one); commit, then announce. None when it carries that name already. Raises
    NameChangesUsed when the holder may change it no more (COURSE_CERTIFICATE_NAME_CHANGES),
    and CertificateRenderError when the PDF cannot be made, having written nothing."""
    name = holder_name_now()
    if certificate.status != "active" or name == certificate.name:
        return None
    db, app = db_session(), current_app._get_current_object()
    if not services.name_changes_left(db, certificate, name_changes_allowed()):
        raise NameChangesUsed(certificate.code)
    new = services.reissue(db, context(), certificate, NEW_NAME_REASON, name=name,
                           look=look_for(certificate.user_id), holder_request=True)
    audit(db, new, "certificate-issued")
    db.commit()
    announce(app, new, current_email())
    return new


def announce_all(app: Flask, issued: list[tuple[Certificate, str | None]]) -> None:
    """After a bulk job's commit: announce each certificate it issued (signal and email)."""
    for certificate, email in issued:
        announce(app, certificate, email)
