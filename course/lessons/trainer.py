"""Trainer tools for lessons: what `check` finds in the content root, and who is on which lesson."""

from __future__ import annotations

from flask import abort, current_app, render_template

from ..content.check import check_items, check_root
from ..db import session as db_session
from ..errors import ContentErrors
from ..identity import ADMIN, TRAINER, current_roles, current_user_id, role_required
from ..state import get_state
from ..trainers.scope import scope_for
from ..web import page_number
from . import services


@role_required(TRAINER)
def home() -> str:
    """The content problems page: a fresh `flask course check` of the files on disk."""
    root = get_state().content_root(current_app)
    budget = float(current_app.config["COURSE_RENDER_BUDGET_SECONDS"])
    try:
        catalog, errors = check_root(root, budget), []
    except ContentErrors as exc:
        catalog, errors = None, exc.errors
    loaded = get_state().content()
    return render_template("course/lessons/trainer_home.html", root=root, errors=errors,
                           catalog=catalog, quizzes=loaded.quizzes, items=check_items(root))


@role_required(TRAINER)
def learners(course: str) -> str:
    """Which learners are on which lesson of `course`, most recently active first, a page at a
    time (`?page=N`). Email
    addresses are shown to administrators only (organisations' managers see their own staff's
    on their dashboard): a trainer sees progress, not people's contact details."""
    loaded = get_state().content()
    info = loaded.course(course) if loaded.catalog else None
    if info is None:
        abort(404)
    total = sum(1 for x in info.lessons if not x.draft)
    # The gradebook's tenancy: no organisation's learners, and the trainer's own organisation's
    # (an administrator sees everyone).
    scope = scope_for(db_session(), current_user_id(), ADMIN in current_roles())
    page = services.learners_page(db_session(), info, page_number(), in_scope=scope.clause())
    return render_template("course/lessons/trainer_learners.html", course=info, total=total,
                           learners=page.learners, page=page,
                           show_emails=ADMIN in current_roles())
