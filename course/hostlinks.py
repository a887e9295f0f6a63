"""Where a host's own log-in and log-out views are, for the course's header and invitation links.

Mounted in a host without the plugin's accounts, signing in and out is the host's business: the
log-in link is Flask-Login's `login_view` (a blueprint's own first, as Flask-Login picks it) with
`next` back to the page, and the log-out link is `COURSE_HOST_LOGOUT_ENDPOINT`, else the first of
a few endpoint names common hosts use. A link whose view is missing is left out, never a 500.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from flask import current_app, request, url_for
from flask_login import login_url
from werkzeug.routing import BuildError

from .web import safe_next

log = logging.getLogger(__name__)
#: Log-out endpoints of common hosts and auth extensions (a plain app, a blueprint named auth,
#: Flask-Security), tried when COURSE_HOST_LOGOUT_ENDPOINT is not set.
COMMON_LOGOUT_ENDPOINTS = ("logout", "auth.logout", "security.logout")


@dataclass(frozen=True)
class HostLink:
    """A link to one of the host's views; `post` when that view answers only POST."""

    url: str
    post: bool = False


def current_path() -> str:
    """This page as a same-site relative URL, with its query string (for `next`)."""
    query = request.query_string.decode("latin-1")
    path = request.path + (f"?{query}" if query else "")
    return safe_next(path) or "/"


def host_login_url(next_path: str | None = None) -> str | None:
    """The host's log-in page with `next` set to `next_path` (a same-site path), or None when
    the host names no login_view."""
    manager = getattr(current_app, "login_manager", None)
    if manager is None:
        return None
    view = None
    for name in request.blueprints:  # the innermost blueprint's view first, as Flask-Login does
        view = manager.blueprint_login_views.get(name)
        if view:
            break
    view = view or manager.login_view
    if not view:
        return None
    try:
        return login_url(view, next_url=safe_next(next_path))
    except BuildError:
        log.warning("login_view %r names no endpoint of this app", view)
        return None


def host_logout() -> HostLink | None:
    """The host's log-out view, or None when none is configured or found."""
    configured = current_app.config.get("COURSE_HOST_LOGOUT_ENDPOINT")
    for endpoint in (configured,) if configured else COMMON_LOGOUT_ENDPOINTS:
        try:
            rules = list(current_app.url_map.iter_rules(endpoint))
        except KeyError:
            rules = []
        if not rules:
            if configured:
                log.warning("COURSE_HOST_LOGOUT_ENDPOINT %r names no endpoint", endpoint)
            continue
        rule = next((r for r in rules if not r.arguments), None)
        if rule is None:
            continue
        return HostLink(url_for(endpoint), post="GET" not in (rule.methods or ()))
    return None
