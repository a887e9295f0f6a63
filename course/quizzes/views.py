"""Quiz pages: the start page, taking an attempt (with autosave), confirming, and the result."""

from __future__ import annotations

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
)
from sqlalchemy import bindparam, select
from werkzeug.wrappers import Response

from .. import signals
from ..certificates.issuing import after_progress
from ..content.catalog import CourseInfo
from ..content.qtypes import QuestionTypes
from ..content.quiz import Quiz
from ..csvsafe import to_csv
from ..db import session as db_session
from ..identity import TRAINER, current_user_id, login_required, role_required
from ..links import url_for
from ..loaded import content
from ..ops import refuse
from ..state import get_state
from ..web import CourseForm, csrf_valid
from . import responses, services
from .models import FINISHED, QuizAttempt
from .review import review_items, review_visibility
from .statistics import MIN_SAMPLE, QuizStats, compute, from_records


class QuizForm(CourseForm):
    """Start, save, submit and confirm all post this (a CSRF token; answers come as fields)."""


def _quiz(course: str, module: str) -> tuple[CourseInfo, Quiz]:
    loaded = content()
    info = loaded.course(course) or abort(404)
    quiz = loaded.quizzes.get((course, module)) or abort(404)
    return info, quiz


def _types() -> QuestionTypes:
    """This app's question types."""
    return get_state().question_types


def _open(info: CourseInfo, quiz: Quiz) -> bool:
    gate = get_state().lessons_done
    return gate is None or gate(db_session(), current_user_id(), info, quiz.module)


# Built once: a submit reads its attempt, and a prepared select costs about half a `get`.
_BY_ID = select(QuizAttempt).where(QuizAttempt.id == bindparam("id"))


def _attempt(course: str, module: str, attempt_id: int) -> tuple[CourseInfo, Quiz, QuizAttempt]:
    info, quiz = _quiz(course, module)
    attempt = db_session().execute(_BY_ID, {"id": attempt_id}).scalar_one_or_none()
    # Another learner's attempt is "not found", never someone else's data.
    if attempt is None or attempt.user_id != current_user_id() or (
            attempt.course, attempt.module) != (course, module):
        refuse("quiz-attempt", attempt_id)
    return info, quiz, attempt


@login_required
def start_page(course: str, module: str) -> str:
    """Rules, attempts so far and left, and the button to start or continue."""
    info, quiz = _quiz(course, module)
    state = services.status(db_session(), current_user_id(), quiz)
    return render_template("course/quizzes/start.html", course=info, quiz=quiz, status=state,
                           module=info.module(module), lessons_done=_open(info, quiz),
                           form=QuizForm(), review=review_visibility(quiz, state))


@login_required
def start(course: str, module: str) -> Response:
    """Start a new attempt (or continue the open one)."""
    info, quiz = _quiz(course, module)
    if not csrf_valid():
        flash("The page had expired. Please start again.", "error")
        return redirect(url_for("course.quizzes.start_page", course=course, module=module))
    if not _open(info, quiz):
        abort(403)
    try:
        attempt_id = services.start(db_session(), current_user_id(), quiz,
                                    types=_types()).id
    except services.AttemptExpired as expired:
        flash("Time was up on your last attempt. The answers you saved before the deadline "
              "have been graded.", "info")
        return _finish(info, quiz, db_session().get(QuizAttempt, expired.attempt_id), {})
    except services.QuizRefused as exc:
        db_session().rollback()
        flash(str(exc), "error")
        return redirect(url_for("course.quizzes.start_page", course=course, module=module))
    db_session().commit()  # the id was taken before: nothing is read again after the commit
    return redirect(url_for("course.quizzes.take", course=course, module=module,
                            attempt_id=attempt_id))


@login_required
def take(course: str, module: str, attempt_id: int) -> Response | str:
    """The questions of an open attempt, with what was saved filled in."""
    info, quiz, attempt = _attempt(course, module, attempt_id)
    if attempt.state == FINISHED:
        return redirect(url_for("course.quizzes.result", course=course, module=module,
                                attempt_id=attempt.id))
    if not services.accepting(attempt):  # a page view never grades: the learner asks to
        return render_template("course/quizzes/time_up.html", course=info, quiz=quiz,
                               attempt=attempt, form=QuizForm())
    parts = services.questions_of(attempt)
    return render_template("course/quizzes/take.html", course=info, quiz=quiz, attempt=attempt,
                           parts=parts, types=_types(),
                           unanswered=set(responses.unanswered(parts, attempt.responses)),
                           values=responses.form_values(parts, attempt.responses, _types()),
                           form=QuizForm(), field_name=responses.field_name)


@login_required
def save(course: str, module: str, attempt_id: int) -> tuple[Response, int] | Response:
    """Autosave (from the page's script): store the answers so far."""
    _, _, attempt = _attempt(course, module, attempt_id)
    if not csrf_valid():
        return jsonify(saved=False, error="The page has expired; reload it."), 400
    answers = responses.parse(services.questions_of(attempt), request.form, _types())
    if not services.save(db_session(), attempt, answers):
        db_session().rollback()
        return jsonify(saved=False, error="Time is up: this attempt is closed."), 409
    db_session().commit()
    return jsonify(saved=True)


@login_required
def submit(course: str, module: str, attempt_id: int) -> Response | str:
    """Save the answers; ask to confirm if some are missing; then grade once."""
    info, quiz, attempt = _attempt(course, module, attempt_id)
    if attempt.state == FINISHED:
        return redirect(url_for("course.quizzes.result", course=course, module=module,
                                attempt_id=attempt.id))
    if not csrf_valid():
        flash("The page had expired. Your saved answers are kept; please submit again.",
              "error")
        return redirect(url_for("course.quizzes.take", course=course, module=module,
                                attempt_id=attempt.id))
    parts = services.questions_of(attempt)
    answers = responses.parse(parts, request.form, _types())
    missing = responses.unanswered(parts, {**attempt.responses, **answers})
    if missing and request.form.get("confirm") != "yes" and services.accepting(attempt):
        services.save(db_session(), attempt, answers)  # kept while the learner confirms
        db_session().commit()
        return render_template("course/quizzes/confirm.html", course=info, quiz=quiz,
                               attempt=attempt, missing=missing, form=QuizForm())
    return _finish(info, quiz, attempt, answers)


@login_required
def finish_late(course: str, module: str, attempt_id: int) -> Response:
    """An attempt whose time ran out: grade what was saved before the deadline (a POST; an
    attempt still within its time is never closed here)."""
    info, quiz, attempt = _attempt(course, module, attempt_id)
    if attempt.state != FINISHED:
        if not csrf_valid():
            flash("The page had expired. Please try again.", "error")
            return redirect(url_for("course.quizzes.take", course=course, module=module,
                                    attempt_id=attempt.id))
        if services.accepting(attempt):
            flash("This attempt still has time: submit it when you are ready.", "info")
            return redirect(url_for("course.quizzes.take", course=course, module=module,
                                    attempt_id=attempt.id))
        flash("Time was up. Your answers saved before the deadline have been graded.", "info")
        return _finish(info, quiz, attempt, {})
    return redirect(url_for("course.quizzes.result", course=course, module=module,
                            attempt_id=attempt.id))


def _finish(info: CourseInfo, quiz: Quiz, attempt: QuizAttempt, answers: dict) -> Response:
    """Grade once (the answers and the grade written in one statement), commit, then tell the
    signal's receivers; nothing is read again after the commit."""
    attempt_id, user_id = attempt.id, attempt.user_id
    result = services.finish(db_session(), attempt, answers, types=_types())
    db_session().commit()
    if result is not None:
        signals.quiz_submitted.send(current_app._get_current_object(),
                                    user_id=user_id, course=info.slug,
                                    module=quiz.module, attempt_id=attempt_id,
                                    percent=result.percent, passed=result.passed)
        after_progress(user_id, info.slug, result.passed)
    return redirect(url_for("course.quizzes.result", course=info.slug, module=quiz.module,
                            attempt_id=attempt_id))


@login_required
def result(course: str, module: str, attempt_id: int) -> Response | str:
    """A finished attempt, showing what the review policy allows."""
    info, quiz, attempt = _attempt(course, module, attempt_id)
    if attempt.state != FINISHED:
        return redirect(url_for("course.quizzes.take", course=course, module=module,
                                attempt_id=attempt.id))
    state = services.status(db_session(), current_user_id(), quiz)
    visible = review_visibility(quiz, state)
    items = review_items(services.questions_of(attempt), attempt.responses or {},
                         attempt.marks or {}, visible, _types(), info, quiz.module)
    return render_template("course/quizzes/result.html", course=info, quiz=quiz,
                           attempt=attempt, items=items, status=state, review=visible)


def _statistics(course: str, module: str) -> tuple[CourseInfo, Quiz, QuizStats, bool]:
    info, quiz = _quiz(course, module)
    first_only = request.args.get("attempts", "first") != "all"
    rows = db_session().scalars(select(QuizAttempt).where(
        QuizAttempt.course == course, QuizAttempt.module == module,
        QuizAttempt.state == FINISHED).order_by(QuizAttempt.id))
    versions, data = from_records(quiz, rows)
    return info, quiz, compute(versions, data, first_only, _types()), first_only


@role_required(TRAINER)
def statistics(course: str, module: str) -> str:
    """Per quiz and per question: attempts, facility, discrimination, choices, verdicts."""
    info, quiz, figures, first_only = _statistics(course, module)
    return render_template("course/quizzes/statistics.html", course=info, quiz=quiz,
                           stats=figures, first_only=first_only, min_sample=MIN_SAMPLE)


@role_required(TRAINER)
def statistics_csv(course: str, module: str) -> Response:
    """The question statistics as CSV (cells safe to open in a spreadsheet)."""
    _, quiz, figures, first_only = _statistics(course, module)

    def num(value: float | None) -> str:
        return "" if value is None else f"{value:.1f}"

    rows: list[list[object]] = [["question", "type", "text", "attempts", "facility %",
                                 "sd %", "discrimination", "verdict", "version", "current"]]
    for item in figures.items:
        rows.append([item.question.id, item.question.type, item.question.text, item.attempts,
                     num(item.facility), num(item.sd), num(item.discrimination),
                     "; ".join(item.verdicts), item.version or "",
                     "yes" if item.current else "no"])
    name = f"quiz-statistics-{quiz.module}-{'first' if first_only else 'all'}.csv"
    return Response(to_csv(rows), mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})


def create_blueprint() -> Blueprint:
    """The `course.quizzes` blueprint."""
    bp = Blueprint("quizzes", __name__, url_prefix="/courses/<course>/quizzes/<module>")
    bp.add_url_rule("/", view_func=start_page)
    bp.add_url_rule("/start", view_func=start, methods=["POST"])
    bp.add_url_rule("/attempts/<course_id:attempt_id>", view_func=take)
    bp.add_url_rule("/attempts/<course_id:attempt_id>/save", view_func=save, methods=["POST"])
    bp.add_url_rule("/attempts/<course_id:attempt_id>/submit", view_func=submit, methods=["POST"])
    bp.add_url_rule("/attempts/<course_id:attempt_id>/finish", view_func=finish_late,
                    methods=["POST"])
    bp.add_url_rule("/attempts/<course_id:attempt_id>/result", view_func=result)
    bp.add_url_rule("/statistics", view_func=statistics)
    bp.add_url_rule("/statistics.csv", view_func=statistics_csv)
    return bp
