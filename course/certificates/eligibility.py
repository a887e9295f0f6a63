"""Who may have a certificate (pure): every module's lessons done, every factor quiz passed, and
the course's optional minimum average."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import ROUND_DOWN, Decimal

from ..content.catalog import CourseInfo


@dataclass(frozen=True)
class Eligibility:
    """Whether a certificate is due, and what is still missing if not."""

    eligible: bool
    missing: list[str] = field(default_factory=list)
    scores: dict[str, Decimal] = field(default_factory=dict)  # module -> best score
    average: Decimal | None = None
    #: Who reviewed the learner's passed capstone (an organisation or the site), if it passed.
    capstone_reviewed_by: str | None = None


def check(course: CourseInfo, lessons_done: set[str], best: Mapping[str, Decimal],
          pass_marks: Mapping[str, int], capstone_reviewed_by: str | None = None) -> Eligibility:
    """`lessons_done`: completed lesson slugs; `best`: best quiz score per module with a quiz;
    `pass_marks`: the pass mark of each module's quiz; `capstone_reviewed_by`: who passed the
    learner's capstone (None: not passed), which a course that requires it needs."""
    missing: list[str] = []
    for module in course.modules:
        todo = [x.title for x in module.lessons if not x.draft and x.slug not in lessons_done]
        if todo:
            count = f"{len(todo)} lesson{'' if len(todo) == 1 else 's'}"
            missing.append(f"{module.title}: {count} to finish")
        if module.slug in pass_marks:
            score = best.get(module.slug)
            if score is None or score < pass_marks[module.slug]:
                missing.append(f"{module.title}: pass the quiz")
    scores = {m: best[m] for m in pass_marks if m in best}
    average = (sum(scores.values(), Decimal(0)) / len(scores)).quantize(
        Decimal("0.01"), ROUND_DOWN) if scores else None  # never rounded up past a minimum
    if not missing and course.certificate_min_percent is not None and (
            average is None or average < course.certificate_min_percent):
        missing.append(f"an average of {course.certificate_min_percent}% across the quizzes")
    if course.capstone is not None and course.capstone.required and not capstone_reviewed_by:
        missing.append(f"{course.capstone.title}: the capstone must pass review")
    return Eligibility(not missing, missing, scores, average, capstone_reviewed_by)
