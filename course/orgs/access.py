"""Who may see the manager's pages and which organisation they act on: `manager_view` finds
the organisation from the current user's own membership (nothing a client sends chooses it);
the menu's "manages an organisation"; the course the pages show; and an invitation link kept
for the next page only. Shared by the organisation's views modules."""

from __future__ import annotations

import time
from collections.abc import Callable
from functools import wraps
from typing import Any

from flask import abort, current_app, g, request, session
from flask_login import current_user
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from ..ctx import this_session
from ..db import session as db_session
from ..identity import current_user_id
from ..links import external_url
from ..loaded import content
from ..web import page_number
from . import services
from .models import Invitation, Organisation


def manager_view(view: Callable[..., Any]) -> Callable[..., Any]:
    """Log-in required, then the organisation the user manages in `g.org`; 403 otherwise."""

    @wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        if not current_user.is_authenticated:
            return current_app.login_manager.unauthorized()
        org = services.managed_org(db_session(), current_user_id())
        if org is None:
            abort(403)
        g.org = org
        g.course_org_id = org.id  # the security log names the organisation
        return view(*args, **kwargs)

    return wrapper


NAV_KEY = "_course_manager"
#: How long the menu trusts what it remembered: an administrator may appoint or remove a manager
#: meanwhile, and the menu follows within this time (access itself follows at once).
NAV_FRESH_SECONDS = 60


def manages_an_organisation(user_id: str) -> bool:
    """For the menu on every page: whether this user manages an organisation. Remembered in
    the session per user (a query on every page cost a third of a lesson page's time),
    forgotten when the user joins through an invitation and, on the standalone site, at
    log-in, and asked again after NAV_FRESH_SECONDS (an administrator may have appointed or
    removed them). Access itself is always checked against the database (`manager_view`)."""
    session = this_session()
    remembered, now = session.get(NAV_KEY), int(time.time())
    if (isinstance(remembered, list) and len(remembered) == 3 and remembered[0] == user_id
            and 0 <= now - int(remembered[2]) < NAV_FRESH_SECONDS):
        return bool(remembered[1])
    try:
        answer = services.managed_org(db_session(), user_id) is not None
    except DBAPIError:  # the page says the database is unavailable; the menu can wait
        db_session().rollback()
        return False
    session[NAV_KEY] = [user_id, answer, now]
    return answer


def current_org() -> Organisation:
    """The organisation the current manager manages (set by `manager_view`)."""
    return g.org


def course_and_quizzes() -> tuple[Any, list[str]]:
    """The course the dashboard shows (the one asked for, else the first assigned, else the
    first in the catalogue) and its factor quizzes' modules."""
    loaded = content()
    slugs = [c.slug for c in loaded.catalog.courses]
    wanted = request.args.get("course")
    assigned = [a.course for a in services.assignments(db_session(), current_org())]
    slug = wanted if wanted in slugs else next((s for s in assigned if s in slugs),
                                               slugs[0] if slugs else None)
    course = loaded.course(slug) if slug else None
    if course is None:
        abort(404)
    modules = [m.slug for m in course.modules if (course.slug, m.slug) in loaded.quizzes]
    return course, modules


NEW_LINK = "_course_invitation_link"  # the session key of a link shown once


def remember_link(invitation: Invitation, token: str) -> None:
    """Keep the new link for the next page only: it is shown once (only its hash is stored)."""
    session[NEW_LINK] = [invitation.id, external_url("course.orgs.accept", token=token)]


def new_link() -> tuple[int, str] | None:
    """The link remembered by `remember_link`, forgotten as it is read."""
    found = session.pop(NEW_LINK, None)
    return (int(found[0]), str(found[1])) if found else None


def invitations_page(db: Session, org: Organisation, total: int | None = None) -> dict[str, Any]:
    """One page (`?page=N`) of an organisation's open invitations, soonest to expire first, and
    how many there are (`total`, if the caller has counted them) (the members page, an
    administrator's organisation page)."""
    total = services.unanswered_count(db, org) if total is None else total
    pages = max(1, -(-total // services.INVITATIONS_PAGE))
    page = min(page_number(), pages)
    return {"invitations": services.unanswered_invitations(
        db, org, limit=services.INVITATIONS_PAGE, offset=(page - 1) * services.INVITATIONS_PAGE),
        "invitations_total": total, "page": page, "pages": pages}


def page_back() -> dict[str, int]:
    """The page of invitations an action was taken from (its form's `page`), to go back to."""
    page = request.form.get("page", type=int)
    return {"page": page} if page and 1 < page <= 10_000 else {}
