"""Trainer tools for lessons: what `check` finds in the content root, and who is on which lesson."""

from __future__ import annotations

from pathlib import Path

from flask import abort, current_app, render_template

from ..content.catalog import Catalog
from ..content.check import check_items, check_root
from ..content.itemcheck import QuizReport
from ..content_cache.library import fingerprint
from ..db import session as db_session
from ..errors import ContentError, ContentErrors
from ..identity import ADMIN, TRAINER, current_roles, current_user_id, role_required
from ..state import get_state
from ..trainers.scope import scope_for
from ..web import page_number
from . import services

#: Clean checks by content root, files and render budget: a check renders every lesson (most of
#: a second for the sample course), and the files rarely change between two views.
_CLEAN: dict[tuple[str, str, float], tuple[Catalog, list[QuizReport]]] = {}


def _check(root: Path, budget: float) -> tuple[Catalog | None, list[ContentError],
                                                list[QuizReport]]:
    """`flask course check` of the files on disk now. A clean result is kept until anything
    under the root changes (the content loader's `fingerprint`); a result with problems is
    never kept, so a slow render that timed out once is checked again."""
    key = (str(root), fingerprint(root), budget)
    kept = _CLEAN.get(key)  # one look: another thread may clear the dict meanwhile
    if kept is not None:
        return kept[0], [], kept[1]
    try:
        catalog, errors = check_root(root, budget), []
    except ContentErrors as exc:
        catalog, errors = None, exc.errors
    items = check_items(root)
    if not errors:
        if len(_CLEAN) >= 8:
            _CLEAN.clear()
        _CLEAN[key] = (catalog, items)
    return catalog, errors, items


@role_required(TRAINER)
def home() -> str:
    """The content problems page: `flask course check` of the files on disk, as they are now."""
    root = get_state().content_root(current_app)
    budget = float(current_app.config["COURSE_RENDER_BUDGET_SECONDS"])
    catalog, errors, items = _check(Path(root), budget)
    loaded = get_state().content()
    return render_template("course/lessons/trainer_home.html", root=root, errors=errors,
                           catalog=catalog, quizzes=loaded.quizzes, items=items)


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
