"""Certificate pages: my certificates (download, verify link, LinkedIn), and public
verification by code or by uploading the PDF."""

from __future__ import annotations

import logging
from datetime import date
from urllib.parse import urlencode

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
from flask_wtf.file import FileField
from sqlalchemy import func, select
from sqlalchemy.orm import load_only
from werkzeug.exceptions import RequestEntityTooLarge
from werkzeug.wrappers import Response
from wtforms import StringField
from wtforms.validators import InputRequired, Length

from ..compat import raise_request_limit
from ..db import session as db_session
from ..identity import (
    ADMIN,
    current_user_id,
    login_required,
    role_required,
)
from ..lessons.progress import course_progress
from ..lessons.services import lesson_states
from ..links import external_url, url_for
from ..loaded import content
from ..ops import refuse, security_event
from ..state import get_state
from ..web import CourseForm, client_address, page_number
from . import services, standing
from .issuing import (
    Holder,
    NameChangesUsed,
    apply_action,
    holder_name_now,
    issue_and_announce,
    name_change_offer,
    name_changes_allowed,
    reissue_with_current_name,
    times,
)

__all__ = ["Holder", "issue_and_announce"]  # kept importable from here for older callers
from .models import ACTIVE, Certificate
from .render import CertificateRenderError

MAX_UPLOAD = 2_000_000
FORM_SLACK = 20_000  # the CSRF token and the multipart framing around the file
log = logging.getLogger(__name__)


class CheckForm(CourseForm):
    pdf = FileField("Certificate PDF")


def _standing(db, user_id: str) -> tuple[list, list, dict]:  # noqa: ANN001
    """For each course: due (eligible, not yet issued or renewed), pending (what is missing),
    and renewals in progress or possible (reads only)."""
    loaded = content()
    window = int(current_app.config["COURSE_RECERTIFY_DAYS"])
    due, pending, renewals = [], [], {}
    for course in loaded.catalog.courses:
        active = services.current(db, user_id, course.slug)
        since = services.recertification_started(db, active) if active else None
        status = services.eligibility(db, user_id, course, loaded.quizzes, since) if (
            active is None or since) else None
        if status is not None and status.eligible:
            due.append(course)
        elif active is None:
            pending.append((course, status))
        elif services.recertification_due(active, window):
            renewals[active.id] = (since, status)
    return due, pending, renewals


@login_required
def mine() -> str:
    """The learner's certificates, and for each course what is still missing. A certificate
    that is due but was not produced (a failed render) is offered here, to issue by a POST."""
    db, user_id = db_session(), current_user_id()
    due, pending, renewals = _standing(db, user_id)
    rows = db.scalars(select(Certificate).where(Certificate.user_id == user_id)
                      .order_by(Certificate.issued_at.desc(),
                                Certificate.version.desc())).all()
    return render_template("course/certificates/mine.html", certificates=rows, due=due,
                           pending=pending, linkedin=linkedin_url, renewals=renewals,
                           status=services.verify_status, form=CourseForm(),
                           name_now=holder_name_now(), **name_change_offer(db))


@login_required
def issue_due() -> Response | tuple[str, int]:
    """Issue the certificates that are due (the retry after a failed render): a POST."""
    if not CourseForm().validate_on_submit():
        abort(400)
    db = db_session()
    issued = []
    try:
        for course in _standing(db, current_user_id())[0]:
            if issue_and_announce(course.slug) is not None:
                issued.append(course.slug)
    except CertificateRenderError:
        log.exception("certificate for %s could not be rendered", current_user_id())
        db.rollback()
        return render_template("course/certificates/render_failed.html"), 503
    if len(issued) == 1:  # the moment a course is done: its completion page
        return redirect(url_for("course.certificates.completion", course=issued[0]))
    return redirect(url_for("course.certificates.mine"))


@login_required
def recertify(certificate_id: int) -> Response:
    """Start renewing a certificate that is near its expiry: the factor quizzes open again."""
    form = CourseForm()
    certificate = db_session().get(Certificate, certificate_id)
    if certificate is None or certificate.user_id != current_user_id():
        refuse("certificate", certificate_id)
    if form.validate_on_submit():
        if services.start_recertification(db_session(), certificate,
                                          int(current_app.config["COURSE_RECERTIFY_DAYS"])):
            db_session().commit()
            flash("Recertification started: pass each factor quiz again and your renewed "
                  "certificate is issued at once.", "success")
        else:
            flash("This certificate cannot be renewed yet.", "error")
    return redirect(url_for("course.certificates.mine"))


@login_required
def completion(course: str) -> str:
    """The course's completion page: the certificate (a miniature of it, download, verify link,
    LinkedIn, copy link) and the factor profile before and after; before it is issued, what is
    left and the next step (reads only)."""
    loaded = content()
    info = loaded.course(course) or abort(404)
    db, user_id = db_session(), current_user_id()
    certificate = services.current(db, user_id, info.slug)
    if certificate is not None:
        return render_template(
            "course/certificates/complete.html", course=info, certificate=certificate,
            status=services.verify_status(certificate), linkedin=linkedin_url(certificate),
            verify_link=external_url("course.certificates.verify", code=certificate.code),
            snapshot=certificate.snapshot or {})
    eligibility = services.eligibility(db, user_id, info, loaded.quizzes)
    progress = course_progress(info, lesson_states(db, user_id, info.slug))
    step = standing.step_for(db, user_id, info, progress, loaded.quizzes, resume=True)
    return render_template("course/certificates/complete.html", course=info, certificate=None,
                           eligibility=eligibility, step=step, progress=progress,
                           due=standing.due_for(db, user_id, info.slug, False),
                           form=CourseForm())


@login_required
def reissue_with_my_name(certificate_id: int) -> Response | tuple[str, int]:
    """Re-issue one of my certificates with the name I use now (a POST); the old version is
    superseded."""
    certificate = db_session().get(Certificate, certificate_id)
    if certificate is None or certificate.user_id != current_user_id():
        refuse("certificate", certificate_id)
    if not CourseForm().validate_on_submit():
        abort(400)
    try:
        new = reissue_with_current_name(certificate)
    except NameChangesUsed:
        allowed = name_changes_allowed()
        flash(f"You have changed the name on this certificate {times(allowed)}, as often as "
              "you can yourself. An administrator can re-issue it with your new name."
              if allowed else "Name changes on certificates are made by an administrator: "
              "ask them to re-issue it with your new name.", "error")
        return redirect(url_for("course.certificates.mine"))
    except CertificateRenderError:
        log.exception("certificate %s could not be re-issued", certificate_id)
        db_session().rollback()
        return render_template("course/certificates/render_failed.html"), 503
    except ValueError:  # re-issued by a parallel request a moment ago
        db_session().rollback()
        new = None
    if new is None:
        flash("This certificate already carries the name you use now, or is no longer "
              "current.", "info")
        return redirect(url_for("course.certificates.mine"))
    flash(f"Re-issued in the name {new.name} (version {new.version}). The earlier version "
          "is superseded: its verification page points to this one.", "success")
    return redirect(url_for("course.certificates.completion", course=new.course))


def linkedin_url(certificate: Certificate) -> str:
    """LinkedIn's Add-to-Profile link with the certification filled in."""
    params = {"startTask": "CERTIFICATION_NAME", "name": certificate.course_title,
              "organizationName": current_app.config["COURSE_SITE_NAME"],
              "issueYear": certificate.issued_at.year, "issueMonth": certificate.issued_at.month,
              "certId": certificate.code,
              "certUrl": external_url("course.certificates.verify", code=certificate.code)}
    if certificate.valid_until:
        params.update(expirationYear=certificate.valid_until.year,
                      expirationMonth=certificate.valid_until.month)
    return "https://www.linkedin.com/profile/add?" + urlencode(params)


@login_required
def download(certificate_id: int) -> Response:
    """The PDF, under a generic file name (a name never goes into a header)."""
    certificate = db_session().get(Certificate, certificate_id)
    if certificate is None or certificate.user_id != current_user_id():
        refuse("certificate", certificate_id)
    if certificate.status != ACTIVE:  # never handed out as if it were valid
        newer = services.current(db_session(), certificate.user_id, certificate.course)
        return make_response(render_template(
            "course/certificates/withdrawn.html", certificate=certificate,
            status=certificate.status, newer=newer), 410)
    response = make_response(certificate.pdf)
    response.headers["Content-Type"] = "application/pdf"
    response.headers["Content-Disposition"] = 'attachment; filename="certificate.pdf"'
    return response


def _public(response: Response) -> Response:
    """Verify pages: never indexed, never cached, and their address (a certificate's code) never
    sent on to another site."""
    response.headers["X-Robots-Tag"] = "noindex, nofollow"
    response.headers["Cache-Control"] = "no-store"
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


def _limited() -> bool:
    if get_state().limiter().hit(current_app.config["COURSE_RATELIMIT_VERIFY"], "verify",
                                 client_address()):
        return False
    security_event("rate-limit:verify")
    return True


def verify(code: str) -> Response:
    """Public: a certificate's status and what it certifies, nothing more personal."""
    if _limited():
        return _public(make_response(render_template("course/errors/429.html"), 429))
    certificate = db_session().scalar(select(Certificate).where(Certificate.code == code)) if (
        len(code) <= 64) else None
    newer = db_session().get(Certificate, certificate.superseded_by) if (
        certificate is not None and certificate.superseded_by) else None
    changes = services.holder_name_changes(db_session(), certificate) if certificate else []
    page = render_template("course/certificates/verify.html", certificate=certificate,
                           status=services.verify_status(certificate) if certificate else None,
                           newer=newer, form=CheckForm(), name_changes=[
                               date.fromisoformat(d) if d else None for d in changes])
    return _public(make_response(page, 200 if certificate else 404))


def check_pdf() -> Response:
    """Public: is this uploaded file an authentic, unaltered certificate of ours?"""
    if _limited():
        return _public(make_response(render_template("course/errors/429.html"), 429))
    # The cap applies before the body is read: a huge upload is refused, not stored first.
    raise_request_limit(MAX_UPLOAD + FORM_SLACK)
    code = 200
    try:
        form = CheckForm()
        submitted = form.validate_on_submit()
    except RequestEntityTooLarge:
        form, submitted, code = CheckForm(formdata=None), False, 413
        form.pdf.errors = [f"That file is larger than {MAX_UPLOAD // 1_000_000} MB: no "
                           "certificate of ours is that large."]
    result, certificate = None, None
    if submitted and form.pdf.data:
        data = form.pdf.data.read(MAX_UPLOAD + 1)
        certificate = services.by_pdf(db_session(), data) if len(data) <= MAX_UPLOAD else None
        result = "authentic" if certificate else "unknown"
    elif submitted:  # the button pressed with no file chosen
        form.pdf.errors = ["Choose the certificate's PDF file, then check it."]
        code = 400
    page = render_template("course/certificates/check.html", form=form, result=result,
                           certificate=certificate,
                           status=services.verify_status(certificate) if certificate else None)
    return _public(make_response(page, code))


class AdminActionForm(CourseForm):
    reason = StringField("Reason (shown on the verify page)",
                         validators=[InputRequired(), Length(max=500)])
    name = StringField("Name on the re-issued certificate", validators=[Length(max=120)])


#: Certificates to a page of the administrators' list.
PAGE_SIZE = 50
#: What the list shows of each: never the PDF or the snapshot (tens of KB each).
_LISTED = load_only(Certificate.id, Certificate.name, Certificate.course_title,
                    Certificate.version, Certificate.issued_at, Certificate.valid_until,
                    Certificate.status, raiseload=True)


@role_required(ADMIN)
def admin() -> str:
    """Every certificate, newest first, or those expiring within 30, 60 or 90 days, soonest
    first: 50 to a page, counted and cut in SQL (LIMIT and OFFSET) by an index each."""
    days = request.args.get("expiring", type=int)
    page, db = page_number(), db_session()
    if days in (30, 60, 90):
        where = services.expiring_filter(days)
        order = (Certificate.valid_until, Certificate.id)
    else:
        days, where = None, []
        order = (Certificate.issued_at.desc(), Certificate.id.desc())
    total = db.scalar(select(func.count()).select_from(Certificate).where(*where))
    pages = max(1, -(-total // PAGE_SIZE))
    page = min(page, pages)  # past the last page: the last page
    rows = db.scalars(select(Certificate).options(_LISTED).where(*where).order_by(*order)
                      .limit(PAGE_SIZE).offset((page - 1) * PAGE_SIZE)).all()
    return render_template("course/certificates/admin.html", certificates=rows, days=days,
                           status=services.verify_status, page=page, pages=pages, total=total)


@role_required(ADMIN)
def admin_certificate(certificate_id: int) -> Response | str | tuple[str, int]:
    """Revoke or re-issue one certificate, with a reason."""
    certificate = db_session().get(Certificate, certificate_id) or abort(404)
    form = AdminActionForm()
    if form.validate_on_submit():
        apply_action(certificate, request.form.get("action"), form.reason.data,
                     name=form.name.data or certificate.name)
        return redirect(url_for("course.certificates.admin_certificate",
                                certificate_id=certificate.id))
    return render_template("course/certificates/admin_one.html", certificate=certificate,
                           form=form, status=services.verify_status), (400 if form.errors else 200)


def create_blueprint() -> Blueprint:
    """The `course.certificates` blueprint."""
    bp = Blueprint("certificates", __name__)
    bp.add_url_rule("/certificates/", view_func=mine, endpoint="mine")
    bp.add_url_rule("/certificates/issue", view_func=issue_due, methods=["POST"])
    bp.add_url_rule("/courses/<course>/complete", view_func=completion, endpoint="completion")
    bp.add_url_rule("/certificates/<course_id:certificate_id>/certificate.pdf", view_func=download)
    bp.add_url_rule("/certificates/<course_id:certificate_id>/recertify", view_func=recertify,
                    methods=["POST"])
    bp.add_url_rule("/certificates/<course_id:certificate_id>/my-name",
                    view_func=reissue_with_my_name, methods=["POST"])
    bp.add_url_rule("/certificates/admin", view_func=admin, endpoint="admin")
    bp.add_url_rule("/certificates/admin/<course_id:certificate_id>", view_func=admin_certificate,
                    methods=["GET", "POST"])
    bp.add_url_rule("/verify/<code>", view_func=verify)
    bp.add_url_rule("/verify/check", view_func=check_pdf, methods=["GET", "POST"])
    return bp
