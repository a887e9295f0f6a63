"""Previews for trainers: any lesson (drafts included) and any quiz as a learner sees it,
bannered "Preview". Nothing is recorded: no progress, no attempt; a quiz preview's "Check my
answers" grades in memory against the key and stores nothing."""

from __future__ import annotations

import secrets
from typing import Any

from flask import Blueprint, abort, render_template, request

from ..content.catalog import CourseInfo
from ..content.quiz import Quiz
from ..identity import TRAINER, role_required
from ..loaded import content
from ..quizzes import responses
from ..quizzes.grading import draw, grade
from ..state import get_state
from ..web import CourseForm
from .answers import texts


class CheckForm(CourseForm):
    """The preview's "Check my answers" (a CSRF token; answers come as fields)."""


def _course(slug: str) -> CourseInfo:
    loaded = content()
    return (loaded.course(slug) if loaded.catalog else None) or abort(404)


@role_required(TRAINER)
def lesson(course: str, lesson: str) -> str:
    """A lesson as learners see it (a draft too), with the contents and the previews of the
    lessons before and after it; no progress is recorded."""
    info = _course(course)
    found = info.lesson(lesson) or abort(404)
    every = list(info.lessons)
    at = every.index(found)
    loaded = content()
    return render_template(
        "course/trainers/preview_lesson.html", course=info, lesson=found,
        module=info.module(found.module), rendered=loaded.rendered(found),
        previous=every[at - 1] if at else None,
        following=every[at + 1] if at + 1 < len(every) else None,
        quiz=loaded.quizzes.get((info.slug, found.module)))


def _types() -> Any:
    return get_state().question_types


def _parts(quiz: Quiz, seed: int) -> list[tuple[Any, Any, str | None]]:
    """The questions one attempt with this seed would show: (question, order, scenario)."""
    by_id = {q.id: q for q in quiz.questions}
    return [(by_id[s.id], s, quiz.scenarios.get(by_id[s.id].scenario or ""))
            for s in draw(quiz, seed, types=_types())]


def _quiz(course: str, module: str) -> tuple[CourseInfo, Quiz]:
    info = _course(course)
    return info, content().quizzes.get((info.slug, module)) or abort(404)


@role_required(TRAINER)
def quiz(course: str, module: str) -> str:
    """A fresh draw of the quiz's questions, as a new attempt would show them."""
    info, found = _quiz(course, module)
    seed = secrets.randbits(32)
    return _page(info, found, seed, {}, None)


@role_required(TRAINER)
def check(course: str, module: str) -> str | tuple[str, int]:
    """The same draw with the answers marked against the key (nothing is stored)."""
    info, found = _quiz(course, module)
    seed = request.form.get("seed", type=int)
    if seed is None or not 0 <= seed < 2 ** 32:
        abort(400)
    form = CheckForm()
    parts = _parts(found, seed)
    answers = responses.parse(parts, request.form, _types())
    if not form.validate_on_submit():
        return _page(info, found, seed, answers, None, expired=True), 400
    result = grade(found, [s for _, s, _ in parts], answers, _types())
    return _page(info, found, seed, answers, result)


def _page(info: CourseInfo, found: Quiz, seed: int, answers: dict[str, Any], result: Any,
          expired: bool = False) -> str:
    parts = _parts(found, seed)
    checked = None
    if result is not None:
        checked = {q.id: (*texts(_types(), q, answers.get(q.id)), result.marks[q.id])
                   for q, _, _ in parts if q.id in result.marks}
    return render_template(
        "course/trainers/preview_quiz.html", course=info, quiz=found, seed=seed, parts=parts,
        values=responses.form_values(parts, answers, _types()), field_name=responses.field_name,
        types=_types(), form=CheckForm(), result=result, checked=checked, expired=expired,
        module=info.module(found.module))


def create_blueprint() -> Blueprint:
    """The previews' routes, under /trainer/preview/courses/<course>."""
    bp = Blueprint("previews", __name__, url_prefix="/trainer/preview/courses/<course>")
    bp.add_url_rule("/lessons/<lesson>", view_func=lesson)
    bp.add_url_rule("/quizzes/<module>", view_func=quiz)
    bp.add_url_rule("/quizzes/<module>/check", view_func=check, methods=["POST"])
    return bp
