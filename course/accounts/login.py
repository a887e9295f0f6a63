"""Flask-Login wiring for standalone accounts: the user loader checks the rotating token and the
session's age.

A sign-in is stamped with its time; the stamp travels in the session and in the remember-me
cookie (inside the signed user id), so both end COURSE_SESSION_MAX_HOURS after the sign-in
whatever happens in between. A session unused for COURSE_SESSION_IDLE_MINUTES ends too (a
remember-me cookie, made for idle browsers, then signs the user back in until the stamp expires).
"""

from __future__ import annotations

import hmac
from datetime import timedelta
from typing import Any

from flask import Flask, abort, session
from flask_login import LoginManager, login_user
from sqlalchemy import bindparam, select

from ..ctx import this_app, this_session
from ..db import FastSelect, utcnow
from ..db import session as db_session
from .models import AccountIdentity, User

_USERS = User.__table__
#: What a request needs of the signed-in account, read on every request with one Core select
#: (built once). Loading the ORM row instead cost about twice as much as the whole select.
_SIGNED_IN = FastSelect(
    select(_USERS.c.id, _USERS.c.email, _USERS.c.display_name, _USERS.c.role,
           _USERS.c.session_token, _USERS.c.active).where(_USERS.c.id == bindparam("id")))
SEEN = "_course_seen"  # when this session last made a request (seconds, minute resolution)


class SignedIn(AccountIdentity):
    """The signed-in account as `current_user`: its id, email, name, role, session token and
    whether it is active, as read at the start of the request. Any other column is read from
    the account's row (`record()`), loaded on first use. It cannot be changed: a view that
    changes the account changes `record()`, the ORM row, and commits that."""

    __slots__ = ("id", "email", "display_name", "role", "session_token", "active",
                 "login_stamp", "_record")

    def __init__(self, row: Any) -> None:
        set_ = object.__setattr__
        for name, value in zip(self.__slots__[:6], row, strict=True):
            set_(self, name, value)
        set_(self, "login_stamp", None)
        set_(self, "_record", None)

    def record(self) -> User:
        """The account's ORM row in this request's database session, to change it."""
        if self._record is None:
            found = db_session().get(User, self.id)
            if found is None:  # removed since the request began
                abort(403)
            found.login_stamp = self.login_stamp
            object.__setattr__(self, "_record", found)
        return self._record

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_"):
            raise AttributeError(name)
        return getattr(self.record(), name)

    def __setattr__(self, name: str, value: Any) -> None:
        if name != "login_stamp":
            raise AttributeError(f"the signed-in account is read-only here: change "
                                 f"current_user.record().{name} instead")
        object.__setattr__(self, name, value)


def _now() -> int:
    return int(utcnow().timestamp())


def sign_in(user: User, remember: bool = False) -> None:
    """Log `user` in now: a fresh stamp for the absolute lifetime, and the idle clock reset."""
    user.login_stamp = _now()
    session[SEEN] = user.login_stamp
    login_user(user, remember=remember)


def _fresh_enough(stamp: str) -> bool:
    """The sign-in is younger than the absolute lifetime and the session not idle too long."""
    config, now, session = this_app().config, _now(), this_session()
    if not stamp.isdigit() or now - int(stamp) > int(config["COURSE_SESSION_MAX_HOURS"]) * 3600:
        return False
    seen = session.get(SEEN)
    if isinstance(seen, int) and now - seen > int(config["COURSE_SESSION_IDLE_MINUTES"]) * 60:
        # The session's sign-in ends here; a remember-me cookie may still sign the user back in.
        session.pop(SEEN, None)
        session.pop("_user_id", None)
        return False
    if not isinstance(seen, int) or now - seen >= 60:
        session[SEEN] = now
    return True


def load_user(user_id: str) -> SignedIn | None:
    """Load the user named by a session or remember cookie, if its token is still current and
    the sign-in neither too old nor idle too long."""
    ident, _, rest = user_id.partition(":")
    token, _, stamp = rest.partition(":")
    if not ident.isdigit() or not token:
        return None
    rows = _SIGNED_IN.rows({"id": int(ident)})
    if not rows:
        return None
    user = SignedIn(rows[0])
    if not user.active:
        return None
    if not hmac.compare_digest(user.session_token.encode(), token.encode()):
        return None
    if not _fresh_enough(stamp):
        return None
    user.login_stamp = int(stamp)
    return user


def setup_login(app: Flask) -> None:
    """Give `app` a LoginManager for the plugin's own accounts, unless it already has one."""
    secure = bool(app.config.get("COURSE_SECURE_COOKIES")
                  or app.config.get("SESSION_COOKIE_SECURE"))
    lifetime = min(timedelta(days=int(app.config["COURSE_REMEMBER_DAYS"])),
                   timedelta(hours=int(app.config["COURSE_SESSION_MAX_HOURS"])))
    app.config.setdefault("REMEMBER_COOKIE_DURATION", lifetime)
    app.config.setdefault("REMEMBER_COOKIE_HTTPONLY", True)
    app.config.setdefault("REMEMBER_COOKIE_SAMESITE", "Lax")
    app.config.setdefault("REMEMBER_COOKIE_SECURE", secure)
    if app.config["REMEMBER_COOKIE_SECURE"] and not app.config.get("REMEMBER_COOKIE_DOMAIN"):
        # __Host-: the browser keeps it only if Secure, Path=/ and no Domain, so no sibling
        # subdomain can plant or overwrite it.
        app.config.setdefault("REMEMBER_COOKIE_NAME", "__Host-remember_token")
        app.config["REMEMBER_COOKIE_PATH"] = "/"
    if hasattr(app, "login_manager"):
        return
    manager = LoginManager()
    manager.login_view = "course.accounts.login"
    manager.login_message = "Please log in to see that page."
    manager.login_message_category = "info"
    manager.user_loader(load_user)
    manager.init_app(app)
