"""Practice pages: answering a practice question (a form POST, or the page's script), the
learner's own review of their practice answers, and the blocks the lesson page shows.

The lesson page gets its filled blocks through `CourseState.practice_blocks` (set to
`blocks_for`), so the lessons feature never imports this one.
"""

from __future__ import annotations

from typing import Any

from flask import (
    Blueprint,
    abort,
    flash,
    get_template_attribute,
    jsonify,
    redirect,
    render_template,
    request,
)
from sqlalchemy.orm import Session
from werkzeug.wrappers import Response

from .. import pageshell
from ..content.catalog import CourseInfo, Lesson
from ..content.practice import PracticeBlock, PracticeQuestion
from ..ctx import this_request
from ..db import session as db_session
from ..identity import TRAINER, current_user_id, has_role, login_required
from ..links import url_for
from ..loaded import content
from ..state import get_state
from ..web import CourseForm, csrf_token
from . import practice
from .responses import field_name

MACROS = "course/quizzes/_practice.html"
UNANSWERED = "unanswered"  # query argument: the question posted without an answer


class PracticeForm(CourseForm):
    """A practice answer: a CSRF token; the answer comes as the question's fields."""


def blocks_for(db: Session, user_id: str, course: str, lesson: str) -> dict[int, str | bytes]:
    """The lesson's practice blocks, filled for this learner, by block number.

    A block nobody in it has answered yet looks the same for every learner who is shown the
    same option orders: it is rendered once per content version and order (with a stand-in for
    the CSRF token) and kept with the content's page shells, as the UTF-8 bytes the page is
    sent as (a block of 4 KB with one accented letter cost 10 µs to encode on every view)."""
    loaded = content()
    blocks = loaded.practice.get((course, lesson), ())
    if not blocks:
        return {}
    answers = practice.answers_by_question(db, user_id, course, lesson)
    token = csrf_token()
    token_bytes = token.encode()
    here = this_request()
    # Parsed only when there is a query string: most views have none.
    unanswered = here.args.get(UNANSWERED) if here.environ.get("QUERY_STRING") else None
    filled: dict[int, str | bytes] = {}
    for b in blocks:
        states = practice.block_states(user_id, b, answers)
        fresh = not any(s.tries for s in states) and not any(
            s.item.question.id == unanswered for s in states)
        if not fresh:
            filled[b.number] = _block_html(course, lesson, b, states, token, unanswered)
            continue
        key = ("practice", course, lesson, b.number, here.script_root,
               tuple(s.shown for s in states))
        html = pageshell.kept(pageshell.store(), key, lambda b=b, states=states: _block_html(
            course, lesson, b, states, pageshell.TOKEN, None).encode())
        filled[b.number] = html.replace(pageshell.TOKEN_BYTES, token_bytes)
    return filled


def _block_html(course: str, lesson: str, block: PracticeBlock, states: list[Any], token: str,
                unanswered: str | None) -> str:
    render = get_template_attribute(MACROS, "block")
    return str(render(course=course, lesson=lesson, block=block, token=token, states=states,
                      unanswered=unanswered, field_name=field_name))


def _find(course: str, lesson: str, question: str) -> tuple[CourseInfo, Lesson,
                                                            PracticeQuestion]:
    loaded = content()
    info = loaded.course(course) or abort(404)
    found = info.lesson(lesson)
    if found is None or (found.draft and not has_role(TRAINER)):
        abort(404)
    blocks: tuple[PracticeBlock, ...] = loaded.practice.get((course, lesson), ())
    item = next((i for b in blocks for i in b.questions if i.question.id == question), None)
    return info, found, item or abort(404)


def _unlocked(info: CourseInfo, lesson: Lesson) -> bool:
    """The lesson's module is open to this learner (as the lesson page decides)."""
    slugs = [m.slug for m in info.modules]
    index = slugs.index(lesson.module)
    gate = get_state().lessons_done
    if not info.sequential or index == 0 or has_role(TRAINER) or gate is None:
        return True
    return gate(db_session(), current_user_id(), info, slugs[index - 1])


def _question_html(course: str, lesson: str, item: PracticeQuestion, user_id: str) -> str:
    answers = practice.answers_by_question(db_session(), user_id, course, lesson)
    render = get_template_attribute(MACROS, "question")
    return str(render(course=course, lesson=lesson, token=csrf_token(),
                      state=practice.question_state(user_id, item,
                                                    answers.get(item.question.id, [])),
                      unanswered=None, field_name=field_name))


@login_required
def answer(course: str, lesson: str, question: str) -> Response | tuple[Response, int]:
    """Check one practice answer, store it for the learner's review, show the feedback."""
    info, found, item = _find(course, lesson, question)
    wants_json = request.headers.get("X-Requested-With") == "fetch"
    back = {"course": course, "lesson": lesson, "_anchor": f"practice-{question}"}
    if not PracticeForm().validate_on_submit():
        if wants_json:
            return jsonify(error="The page has expired. Reload it and answer again."), 400
        return redirect(url_for("course.lessons.lesson_page", **back))
    if not _unlocked(info, found):
        abort(403)
    user_id = current_user_id()
    if practice.in_open_attempt(db_session(), user_id, course, found.module, item):
        message = "This question is in your quiz attempt: finish the quiz first, then practise it."
        if wants_json:
            return jsonify(error=message), 409
        flash(message, "error")
        return redirect(url_for("course.lessons.lesson_page", **back))
    response = practice.read_response(user_id, item, request.form)
    if response is None:
        if wants_json:
            return jsonify(error="Choose an answer, then check it."), 422
        return redirect(url_for("course.lessons.lesson_page", **back,
                                **{UNANSWERED: question}))
    row = practice.record(db_session(), user_id, course, found.module, lesson, item, response)
    right = row.correct
    db_session().commit()
    if wants_json:
        return jsonify(right=right, html=_question_html(course, lesson, item, user_id))
    return redirect(url_for("course.lessons.lesson_page", **back))


def _describe(item: PracticeQuestion | None, response: Any) -> str:
    """A stored response in words (the options' texts)."""
    if item is None:
        return "(this question is no longer in the lesson)"
    q = item.question
    if q.type == "truefalse":
        return "True" if response is True else "False"
    picked = [response] if isinstance(response, int) else list(response or [])
    texts = [q.options[i].text for i in picked if isinstance(i, int) and 0 <= i < len(q.options)]
    return "; ".join(texts) or "(no option)"


@login_required
def review(course: str) -> str:
    """The learner's own practice answers in a course, lesson by lesson, newest first."""
    loaded = content()
    info = loaded.course(course) or abort(404)
    items = {(slug, i.question.id): i for (c, slug), blocks in loaded.practice.items()
             if c == course for b in blocks for i in b.questions}
    rows = []
    for row in reversed(practice.history(db_session(), current_user_id(), course)):
        item = items.get((row.lesson, row.question))
        lesson = info.lesson(row.lesson)
        rows.append({"lesson": lesson, "lesson_slug": row.lesson, "row": row,
                     "question": item.question.text if item else row.question,
                     "answer": _describe(item, row.response)})
    return render_template("course/quizzes/practice_review.html", course=info, rows=rows)


def create_blueprint() -> Blueprint:
    """The `course.practice` blueprint."""
    bp = Blueprint("practice", __name__, url_prefix="/courses/<course>/practice")
    bp.add_url_rule("/", view_func=review)
    bp.add_url_rule("/<lesson>/<question>", view_func=answer, methods=["POST"])
    return bp
