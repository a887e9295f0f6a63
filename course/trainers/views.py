"""The gradebook's pages: learners by quiz with filters (and as CSV), one learner's every
attempt with the extra-attempt and reset form, and one attempt's answers as the review shows
them. Trainers only; a learner outside the trainer's scope is "not found"."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, stream_with_context
from werkzeug.wrappers import Response

from ..content.catalog import CourseInfo
from ..content.quiz import Quiz
from ..csvsafe import to_csv
from ..db import session as db_session
from ..identity import (
    ADMIN,
    TRAINER,
    current_display_name,
    current_roles,
    current_user_id,
    role_required,
)
from ..lessons.models import Learner
from ..links import url_for
from ..loaded import content
from ..quizzes import services as quiz_services
from ..quizzes.models import QuizAttempt
from ..state import get_state
from ..web import page_number, text_arg
from . import gradebook, operations
from .answers import texts
from .forms import GrantForm
from .scope import Scope, may_see, org_choices, organisation_of, scope_for


def _scope() -> Scope:
    return scope_for(db_session(), current_user_id(), ADMIN in current_roles())


def _course(slug: str) -> tuple[CourseInfo, list[tuple[Quiz, str]]]:
    """The course and its quizzes (with their modules' titles), in course order; 404 if none."""
    loaded = content()
    info = (loaded.course(slug) if loaded.catalog else None) or abort(404)
    quizzes = [(loaded.quizzes[(slug, m.slug)], m.title) for m in info.modules
               if (slug, m.slug) in loaded.quizzes]
    return info, quizzes


def _filters(scope: Scope) -> tuple[gradebook.Filters, list[tuple[str, str]]]:
    """The filters asked for, each kept only if it is one of the offered choices (an
    organisation outside the trainer's scope is ignored, never trusted)."""
    orgs = org_choices(db_session(), scope)
    org = request.args.get("org", "")
    status = request.args.get("status", "")
    return gradebook.Filters(org if org in dict(orgs) else "",
                             status if status in gradebook.STATUSES else ""), orgs


def _chosen_quiz(quizzes: list[tuple[Quiz, str]]) -> tuple[Quiz, str]:
    if not quizzes:
        abort(404)
    wanted = request.args.get("quiz")
    return next((q for q in quizzes if q[0].module == wanted), quizzes[0])


@role_required(TRAINER)
def index(course: str) -> str:
    """Learners of the course with their standing on one quiz, 50 a page, filtered."""
    info, quizzes = _course(course)
    quiz, title = _chosen_quiz(quizzes)
    scope = _scope()
    filters, orgs = _filters(scope)
    page = gradebook.gradebook_page(db_session(), scope, quiz, filters, page_number(),
                                    after=text_arg("after", 64) or None,
                                    before=text_arg("before", 64) or None,
                                    mark=text_arg("at", 32) or None)
    args = {"course": info.slug, "quiz": quiz.module, "org": filters.org or None,
            "status": filters.status or None}
    return render_template("course/trainers/gradebook.html", course=info, quiz=quiz,
                           quiz_title=title, quizzes=quizzes, filters=filters, orgs=orgs,
                           statuses=gradebook.STATUSES, page=page, args=args,
                           show_emails=ADMIN in current_roles())


@role_required(TRAINER)
def export_csv(course: str) -> Response:
    """The filtered view as CSV (every page; cells safe to open in a spreadsheet)."""
    info, quizzes = _course(course)
    quiz, title = _chosen_quiz(quizzes)
    scope = _scope()
    filters, _ = _filters(scope)
    rows = gradebook.csv_rows(db_session(), scope, quiz, filters, title,
                              with_email=ADMIN in current_roles())

    def chunks() -> Any:
        batch: list[list[object]] = []
        for row in rows:
            batch.append(row)
            if len(batch) == 500:
                yield to_csv(batch)
                batch = []
        yield to_csv(batch)

    name = f"gradebook-{info.slug}-{quiz.module}.csv"
    return Response(stream_with_context(chunks()), mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})


def _learner(user_id: str) -> tuple[str, str | None, Any]:
    """The learner's name, organisation and email, if in the trainer's scope; 404 otherwise."""
    db = db_session()
    learner = db.get(Learner, user_id)
    if learner is None or not may_see(db, _scope(), user_id):
        abort(404)
    org = organisation_of(db, user_id)
    return learner.display_name or "Learner", org[1] if org else None, learner.email


def _learner_page(info: CourseInfo, quizzes: list[tuple[Quiz, str]], user_id: str,
                  failed: tuple[str, GrantForm] | None = None) -> str:
    name, org, email = _learner(user_id)
    db = db_session()
    records = gradebook.learner_record(
        db, user_id, quizzes, lambda quiz: quiz_services.status(db, user_id, quiz))
    forms = {r.quiz.module: GrantForm(prefix=r.quiz.module, formdata=None) for r in records}
    if failed is not None:
        forms[failed[0]] = failed[1]
    return render_template("course/trainers/learner.html", course=info, user_id=user_id,
                           name=name, org=org, email=email if ADMIN in current_roles() else None,
                           records=records, forms=forms, kinds=operations.KINDS,
                           own=user_id == current_user_id(), time_taken=gradebook.time_taken)


@role_required(TRAINER)
def learner(course: str, user_id: str) -> str:
    """One learner's every attempt at every quiz of the course, and the grants on record."""
    info, quizzes = _course(course)
    return _learner_page(info, quizzes, user_id)


@role_required(TRAINER)
def grant(course: str, user_id: str, module: str) -> Response | tuple[str, int]:
    """Grant an extra attempt or reset a quiz, with a reason; the form comes back with its
    errors when something is missing."""
    info, quizzes = _course(course)
    _learner(user_id)  # 404 outside the trainer's scope
    quiz = next((q for q, _ in quizzes if q.module == module), None) or abort(404)
    if user_id == current_user_id():
        abort(403)
    form = GrantForm(prefix=module)
    if not form.validate_on_submit():
        if form.csrf_failed:
            form.reason.errors = [*form.reason.errors, "The page had expired; send it again."]
        return _learner_page(info, quizzes, user_id, (module, form)), 400
    try:
        made = operations.grant(db_session(), learner_id=user_id, course=info.slug,
                                module=quiz.module, kind=form.kind.data,
                                reason=form.reason.data, by=current_user_id(),
                                by_name=current_display_name() or "Trainer")
    except operations.GrantRefused as exc:
        db_session().rollback()
        form.reason.errors = [str(exc)]
        return _learner_page(info, quizzes, user_id, (module, form)), 400
    db_session().commit()
    flash(f"{operations.KINDS[made.kind]} recorded for {quiz.title}.", "success")
    return redirect(url_for("course.trainers.learner", course=info.slug, user_id=user_id)
                    + f"#quiz-{quiz.module}")


@role_required(TRAINER)
def attempt(course: str, attempt_id: int) -> str:
    """One attempt: every question with the learner's answer, the verdict, the feedback and
    the key (a trainer sees the whole review, whatever the learner's review policy)."""
    info, quizzes = _course(course)
    found = db_session().get(QuizAttempt, attempt_id)
    if found is None or found.course != info.slug:
        abort(404)
    name, org, _ = _learner(found.user_id)
    title = next((t for q, t in quizzes if q.module == found.module), found.module)
    types = get_state().question_types
    parts = [(q, scenario, *texts(types, q, (found.responses or {}).get(q.id)))
             for q, _, scenario in quiz_services.questions_of(found)]
    return render_template("course/trainers/attempt.html", course=info, attempt=found,
                           name=name, org=org, quiz_title=title, parts=parts,
                           marks=found.marks or {}, time_taken=gradebook.time_taken(found))


def create_blueprint() -> Blueprint:
    """The gradebook's routes, under /trainer/courses/<course>/gradebook."""
    bp = Blueprint("trainers", __name__, url_prefix="/trainer/courses/<course>")
    bp.add_url_rule("/gradebook/", view_func=index)
    bp.add_url_rule("/gradebook.csv", view_func=export_csv)
    bp.add_url_rule("/gradebook/learners/<user_id>", view_func=learner)
    bp.add_url_rule("/gradebook/learners/<user_id>/quizzes/<module>/grant", view_func=grant,
                    methods=["POST"])
    bp.add_url_rule("/gradebook/attempts/<course_id:attempt_id>", view_func=attempt)
    return bp
