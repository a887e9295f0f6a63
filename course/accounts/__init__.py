"""Standalone accounts: users, passwords, log-in, roles and password reset.

Only the standalone app (or a host passing accounts=True) uses this package; in a host app the
host's Flask-Login users are used instead. Other features never import its internals: they ask
`course.identity` who the user is.
"""

from __future__ import annotations

from .login import setup_login

__all__ = ["setup_login"]
