"""Capstone actions with side effects: rendering a response safely, storing an upload, and what
follows a commit (signals to hosts, the learner's email, the certificate a pass completes)."""

from __future__ import annotations

import logging
from pathlib import Path

from flask import Flask, current_app, flash, render_template
from markupsafe import Markup, escape
from sqlalchemy.orm import Session
from werkzeug.datastructures import FileStorage

from .. import signals
from ..certificates.issuing import Holder, issue_and_announce
from ..certificates.render import CertificateRenderError
from ..content.markdown import RenderJob
from ..content.renderpool import render_with_budget
from ..db import session as db_session
from ..links import external_url
from ..mail import build_message, send
from ..state import get_state
from . import attachments, services
from .models import PASSED, CapstoneReview, CapstoneSubmission, CapstoneVersion

log = logging.getLogger(__name__)
ALLOWED = "a PDF, Word (.docx), PNG or JPEG file"


def render_response(body: str) -> str:
    """The learner's markdown as safe HTML, through the lesson pipeline under its time budget
    (links to other sites stay; images and relative links are dropped). A response that does
    not render in time is shown as plain text: nothing is lost."""
    if not body.strip():
        return ""
    job = RenderJob("capstone response", "response.md", body, 1, {}, frozenset())
    budget = float(current_app.config["COURSE_RENDER_BUDGET_SECONDS"])
    rendered = render_with_budget([job], budget)[0]
    if rendered.html or not rendered.problems:
        return rendered.html
    return str(Markup('<pre class="plain-response">{}</pre>').format(escape(body)))


def upload_folder(app: Flask | None = None) -> Path:
    """Where attachments are stored: COURSE_CAPSTONE_UPLOAD_FOLDER, relative to the instance
    folder unless absolute."""
    app = app or current_app
    return Path(app.instance_path) / app.config["COURSE_CAPSTONE_UPLOAD_FOLDER"]


def max_upload() -> int:
    return int(current_app.config["COURSE_CAPSTONE_UPLOAD_MAX_BYTES"])


def size_label(size: int) -> str:
    """`5 MB`, `300 KB`: a size as people read it."""
    return f"{size / 1_000_000:g} MB" if size >= 1_000_000 else f"{size // 1000} KB"


def store_upload(file: FileStorage | None) -> services.Upload | None:
    """Check and store an uploaded attachment; None when no file was chosen. Raises
    CapstoneError, having stored nothing, for a file too large or of another type."""
    if file is None or not file.filename:
        return None
    cap = max_upload()
    data = file.stream.read(cap + 1)
    if len(data) > cap:
        raise services.CapstoneError(f"The attachment is larger than {size_label(cap)}: "
                                     "make it smaller or leave it out.")
    if not data:
        raise services.CapstoneError("The attachment is empty.")
    kind = attachments.sniff(data)
    if kind is None:
        raise services.CapstoneError(f"The attachment must be {ALLOWED}; this file is not "
                                     "one (its contents were checked, not its name).")
    name = attachments.store(upload_folder(), data)
    return services.Upload(name, kind, len(data))


def discard_upload(upload: services.Upload | None) -> None:
    """Remove a stored upload whose save did not commit."""
    if upload is not None:
        attachments.remove(upload_folder(), upload.name)


def announce_submitted(submission: CapstoneSubmission, version: CapstoneVersion) -> None:
    """After the commit: tell hosts a version was handed in."""
    signals.capstone_submitted.send(current_app._get_current_object(),
                                    user_id=submission.user_id, course=submission.course,
                                    submission_id=submission.id, version=version.number)


def announce_reviewed(submission: CapstoneSubmission, version: CapstoneVersion,
                      review: CapstoneReview, course_title: str) -> None:
    """After the commit: tell hosts, email the learner, and on a pass issue the certificate
    the capstone may have been the last step to (through the one issuing path)."""
    signals.capstone_reviewed.send(
        current_app._get_current_object(), user_id=submission.user_id,
        course=submission.course, submission_id=submission.id, version=version.number,
        decision=review.decision, reviewer_id=review.reviewer_id, total=review.total,
        max_total=review.max_total)
    _mail_learner(submission, review, course_title)
    if review.decision == PASSED:
        _issue_certificate(submission)


def _mail_learner(submission: CapstoneSubmission, review: CapstoneReview,
                  course_title: str) -> None:
    config = current_app.config
    if not submission.learner_email:
        return
    link = external_url("course.capstone.page", course=submission.course)
    body = render_template("course/capstone/reviewed_email.txt", submission=submission,
                           review=review, course_title=course_title, link=link, config=config)
    subject = ("Your capstone passed" if review.decision == PASSED
               else "Your capstone was returned for revision")
    msg = build_message(config, submission.learner_email, f"{subject}: {course_title}", body)
    get_state().tasks.submit(current_app._get_current_object(), send, config, msg)


def _issue_certificate(submission: CapstoneSubmission) -> None:
    holder = Holder(submission.user_id, submission.learner_name, submission.learner_email)
    try:
        issue_and_announce(submission.course, holder)
    except CertificateRenderError:
        # The review is saved; the certificate is issued when the learner opens My
        # certificates (the next try of the same path).
        log.exception("certificate for %s could not be rendered", submission.user_id)
        db_session().rollback()
        flash("The learner's certificate could not be produced just now; it is issued when "
              "they next open My certificates.", "error")


def forget(db: Session, user_id: str) -> None:
    """Account closure: delete the learner's capstones and their stored attachments."""
    for name in services.forget_user(db, user_id):
        attachments.remove(upload_folder(), name)
