"""The organisation's write actions with side effects beyond the database: emailing an
invitation (in the background, after the view's commit), and the audit of certificate events."""

from __future__ import annotations

import logging
from typing import Any

from flask import Flask, current_app, render_template
from flask_login import user_logged_in
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from ..db import session as db_session
from ..links import external_url
from ..mail import build_message, send
from ..state import get_state
from . import services
from .models import Invitation, KnownUser, Membership, Organisation

log = logging.getLogger(__name__)


def _invitation_link(token: str) -> str:
    return external_url("course.orgs.accept", token=token)


def send_invitation(org: Organisation, invitation: Invitation, token: str) -> None:
    """Email the invitation link (and the due date of each course the organisation assigned
    with one), in the background."""
    config = current_app.config
    loaded = get_state().content()
    due = [(course.title, row.due_on) for row in services.assignments(db_session(), org)
           if row.due_on is not None and (course := loaded.course(row.course)) is not None]
    body = render_template("course/orgs/invitation_email.txt", org=org, invitation=invitation,
                           link=_invitation_link(token), config=config, due=due)
    msg = build_message(config, invitation.email,
                        f"{org.name} invites you to {config['COURSE_SITE_NAME']}", body)
    get_state().tasks.submit(current_app._get_current_object(), send, config, msg)


def send_manager_change(org: Organisation, member: Membership, *, appointed: bool) -> None:
    """Tell a person, in the background, that an administrator made them a manager of `org`
    or took their manager's rights away (nothing when their address is unknown)."""
    if not member.email:
        return
    config = current_app.config
    body = render_template("course/orgs/manager_changed_email.txt", org=org, member=member,
                           appointed=appointed, config=config,
                           link=external_url("course.orgs.dashboard"))
    subject = (f"You are now a manager of {org.name}" if appointed
               else f"You are no longer a manager of {org.name}")
    msg = build_message(config, member.email, f"{config['COURSE_SITE_NAME']}: {subject}", body)
    get_state().tasks.submit(current_app._get_current_object(), send, config, msg)


# ------------------------------------------------------------------ certificate audit
def audit_certificate(db: Session, certificate: Any, action: str, *, by: str | None = None,
                      reason: str | None = None) -> None:
    """The issuing path's audit (`state.certificate_audit`): a certificate event of one of an
    organisation's members, in its audit log, in the caller's transaction (flush only)."""
    member = services.membership(db, str(certificate.user_id))
    if member is None:
        return
    services.audit(db, member.org_id, by or certificate.user_id, action,
                   member.email or member.name,
                   {"code": certificate.code, "course": certificate.course,
                    **({"reason": reason} if reason else {})})


def _record_host_login(app: Flask, user: Any = None, **_: Any) -> None:
    """The host logged someone in (Flask-Login's `user_logged_in`; a remember-me cookie
    bringing a session back sends another signal, not this one): note when, for the
    administrators' Users page. In its own short transaction, so the host's session is left
    alone; a failure is logged and never stops the host's log-in."""
    hooks = get_state().hooks
    user_id = hooks.user_id(user) if user is not None else None
    if not user_id:
        return
    try:
        with db_session().get_bind(mapper=KnownUser).begin() as conn:
            services.record_host_login(conn, str(user_id), hooks.display_name(user) or "",
                                       hooks.email(user))
    except SQLAlchemyError as exc:
        log.warning("could not record the log-in of user %s: %s", user_id, exc)


def connect_host_logins(app: Flask) -> None:
    """In a host application: record its users' log-ins (the standalone site records them on
    its own accounts)."""
    user_logged_in.connect(_record_host_login, sender=app)
