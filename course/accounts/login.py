"""Flask-Login wiring for standalone accounts: the user loader checks the rotating token."""

from __future__ import annotations

import hmac
from datetime import timedelta

from flask import Flask
from flask_login import LoginManager
from sqlalchemy import bindparam, select

from ..db import session
from .models import User

# Built once: the user is loaded on every request, and building a select costs as much as
# running it.
_BY_ID = select(User).where(User.id == bindparam("id"))


def load_user(user_id: str) -> User | None:
    """Load the user named by a session or remember cookie, if its token is still current."""
    ident, _, token = user_id.partition(":")
    if not ident.isdigit() or not token:
        return None
    user = session().execute(_BY_ID, {"id": int(ident)}).scalar_one_or_none()
    if user is None or not user.active:
        return None
    if not hmac.compare_digest(user.session_token.encode(), token.encode()):
        return None
    return user


def setup_login(app: Flask) -> None:
    """Give `app` a LoginManager for the plugin's own accounts, unless it already has one."""
    secure = bool(app.config.get("COURSE_SECURE_COOKIES"))
    app.config.setdefault("REMEMBER_COOKIE_DURATION",
                          timedelta(days=int(app.config["COURSE_REMEMBER_DAYS"])))
    app.config.setdefault("REMEMBER_COOKIE_HTTPONLY", True)
    app.config.setdefault("REMEMBER_COOKIE_SAMESITE", "Lax")
    app.config.setdefault("REMEMBER_COOKIE_SECURE", secure)
    if hasattr(app, "login_manager"):
        return
    manager = LoginManager()
    manager.login_view = "course.accounts.login"
    manager.login_message = "Please log in to see that page."
    manager.login_message_category = "info"
    manager.user_loader(load_user)
    manager.init_app(app)
