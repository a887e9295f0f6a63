"""Standalone accounts: users, passwords, log-in, roles and password reset.

Only the standalone app (or a host passing accounts=True) uses this package; in a host app the
host's Flask-Login users are used instead. Other features never import its internals: they ask
`course.identity` who the user is.
"""

from __future__ import annotations

from flask import Flask

from ..state import CourseState
from .login import setup_login

__all__ = ["init_feature", "setup_login"]


def init_feature(app: Flask, state: CourseState) -> None:
    """The plugin's own accounts (only when asked for): log-in, their pages, and closing an
    account deletes it last."""
    if not state.accounts:
        return
    from .services import delete_user
    from .views import create_blueprint

    setup_login(app)
    state.close_hooks.append(delete_user)
    state.blueprints.append(create_blueprint())
