"""The manager's actions on people and invitations: resend an invitation (a new link, shown
once with a copy button), remove a member after a confirmation and restore them within
UNDO_DAYS, email a reminder now, and see one member's quiz attempts and capstone (read-only);
the summary CSV; and the same invitation actions for administrators (manager invitations).

As everywhere in the organisation pages, the organisation comes from the current user's own
membership (or, for an administrator, from the URL of an organisation they may see); another
organisation's ids give 404."""

from __future__ import annotations

from datetime import timedelta

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
from sqlalchemy import select
from werkzeug.wrappers import Response

from ..capstone import services as capstone
from ..csvsafe import to_csv
from ..db import session as db_session
from ..db import utcnow
from ..identity import ADMIN, current_user_id, role_required
from ..links import external_url, url_for
from ..mail import build_message, send
from ..ops import refuse
from ..quizzes.models import QuizAttempt
from ..state import get_state
from ..web import CourseForm
from . import reports, services, summary
from .access import course_and_quizzes, current_org, manager_view, page_back, remember_link
from .models import UNDO_DAYS, AuditEvent, Membership, Organisation
from .operations import send_invitation

REMIND_EVERY = timedelta(hours=20)  # at most one manual reminder per person a day

def _resend(org: Organisation, invitation_id: int) -> bool:
    """Resend one of `org`'s invitations (the caller checked the CSRF token); False if none."""
    db = db_session()
    try:
        made = services.resend_invitation(
            db, org, invitation_id, actor=current_user_id(),
            days=int(current_app.config["COURSE_INVITATION_DAYS"]))
    except services.OrgError as exc:
        flash(str(exc), "error")
        return True
    if made is None:
        return False
    invitation, token = made
    db.commit()
    send_invitation(org, invitation, token)
    remember_link(invitation, token)
    flash(f"A new invitation is sent to {invitation.email}, valid until "
          f"{invitation.expires_at:%d %B %Y}; the earlier link no longer works.", "success")
    return True


def _back(default: str, **values: object) -> Response:
    """Back to the dashboard when the action came from there, else to `default`."""
    if request.form.get("back") == "dashboard":
        return redirect(url_for("course.orgs.dashboard"))
    return redirect(url_for(default, **values, **page_back()))


@manager_view
def resend_invitation(invitation_id: int) -> Response:
    if not CourseForm().validate_on_submit():
        abort(400)
    if not _resend(current_org(), invitation_id):
        refuse("invitation", invitation_id)
    return _back("course.orgs.members")


@role_required(ADMIN)
def admin_resend(org_id: int, invitation_id: int) -> Response:
    org = db_session().get(Organisation, org_id) or abort(404)
    if not CourseForm().validate_on_submit():
        abort(400)
    if not _resend(org, invitation_id):
        abort(404)
    return redirect(url_for("course.orgs.admin_org", org_id=org.id, **page_back()))


@role_required(ADMIN)
def admin_revoke(org_id: int, invitation_id: int) -> Response:
    db = db_session()
    org = db.get(Organisation, org_id) or abort(404)
    if not CourseForm().validate_on_submit():
        abort(400)
    if not services.revoke_invitation(db, org, invitation_id, current_user_id()):
        abort(404)
    db.commit()
    flash("The invitation is revoked: its link no longer works.", "success")
    return redirect(url_for("course.orgs.admin_org", org_id=org.id, **page_back()))


# ------------------------------------------------------------------ members
def _member(member_id: int) -> Membership:
    member = services.active_member(db_session(), current_org(), member_id)
    if member is None:
        refuse("membership", member_id)
    return member


@manager_view
def remove_member(member_id: int) -> Response | str:
    """A confirmation page (GET), then the removal (POST with `confirm`): soft, undoable."""
    member = _member(member_id)
    if member.user_id == current_user_id():
        abort(404)
    if request.method == "GET" or request.form.get("confirm") != "yes":
        if request.method == "POST" and not CourseForm().validate_on_submit():
            abort(400)
        return render_template("course/orgs/remove.html", org=current_org(), member=member,
                               undo_days=UNDO_DAYS, form=CourseForm())
    if not CourseForm().validate_on_submit():
        abort(400)
    services.remove_member(db_session(), current_org(), member.id, current_user_id())
    db_session().commit()
    flash(f"{member.name} is removed. Their records are kept; you can restore them from "
          f"“Invite and members” for {UNDO_DAYS} days.", "success")
    return redirect(url_for("course.orgs.dashboard"))


@manager_view
def restore_member(member_id: int) -> Response:
    if not CourseForm().validate_on_submit():
        abort(400)
    db = db_session()
    try:
        member = services.restore_member(db, current_org(), member_id, current_user_id())
    except services.OrgError as exc:
        flash(str(exc), "error")
        return redirect(url_for("course.orgs.members"))
    if member is None:
        refuse("membership", member_id)
    db.commit()
    flash(f"{member.name} is a member again, with all their records.", "success")
    return _back("course.orgs.members")


@manager_view
def remind(member_id: int) -> Response:
    """Email one member a reminder to continue the course now (once a day at most)."""
    if not CourseForm().validate_on_submit():
        abort(400)
    member = _member(member_id)
    course, _ = course_and_quizzes()
    db = db_session()
    recent = db.scalar(select(AuditEvent.id).where(
        AuditEvent.org_id == current_org().id, AuditEvent.action == "reminder-sent",
        AuditEvent.detail["user_id"].as_string() == member.user_id,
        AuditEvent.at > utcnow() - REMIND_EVERY))
    if not member.email:
        flash(f"{member.name} has no email address on record.", "error")
    elif recent is not None:
        flash(f"{member.name} had a reminder in the last day already.", "error")
    else:
        services.audit(db, current_org().id, current_user_id(), "reminder-sent",
                       f"{member.name} <{member.email}>",
                       {"course": course.slug, "user_id": member.user_id})
        db.commit()
        _send_reminder(member, course)
        flash(f"A reminder is on its way to {member.email}.", "success")
    return redirect(url_for("course.orgs.dashboard", course=course.slug))


def _send_reminder(member: Membership, course: object) -> None:
    config = current_app.config
    due = reports.due_date(db_session(), current_org(), course.slug)
    body = render_template("course/orgs/reminder_now.txt", member=member, org=current_org(),
                           course_title=course.title, due=due, config=config,
                           link=external_url("course.lessons.overview", course=course.slug))
    msg = build_message(config, member.email, f"Reminder: {course.title}", body)
    get_state().tasks.submit(current_app._get_current_object(), send, config, msg)


@manager_view
def person(member_id: int) -> str:
    """One member's quiz attempts and capstone for the dashboard's course, read-only."""
    member = _member(member_id)
    course, _ = course_and_quizzes()
    db = db_session()
    attempts = list(db.scalars(select(QuizAttempt).where(
        QuizAttempt.user_id == member.user_id, QuizAttempt.course == course.slug)
        .order_by(QuizAttempt.module, QuizAttempt.number)))
    submission = capstone.submission_for(db, member.user_id, course.slug)
    return render_template(
        "course/orgs/person.html", org=current_org(), member=member, course=course,
        attempts=attempts, titles={m.slug: m.title for m in course.modules},
        submission=submission,
        versions=capstone.versions(db, submission) if submission else [],
        reviews=capstone.reviews(db, submission) if submission else {})


# ------------------------------------------------------------------ summary
@manager_view
def summary_csv() -> Response:
    """The dashboard's headline figures, factor averages and completions per month as CSV."""
    db, org = db_session(), current_org()
    course, modules = course_and_quizzes()
    rows = summary.summary_rows(
        org, course.title, summary.headline(db, org, course.slug),
        reports.factor_averages(db, org, course, modules),
        summary.completions_by_month(db, org, course.slug))
    services.audit(db, org.id, current_user_id(), "exported-summary", course.slug)
    db.commit()
    response = make_response(to_csv(rows))
    response.headers["Content-Type"] = "text/csv; charset=utf-8"
    response.headers["Content-Disposition"] = 'attachment; filename="summary.csv"'
    response.headers["Cache-Control"] = "no-store"
    return response


def add_rules(bp: Blueprint) -> None:
    bp.add_url_rule("/org/invitations/<course_id:invitation_id>/resend",
                    view_func=resend_invitation, methods=["POST"])
    bp.add_url_rule("/org/members/<course_id:member_id>/remove", view_func=remove_member,
                    methods=["GET", "POST"])
    bp.add_url_rule("/org/members/<course_id:member_id>/restore", view_func=restore_member,
                    methods=["POST"])
    bp.add_url_rule("/org/members/<course_id:member_id>/remind", view_func=remind,
                    methods=["POST"])
    bp.add_url_rule("/org/members/<course_id:member_id>", view_func=person)
    bp.add_url_rule("/org/summary.csv", view_func=summary_csv)
    bp.add_url_rule("/orgs/admin/<course_id:org_id>/invitations/<course_id:invitation_id>/resend",
                    view_func=admin_resend, methods=["POST"])
    bp.add_url_rule("/orgs/admin/<course_id:org_id>/invitations/<course_id:invitation_id>/revoke",
                    view_func=admin_revoke, methods=["POST"])
