"""The administrators' Users page inside a host application: everyone the plugin knows (the
host keeps the accounts; the plugin notes each log-in through the host and each organisation
member), with their place in an organisation and their last log-in. On the standalone site
the accounts' own Users page is the one."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, redirect, render_template
from sqlalchemy import func, or_, select, true
from werkzeug.wrappers import Response

from ..db import session as db_session
from ..identity import ADMIN, role_required
from ..lessons.models import Learner
from ..links import url_for
from ..state import get_state
from ..web import page_number, text_arg
from .models import MANAGER, KnownUser, Membership, Organisation

PAGE_SIZE = 50


def _like(query: str) -> str:
    literal = query.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{literal}%"


def _matching(query: str):  # noqa: ANN202
    """The known users a search matches (everyone without one)."""
    if not query:
        return true()
    pattern = _like(query)
    return or_(func.lower(KnownUser.email).like(pattern, escape="\\"),
               func.lower(KnownUser.display_name).like(pattern, escape="\\"))


def _page(query: str, page: int) -> list[Any]:
    """One page of everyone the plugin knows (people who logged in through the host since it
    was added, organisation members, and the learners known before), by name, with when they
    last opened a lesson and their place in an organisation. The page's ids come first from
    the index on the name alone (OFFSET skips index entries, not joined rows); the rest is
    joined for those 50."""
    ids = (select(KnownUser.user_id).where(_matching(query))
           .order_by(KnownUser.display_name, KnownUser.user_id)
           .limit(PAGE_SIZE).offset((page - 1) * PAGE_SIZE).subquery())
    stmt = (select(KnownUser.user_id, KnownUser.display_name.label("name"), KnownUser.email,
                   KnownUser.last_login_at, Learner.last_seen_at, Membership.role,
                   Membership.removed_at, Organisation.name.label("org"))
            .join(ids, ids.c.user_id == KnownUser.user_id)
            .outerjoin(Learner, Learner.user_id == KnownUser.user_id)
            .outerjoin(Membership, Membership.user_id == KnownUser.user_id)
            .outerjoin(Organisation, Organisation.id == Membership.org_id)
            .order_by(KnownUser.display_name, KnownUser.user_id))
    return list(db_session().execute(stmt).all())


def _place(row: Any) -> str | None:
    if row.org is None or row.removed_at is not None:
        return None
    return f"{'Manager' if row.role == MANAGER else 'Member'} of {row.org}"


@role_required(ADMIN)
def admin_users() -> Response | str:
    """Everyone the plugin knows, by name, 50 to a page (LIMIT and OFFSET in SQL), searchable
    by name or address, with their place in an organisation."""
    query = text_arg("q")
    page = page_number()
    if get_state().accounts:
        return redirect(url_for("course.accounts.users", q=query or None,
                                page=page if page > 1 else None))
    total = db_session().scalar(select(func.count()).select_from(KnownUser)
                                .where(_matching(query))) or 0
    pages = max(1, -(-total // PAGE_SIZE))
    rows = _page(query, page)
    people = [(row, _place(row)) for row in rows]
    return render_template("course/orgs/admin_users.html", people=people, query=query,
                           page=page, pages=pages, total=total)


def add_rules(bp: Blueprint) -> None:
    bp.add_url_rule("/orgs/admin/users", view_func=admin_users)
