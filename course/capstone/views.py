"""Capstone pages: the learner's (brief, editor with preview, draft, submit, the marked rubric
after review), the reviewers' queue and review page, and attachments served only to the learner
and their reviewers."""

from __future__ import annotations

from typing import Any

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    make_response,
    redirect,
    render_template,
    request,
)
from werkzeug.exceptions import RequestEntityTooLarge
from werkzeug.wrappers import Response

from ..compat import raise_request_limit
from ..content.capstone import RENDER_KEY, Capstone, Rubric
from ..content.catalog import CourseInfo
from ..db import session as db_session
from ..db import utcnow
from ..identity import (
    TRAINER,
    current_display_name,
    current_email,
    current_roles,
    current_user_id,
    login_required,
)
from ..links import url_for
from ..loaded import content
from . import attachments, operations, services
from .forms import ResponseForm, comment_field, level_field, review_form
from .models import DRAFT, PASSED, RETURNED, SUBMITTED, CapstoneSubmission, CapstoneVersion

FORM_SLACK = 200_000  # room for the text fields around an attachment of the maximum size


def _course(slug: str) -> tuple[CourseInfo, Capstone]:
    info = content().course(slug)
    if info is None or info.capstone is None:
        abort(404)
    return info, info.capstone


def _learner_page(info: CourseInfo, form: ResponseForm, *, preview: str | None = None,
                  status: int = 200) -> tuple[str, int]:
    db, user_id = db_session(), current_user_id()
    submission = services.submission_for(db, user_id, info.slug)
    history = services.versions(db, submission) if submission else []
    return render_template(
        "course/capstone/page.html", course=info, capstone=info.capstone,
        brief=content().html[(info.slug, RENDER_KEY)].html, submission=submission,
        history=history, reviews=services.reviews(db, submission) if submission else {},
        rubrics={v.id: Rubric.from_dict(v.rubric) for v in history if v.rubric},
        form=form, preview=preview, editable=submission is None or
        submission.status in services.EDITABLE, draft=history[-1] if history and
        history[-1].state == DRAFT else None, rubric=info.capstone.rubric,
        max_upload=operations.size_label(operations.max_upload())), status


def _start_text(info: CourseInfo) -> str:
    """What the editor starts from: the draft, else the last version, else the template."""
    db = db_session()
    submission = services.submission_for(db, current_user_id(), info.slug)
    history = services.versions(db, submission) if submission else []
    return history[-1].body if history else info.capstone.template


@login_required
def page(course: str) -> Response | tuple[str, int]:
    """The learner's capstone: brief, editor, preview, save, submit, and the reviews."""
    info, capstone = _course(course)
    if request.method == "GET":
        return _learner_page(info, ResponseForm(body=_start_text(info)))
    raise_request_limit(operations.max_upload() + FORM_SLACK)
    try:
        form = ResponseForm()
        valid = form.validate_on_submit()
    except RequestEntityTooLarge:
        flash(f"The attachment is larger than {operations.size_label(operations.max_upload())}"
              ": nothing was saved. Make it smaller or leave it out.", "error")
        return _learner_page(info, ResponseForm(formdata=None, body=_start_text(info)),
                             status=413)
    if not valid:
        return _learner_page(info, form, status=400)
    action = request.form.get("action", "save")
    if action == "preview":
        return _learner_page(info, form, preview=operations.render_response(form.body.data))
    return _save(info, capstone, form, submit=action == "submit")


def _save(info: CourseInfo, capstone: Capstone, form: ResponseForm,
          submit: bool) -> Response | tuple[str, int]:
    body = (form.body.data or "").replace("\r\n", "\n")
    if submit and not body.strip():
        form.body.errors.append("Write your response before you submit it.")
        return _learner_page(info, form, status=400)
    if submit and " ".join(body.split()) == " ".join((capstone.template or "").split()):
        form.body.errors.append("This is still the starting template: fill in each section "
                                "with your own plan before you submit it.")
        return _learner_page(info, form, status=400)
    try:
        upload = operations.store_upload(form.attachment.data)
    except services.CapstoneError as exc:
        form.attachment.errors.append(str(exc))
        return _learner_page(info, form, status=400)
    db, user_id = db_session(), current_user_id()
    try:
        draft, dropped = services.save_draft(
            db, user_id=user_id, course=info.slug, name=current_display_name() or user_id,
            email=current_email(), body=body, html=operations.render_response(body),
            upload=upload, remove_attachment=form.remove_attachment.data)
        submission = services.submission_for(db, user_id, info.slug)
        handed_in = submit and services.submit(db, submission, draft, capstone.rubric,
                                                capstone.review_days)
        db.commit()
    except services.CapstoneError as exc:
        db.rollback()
        operations.discard_upload(upload)
        flash(str(exc), "error")
        return redirect(url_for("course.capstone.page", course=info.slug))
    except Exception:
        db.rollback()
        operations.discard_upload(upload)
        raise
    if dropped:
        attachments.remove(operations.upload_folder(), dropped)
    if handed_in:
        operations.announce_submitted(submission, draft)
        flash(f"Submitted for review. A reviewer is due to respond by "
              f"{submission.due_at:%d %B %Y}; you will get an email.", "success")
    else:
        flash("Draft saved.", "success")
    return redirect(url_for("course.capstone.page", course=info.slug))


# ------------------------------------------------------------------ reviewers
def _reviewer() -> tuple[str, bool]:
    """The current user as a reviewer (id, holds the trainer role); 403 for anyone who
    reviews nobody (neither an organisation's manager nor a trainer)."""
    user_id = current_user_id()
    is_trainer = TRAINER in current_roles()
    if not is_trainer and services.managed_org_id(db_session(), user_id) is None:
        abort(403)
    return user_id, is_trainer


@login_required
def queue() -> str:
    """Submissions waiting for review, oldest first, with their due dates."""
    user_id, is_trainer = _reviewer()
    db = db_session()
    catalog = content().catalog
    titles = {c.slug: c.capstone.title for c in catalog.courses if c.capstone}
    return render_template(
        "course/capstone/queue.html", waiting=services.queue(db, user_id, is_trainer),
        returned=services.queue(db, user_id, is_trainer, RETURNED),
        passed=services.queue(db, user_id, is_trainer, PASSED), titles=titles, now=utcnow(),
        manager=services.managed_org_id(db, user_id) is not None, trainer=is_trainer)


def _reviewable(submission_id: int) -> tuple[CapstoneSubmission, str]:
    """The submission and in whose name the current user reviews it: 403 for their own work,
    404 for a learner they do not review (another organisation's, say)."""
    user_id, is_trainer = _reviewer()
    db = db_session()
    submission = db.get(CapstoneSubmission, submission_id) or abort(404)
    if submission.user_id == user_id:
        abort(403)
    scope = services.reviewer_scope(db, submission, user_id, is_trainer,
                                    current_app.config["COURSE_SITE_NAME"])
    if scope is None:
        abort(404)
    return submission, scope


def _review_page(submission: CapstoneSubmission, form: Any, status: int = 200,
                 problem: str | None = None) -> tuple[str, int]:
    db = db_session()
    history = services.versions(db, submission)
    current = next((v for v in reversed(history) if v.state == SUBMITTED), None)
    rubric = Rubric.from_dict(current.rubric) if current and current.rubric else None
    info = content().course(submission.course)
    return render_template(
        "course/capstone/review.html", submission=submission, history=history,
        reviews=services.reviews(db, submission), current=current, rubric=rubric, form=form,
        rubrics={v.id: Rubric.from_dict(v.rubric) for v in history if v.rubric},
        level_field=level_field, comment_field=comment_field, problem=problem,
        title=info.capstone.title if info and info.capstone else submission.course,
        course=info, now=utcnow()), status


@login_required
def review(submission_id: int) -> Response | tuple[str, int]:
    """Mark the submitted version against its rubric; return it or pass it."""
    submission, scope = _reviewable(submission_id)
    current = next((v for v in reversed(services.versions(db_session(), submission))
                    if v.state == SUBMITTED), None)
    if current is None or not current.rubric:
        return _review_page(submission, None)
    rubric = Rubric.from_dict(current.rubric)
    form = review_form(rubric)
    if request.method == "GET":
        return _review_page(submission, form)
    if not form.validate_on_submit():
        return _review_page(submission, form, 400)
    decision = PASSED if request.form.get("action") == "pass" else RETURNED
    if decision == RETURNED and not (form.comment.data or "").strip():
        form.comment.errors.append("Say what to revise when you return the work.")
        return _review_page(submission, form, 400)
    return _decide(submission, current, rubric, form, scope, decision)


def _decide(submission: CapstoneSubmission, version: CapstoneVersion, rubric: Rubric,
            form: Any, scope: str, decision: str) -> Response | tuple[str, int]:
    marking = services.Marking(
        {c.name: form[level_field(i)].data for i, c in enumerate(rubric.criteria)},
        {c.name: form[comment_field(i)].data or "" for i, c in enumerate(rubric.criteria)},
        form.comment.data or "")
    db = db_session()
    try:
        saved = services.record_review(
            db, submission, version, reviewer_id=current_user_id(),
            reviewer_name=current_display_name() or current_user_id(), reviewed_for=scope,
            decision=decision, marking=marking)
        db.commit()
    except services.CapstoneError as exc:
        db.rollback()
        return _review_page(submission, form, 400, str(exc))
    info = content().course(submission.course)
    flash(f"{submission.learner_name}'s capstone is "
          f"{'passed' if decision == PASSED else 'returned for revision'}; they are told by "
          "email.", "success")
    operations.announce_reviewed(submission, version, saved,
                                 info.title if info else submission.course)
    return redirect(url_for("course.capstone.queue"))


@login_required
def attachment(version_id: int) -> Response:
    """A version's attachment, as a download under a generic name, to the learner and the
    people who review them; 404 for anyone else."""
    db, user_id = db_session(), current_user_id()
    version = db.get(CapstoneVersion, version_id)
    submission = db.get(CapstoneSubmission, version.submission_id) if version else None
    if submission is None or not version.attachment:
        abort(404)
    if submission.user_id != user_id and (version.state == DRAFT or services.reviewer_scope(
            db, submission, user_id, TRAINER in current_roles(), "site") is None):
        abort(404)  # a reviewer sees what was handed in, never a draft
    try:
        path = attachments.path_of(operations.upload_folder(), version.attachment)
    except ValueError:
        abort(404)
    if not path.is_file():
        abort(404)
    kind = version.attachment_type or ""
    # Read whole (attachments are capped in size): no file handle outlives the request.
    response = make_response(path.read_bytes())
    response.mimetype = attachments.MIME.get(kind, "application/octet-stream")
    response.headers["Content-Disposition"] = (
        f'attachment; filename="capstone-attachment{attachments.EXTENSION.get(kind, "")}"')
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "private, no-store"
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


def create_blueprint() -> Blueprint:
    """The `course.capstone` blueprint."""
    bp = Blueprint("capstone", __name__)
    bp.add_url_rule("/courses/<course>/capstone", view_func=page, methods=["GET", "POST"])
    bp.add_url_rule("/capstone/reviews", view_func=queue)
    bp.add_url_rule("/capstone/reviews/<course_id:submission_id>", view_func=review,
                    methods=["GET", "POST"])
    bp.add_url_rule("/capstone/attachments/<course_id:version_id>", view_func=attachment)
    return bp

