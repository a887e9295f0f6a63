"""The learner's path (pure): the one rule for "what comes next" in a course, used by "Continue
where you left off", the "Mark complete" redirect, the lesson pager's Next, the course page and
My learning.

In order: the next unfinished lesson; then the module's quiz once its lessons are done (with
the time a retry opens, when the learner must wait); then the capstone (when the course has one
that is required and not yet passed, or optional and not yet submitted); then the completion
page (the certificate, or what is left). A quiz the learner can no longer take (no attempts
left) is not a step: the completion page names it among what is left.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from ..content.catalog import Lesson
from .progress import CourseProgress

LESSON = "lesson"
QUIZ = "quiz"
CAPSTONE = "capstone"
COMPLETE = "complete"


@dataclass(frozen=True)
class QuizFacts:
    """Where a learner stands with one module's quiz."""

    title: str
    passed: bool = False
    #: No attempt left (or retakes closed): the quiz cannot be passed now.
    exhausted: bool = False
    #: When a retry opens, if the learner must wait for it (already in the future).
    retry_at: datetime | None = None


@dataclass(frozen=True)
class CapstoneFacts:
    """The course's capstone and where the learner's submission stands."""

    title: str
    required: bool
    #: None (not started), "draft", "submitted", "returned" or "passed".
    status: str | None = None

    @property
    def pending(self) -> bool:
        """Still a step: required and not passed, or optional and not yet submitted."""
        if self.required:
            return self.status != "passed"
        return self.status in (None, "draft", "returned")


@dataclass(frozen=True)
class NextStep:
    """What the learner does next: `kind` is LESSON, QUIZ, CAPSTONE or COMPLETE."""

    kind: str
    lesson: Lesson | None = None
    module: str | None = None
    title: str = ""
    retry_at: datetime | None = None
    #: The capstone's state, for its step's wording (submitted and waiting for review, say).
    status: str | None = None

    @property
    def waiting(self) -> bool:
        """A quiz step the learner cannot start before `retry_at`."""
        return self.kind == QUIZ and self.retry_at is not None


def left_off(progress: CourseProgress) -> Lesson | None:
    """The unfinished lesson the learner opened last, if any ("where you left off")."""
    viewed = [x for m in progress.modules if m.unlocked for x in m.lessons
              if not progress.is_done(x) and (s := progress.states.get(x.slug)) and s.viewed_at]
    return max(viewed, key=lambda x: progress.states[x.slug].viewed_at) if viewed else None


def next_step(progress: CourseProgress, quizzes: Mapping[str, QuizFacts],
              capstone: CapstoneFacts | None = None, *, after: Lesson | None = None,
              resume: bool = False, forward: bool = False) -> NextStep:
    """The learner's next step. `quizzes`: facts per module slug with a quiz. `after`: the lesson
    the learner is on (the pager and "Mark complete"): it counts as done, and the lessons after
    it come before earlier ones; with `forward` (the pager) the earlier unfinished ones of its
    module are left to the quiz's page to name, so Next after a module's last lesson is its
    quiz. `resume`: an unfinished lesson the learner was reading comes first ("Continue where
    you left off")."""
    if resume and (reading := left_off(progress)) is not None:
        return NextStep(LESSON, reading, reading.module, reading.title)
    modules = [m for m in progress.modules if m.unlocked]
    if after is not None:  # start from the learner's module and come round to earlier ones
        here = next((i for i, m in enumerate(modules) if m.module.slug == after.module), 0)
        modules = modules[here:] + modules[:here]
    here_slug = after.slug if after is not None else None
    for module in modules:
        # Lessons told apart by slug (unique in a course): comparing the dataclasses would
        # compare every field, body included, on every page view.
        slugs = [x.slug for x in module.lessons]
        todo = [(i, x) for i, x in enumerate(module.lessons)
                if x.slug != here_slug and not progress.is_done(x)]
        if here_slug in slugs:
            position = slugs.index(here_slug)
            todo.sort(key=lambda item: item[0] < position)  # later ones first
            if forward:
                todo = [item for item in todo if item[0] > position]
        if todo:
            first = todo[0][1]
            return NextStep(LESSON, first, module.module.slug, first.title)
        quiz = quizzes.get(module.module.slug)
        if quiz is not None and not quiz.passed and not quiz.exhausted:
            return NextStep(QUIZ, None, module.module.slug, quiz.title, quiz.retry_at)
    if capstone is not None and capstone.pending:
        return NextStep(CAPSTONE, title=capstone.title, status=capstone.status)
    return NextStep(COMPLETE, title=progress.course.title)
