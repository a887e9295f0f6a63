"""What the review policy lets a learner see now, and a finished attempt's questions as its
result page shows them: the learner's answer beside the right one, the feedback, the lesson that
teaches each (pure)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from ..content.catalog import CourseInfo, Lesson
from ..content.qtypes import QuestionTypes
from ..content.quiz import REVIEW_ITEMS, Question, Quiz


def review_visibility(quiz: Quiz, status: object) -> dict[str, bool]:
    """For each review item, whether it is shown, given the learner's quiz status."""
    finished = bool(getattr(status, "finished", []))
    passed = bool(getattr(status, "passed", False))
    left = getattr(status, "attempts_left", None)
    no_more = left == 0 or (passed and quiz.no_retake_after_pass)
    rules = {"never": False, "after_submit": finished, "after_pass": passed,
             "after_last_attempt": finished and no_more}
    return {item: rules[getattr(quiz.review, item)] for item in REVIEW_ITEMS}


@dataclass(frozen=True)
class ReviewItem:
    """One question of a finished attempt as its result page shows it; a part the review policy
    hides now is None."""

    number: int
    question: Question
    scenario: str | None
    answer: str | None  # the learner's answer in words; None when unanswered
    verdict: str | None  # "right", "partly", "wrong" or "unanswered"
    feedback: tuple[str, ...] | None
    correct: str | None
    lesson: Lesson | None  # the lesson that teaches it


def teaching_lesson(q: Question, course: CourseInfo, module: str) -> Lesson | None:
    """The published lesson that teaches `q`: its `lesson:` key, else the first of its tags
    that names a lesson of its module (the sample quizzes tag questions by lesson)."""
    candidates = [q.lesson] if q.lesson else []
    found = course.module(module)
    in_module = {x.slug for x in found.lessons} if found else set()
    candidates += [t for t in q.tags if t in in_module]
    for slug in candidates:
        lesson = course.lesson(slug)
        if lesson is not None and not lesson.draft:
            return lesson
    return None


def review_items(parts: list[tuple[Question, Any, str | None]], responses: Mapping[str, Any],
                 marks: Mapping[str, Any], visible: Mapping[str, bool], types: QuestionTypes,
                 course: CourseInfo, module: str) -> list[ReviewItem]:
    """Every question of a finished attempt, with what `visible` (review_visibility) allows."""
    items = []
    for number, (q, _, scenario) in enumerate(parts, start=1):
        qtype, mark = types.get(q.type), marks.get(q.id) or {}
        response = responses.get(q.id)
        answered = response not in (None, [], "")
        fraction = Decimal(str(mark.get("fraction") or 0))
        verdict = ("unanswered" if not answered else "right" if mark.get("right")
                   else "partly" if fraction > 0 else "wrong")
        items.append(ReviewItem(
            number, q, scenario, qtype.answer_text(q, response) if answered else None,
            verdict if visible.get("right_wrong") else None,
            tuple(mark.get("feedback") or ()) if visible.get("feedback") else None,
            qtype.correct_text(q) if visible.get("correct_answers") else None,
            teaching_lesson(q, course, module)))
    return items
