"""Account pages for who you are: change your display name, and change your email address by a
signed, expiring link sent to the new address (a GET opens a page with a button; only the POST
changes the address), with a notice to the old one."""

from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from .. import signals
from ..db import session as db_session
from ..identity import login_required
from ..links import external_url
from ..mail import build_message, send
from ..state import get_state
from ..web import client_address
from . import services
from .forms import ConfirmForm, EmailChangeForm, NameForm
from .passwords import verify_password


def _security(event: str, user_id: str | None = None) -> None:
    signals.security_event.send(current_app._get_current_object(), event=event,
                                user_id=user_id, remote_addr=client_address())


def _mail(to: str, subject: str, template: str, **context: object) -> None:
    """Email `to` in the background (never delays the page)."""
    config = current_app.config
    body = render_template(template, config=config, **context)
    msg = build_message(config, to, f"{config['COURSE_SITE_NAME']}: {subject}", body)
    get_state().tasks.submit(current_app._get_current_object(), send, config, msg)


@login_required
def change_name() -> Response | str | tuple[str, int]:
    """Change the display name; certificates already issued keep the name they were issued to."""
    form = NameForm()
    if not form.is_submitted():
        form.display_name.data = current_user.display_name
    if form.validate_on_submit():
        try:
            name = services.change_display_name(db_session(), current_user.record(),
                                                form.display_name.data)
        except services.InvalidName as exc:
            db_session().rollback()
            form.display_name.errors.append(str(exc))
            return render_template("course/accounts/change_name.html", form=form), 400
        db_session().commit()
        flash(f"Your name is now {name}.", "success")
        return redirect(url_for("course.accounts.account"))
    return render_template("course/accounts/change_name.html", form=form), (
        400 if form.errors else 200)


@login_required
def change_email() -> Response | str | tuple[str, int]:
    """Ask to move the account to a new address: a confirmation link goes to that address."""
    form = EmailChangeForm()
    if form.validate_on_submit():
        user = current_user.record()
        new = services.normalise_email(form.email.data)
        policy = services.PasswordPolicy.from_config(current_app.config)
        # Limited before anything is looked up: the "address taken" answer cannot be farmed,
        # and nobody can flood other people's inboxes with confirmation links.
        if not get_state().limiter().hit(current_app.config["COURSE_RATELIMIT_RESET"],
                                         "email-change", user.course_user_id):
            _security("rate-limit:email-change", user.course_user_id)
            flash("Too many requests. Please wait and try again later.", "error")
            return render_template("course/accounts/change_email.html", form=form), 429
        if not verify_password(user.password_hash, form.password.data, policy.argon2):
            form.password.errors.append("That is not your current password.")
        elif new == user.email:
            form.email.errors.append("This is already your address.")
        elif services.find_user(db_session(), new) is not None:
            form.email.errors.append(services.EMAIL_TAKEN)
        else:
            token = services.email_change_token(current_app.config["SECRET_KEY"], user, new)
            hours = int(current_app.config["COURSE_EMAIL_CHANGE_HOURS"])
            _mail(new, "confirm your new email address", "course/accounts/email_change.txt",
                  user=user, hours=hours,
                  link=external_url("course.accounts.confirm_email", token=token))
            _security("email-change-requested", user.course_user_id)
            flash(f"We have sent a link to {new}. Your address changes when you follow it "
                  f"(within {hours} hours); until then, use {user.email}.", "info")
            return redirect(url_for("course.accounts.account"))
    return render_template("course/accounts/change_email.html", form=form), (
        400 if form.errors else 200)


@login_required
def confirm_email(token: str) -> Response | str | tuple[str, int]:
    """The link from the email: a page with a button (GET); the change itself (POST)."""
    hours = int(current_app.config["COURSE_EMAIL_CHANGE_HOURS"])
    change = services.read_email_change(current_app.config["SECRET_KEY"], token, hours * 3600)
    user = current_user.record()
    if change is None or change["user"] != user.id or change["old"] != user.email:
        _security("email-change-invalid-token", user.course_user_id)
        return render_template("course/accounts/email_change_invalid.html"), 404
    form = ConfirmForm()
    if form.validate_on_submit():
        try:
            old = services.change_email(db_session(), user, change)
        except services.AccountError as exc:
            db_session().rollback()
            return render_template("course/accounts/email_change_invalid.html",
                                   problem=str(exc)), 409
        db_session().commit()
        _mail(old, "your email address was changed", "course/accounts/email_changed.txt",
              user=user, old=old, new=user.email)
        _security("email-changed", user.course_user_id)
        flash(f"Your email address is now {user.email}. Use it to log in.", "success")
        return redirect(url_for("course.accounts.account"))
    if form.is_submitted():
        abort(400)
    return render_template("course/accounts/confirm_email.html", form=form, change=change)


def add_rules(bp: object) -> None:
    """The profile pages on the accounts blueprint."""
    bp.add_url_rule("/name", view_func=change_name, methods=["GET", "POST"])
    bp.add_url_rule("/email", view_func=change_email, methods=["GET", "POST"])
    bp.add_url_rule("/email/confirm/<token>", view_func=confirm_email, methods=["GET", "POST"])
