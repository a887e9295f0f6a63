"""The self-assessment page: rate each statement once at the start; the ratings become the
learner's baseline per factor, shown beside their quiz results."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import login_required
from sqlalchemy import select
from werkzeug.wrappers import Response

from ..content.selfassessment import SCALE, SelfAssessment
from ..db import insert_ignore, utcnow
from ..db import session as db_session
from ..identity import current_user_id
from ..loaded import content
from ..web import CourseForm
from .models import SelfAssessmentScore


class SelfCheckForm(CourseForm):
    """CSRF only: the ratings are radio groups named after the statements."""


def baselines(ratings: dict[str, int], assessment: SelfAssessment) -> dict[str, Decimal]:
    """Per module, the mean rating from 1-5 mapped to 0-100 (pure)."""
    out: dict[str, Decimal] = {}
    for module in assessment.modules():
        values = [ratings[s.id] for s in assessment.statements if s.module == module]
        mean = Decimal(sum(values)) / len(values)
        out[module] = ((mean - 1) * 25).quantize(Decimal("0.01"), ROUND_HALF_UP)
    return out


def taken(course: str, user_id: str) -> dict[str, Decimal]:
    """The learner's stored baselines for `course`, by module (empty before they answer)."""
    rows = db_session().execute(select(SelfAssessmentScore.module, SelfAssessmentScore.percent)
                                .where(SelfAssessmentScore.user_id == user_id,
                                       SelfAssessmentScore.course == course))
    return {r.module: r.percent for r in rows}


@login_required
def page(course: str) -> Response | str | tuple[str, int]:
    """Show the statements (or the learner's baseline once answered); save the first answers."""
    info = content().course(course) or abort(404)
    assessment = info.self_assessment or abort(404)
    user_id = current_user_id()
    done = taken(course, user_id)
    form = SelfCheckForm()
    missing: list[str] = []
    ratings: dict[str, int] = {}
    if not done and form.validate_on_submit():
        for s in assessment.statements:
            value = request.form.get(s.id, "")
            if value in {"1", "2", "3", "4", "5"}:
                ratings[s.id] = int(value)
            else:
                missing.append(s.id)
        if not missing:
            now = utcnow()
            insert_ignore(db_session(), SelfAssessmentScore.__table__, [
                {"user_id": user_id, "course": course, "module": module, "percent": percent,
                 "answered_at": now}
                for module, percent in baselines(ratings, assessment).items()])
            db_session().commit()
            flash("Thank you. Your answers are your starting point: you will see them beside "
                  "your quiz results.", "success")
            return redirect(url_for("course.lessons.overview", course=course))
    titles = {m.slug: m.title for m in info.modules}
    return render_template("course/quizzes/self_assessment.html", course=info,
                           assessment=assessment, form=form, done=done, titles=titles,
                           scale=SCALE, missing=missing, ratings=ratings), (
        400 if missing else 200)


def create_blueprint() -> Blueprint:
    """The `course.selfcheck` blueprint."""
    bp = Blueprint("selfcheck", __name__, url_prefix="/courses/<course>/self-assessment")
    bp.add_url_rule("/", view_func=page, methods=["GET", "POST"])
    return bp
