"""The manager's pages: dashboard, invitations, staff-list import, exports and the audit log;
and the learner's side: accepting an invitation, unsubscribing from optional reminders.

Every manager view finds the organisation from the current user's own membership (`current_org()`);
nothing a client sends chooses the organisation, and another organisation's ids give 404."""

from __future__ import annotations

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    session,
)
from itsdangerous import BadSignature, URLSafeSerializer
from werkzeug.wrappers import Response

from ..db import session as db_session
from ..db import utcnow
from ..hostlinks import host_login_url
from ..identity import current_display_name, current_email, current_user_id
from ..links import url_for
from ..ops import refuse
from ..state import get_state
from ..web import CourseForm, id_arg, page_number, text_arg
from . import exports, reports, services, summary, tally
from .access import (
    NAV_KEY,
    course_and_quizzes,
    current_org,
    invitations_page,
    manager_view,
    new_link,
    page_back,
    remember_link,
)
from .forms import ConfirmImportForm, ImportForm, InviteForm
from .models import UNDO_DAYS, Organisation
from .operations import send_invitation
from .roster import parse_roster

UNSUBSCRIBE_SALT = "course-unsubscribe"


def _filters() -> reports.Filters:
    status = request.args.get("status")
    expiring = request.args.get("expiring", type=int)
    return reports.Filters(team=text_arg("team", 80) or None,
                           status=status if status in reports.STATUSES else None,
                           overdue=request.args.get("overdue") == "1",
                           expiring=expiring if expiring in (30, 60, 90) else None)


@manager_view
def dashboard() -> str:
    """Where the organisation stands: per member and per factor."""
    db = db_session()
    course, modules = course_and_quizzes()
    filters = _filters()
    counts = tally.read(db, current_org().id, course.slug)  # the tiles' tallies, read once
    team = tally.read(db, current_org().id, course.slug, filters.team) if filters.team else counts
    page = reports.member_page(db, current_org(), course, filters, page_number(),
                               after=id_arg("after"), before=id_arg("before"),
                               mark=text_arg("at", 32) or None, counts=team)
    held, unanswered = services.invitation_counts(db, current_org())  # seats held, listed
    return render_template(
        "course/orgs/dashboard.html", org=current_org(), course=course, modules=modules,
        filters=filters, page=page, statuses=reports.STATUSES,
        teams=reports.teams(db, current_org()), due=page.due,
        averages=reports.factor_averages(db, current_org(), course, modules, filters.team, team),
        seats=counts.members + held,
        members=counts.members,
        figures=summary.headline(db, current_org(), course.slug, counts=counts, due=page.due),
        months=summary.completions_by_month(db, current_org(), course.slug, counts=counts),
        now=utcnow(), new_link=new_link(), invitations_total=unanswered,
        invitations=services.unanswered_invitations(db, current_org(),
                                                    limit=services.INVITATIONS_SHOWN),
        args={k: v for k, v in request.args.items() if k not in ("page", "after", "before", "at")})


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
            remember_link(invitation, token)
            flash(f"Invitation sent to {invitation.email}.", "success")
            return redirect(url_for("course.orgs.members"))
    held, unanswered = services.invitation_counts(db, current_org())
    return render_template("course/orgs/members.html", org=current_org(), form=form,
                           **invitations_page(db, current_org(), unanswered),
                           now=utcnow(), removed=services.removed_members(db, current_org()),
                           undo_days=UNDO_DAYS, new_link=new_link(),
                           seats=services.members_count(db, current_org()) + held), (
        400 if form.errors else 200)


@manager_view
def revoke_invitation(invitation_id: int) -> Response:
    if not CourseForm().validate_on_submit():
        abort(400)
    if not services.revoke_invitation(db_session(), current_org(), invitation_id,
                                      current_user_id()):
        refuse("invitation", invitation_id)
    db_session().commit()
    flash("The invitation is revoked: its link no longer works.", "success")
    if request.form.get("back") == "dashboard":
        return redirect(url_for("course.orgs.dashboard"))
    return redirect(url_for("course.orgs.members", **page_back()))


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
    course, modules = course_and_quizzes()
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
    if user_id is None and not get_state().accounts:
        # In a host, signing in is the host's: its log-in page, then back to this link.
        login = host_login_url(request.path)
        if login is not None:
            return redirect(login)
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


def create_blueprint() -> Blueprint:
    """The `course.orgs` blueprint."""
    from . import directory, manage, people

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
    directory.add_rules(bp)
    return bp


