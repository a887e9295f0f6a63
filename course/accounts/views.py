"""Account pages: register, log in, log out, change password, forgot and reset password."""

from __future__ import annotations

import logging
import re

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
)
from flask_login import current_user, logout_user
from sqlalchemy import select
from werkzeug.wrappers import Response

from .. import signals
from ..certificates.issuing import holder_name_now, name_change_offer
from ..certificates.models import ACTIVE, Certificate
from ..db import session as db_session
from ..identity import login_required
from ..links import external_url, url_for
from ..mail import build_message, send
from ..state import get_state
from ..web import client_address, safe_next
from . import admin, profile, services
from .forms import ChangePasswordForm, ForgotForm, LoginForm, LogoutForm, RegisterForm, ResetForm
from .login import sign_in

log = logging.getLogger("course.security")
GENERIC_LOGIN_ERROR = "That email address and password do not match an account."
RESET_SENT = ("If an account uses that address, we have sent it a link to choose a new password. "
              "The link works once, for {hours} hour(s).")


def _policy() -> services.PasswordPolicy:
    return services.PasswordPolicy.from_config(current_app.config)


def _security(event: str, user_id: str | None = None) -> None:
    signals.security_event.send(current_app._get_current_object(), event=event,
                                user_id=user_id, remote_addr=client_address())


def _allowed(setting: str, scope: str, *identifiers: str) -> bool:
    if get_state().limiter().hit(current_app.config[setting], scope, *identifiers):
        return True
    _security(f"rate-limit:{scope}")
    return False


def password_hint() -> str:
    """The password rule, shown under every new-password field."""
    n = current_app.config["COURSE_PASSWORD_MIN_LENGTH"]
    return f"At least {n} characters. A short sentence you can remember works well."


def _too_many(template: str, form: object) -> tuple[str, int]:
    flash("Too many attempts. Please wait a minute and try again.", "error")
    return render_template(template, form=form), 429


def login() -> Response | str | tuple[str, int]:
    """Log in with email and password."""
    form = LoginForm()
    next_url = safe_next(request.args.get("next"))
    if current_user.is_authenticated and request.method == "GET":
        return redirect(next_url or url_for("course.lessons.catalogue"))
    if form.validate_on_submit():
        email = services.normalise_email(form.email.data)
        if not (_allowed("COURSE_RATELIMIT_LOGIN", "login-addr", client_address())
                and _allowed("COURSE_RATELIMIT_LOGIN", "login-account", email)):
            return _too_many("course/accounts/login.html", form)
        user = services.authenticate(db_session(), _policy(), email, form.password.data)
        if user is None:
            db_session().rollback()
            _security("login-failed")
            form.password.errors.append(GENERIC_LOGIN_ERROR)
            return render_template("course/accounts/login.html", form=form), 401
        db_session().commit()
        session.clear()  # a fresh session at log-in: nothing planted before survives
        sign_in(user, remember=form.remember.data)
        _security("login", user.course_user_id)
        flash(f"Welcome back, {user.display_name}.", "success")
        return redirect(next_url or url_for("course.lessons.catalogue"))
    if form.csrf_failed:
        flash("The form had expired. Please try again.", "error")
    return render_template("course/accounts/login.html", form=form)


def logout() -> Response:
    """Log out, ending this user's sessions and remember-me cookies everywhere."""
    form = LogoutForm()
    if not form.validate_on_submit():
        abort(400)
    if current_user.is_authenticated:
        user = current_user.record()
        user.rotate_session_token()
        db_session().commit()
        _security("logout", user.course_user_id)
    logout_user()
    session.clear()
    flash("You are logged out.", "success")
    return redirect(url_for("course.lessons.catalogue"))


def register() -> Response | str | tuple[str, int]:
    """Create a learner account and log in (when open registration is on)."""
    if not current_app.config["COURSE_OPEN_REGISTRATION"]:
        abort(404)
    form = RegisterForm()
    form.password.description = password_hint()
    if request.method == "GET" and request.args.get("email"):  # from an invitation link
        form.email.data = request.args["email"][:254]
    if form.validate_on_submit():
        if not (_invited(form.email.data)
                or _allowed("COURSE_RATELIMIT_REGISTER", "register", client_address())):
            return _too_many("course/accounts/register.html", form)
        try:
            user = services.create_user(db_session(), _policy(), email=form.email.data,
                                        password=form.password.data,
                                        display_name=form.display_name.data)
        except services.AccountExists:
            db_session().rollback()
            return _already_registered(form)
        except services.AccountError as exc:
            db_session().rollback()
            field = (form.display_name if isinstance(exc, services.InvalidName)
                     else form.email if "address" in str(exc) else form.password)
            field.errors.append(str(exc))
            return render_template("course/accounts/register.html", form=form), 400
        services.record_login(db_session(), user)  # they are logged in below
        db_session().commit()
        signals.user_registered.send(current_app._get_current_object(),
                                     user_id=user.course_user_id, email=user.email,
                                     by_admin=False)
        session.clear()
        sign_in(user)
        _security("register", user.course_user_id)
        return _registered(user.display_name)
    return render_template("course/accounts/register.html", form=form), (
        400 if form.errors else 200)


INVITATION_PATH = re.compile(r"/invitations/([A-Za-z0-9_-]{16,100})$")


def _invited(email: str) -> bool:
    """Registering on the way back to an open invitation sent to this address: the link's token
    proves it, so the per-address limit (an office behind one address) does not apply."""
    found = INVITATION_PATH.search(safe_next(request.args.get("next")) or "")
    check = get_state().invitation_open
    return bool(found and check and check(db_session(), found.group(1), email))


def _registered(name: str) -> Response:
    """The answer to a registration: the same whether the address was new or taken."""
    flash(f"Welcome, {' '.join(name.split())}. Your account is ready.", "success")
    return redirect(safe_next(request.args.get("next")) or url_for("course.lessons.catalogue"))


def _already_registered(form: RegisterForm) -> Response:
    """The address has an account: answer as for a new one (the page must not tell anyone
    which addresses have accounts) and tell the address's owner, with a reset link."""
    email = services.normalise_email(form.email.data)
    link = external_url("course.accounts.reset", token="__TOKEN__")
    # The owner's inbox is limited like the reset form's: repeated sign-ups with their address
    # must not flood it with reset links.
    if _allowed("COURSE_RATELIMIT_RESET", "reset-account", email):
        get_state().tasks.submit(current_app._get_current_object(), _send_reset, email, link,
                                 "course/accounts/account_exists_email.txt",
                                 "you already have an account")
    _security("register-existing")
    return _registered(form.display_name.data)


@login_required
def account() -> str:
    """The account page: who you are, your role, links to manage the account, and the
    certificates issued to a name you no longer use (to re-issue with the new one)."""
    name_now = holder_name_now()
    renamable = db_session().scalars(select(Certificate).where(
        Certificate.user_id == current_user.course_user_id, Certificate.status == ACTIVE,
        Certificate.name != name_now).order_by(Certificate.issued_at)).all()
    return render_template("course/accounts/account.html", logout_form=LogoutForm(),
                           renamable=renamable, name_now=name_now, form=LogoutForm(),
                           **name_change_offer(db_session()))


@login_required
def change_password() -> Response | str | tuple[str, int]:
    """Change the password; every other session of the user ends."""
    form = ChangePasswordForm()
    form.password.description = password_hint()
    if form.validate_on_submit():
        user = current_user.record()
        try:
            services.change_password(db_session(), _policy(), user, form.current.data,
                                     form.password.data)
        except services.AccountError as exc:
            db_session().rollback()
            target = form.current if "current" in str(exc) else form.password
            target.errors.append(str(exc))
            return render_template("course/accounts/change_password.html", form=form), 400
        db_session().commit()
        signals.password_changed.send(current_app._get_current_object(),
                                      user_id=user.course_user_id)
        _security("password-changed", user.course_user_id)
        session.clear()
        sign_in(user)  # this session goes on with the new token; all others end
        flash("Your password is changed. Other devices have been logged out.", "success")
        return redirect(url_for("course.accounts.account"))
    return render_template("course/accounts/change_password.html", form=form), (
        400 if form.errors else 200)


def _send_reset(email: str, link_template: str,
                template: str = "course/accounts/reset_email.txt",
                subject: str = "choose a new password") -> None:
    """Background: if the address has an account, create a token and email the link."""
    db = db_session()
    try:
        user = services.find_user(db, email)
        if user is None or not user.active:
            return
        hours = int(current_app.config["COURSE_RESET_TOKEN_HOURS"])
        token = services.create_reset_token(db, user, hours)
        db.commit()
        body = current_app.jinja_env.get_template(template).render(
            user=user, hours=hours, config=current_app.config,
            link=link_template.replace("__TOKEN__", token))
        site = current_app.config["COURSE_SITE_NAME"]
        send(current_app.config, build_message(current_app.config, user.email,
                                               f"{site}: {subject}", body))
    finally:
        db.close()


def forgot() -> Response | str | tuple[str, int]:
    """Ask for a reset link; the answer and its timing are the same for unknown addresses."""
    form = ForgotForm()
    if form.validate_on_submit():
        email = services.normalise_email(form.email.data)
        if not (_allowed("COURSE_RATELIMIT_RESET", "reset-addr", client_address())
                and _allowed("COURSE_RATELIMIT_RESET", "reset-account", email)):
            return _too_many("course/accounts/forgot.html", form)
        link = external_url("course.accounts.reset", token="__TOKEN__")
        get_state().tasks.submit(current_app._get_current_object(), _send_reset, email, link)
        _security("reset-requested")
        hours = current_app.config["COURSE_RESET_TOKEN_HOURS"]
        flash(RESET_SENT.format(hours=hours), "info")
        return redirect(url_for("course.accounts.login"))
    return render_template("course/accounts/forgot.html", form=form)


def reset(token: str) -> Response | str | tuple[str, int]:
    """Choose a new password with a single-use link from the email."""
    if not _allowed("COURSE_RATELIMIT_LOGIN", "reset-lookup", client_address()):
        return render_template("course/errors/429.html"), 429
    form = ResetForm()
    form.password.description = password_hint()
    if services.find_reset(db_session(), token) is None:
        _security("reset-invalid-token")
        return render_template("course/accounts/reset_invalid.html"), 404
    if form.validate_on_submit():
        try:
            user = services.reset_password(db_session(), _policy(), token, form.password.data)
        except services.AccountError as exc:
            db_session().rollback()
            form.password.errors.append(str(exc))
            return render_template("course/accounts/reset.html", form=form), 400
        db_session().commit()
        signals.password_changed.send(current_app._get_current_object(),
                                      user_id=user.course_user_id)
        _security("password-reset", user.course_user_id)
        session.clear()
        flash("Your password is changed. Log in with the new one.", "success")
        return redirect(url_for("course.accounts.login"))
    return render_template("course/accounts/reset.html", form=form), (
        400 if form.errors else 200)


def create_blueprint() -> Blueprint:
    """The `course.accounts` blueprint."""
    bp = Blueprint("accounts", __name__, url_prefix="/account")
    bp.add_url_rule("/login", view_func=login, methods=["GET", "POST"])
    bp.add_url_rule("/logout", view_func=logout, methods=["POST"])
    bp.add_url_rule("/register", view_func=register, methods=["GET", "POST"])
    bp.add_url_rule("/", view_func=account, endpoint="account")
    bp.add_url_rule("/password", view_func=change_password, methods=["GET", "POST"])
    profile.add_rules(bp)
    bp.add_url_rule("/forgot", view_func=forgot, methods=["GET", "POST"])
    bp.add_url_rule("/reset/<token>", view_func=reset, methods=["GET", "POST"])
    bp.add_url_rule("/users", view_func=admin.users, endpoint="users")
    bp.add_url_rule("/users/<course_id:user_id>", view_func=admin.edit_user, endpoint="edit_user",
                    methods=["GET", "POST"])
    return bp
