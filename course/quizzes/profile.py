"""The learner's factor profile: their best score on each module's quiz (one factor each), beside
their own rating of the factor at the start of the course and at the end."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..content.catalog import CourseInfo
from ..content.quiz import Quiz
from ..content.selfassessment import END, START
from .models import FINISHED, QuizAttempt, SelfAssessmentScore


@dataclass(frozen=True)
class Rating:
    """The learner's own rating of one factor at one stage: a figure from 0 to 100 (None when
    every statement was "don't know") and how many statements it rests on (None when unknown:
    ratings given before "don't know" existed, when every statement was rated)."""

    percent: Decimal | None
    rated: int | None = None
    statements: int | None = None


@dataclass(frozen=True)
class FactorScore:
    """One factor: its quiz, the learner's best score (None before any attempt), the pass mark,
    and the learner's own ratings at the start and the end (None when not given)."""

    module: str
    title: str
    best: Decimal | None
    pass_mark: int
    start: Rating | None = None
    end: Rating | None = None

    @property
    def passed(self) -> bool:
        return self.best is not None and self.best >= self.pass_mark

    @property
    def baseline(self) -> Decimal | None:
        """The starting point's figure, if there is one."""
        return self.start.percent if self.start else None


def best_scores(attempts: Iterable[tuple[str, Decimal]]) -> dict[str, Decimal]:
    """The highest percentage per module among finished attempts (pure)."""
    best: dict[str, Decimal] = {}
    for module, percent in attempts:
        if module not in best or percent > best[module]:
            best[module] = percent
    return best


def factor_profile(db: Session, user_id: str, course: CourseInfo,
                   quizzes: dict[tuple[str, str], Quiz],
                   since: datetime | None = None) -> list[FactorScore]:
    """The learner's best score on each quiz of `course`, in module order (only attempts
    started from `since`, when given)."""
    # The highest per module, counted in SQL: one row per quiz however many attempts there are
    # (this runs after every passed quiz, in the certificate check).
    query = select(QuizAttempt.module, func.max(QuizAttempt.percent).label("percent")).where(
        QuizAttempt.user_id == user_id, QuizAttempt.course == course.slug,
        QuizAttempt.state == FINISHED, QuizAttempt.percent.is_not(None)).group_by(
        QuizAttempt.module)
    if since is not None:
        query = query.where(QuizAttempt.started_at >= since)
    rows = db.execute(query)
    best = best_scores((r.module, r.percent) for r in rows)
    rated = self_ratings(db, user_id, course.slug)
    return [FactorScore(m.slug, m.title, best.get(m.slug), quizzes[(course.slug, m.slug)].pass_mark,
                        rated[START].get(m.slug), rated[END].get(m.slug))
            for m in course.modules if (course.slug, m.slug) in quizzes]


def self_ratings(db: Session, user_id: str, course: str) -> dict[str, dict[str, Rating]]:
    """The learner's stored self-assessment, by stage ("start", "end") and module."""
    out: dict[str, dict[str, Rating]] = {START: {}, END: {}}
    rows = db.execute(select(SelfAssessmentScore).where(
        SelfAssessmentScore.user_id == user_id, SelfAssessmentScore.course == course))
    for (row,) in rows:
        out.setdefault(row.stage, {})[row.module] = Rating(row.percent, row.rated, row.statements)
    return out


def all_passed(scores: list[FactorScore]) -> bool:
    """True when the course has factor quizzes and the learner has passed every one (pure)."""
    return bool(scores) and all(s.passed for s in scores)


def stage_for(rated: dict[str, dict[str, Rating]], finished: bool) -> str | None:
    """The self-assessment the learner can give now (pure): the start until the course is
    finished (every factor quiz passed), then the end; each once."""
    if finished:
        return None if rated.get(END) else END
    return None if rated.get(START) else START


def profile_context() -> dict[str, Callable[[str], Any]]:
    """Template context: `course_factor_profile(course_slug)` for the current learner."""

    made: dict[str, list[FactorScore]] = {}  # one page shows a profile and asks what is due

    def profile(course_slug: str) -> list[FactorScore]:
        from ..db import session
        from ..identity import current_user_id
        from ..state import get_state

        if course_slug in made:
            return made[course_slug]
        user_id = current_user_id()
        content = get_state().content()
        course = content.course(course_slug)
        if user_id is None or course is None:
            return []
        made[course_slug] = factor_profile(session(), user_id, course, content.quizzes)
        return made[course_slug]

    def self_assessment_due(course_slug: str) -> str | None:
        """"start" or "end" when the learner has that self-assessment to give, else None."""
        from ..identity import current_user_id
        from ..state import get_state

        course = get_state().content().course(course_slug)
        if current_user_id() is None or course is None or course.self_assessment is None:
            return None
        scores = profile(course_slug)
        if not scores:  # no factor quizzes to read the ratings beside: ask the table
            from ..db import session

            db, user_id = session(), current_user_id()
            finished = all_passed(factor_profile(db, user_id, course,
                                                 get_state().content().quizzes))
            return stage_for(self_ratings(db, user_id, course_slug), finished)
        rated = {START: {s.module: s.start for s in scores if s.start},
                 END: {s.module: s.end for s in scores if s.end}}
        return stage_for(rated, all_passed(scores))

    def baseline_taken(course_slug: str) -> bool:
        """Kept for templates written before the end rating: no start rating is due."""
        return self_assessment_due(course_slug) != START

    return {"course_factor_profile": profile, "course_self_assessment_due": self_assessment_due,
            "course_baseline_taken": baseline_taken}
