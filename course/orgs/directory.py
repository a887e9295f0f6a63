"""The administrators' Users page inside a host application: everyone the plugin knows (the
host keeps the accounts, so the plugin lists its learners and organisations' members), with
their place in an organisation. On the standalone site the accounts' own Users page is the one."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, redirect, render_template, request
from sqlalchemy import func, or_, select, union
from werkzeug.wrappers import Response

from ..db import session as db_session
from ..identity import ADMIN, role_required
from ..lessons.models import Learner
from ..links import url_for
from ..state import get_state
from .models import MANAGER, HostLogin, Membership, Organisation

PAGE_SIZE = 50


def _like(query: str) -> str:
    literal = query.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{literal}%"


def _people(query: str):  # noqa: ANN202
    """Everyone the plugin knows: who opened the training (learners), who belongs to an
    organisation (members, invited or appointed, who may not have opened it yet) and who
    logged in through the host since the plugin was added."""
    ids = union(select(Learner.user_id.label("user_id")),
                select(Membership.user_id.label("user_id")),
                select(HostLogin.user_id.label("user_id"))).subquery()
    name = func.coalesce(Learner.display_name, Membership.name).label("name")
    email = func.coalesce(Learner.email, Membership.email).label("email")
    stmt = (select(ids.c.user_id, name, email, Learner.last_seen_at, HostLogin.last_login_at,
                   Membership.role, Membership.removed_at, Organisation.name.label("org"))
            .select_from(ids)
            .outerjoin(Learner, Learner.user_id == ids.c.user_id)
            .outerjoin(HostLogin, HostLogin.user_id == ids.c.user_id)
            .outerjoin(Membership, Membership.user_id == ids.c.user_id)
            .outerjoin(Organisation, Organisation.id == Membership.org_id))
    if query:
        pattern = _like(query)
        stmt = stmt.where(or_(func.lower(email).like(pattern, escape="\\"),
                              func.lower(name).like(pattern, escape="\\")))
    return stmt, name


def _place(row: Any) -> str | None:
    if row.org is None or row.removed_at is not None:
        return None
    return f"{'Manager' if row.role == MANAGER else 'Member'} of {row.org}"


@role_required(ADMIN)
def admin_users() -> Response | str:
    """Everyone the plugin knows, by name, 50 to a page (LIMIT and OFFSET in SQL), searchable
    by name or address, with their place in an organisation."""
    query = request.args.get("q", "").strip()[:100]
    page = max(1, request.args.get("page", 1, type=int) or 1)
    if get_state().accounts:
        return redirect(url_for("course.accounts.users", q=query or None,
                                page=page if page > 1 else None))
    stmt, name = _people(query)
    db = db_session()
    total = db.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    pages = max(1, -(-total // PAGE_SIZE))
    rows = db.execute(stmt.order_by(name, stmt.selected_columns.user_id)
                      .limit(PAGE_SIZE).offset((page - 1) * PAGE_SIZE)).all()
    people = [(row, _place(row)) for row in rows]
    return render_template("course/orgs/admin_users.html", people=people, query=query,
                           page=page, pages=pages, total=total)


def add_rules(bp: Blueprint) -> None:
    bp.add_url_rule("/orgs/admin/users", view_func=admin_users)
