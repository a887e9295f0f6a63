"""The values every plugin template can use (the site, the user, their roles, the navigation),
for the plugin's context processor and for the parts of a page kept between requests."""

from __future__ import annotations

from typing import Any

from sqlalchemy.exc import DBAPIError

from .ctx import in_request, this_app
from .hostlinks import current_path, host_login_url, host_logout
from .identity import (
    ADMIN,
    ROLE_LABELS,
    TRAINER,
    current_display_name,
    current_roles,
    current_user_id,
)
from .links import external_url
from .links import url_for as course_url_for
from .state import CourseState, get_state
from .web import csrf_token


def template_context() -> dict[str, Any]:
    """Values every plugin template can use: site name, the user, their roles, the navigation."""
    app = this_app()
    state = get_state(app)
    if not in_request():
        return {"course_site_name": app.config["COURSE_SITE_NAME"]}
    roles, user_id = current_roles(), current_user_id()
    nav = [("course.lessons.catalogue", "Catalogue")]
    if user_id is not None:
        nav.append(("course.lessons.my_learning", "My learning"))
        nav.append(("course.certificates.mine", "My certificates"))
        nav.append(("course.privacy.page", "Your data"))
    if TRAINER in roles:
        nav.append(("course.lessons.trainer_home", "Trainer tools"))
    manages = state.manages_organisation
    if user_id is not None and manages is not None and manages(user_id):
        nav.append(("course.orgs.dashboard", "My organisation"))
    if ADMIN in roles:
        nav.append(("course.certificates.admin", "Certificates"))
        nav.append(("course.orgs.admin_orgs", "Organisations"))
    if ADMIN in roles:  # the plugin's accounts, or (in a host) the people it has seen
        nav.append(("course.accounts.users" if state.accounts else "course.orgs.admin_users",
                    "Users"))
    return {
        "course_site_name": app.config["COURSE_SITE_NAME"],
        "course_accounts": state.accounts,
        "course_user_id": user_id,
        "course_user_name": current_display_name(),
        "course_roles": roles,
        "course_role_labels": ROLE_LABELS,
        "course_nav": nav,
        "course_csrf_token": csrf_token,
        "course_external_url": external_url,  # links to share: the site's address, never Host
        "course_content_problems": _content_problems(roles),
        **_host_account_links(state, user_id),
        # Templates say url_for("course.…"); a renamed blueprint (COURSE_BLUEPRINT_NAME) maps it.
        **({"url_for": course_url_for} if state.blueprint_name != "course" else {}),
    }


def _host_account_links(state: CourseState, user_id: str | None) -> dict[str, Any]:
    """Mounted without the plugin's accounts: the host's log-in and log-out views."""
    if state.accounts:
        return {"course_host_login_url": None, "course_host_logout": None}
    if user_id is None:
        return {"course_host_login_url": host_login_url(current_path()),
                "course_host_logout": None}
    return {"course_host_login_url": None, "course_host_logout": host_logout()}


def _content_problems(roles: set[str]) -> list[Any]:
    """For trainers and administrators, on every page: the problems of content files that are
    not served (the site serves the last good version meanwhile)."""
    if not roles & {TRAINER, ADMIN}:
        return []
    try:
        return get_state().content().newer_problems
    except DBAPIError:  # the page says the database is unavailable
        return []
