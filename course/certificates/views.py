"""Certificate pages: my certificates (download, verify link, LinkedIn), and public
verification by code or by uploading the PDF."""

from __future__ import annotations

from urllib.parse import urlencode

from flask import (
    Blueprint,
    Flask,
    abort,
    current_app,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import login_required
from flask_wtf.file import FileField
from sqlalchemy import select
from werkzeug.wrappers import Response
from wtforms import StringField
from wtforms.validators import InputRequired, Length

from .. import signals
from ..db import session as db_session
from ..extension import get_state
from ..identity import ADMIN, current_display_name, current_user_id, role_required
from ..loaded import content
from ..web import CourseForm, client_address
from . import services
from .models import Certificate

MAX_UPLOAD = 2_000_000


class CheckForm(CourseForm):
    pdf = FileField("Certificate PDF")


def issue_for_current_user(course_slug: str) -> Certificate | None:
    """Issue the current learner's certificate for a course if they have just become eligible."""
    loaded = get_state().content()
    course = loaded.course(course_slug) if loaded.catalog else None
    user_id = current_user_id()
    if course is None or user_id is None or loaded.errors:
        return None
    certificate = services.issue_if_eligible(
        db_session(), user_id=user_id, name=current_display_name() or user_id, course=course,
        quizzes=loaded.quizzes, content_root=get_state().content_root(current_app),
        issuer=current_app.config["COURSE_SITE_NAME"],
        verify_url=url_for("course.certificates.verify", code="CODE", _external=True)
        .replace("CODE", "{code}"))
    return certificate


def on_progress(app: Flask, **event: object) -> None:
    """Signal receiver: after a completed lesson or a graded quiz, issue if now eligible."""
    if services.current(db_session(), str(event["user_id"]), str(event["course"])) is not None:
        return  # already certified: nothing to check
    certificate = issue_for_current_user(str(event["course"]))
    if certificate is not None:
        db_session().commit()
        signals.certificate_issued.send(app, user_id=certificate.user_id,
                                        course=certificate.course, code=certificate.code,
                                        version=certificate.version)


@login_required
def mine() -> str:
    """The learner's certificates, and for each course what is still missing."""
    loaded = content()
    user_id = current_user_id()
    rows = db_session().scalars(select(Certificate).where(Certificate.user_id == user_id)
                                .order_by(Certificate.issued_at.desc())).all()
    pending = []
    for course in loaded.catalog.courses:
        if not any(c.course == course.slug and c.status == "active" for c in rows):
            pending.append((course, services.eligibility(db_session(), user_id, course,
                                                         loaded.quizzes)))
    return render_template("course/certificates/mine.html", certificates=rows,
                           pending=pending, linkedin=linkedin_url,
                           status=services.verify_status)


def linkedin_url(certificate: Certificate) -> str:
    """LinkedIn's Add-to-Profile link with the certification filled in."""
    params = {"startTask": "CERTIFICATION_NAME", "name": certificate.course_title,
              "organizationName": current_app.config["COURSE_SITE_NAME"],
              "issueYear": certificate.issued_at.year, "issueMonth": certificate.issued_at.month,
              "certId": certificate.code,
              "certUrl": url_for("course.certificates.verify", code=certificate.code,
                                 _external=True)}
    if certificate.valid_until:
        params.update(expirationYear=certificate.valid_until.year,
                      expirationMonth=certificate.valid_until.month)
    return "https://www.linkedin.com/profile/add?" + urlencode(params)


@login_required
def download(certificate_id: int) -> Response:
    """The PDF, under a generic file name (a name never goes into a header)."""
    certificate = db_session().get(Certificate, certificate_id)
    if certificate is None or certificate.user_id != current_user_id():
        abort(404)
    response = make_response(certificate.pdf)
    response.headers["Content-Type"] = "application/pdf"
    response.headers["Content-Disposition"] = 'attachment; filename="certificate.pdf"'
    return response


def _public(response: Response) -> Response:
    response.headers["X-Robots-Tag"] = "noindex, nofollow"
    response.headers["Cache-Control"] = "no-store"
    return response


def _limited() -> bool:
    return not get_state().limiter().hit(current_app.config["COURSE_RATELIMIT_VERIFY"],
                                         "verify", client_address())


def verify(code: str) -> Response:
    """Public: a certificate's status and what it certifies, nothing more personal."""
    if _limited():
        return _public(make_response(render_template("course/errors/429.html"), 429))
    certificate = db_session().scalar(select(Certificate).where(Certificate.code == code)) if (
        len(code) <= 64) else None
    newer = db_session().get(Certificate, certificate.superseded_by) if (
        certificate is not None and certificate.superseded_by) else None
    page = render_template("course/certificates/verify.html", certificate=certificate,
                           status=services.verify_status(certificate) if certificate else None,
                           newer=newer, form=CheckForm())
    return _public(make_response(page, 200 if certificate else 404))


def check_pdf() -> Response:
    """Public: is this uploaded file an authentic, unaltered certificate of ours?"""
    if _limited():
        return _public(make_response(render_template("course/errors/429.html"), 429))
    form = CheckForm()
    result, certificate = None, None
    if form.validate_on_submit() and form.pdf.data:
        data = form.pdf.data.read(MAX_UPLOAD + 1)
        certificate = services.by_pdf(db_session(), data) if len(data) <= MAX_UPLOAD else None
        result = "authentic" if certificate else "unknown"
    page = render_template("course/certificates/check.html", form=form, result=result,
                           certificate=certificate,
                           status=services.verify_status(certificate) if certificate else None)
    return _public(make_response(page, 200))


class AdminActionForm(CourseForm):
    reason = StringField("Reason (shown on the verify page)",
                         validators=[InputRequired(), Length(max=500)])
    name = StringField("Name on the re-issued certificate", validators=[Length(max=120)])


@role_required(ADMIN)
def admin() -> str:
    """Every certificate, or those expiring within 30, 60 or 90 days."""
    days = request.args.get("expiring", type=int)
    if days in (30, 60, 90):
        rows = services.expiring(db_session(), days)
    else:
        days = None
        rows = db_session().scalars(select(Certificate).order_by(
            Certificate.issued_at.desc()).limit(200)).all()
    return render_template("course/certificates/admin.html", certificates=rows, days=days,
                           status=services.verify_status)


@role_required(ADMIN)
def admin_certificate(certificate_id: int) -> Response | str | tuple[str, int]:
    """Revoke or re-issue one certificate, with a reason."""
    certificate = db_session().get(Certificate, certificate_id) or abort(404)
    form = AdminActionForm()
    if form.validate_on_submit():
        action = request.form.get("action")
        if action == "revoke" and services.revoke(db_session(), certificate, form.reason.data):
            db_session().commit()
            flash("The certificate is revoked.", "success")
        elif action == "reissue" and certificate.status == "active":
            new = services.reissue(
                db_session(), certificate, form.reason.data,
                name=form.name.data or certificate.name,
                content_root=get_state().content_root(current_app),
                verify_url=url_for("course.certificates.verify", code="CODE", _external=True)
                .replace("CODE", "{code}"))
            db_session().commit()
            flash(f"Re-issued as version {new.version}.", "success")
        else:
            flash("Only an active certificate can be revoked or re-issued.", "error")
        return redirect(url_for("course.certificates.admin_certificate",
                                certificate_id=certificate.id))
    return render_template("course/certificates/admin_one.html", certificate=certificate,
                           form=form, status=services.verify_status), (400 if form.errors else 200)


def create_blueprint() -> Blueprint:
    """The `course.certificates` blueprint."""
    bp = Blueprint("certificates", __name__)
    bp.add_url_rule("/certificates/", view_func=mine, endpoint="mine")
    bp.add_url_rule("/certificates/<int:certificate_id>/certificate.pdf", view_func=download)
    bp.add_url_rule("/certificates/admin", view_func=admin, endpoint="admin")
    bp.add_url_rule("/certificates/admin/<int:certificate_id>", view_func=admin_certificate,
                    methods=["GET", "POST"])
    bp.add_url_rule("/verify/<code>", view_func=verify)
    bp.add_url_rule("/verify/check", view_func=check_pdf, methods=["GET", "POST"])
    return bp
