"""Where a learner stands in a course, read from the lessons, the quizzes, the capstone and the
certificate, and turned into their next step (the pure rule is `lessons.path.next_step`) and a
link to it. The lesson pages, the course page, My learning and the completion page all ask here,
so "what next" is answered once."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..capstone.services import submission_for
from ..content.catalog import CourseInfo, Lesson
from ..content.quiz import Quiz
from ..db import utcnow
from ..lessons.path import (
    CAPSTONE,
    COMPLETE,
    LESSON,
    QUIZ,
    CapstoneFacts,
    NextStep,
    QuizFacts,
    next_step,
)
from ..lessons.progress import CourseProgress
from ..links import url_for
from ..orgs.models import ACTIVE_MEMBER, Assignment, Membership, Organisation
from ..quizzes.services import status
from . import services
from .models import Certificate


def quiz_facts(db: Session, user_id: str, course: CourseInfo,
               quizzes: dict[tuple[str, str], Quiz], now: datetime | None = None
               ) -> dict[str, QuizFacts]:
    """The learner's standing with each module quiz of `course` (reads only)."""
    now = now or utcnow()
    facts: dict[str, QuizFacts] = {}
    for module in course.modules:
        quiz = quizzes.get((course.slug, module.slug))
        if quiz is None:
            continue
        state = status(db, user_id, quiz, now)
        retry_at = state.next_start if (state.refusal and state.next_start
                                        and now < state.next_start) else None
        exhausted = bool(state.refusal) and retry_at is None and not state.passed
        facts[module.slug] = QuizFacts(quiz.title, state.passed, exhausted, retry_at)
    return facts


def capstone_facts(db: Session, user_id: str, course: CourseInfo) -> CapstoneFacts | None:
    """The course's capstone and the learner's submission state, if the course has one."""
    if course.capstone is None:
        return None
    submission = submission_for(db, user_id, course.slug)
    return CapstoneFacts(course.capstone.title, course.capstone.required,
                         submission.status if submission else None)


@dataclass(frozen=True)
class StepLink:
    """The next step as a page shows it: where it goes and what the button says."""

    step: NextStep
    url: str
    label: str
    certificate: Certificate | None = None
    #: The learner's standing with each module quiz (module slug -> facts), for the labels.
    quizzes: dict[str, QuizFacts] = field(default_factory=dict)

    @property
    def retry_at(self) -> datetime | None:
        return self.step.retry_at


def step_for(db: Session, user_id: str, course: CourseInfo, progress: CourseProgress,
             quizzes: dict[tuple[str, str], Quiz], *, after: Lesson | None = None,
             resume: bool = False, forward: bool = False) -> StepLink:
    """The learner's next step in `course` and its link (in a request); see
    `lessons.path.next_step` for `after`, `resume` and `forward`."""
    facts = quiz_facts(db, user_id, course, quizzes)
    step = next_step(progress, facts, capstone_facts(db, user_id, course), after=after,
                     resume=resume, forward=forward)
    certificate = services.current(db, user_id, course.slug)
    return StepLink(step, step_url(course.slug, step), step_label(step, certificate),
                    certificate, facts)


def step_url(course: str, step: NextStep) -> str:
    """The page of a step."""
    if step.kind == LESSON and step.lesson is not None:
        return url_for("course.lessons.lesson_page", course=course, lesson=step.lesson.slug)
    if step.kind == QUIZ:
        return url_for("course.quizzes.start_page", course=course, module=step.module)
    if step.kind == CAPSTONE:
        return url_for("course.capstone.page", course=course)
    return url_for("course.certificates.completion", course=course)


def step_label(step: NextStep, certificate: Certificate | None) -> str:
    """What the step's link says (a waiting quiz's time is added by the template)."""
    if step.kind == LESSON:
        return step.title
    if step.kind == QUIZ:
        return f"Take the quiz: {step.title}"
    if step.kind == CAPSTONE:
        if step.status == "submitted":
            return f"Your capstone is with the reviewer: {step.title}"
        return f"Write your capstone: {step.title}"
    if step.kind == COMPLETE and certificate is not None:
        return "See your certificate"
    return "See what is left for your certificate"


@dataclass(frozen=True)
class Due:
    """The date the learner's organisation wants the course finished by."""

    on: date
    organisation: str
    #: Past the date with no certificate yet.
    overdue: bool


def due_for(db: Session, user_id: str, course: str, certified: bool,
            today: date | None = None) -> Due | None:
    """The learner's due date for `course`, if their organisation assigned it with one."""
    row = db.execute(select(Assignment.due_on, Organisation.name).join(
        Organisation, Organisation.id == Assignment.org_id).join(
        Membership, Membership.org_id == Assignment.org_id).where(
        Membership.user_id == user_id, ACTIVE_MEMBER, Assignment.course == course,
        Assignment.due_on.is_not(None))).first()
    if row is None:
        return None
    today = today or utcnow().date()
    return Due(row.due_on, row.name, not certified and row.due_on < today)
