"""The learner's factor profile: their best score on each module's quiz (one factor each)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..content.catalog import CourseInfo
from ..content.quiz import Quiz
from .models import FINISHED, QuizAttempt, SelfAssessmentScore


@dataclass(frozen=True)
class FactorScore:
    """One factor: its quiz, the learner's best score (None before any attempt), the pass mark."""

    module: str
    title: str
    best: Decimal | None
    pass_mark: int
    baseline: Decimal | None = None  # from the self-assessment

    @property
    def passed(self) -> bool:
        return self.best is not None and self.best >= self.pass_mark


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
    query = select(QuizAttempt.module, QuizAttempt.percent).where(
        QuizAttempt.user_id == user_id, QuizAttempt.course == course.slug,
        QuizAttempt.state == FINISHED)
    if since is not None:
        query = query.where(QuizAttempt.started_at >= since)
    rows = db.execute(query)
    best = best_scores((r.module, r.percent) for r in rows)
    base = {r.module: r.percent for r in db.execute(
        select(SelfAssessmentScore.module, SelfAssessmentScore.percent).where(
            SelfAssessmentScore.user_id == user_id, SelfAssessmentScore.course == course.slug))}
    return [FactorScore(m.slug, m.title, best.get(m.slug), quizzes[(course.slug, m.slug)].pass_mark,
                        base.get(m.slug))
            for m in course.modules if (course.slug, m.slug) in quizzes]


def profile_context() -> dict[str, Callable[[str], Any]]:
    """Template context: `course_factor_profile(course_slug)` for the current learner."""

    def profile(course_slug: str) -> list[FactorScore]:
        from ..db import session
        from ..extension import get_state
        from ..identity import current_user_id

        user_id = current_user_id()
        content = get_state().content()
        course = content.course(course_slug)
        if user_id is None or course is None:
            return []
        return factor_profile(session(), user_id, course, content.quizzes)

    def baseline_taken(course_slug: str) -> bool:
        from ..identity import current_user_id
        from .selfcheck import taken

        user_id = current_user_id()
        return bool(user_id and taken(course_slug, user_id))

    return {"course_factor_profile": profile, "course_baseline_taken": baseline_taken}
