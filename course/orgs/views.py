"""The manager's pages: dashboard, invitations, staff-list import, exports and the audit log;
and the learner's side: accepting an invitation, unsubscribing from optional reminders.

Every manager view finds the organisation from the current user's own membership (`current_org()`);
nothing a client sends chooses the organisation, and another organisation's ids give 404."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from flask import (
    Blueprint,
    Flask,
    abort,
    current_app,
    flash,
    g,
    make_response,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_login import current_user
from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy.exc import DBAPIError
from werkzeug.wrappers import Response

from .. import signals
from ..db import session as db_session
from ..db import utcnow
from ..identity import current_display_name, current_email, current_user_id
from ..links import external_url
from ..loaded import content
from ..mail import build_message, send
from ..ops import refuse
from ..state import CourseState, get_state
from ..web import CourseForm
from . import exports, reports, services, summary
from .forms import ConfirmImportForm, ImportForm, InviteForm
from .models import UNDO_DAYS, Invitation, Organisation
from .roster import parse_roster

UNSUBSCRIBE_SALT = "course-unsubscribe"


def manager_view(view: Callable[..., Any]) -> Callable[..., Any]:
    """Log-in required, then the organisation the user manages in `g.org`; 403 otherwise."""

    @wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        if not current_user.is_authenticated:
            return current_app.login_manager.unauthorized()
        org = services.managed_org(db_session(), current_user_id())
        if org is None:
            abort(403)
        g.org = org
        g.course_org_id = org.id  # the security log names the organisation
        return view(*args, **kwargs)

    return wrapper


NAV_KEY = "_course_manager"


def manages_an_organisation(user_id: str) -> bool:
    """For the menu on every page: whether this user manages an organisation. Remembered in
    the session per user (a query on every page cost a third of a lesson page's time),
    forgotten when the user joins through an invitation and, on the standalone site, at
    log-in. Access itself is always checked against the database (`manager_view`)."""
    remembered = session.get(NAV_KEY)
    if remembered and remembered[0] == user_id:
        return bool(remembered[1])
    try:
        answer = services.managed_org(db_session(), user_id) is not None
    except DBAPIError:  # the page says the database is unavailable; the menu can wait
        db_session().rollback()
        return False
    session[NAV_KEY] = [user_id, answer]
    return answer


def current_org() -> Organisation:
    """The organisation the current manager manages (set by `manager_view`)."""
    return g.org


def _course_and_quizzes() -> tuple[Any, list[str]]:
    """The course the dashboard shows (the one asked for, else the first assigned, else the
    first in the catalogue) and its factor quizzes' modules."""
    loaded = content()
    slugs = [c.slug for c in loaded.catalog.courses]
    wanted = request.args.get("course")
    assigned = [a.course for a in services.assignments(db_session(), current_org())]
    slug = wanted if wanted in slugs else next((s for s in assigned if s in slugs),
                                               slugs[0] if slugs else None)
    course = loaded.course(slug) if slug else None
    if course is None:
        abort(404)
    modules = [m.slug for m in course.modules if (course.slug, m.slug) in loaded.quizzes]
    return course, modules


def _filters() -> reports.Filters:
    status = request.args.get("status")
    expiring = request.args.get("expiring", type=int)
    return reports.Filters(team=request.args.get("team") or None,
                           status=status if status in reports.STATUSES else None,
                           overdue=request.args.get("overdue") == "1",
                           expiring=expiring if expiring in (30, 60, 90) else None)


@manager_view
def dashboard() -> str:
    """Where the organisation stands: per member and per factor."""
    db = db_session()
    course, modules = _course_and_quizzes()
    filters = _filters()
    page = reports.member_page(db, current_org(), course, filters, request.args.get("page", 1, int))
    return render_template(
        "course/orgs/dashboard.html", org=current_org(), course=course, modules=modules,
        filters=filters, page=page, statuses=reports.STATUSES,
        teams=reports.teams(db, current_org()), due=page.due,
        averages=reports.factor_averages(db, current_org(), course, modules, filters.team),
        seats=services.seats_used(db, current_org()),
        members=services.members_count(db, current_org()),
        figures=summary.headline(db, current_org(), course.slug),
        months=summary.completions_by_month(db, current_org(), course.slug),
        invitations=services.unanswered_invitations(db, current_org()), now=utcnow(),
        new_link=_new_link(),
        args={k: v for k, v in request.args.items() if k != "page"})


def _new_link() -> tuple[int, str] | None:
    from .people import new_link

    return new_link()


def _invitation_link(token: str) -> str:
    return external_url("course.orgs.accept", token=token)


def send_invitation(org: Organisation, invitation: Invitation, token: str) -> None:
    """Email the invitation link, in the background."""
    config = current_app.config
    body = render_template("course/orgs/invitation_email.txt", org=org, invitation=invitation,
                           link=_invitation_link(token), config=config)
    msg = build_message(config, invitation.email,
                        f"{org.name} invites you to {config['COURSE_SITE_NAME']}", body)
    get_state().tasks.submit(current_app._get_current_object(), send, config, msg)


@manager_view
def members() -> Response | str | tuple[str, int]:
    """Invite one person; see open invitations; revoke one; remove a member."""
    form = InviteForm()
    db = db_session()
    if form.validate_on_submit():
        try:
            invitation, token = services.invite(
                db, current_org(), form.email.data, invited_by=current_user_id(),
                days=int(current_app.config["COURSE_INVITATION_DAYS"]), name=form.name.data,
                team=form.team.data)
        except services.OrgError as exc:
            form.email.errors.append(str(exc))
        else:
            db.commit()
            send_invitation(current_org(), invitation, token)
            _remember_link(invitation, token)
            flash(f"Invitation sent to {invitation.email}.", "success")
            return redirect(url_for("course.orgs.members"))
    return render_template("course/orgs/members.html", org=current_org(), form=form,
                           invitations=services.unanswered_invitations(db, current_org()),
                           now=utcnow(), removed=services.removed_members(db, current_org()),
                           undo_days=UNDO_DAYS, new_link=_new_link(),
                           seats=services.seats_used(db, current_org())), (
        400 if form.errors else 200)


def _remember_link(invitation: Invitation, token: str) -> None:
    from .people import remember_link

    remember_link(invitation, token)


@manager_view
def revoke_invitation(invitation_id: int) -> Response:
    if not CourseForm().validate_on_submit():
        abort(400)
    if not services.revoke_invitation(db_session(), current_org(), invitation_id,
                                      current_user_id()):
        refuse("invitation", invitation_id)
    db_session().commit()
    flash("The invitation is revoked: its link no longer works.", "success")
    return redirect(url_for("course.orgs.dashboard" if request.form.get("back") == "dashboard"
                            else "course.orgs.members"))


@manager_view
def import_roster() -> str | tuple[str, int] | Response:
    """Upload a staff list: a preview first (every problem with its line), then apply."""
    db = db_session()
    upload, confirm = ImportForm(), ConfirmImportForm(prefix="confirm")
    text, plan = None, None
    if request.method == "POST" and "confirm-text" in request.form:
        if confirm.validate_on_submit():
            text = confirm.text.data
            rows, problems = parse_roster(text.encode())
            plan = services.plan_roster(db, current_org(), rows, problems)
            if not plan.problems:
                made = services.apply_roster(
                    db, current_org(), plan, actor=current_user_id(),
                    days=int(current_app.config["COURSE_INVITATION_DAYS"]))
                db.commit()
                for invitation, token in made:
                    send_invitation(current_org(), invitation, token)
                flash(f"{len(made)} invitation(s) sent; {len(plan.skipped)} already in.",
                      "success")
                return redirect(url_for("course.orgs.members"))
    elif upload.validate_on_submit() and upload.roster.data:
        data = upload.roster.data.read(2_000_001)
        rows, problems = parse_roster(data)
        plan = services.plan_roster(db, current_org(), rows, problems)
        text = data.decode("utf-8-sig", "replace")
    confirm.text.data = text
    status = 400 if plan is not None and plan.problems else 200
    return render_template("course/orgs/import.html", org=current_org(), upload=upload,
                           confirm=confirm, plan=plan), status


@manager_view
def export_csv() -> Response:
    """Staff progress and results for HR (formula-safe CSV)."""
    course, modules = _course_and_quizzes()
    data = exports.progress_csv(db_session(), current_org(), course, modules)
    services.audit(db_session(), current_org().id, current_user_id(), "exported-progress",
                   course.slug)
    db_session().commit()
    response = make_response(data)
    response.headers["Content-Type"] = "text/csv; charset=utf-8"
    response.headers["Content-Disposition"] = 'attachment; filename="staff-progress.csv"'
    response.headers["Cache-Control"] = "no-store"
    return response


@manager_view
def export_zip() -> Response:
    """The organisation's current certificates as one ZIP, with a manifest."""
    data = exports.certificates_zip(db_session(), current_org())
    services.audit(db_session(), current_org().id, current_user_id(), "exported-certificates")
    db_session().commit()
    response = make_response(data)
    response.headers["Content-Type"] = "application/zip"
    response.headers["Content-Disposition"] = 'attachment; filename="certificates.zip"'
    response.headers["Cache-Control"] = "no-store"
    return response


@manager_view
def audit_log() -> str:
    log = services.audit_log(db_session(), current_org(), request.args.get("page", 1, int))
    return render_template("course/orgs/audit.html", org=current_org(), log=log,
                           names=services.actor_names(db_session(), log.events))


# ------------------------------------------------------------------ learners
def accept(token: str) -> Response | str | tuple[str, int]:
    """An invitation link: log in or create an account, then join with one click."""
    db = db_session()
    invitation = services.find_invitation(db, token)
    if invitation is None:
        return render_template("course/orgs/invitation_invalid.html"), 404
    org = db.get(Organisation, invitation.org_id)
    form = CourseForm()
    user_id = current_user_id()
    if user_id is not None and request.method == "POST":
        if not form.validate_on_submit():
            abort(400)
        try:
            services.accept(db, invitation, user_id=user_id,
                            name=current_display_name() or user_id, email=current_email())
        except services.OrgError as exc:
            db.rollback()
            flash(str(exc), "error")
        else:
            db.commit()
            session.pop(NAV_KEY, None)  # a manager's invitation changes the menu
            flash(f"Welcome to {org.name}'s training.", "success")
            return redirect(url_for("course.lessons.catalogue"))
    return render_template("course/orgs/accept.html", org=org, invitation=invitation,
                           form=form, user_id=user_id, accounts=get_state().accounts)


def unsubscribe_token(user_id: str) -> str:
    return URLSafeSerializer(current_app.secret_key, salt=UNSUBSCRIBE_SALT).dumps(user_id)


def unsubscribe(token: str) -> str | tuple[str, int]:
    """Stop optional reminders (certificate expiry) from a link in one of them."""
    try:
        user_id = URLSafeSerializer(current_app.secret_key,
                                    salt=UNSUBSCRIBE_SALT).loads(token)
    except BadSignature:
        return render_template("course/orgs/unsubscribe.html", done=False, bad=True), 404
    form = CourseForm()
    done = False
    if request.method == "POST":
        if not form.validate_on_submit():
            abort(400)
        member = services.membership(db_session(), str(user_id))
        if member is not None:
            member.optional_reminders = False
            db_session().commit()
        done = True
    return render_template("course/orgs/unsubscribe.html", done=done, bad=False, form=form)


# ------------------------------------------------------------------ wiring
def _audit_certificate(action: str) -> Callable[..., None]:
    def receiver(app: Flask, **event: Any) -> None:
        member = services.membership(db_session(), str(event["user_id"]))
        if member is None:
            return
        services.audit(db_session(), member.org_id, event.get("by") or event["user_id"],
                       action, member.email or member.name,
                       {"code": event["code"], "course": event["course"],
                        **({"reason": event["reason"]} if "reason" in event else {})})
        db_session().commit()

    receiver.__name__ = f"audit_{action}"
    return receiver


_RECEIVERS = {"issued": _audit_certificate("certificate-issued"),
              "revoked": _audit_certificate("certificate-revoked")}


def connect(app: Flask, state: CourseState) -> None:
    """Organisations' part in the app: certificate branding, audit of certificate events."""
    state.certificate_look = services.look_for
    state.invitation_open = services.invitation_open
    signals.certificate_issued.connect(_RECEIVERS["issued"], sender=app)
    signals.certificate_revoked.connect(_RECEIVERS["revoked"], sender=app)


def create_blueprint() -> Blueprint:
    """The `course.orgs` blueprint."""
    from . import manage, people

    bp = Blueprint("orgs", __name__)
    bp.add_url_rule("/org/", view_func=dashboard)
    bp.add_url_rule("/org/members", view_func=members, methods=["GET", "POST"])
    bp.add_url_rule("/org/invitations/<course_id:invitation_id>/revoke",
                    view_func=revoke_invitation, methods=["POST"])
    bp.add_url_rule("/org/import", view_func=import_roster, methods=["GET", "POST"])
    bp.add_url_rule("/org/staff-progress.csv", view_func=export_csv)
    bp.add_url_rule("/org/certificates.zip", view_func=export_zip)
    bp.add_url_rule("/org/audit", view_func=audit_log)
    bp.add_url_rule("/invitations/<token>", view_func=accept, methods=["GET", "POST"])
    bp.add_url_rule("/reminders/unsubscribe/<token>", view_func=unsubscribe,
                    methods=["GET", "POST"])
    manage.add_rules(bp)
    people.add_rules(bp)
    return bp


