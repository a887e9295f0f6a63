"""Managing an organisation: course assignment and branding, bulk certificate jobs, revoking
and re-issuing members' certificates (managers); creating organisations and appointing their
managers (administrators)."""

from __future__ import annotations

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
)
from sqlalchemy import select
from werkzeug.wrappers import Response
from wtforms.fields.choices import SelectChoice

from ..certificates import services as certs
from ..certificates.issuing import apply_action
from ..certificates.models import Certificate
from ..certificates.render import (
    Branding,
    CertificateData,
    CertificateRenderError,
    Factor,
    renderer_for,
)
from ..db import session as db_session
from ..db import utcnow
from ..identity import ADMIN, current_user_id, role_required
from ..links import external_url, url_for
from ..loaded import content
from ..ops import refuse
from ..state import get_state
from ..web import CourseForm
from . import bulk, services
from .access import current_org, invitations_page, manager_view, new_link, remember_link
from .branding import LogoError, clean_logo
from .forms import (
    AssignForm,
    BrandingForm,
    BulkForm,
    ManagerForm,
    OrgForm,
    ReasonForm,
    RenameForm,
    SeatsForm,
)
from .models import ACTIVE_MEMBER, MANAGER, BulkJob, Membership, Organisation
from .operations import send_invitation, send_manager_change


def _templates() -> list[str]:
    root = get_state().content_root(current_app) / "certificates"
    return sorted(p.name for p in root.iterdir() if (p / "certificate.html").is_file())


@manager_view
def settings() -> Response | str | tuple[str, int]:
    """Courses with due dates, and the certificate's look."""
    db, org = db_session(), current_org()
    assign = AssignForm(prefix="assign")
    assign.course.choices = [SelectChoice(c.slug, c.title) for c in content().catalog.courses]
    brand = BrandingForm(prefix="brand", obj=None if request.method == "POST" else org)
    brand.template.choices = [SelectChoice(t, t.replace("-", " ").title())
                              for t in _templates()]
    if request.method == "POST" and "assign-course" in request.form and assign.validate():
        services.assign(db, org, assign.course.data, assign.due_on.data, current_user_id())
        db.commit()
        flash("The course is assigned.", "success")
        return redirect(url_for("course.orgs.settings"))
    if request.method == "POST" and "brand-template" in request.form and brand.validate():
        try:
            _apply_branding(org, brand)
        except LogoError as exc:
            brand.logo.errors = [str(exc)]
        else:
            services.audit(db, org.id, current_user_id(), "branding-changed", org.template)
            db.commit()
            flash("The certificate's look is saved; new certificates use it.", "success")
            return redirect(url_for("course.orgs.settings"))
    failed = bool(assign.errors or brand.errors)
    return settings_page(org, assign, brand), (400 if failed else 200)


def settings_page(org: Organisation, assign: AssignForm, brand: BrandingForm) -> str:
    if not assign.course.choices:
        assign.course.choices = [SelectChoice(c.slug, c.title)
                                 for c in content().catalog.courses]
    return render_template("course/orgs/settings.html", org=org, assign=assign, brand=brand,
                           assignments=services.assignments(db_session(), org))


def _apply_branding(org: Organisation, form: BrandingForm) -> None:
    upload = form.logo.data
    data = upload.read(400_000) if upload else b""
    if data:
        org.logo, org.logo_type = clean_logo(data)  # LogoError before anything changes
    org.template = form.template.data
    org.primary_colour = (form.primary_colour.data or "").lower() or None
    org.signatory = " ".join((form.signatory.data or "").split()) or None


@manager_view
def branding_preview() -> Response | tuple[str, int]:
    """A sample certificate (PDF) with the look in the settings form, before it is saved.
    Changes nothing: the form is read, not applied."""
    org = current_org()
    brand = BrandingForm(prefix="brand")
    brand.template.choices = [SelectChoice(t, t) for t in _templates()]
    if not brand.validate():
        return settings_page(org, AssignForm(prefix="assign"), brand), 400
    upload = brand.logo.data
    data = upload.read(400_000) if upload else b""
    try:
        logo, logo_type = clean_logo(data) if data else (org.logo, org.logo_type)
    except LogoError as exc:
        brand.logo.errors = [str(exc)]
        return settings_page(org, AssignForm(prefix="assign"), brand), 400
    look = Branding(logo, logo_type, (brand.primary_colour.data or "").lower() or None,
                    " ".join((brand.signatory.data or "").split()) or None)
    folder = get_state().content_root(current_app) / "certificates" / brand.template.data
    try:
        pdf = renderer_for(folder).render(_sample(org), look)
    except CertificateRenderError as exc:
        brand.template.errors = [str(exc)]
        return settings_page(org, AssignForm(prefix="assign"), brand), 400
    response = current_app.response_class(pdf, mimetype="application/pdf")
    response.headers["Content-Disposition"] = 'inline; filename="certificate-preview.pdf"'
    response.headers["Cache-Control"] = "no-store"
    return response


def _sample(org: Organisation) -> CertificateData:
    """Made-up certificate data for a preview, marked as a sample."""
    loaded = content()
    course = loaded.catalog.courses[0] if loaded.catalog and loaded.catalog.courses else None
    factors = tuple(Factor(m.title, "85") for m in course.modules[:6]) if course else ()
    today = utcnow()
    return CertificateData(
        "Sample Learner", course.title if course else "Sample course", factors,
        f"{today:%d %B %Y}", None, "SAMPLE-PREVIEW-NOT-VALID",
        external_url("course.certificates.verify", code="SAMPLE"),
        current_app.config["COURSE_SITE_NAME"], org.name, "preview")


@manager_view
def logo() -> Response:
    """The organisation's stored (sanitised) logo, for the settings page preview."""
    org = current_org()
    if not org.logo:
        abort(404)
    response = current_app.response_class(org.logo, mimetype=org.logo_type)
    response.headers["Content-Security-Policy"] = "default-src 'none'; style-src 'unsafe-inline'"
    response.headers["Cache-Control"] = "no-store"
    return response


@manager_view
def bulk_start() -> Response | str | tuple[str, int]:
    """Start a bulk issue or re-issue for the organisation's members."""
    db, org = db_session(), current_org()
    form = BulkForm()
    course_slug = request.args.get("course") or (content().catalog.courses[0].slug
                                                 if content().catalog.courses else None)
    if form.validate_on_submit() and course_slug:
        backend = "rq" if current_app.config["COURSE_JOBS_REDIS_URL"] else "pool"
        try:
            job = bulk.create_job(db, org, form.kind.data, course=course_slug,
                                  reason=form.reason.data, actor=current_user_id(),
                                  backend=backend)
        except services.OrgError as exc:
            form.reason.errors = [str(exc)]
        else:
            db.commit()
            bulk.start(current_app._get_current_object(), job, org)
            return redirect(url_for("course.orgs.bulk_job", job_id=job.id))
    jobs = db.scalars(select(BulkJob).where(BulkJob.org_id == org.id)
                      .order_by(BulkJob.id.desc()).limit(10)).all()
    return render_template("course/orgs/bulk.html", org=org, form=form, jobs=jobs), (
        400 if form.errors else 200)


def _job(job_id: int) -> BulkJob:
    job = db_session().scalar(select(BulkJob).where(BulkJob.id == job_id,
                                                    BulkJob.org_id == current_org().id))
    if job is None:
        refuse("bulk-job", job_id)
    return job


@manager_view
def bulk_job(job_id: int) -> str:
    return render_template("course/orgs/bulk_job.html", org=current_org(), job=_job(job_id))


@manager_view
def bulk_job_json(job_id: int) -> Response:
    job = _job(job_id)
    return jsonify(state=job.state, done=job.done, total=job.total, issued=job.issued,
                   error=job.error)


def _member_certificate(certificate_id: int) -> Certificate:
    """A certificate of one of the manager's own members, or 404."""
    certificate = db_session().scalar(select(Certificate).join(
        Membership, Membership.user_id == Certificate.user_id).where(
        Certificate.id == certificate_id, Membership.org_id == current_org().id,
        ACTIVE_MEMBER))
    if certificate is None:
        refuse("certificate", certificate_id)
    return certificate


@manager_view
def certificate(certificate_id: int) -> Response | str | tuple[str, int]:
    """Revoke or re-issue a member's certificate, with a reason."""
    cert = _member_certificate(certificate_id)
    form = ReasonForm()
    db = db_session()
    if form.validate_on_submit():
        new = apply_action(cert, request.form.get("action"), form.reason.data,
                           look=services.look_of(current_org()))
        if new is not None:
            services.audit(db, current_org().id, current_user_id(), "certificate-reissued",
                           cert.name, {"code": new.code, "replaces": cert.code,
                                       "reason": new.reason})
            db.commit()
        return redirect(url_for("course.orgs.certificate", certificate_id=cert.id))
    return render_template("course/orgs/certificate.html", org=current_org(), certificate=cert,
                           form=form, status=certs.verify_status), (400 if form.errors else 200)


# ------------------------------------------------------------------ administrators
@role_required(ADMIN)
def admin_orgs() -> Response | str | tuple[str, int]:
    db = db_session()
    form = OrgForm()
    if form.validate_on_submit():
        try:
            org = services.create_org(db, form.slug.data, form.name.data, form.seat_limit.data,
                                      actor=current_user_id())
        except services.OrgError as exc:
            form.slug.errors = [str(exc)]
        else:
            db.commit()
            flash(f"{org.name} is created. Now appoint its manager.", "success")
            return redirect(url_for("course.orgs.admin_org", org_id=org.id))
    orgs = db.scalars(select(Organisation).order_by(Organisation.name)).all()
    return render_template("course/orgs/admin.html", orgs=orgs, form=form,
                           managers=services.managers_by_org(db),
                           members=services.seats_by_org(db)), (
        400 if form.errors else 200)


def _admin_org_page(org: Organisation, *, form: ManagerForm | None = None,
                    rename: RenameForm | None = None,
                    seats: SeatsForm | None = None) -> tuple[str, int]:
    db = db_session()
    form, rename, seats = (form or ManagerForm(formdata=None),
                           rename or RenameForm(prefix="rename", formdata=None, obj=org),
                           seats or SeatsForm(prefix="seats", formdata=None, obj=org))
    failed = bool(form.errors or rename.errors or seats.errors)
    form.email.render_kw = {"list": "member-addresses", "autocomplete": "off"}
    members = services.members_count(db, org)
    held, unanswered = services.invitation_counts(db, org)
    candidates = db.scalars(select(Membership.email).where(
        Membership.org_id == org.id, Membership.role != MANAGER, ACTIVE_MEMBER,
        Membership.email.is_not(None)).order_by(Membership.email).limit(200)).all()
    return render_template("course/orgs/admin_org.html", org=org, form=form, rename=rename,
                           seats=seats, managers=services.managers(db, org), members=members,
                           seats_used=members + held, candidates=candidates,
                           **invitations_page(db, org, unanswered), now=utcnow(),
                           new_link=new_link()), (
        400 if failed else 200)


def _demote_all(org: Organisation, keep: Membership | None = None) -> list[Membership]:
    """Take every current manager's rights away (but `keep`'s), audited and emailed after the
    commit by the caller."""
    db = db_session()
    return [m for m in (services.remove_manager(db, org, manager.id, current_user_id())
                        for manager in services.managers(db, org) if manager is not keep) if m]


@role_required(ADMIN)
def admin_org(org_id: int) -> Response | str | tuple[str, int]:
    """One organisation for an administrator: rename it, change its seats, appoint, replace or
    remove its managers, and their open invitations."""
    db = db_session()
    org = db.get(Organisation, org_id) or abort(404)
    if request.method == "POST" and "rename-name" in request.form:
        return _rename(org)
    if request.method == "POST" and "seats-seat_limit" in request.form:
        return _seats(org)
    form = ManagerForm()
    if form.validate_on_submit():
        return _appoint(org, form)
    return _admin_org_page(org, form=form)


def _rename(org: Organisation) -> Response | tuple[str, int]:
    rename = RenameForm(prefix="rename")
    if rename.validate():
        old = org.name
        try:
            changed = services.rename_org(db_session(), org, rename.name.data,
                                          current_user_id())
        except services.OrgError as exc:
            rename.name.errors = [str(exc)]
        else:
            db_session().commit()
            flash(f"{old} is now called {org.name}: certificates issued from now on carry the "
                  "new name; issued ones keep theirs." if changed else "The name is unchanged.",
                  "success")
            return redirect(url_for("course.orgs.admin_org", org_id=org.id))
    return _admin_org_page(org, rename=rename)


def _seats(org: Organisation) -> Response | tuple[str, int]:
    seats = SeatsForm(prefix="seats")
    if seats.validate():
        try:
            changed = services.set_seat_limit(db_session(), org, seats.seat_limit.data,
                                              current_user_id())
        except services.OrgError as exc:
            seats.seat_limit.errors = [str(exc)]
        else:
            db_session().commit()
            limit = f"{org.seat_limit} seats" if org.seat_limit else "no seat limit"
            flash(f"{org.name} now has {limit}." if changed else "The seats are unchanged.",
                  "success")
            return redirect(url_for("course.orgs.admin_org", org_id=org.id))
    return _admin_org_page(org, seats=seats)


def _appoint(org: Organisation, form: ManagerForm) -> Response | tuple[str, int]:
    """A member of the organisation becomes a manager now; any other address is invited.
    With "replace", the current managers lose their rights at once."""
    db = db_session()
    try:
        member = services.appoint_member(db, org, form.email.data, current_user_id())
        invitation = token = None
        if member is None:
            invitation, token = services.invite(
                db, org, form.email.data, invited_by=current_user_id(), role=MANAGER,
                days=int(current_app.config["COURSE_INVITATION_DAYS"]))
    except services.OrgError as exc:
        db.rollback()
        form.email.errors = [str(exc)]
        return _admin_org_page(org, form=form)
    removed = _demote_all(org, keep=member) if form.replace.data else []
    db.commit()
    for old in removed:
        send_manager_change(org, old, appointed=False)
    if member is not None:
        send_manager_change(org, member, appointed=True)
        flash(f"{member.name} is now a manager of {org.name}" + (
            f", in place of {_names(removed)}." if removed else "."), "success")
    else:
        send_invitation(org, invitation, token)
        remember_link(invitation, token)
        flash(f"A manager's invitation is sent to {invitation.email}" + (
            f"; {_names(removed)} no longer {'manages' if len(removed) == 1 else 'manage'} "
            f"{org.name}." if removed else "."), "success")
    return redirect(url_for("course.orgs.admin_org", org_id=org.id))


def _names(members: list[Membership]) -> str:
    return ", ".join(m.name for m in members)


@role_required(ADMIN)
def admin_remove_manager(org_id: int, member_id: int) -> Response:
    """Take one manager's rights away (they stay a member); allowed for the last one too."""
    db = db_session()
    org = db.get(Organisation, org_id) or abort(404)
    if not CourseForm().validate_on_submit():
        abort(400)
    member = services.remove_manager(db, org, member_id, current_user_id())
    if member is None:
        refuse("manager", member_id)
    db.commit()
    send_manager_change(org, member, appointed=False)
    left = services.managers(db, org)
    flash(f"{member.name} is no longer a manager of {org.name}; they stay a member."
          + ("" if left else f" {org.name} has no manager now: appoint one below."),
          "success" if left else "info")
    return redirect(url_for("course.orgs.admin_org", org_id=org.id))


def add_rules(bp: Blueprint) -> None:
    bp.add_url_rule("/org/settings", view_func=settings, methods=["GET", "POST"])
    bp.add_url_rule("/org/logo", view_func=logo)
    bp.add_url_rule("/org/settings/preview", view_func=branding_preview, methods=["POST"])
    bp.add_url_rule("/org/bulk", view_func=bulk_start, methods=["GET", "POST"])
    bp.add_url_rule("/org/bulk/<course_id:job_id>", view_func=bulk_job)
    bp.add_url_rule("/org/bulk/<course_id:job_id>.json", view_func=bulk_job_json)
    bp.add_url_rule("/org/certificates/<course_id:certificate_id>", view_func=certificate,
                    methods=["GET", "POST"])
    bp.add_url_rule("/orgs/admin", view_func=admin_orgs, methods=["GET", "POST"])
    bp.add_url_rule("/orgs/admin/<course_id:org_id>", view_func=admin_org, methods=["GET", "POST"])
    bp.add_url_rule("/orgs/admin/<course_id:org_id>/managers/<course_id:member_id>/remove",
                    view_func=admin_remove_manager, methods=["POST"])
