"""Administrators' pages for standalone accounts: find users, change their role, disable them."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template
from flask_login import current_user
from sqlalchemy import func, or_, select
from werkzeug.wrappers import Response
from wtforms import BooleanField, SelectField
from wtforms.fields.choices import SelectChoice

from ..db import session as db_session
from ..identity import ADMIN, ROLE_LABELS, ROLES, role_required
from ..links import url_for
from ..state import get_state
from ..web import CourseForm, page_number, text_arg
from . import services
from .models import User

PAGE_SIZE = 50


class UserForm(CourseForm):
    role = SelectField("Role", choices=[SelectChoice(r, ROLE_LABELS[r]) for r in ROLES])
    active = BooleanField("Account is active (unticking logs the user out everywhere)")


def _search(query: str):  # noqa: ANN202
    stmt = select(User)
    if query:
        literal = query.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        pattern = f"%{literal}%"
        stmt = stmt.where(or_(func.lower(User.email).like(pattern, escape="\\"),
                              func.lower(User.display_name).like(pattern, escape="\\")))
    return stmt


@role_required(ADMIN)
def users() -> str:
    """Every standalone account, searchable by name or email, 50 to a page (LIMIT and OFFSET
    in SQL, in address order: the unique index on the address serves it), with its site role,
    its place in an organisation and its last log-in."""
    query = text_arg("q")
    page = page_number()
    stmt = _search(query)
    total = db_session().scalar(select(func.count()).select_from(stmt.subquery()))
    rows = db_session().scalars(stmt.order_by(User.email).limit(PAGE_SIZE)
                                .offset((page - 1) * PAGE_SIZE)).all()
    pages = max(1, -(-total // PAGE_SIZE))
    org_roles = get_state().org_roles
    places = org_roles(db_session(), [u.course_user_id for u in rows]) if org_roles else {}
    return render_template("course/accounts/users.html", users=rows, query=query, page=page,
                           pages=pages, total=total, places=places)


def _would_remove_last_admin(user: User, role: str, active: bool) -> bool:
    if user.role != ADMIN or (role == ADMIN and active):
        return False
    admins = db_session().scalar(select(func.count()).select_from(User)
                                 .where(User.role == ADMIN, User.active))
    return admins <= 1


@role_required(ADMIN)
def edit_user(user_id: int) -> Response | str | tuple[str, int]:
    """Change one account's role or disable it."""
    user = db_session().get(User, user_id) or abort(404)
    form = UserForm(obj=user)
    if form.validate_on_submit():
        if _would_remove_last_admin(user, form.role.data, form.active.data):
            form.role.errors.append("This is the last active administrator: appoint another "
                                    "one first.")
            return render_template("course/accounts/user_edit.html", form=form, user=user), 400
        changed_role = user.role != form.role.data
        user.role = form.role.data
        if user.active != form.active.data:
            services.set_active(db_session(), user, form.active.data)
        elif changed_role:
            user.rotate_session_token()  # new rights take effect on a fresh log-in
        db_session().commit()
        flash(f"Saved {user.display_name}: {ROLE_LABELS[user.role]}, "
              f"{'active' if user.active else 'disabled'}.", "success")
        if user.id == current_user.id and not user.active:
            return redirect(url_for("course.accounts.login"))
        return redirect(url_for("course.accounts.users"))
    return render_template("course/accounts/user_edit.html", form=form, user=user), (
        400 if form.errors else 200)
