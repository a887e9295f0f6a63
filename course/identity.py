"""Who the current user is, in a way that works with the plugin's own accounts or a host's.

The plugin never imports a host's user model: it asks hooks. A host passes them to
`CoursePlugin(...)`; the defaults read optional attributes of the Flask-Login user object
(`course_user_id`, `course_roles`, `course_display_name`, `email`) and fall back to `get_id()`
for the id and to "Learner" for the name (never the email address).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps
from typing import Any

from flask import abort, current_app
from flask_login import current_user
from flask_login.config import EXEMPT_METHODS

from .ctx import request_g, this_app, this_g, this_request
from .names import NEUTRAL_NAME, name_or_neutral, usable_name
from .state import get_state

LEARNER = "learner"
TRAINER = "trainer"
MANAGER = "manager"
ADMIN = "admin"
ROLES = (LEARNER, TRAINER, MANAGER, ADMIN)
ROLE_LABELS = {
    LEARNER: "Learner",
    TRAINER: "Trainer",
    MANAGER: "Organisation manager",
    ADMIN: "Administrator",
}


def normalise_email(email: str | None) -> str:
    """The form an address is stored and compared in: no surrounding space, lower case."""
    return (email or "").strip().lower()


def _default_user_id(user: Any) -> str | None:
    value = getattr(user, "course_user_id", None) or user.get_id()
    return None if value is None else str(value)


def _default_roles(user: Any) -> set[str]:
    return set(getattr(user, "course_roles", None) or {LEARNER})


def _default_display_name(user: Any) -> str:
    """The first usable name the user object has; never its email address or id."""
    for attr in ("course_display_name", "display_name", "name"):
        name = usable_name(str(getattr(user, attr, None) or ""))
        if name:
            return name
    return NEUTRAL_NAME


def _default_email(user: Any) -> str | None:
    return getattr(user, "email", None)


@dataclass(frozen=True)
class IdentityHooks:
    """How the plugin reads a user object: a stable id string, roles, a display name, an email."""

    user_id: Callable[[Any], str | None] = _default_user_id
    roles: Callable[[Any], set[str]] = _default_roles
    display_name: Callable[[Any], str] = _default_display_name
    email: Callable[[Any], str | None] = _default_email


_MEMO = "_course_identity"


def _hooks() -> IdentityHooks:
    return get_state().hooks


def _memo_now() -> dict[str, Any] | None:
    """What the hooks said about the signed-in user in this request (asked once each: a
    host's hook may query its database), or None for a visitor. A log-in or log-out in the
    request starts a new memo.

    The user is the one Flask-Login loaded for this request (it keeps it in `g`), else one
    look through its proxy, which loads it: the request's globals are looked up once here,
    where every proxy lookup costs about as much as the rest of the call."""
    here = request_g()
    if here is None:
        return None
    user = here.get("_login_user")
    memo = here.get(_MEMO)
    if memo is not None and user is not None and memo["user"] is user and user.is_authenticated:
        return memo  # made for this user in this request, who is still signed in
    if user is None:
        user = current_user._get_current_object()
    if user is None or not user.is_authenticated:
        return None
    if memo is None or memo["user"] is not user:
        memo = {"user": user}
        setattr(here, _MEMO, memo)
    return memo


def current_user_id() -> str | None:
    """The current user's stable id as a string, or None for an anonymous visitor."""
    memo = _memo_now()
    if memo is None:
        return None
    if "id" not in memo:
        memo["id"] = _hooks().user_id(memo["user"])
    return memo["id"]


def _roles(memo: dict[str, Any]) -> frozenset[str]:
    roles = memo.get("roles")
    if roles is None:
        asked = set(_hooks().roles(memo["user"]))
        roles = memo["roles"] = frozenset(ROLES) if ADMIN in asked else frozenset(asked)
    return roles  # type: ignore[no-any-return]


def current_roles() -> set[str]:
    """The current user's roles; administrators hold every role."""
    memo = _memo_now()
    return set() if memo is None else set(_roles(memo))


def has_role(role: str) -> bool:
    """`role in current_roles()`, without copying the roles."""
    memo = _memo_now()
    return memo is not None and role in _roles(memo)


def current_display_name() -> str | None:
    """The name to greet the current user by ("Learner" when the hook gives nothing visible
    or an email address)."""
    memo = _memo_now()
    if memo is None:
        return None
    if "name" not in memo:
        memo["name"] = name_or_neutral(str(_hooks().display_name(memo["user"]) or ""))
    return memo["name"]


def current_email() -> str | None:
    """The current user's email address, if the hooks know it."""
    memo = _memo_now()
    if memo is None:
        return None
    if "email" not in memo:
        memo["email"] = _hooks().email(memo["user"])
    return memo["email"]


def login_required(view: Callable[..., Any]) -> Callable[..., Any]:
    """Flask-Login's `login_required`, as it behaves (OPTIONS and LOGIN_DISABLED let through,
    a visitor sent to the login manager's `unauthorized`, the view run through the app's
    `ensure_sync`), reading the request's objects straight from its context: the plugin's
    views pay for no proxy look-ups here (seven a request through Flask-Login's)."""

    @wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        app = this_app()
        if this_request().method not in EXEMPT_METHODS and not app.config.get("LOGIN_DISABLED"):
            here = this_g()
            if "_login_user" not in here:  # as Flask-Login's `current_user` loads it
                app.login_manager._load_user()  # type: ignore[attr-defined]
            if not here._login_user.is_authenticated:
                return app.login_manager.unauthorized()  # type: ignore[attr-defined]
        return app.ensure_sync(view)(*args, **kwargs)

    return wrapper


def role_required(role: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """View decorator: log-in required, then 403 unless the user holds `role`."""

    def decorator(view: Callable[..., Any]) -> Callable[..., Any]:
        @wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            if not current_user.is_authenticated:
                return current_app.login_manager.unauthorized()
            if role not in current_roles():
                abort(403)
            return view(*args, **kwargs)

        return wrapper

    return decorator
