"""The self-assessment pages: the learner rates the same statements about what they do at the
start of the course and again once every factor quiz is passed; each rating becomes a figure
per factor, shown beside their quiz results."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request
from werkzeug.wrappers import Response

from ..content.selfassessment import DONT_KNOW, END, START, Figure, figures, read_ratings
from ..db import insert_ignore, utcnow
from ..db import session as db_session
from ..identity import current_user_id, login_required
from ..links import url_for
from ..loaded import content
from ..web import CourseForm
from .models import SelfAssessmentScore
from .profile import all_passed, factor_profile, self_ratings, stage_for

SAVED = {
    START: "Thank you. Your answers are your starting point: you will see them beside your quiz "
           "results, and you rate the same statements again at the end.",
    END: "Thank you. Your profile now shows where you started and where you stand, beside your "
         "quiz results.",
}


class SelfCheckForm(CourseForm):
    """CSRF only: the ratings are radio groups named after the statements."""


def open_stage(course: str, user_id: str) -> str | None:
    """"start" or "end" when the learner has that rating to give for `course`, else None."""
    info = content().course(course)
    if info is None or info.self_assessment is None:
        return None
    finished = all_passed(factor_profile(db_session(), user_id, info, content().quizzes))
    return stage_for(self_ratings(db_session(), user_id, course), finished)


def save(user_id: str, course: str, stage: str, result: dict[str, Figure]) -> None:
    """Store one stage's figures; a second submit of the same stage adds nothing (flushes)."""
    now = utcnow()
    insert_ignore(db_session(), SelfAssessmentScore.__table__, [
        {"user_id": user_id, "course": course, "module": module, "stage": stage,
         "percent": f.percent, "rated": f.rated, "statements": f.statements,
         "answered_at": now}
        for module, f in result.items()])
    db_session().flush()


def _rate(course: str, stage: str) -> Response | tuple[str, int]:
    info = content().course(course) or abort(404)
    assessment = info.self_assessment or abort(404)
    user_id = current_user_id()
    rated = self_ratings(db_session(), user_id, course)
    due = stage_for(rated, all_passed(factor_profile(db_session(), user_id, info,
                                                     content().quizzes)))
    form = SelfCheckForm()
    page: dict[str, Any] = {"course": info, "assessment": assessment, "form": form,
                            "stage": stage, "due": due, "rated": rated, "missing": [],
                            "ratings": {}, "titles": {m.slug: m.title for m in info.modules},
                            "dont_know": DONT_KNOW}
    status = 200
    if due != stage:
        # Answered already (a second submit changes nothing), or not open: say so, store nothing.
        status = 409 if request.method == "POST" and not rated.get(stage) else 200
    elif form.validate_on_submit():
        ratings, missing = read_ratings(request.form, assessment)
        if not missing:
            save(user_id, course, stage, figures(ratings, assessment))
            db_session().commit()
            flash(SAVED[stage], "success")
            return redirect(url_for("course.lessons.overview", course=course))
        page.update(missing=missing, ratings=ratings)
        status = 400
    return render_template("course/quizzes/self_assessment.html", **page), status


@login_required
def page(course: str) -> Response | tuple[str, int]:
    """The rating at the start (or what the learner gave, once answered)."""
    return _rate(course, START)


@login_required
def end(course: str) -> Response | tuple[str, int]:
    """The same statements at the end, open once every factor quiz is passed."""
    return _rate(course, END)


def create_blueprint() -> Blueprint:
    """The `course.selfcheck` blueprint."""
    bp = Blueprint("selfcheck", __name__, url_prefix="/courses/<course>/self-assessment")
    bp.add_url_rule("/", view_func=page, methods=["GET", "POST"])
    bp.add_url_rule("/end", view_func=end, methods=["GET", "POST"])
    return bp
