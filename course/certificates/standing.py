"""Where a learner stands in a course, read from the lessons, the quizzes, the capstone and the
certificate, and turned into their next step (the pure rule is `lessons.path.next_step`) and a
link to it. The lesson pages, the course page, My learning and the completion page all ask here,
so "what next" is answered once."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from functools import cached_property

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


class QuizFactsReader(Mapping[str, QuizFacts]):
    """The learner's standing with each module quiz of a course, read when first asked for: the
    lesson pager usually needs none, the course page needs all of them (reads only)."""

    def __init__(self, db: Session, user_id: str, course: CourseInfo,
                 quizzes: dict[tuple[str, str], Quiz], now: datetime | None = None) -> None:
        self._db, self._user_id, self._now = db, user_id, now or utcnow()
        self._quizzes = {m.slug: q for m in course.modules
                         if (q := quizzes.get((course.slug, m.slug))) is not None}
        self._facts: dict[str, QuizFacts] = {}
        self._asked = False

    @property
    def asked(self) -> bool:
        """Whether any quiz's standing has been asked for (and so read)."""
        return bool(self._facts) or self._asked

    def __getitem__(self, module: str) -> QuizFacts:
        self._asked = True
        if module not in self._facts:
            quiz = self._quizzes[module]  # KeyError for a module without a quiz
            state = status(self._db, self._user_id, quiz, self._now)
            retry_at = state.next_start if (state.refusal and state.next_start
                                            and self._now < state.next_start) else None
            exhausted = bool(state.refusal) and retry_at is None and not state.passed
            self._facts[module] = QuizFacts(quiz.title, state.passed, exhausted, retry_at)
        return self._facts[module]

    def __iter__(self) -> Iterator[str]:
        return iter(self._quizzes)

    def __len__(self) -> int:
        return len(self._quizzes)


def quiz_facts(db: Session, user_id: str, course: CourseInfo,
               quizzes: dict[tuple[str, str], Quiz], now: datetime | None = None
               ) -> dict[str, QuizFacts]:
    """The learner's standing with each module quiz of `course` (reads only)."""
    return dict(QuizFactsReader(db, user_id, course, quizzes, now))


def capstone_facts(db: Session, user_id: str, course: CourseInfo) -> CapstoneFacts | None:
    """The course's capstone and the learner's submission state, if the course has one."""
    if course.capstone is None:
        return None
    submission = submission_for(db, user_id, course.slug)
    return CapstoneFacts(course.capstone.title, course.capstone.required,
                         submission.status if submission else None)


class StepLink:
    """The next step as a page shows it: where it goes and what the button says. The
    learner's certificate and quiz standings are read only if a page asks for them."""

    def __init__(self, step: NextStep, course: str,
                 certificate: Callable[[], Certificate | None],
                 quizzes: Mapping[str, QuizFacts]) -> None:
        self.step, self.course, self._certificate = step, course, certificate
        #: The learner's standing with each module quiz (module slug -> facts), for the labels.
        self.quizzes = quizzes

    @cached_property
    def url(self) -> str:
        """The step's page (built when first asked: a kept part that shows it needs none)."""
        return step_url(self.course, self.step)

    @cached_property
    def certificate(self) -> Certificate | None:
        return self._certificate()

    @property
    def label(self) -> str:
        return step_label(self.step, self.certificate if self.step.kind == COMPLETE else None)

    @property
    def retry_at(self) -> datetime | None:
        return self.step.retry_at


def step_for(db: Session, user_id: str, course: CourseInfo, progress: CourseProgress,
             quizzes: dict[tuple[str, str], Quiz], *, after: Lesson | None = None,
             resume: bool = False, forward: bool = False) -> StepLink:
    """The learner's next step in `course` and its link (in a request); see
    `lessons.path.next_step` for `after`, `resume` and `forward`. Reads only what the step
    depends on: a lesson step reads no quiz, capstone or certificate."""
    facts = QuizFactsReader(db, user_id, course, quizzes)
    key = ("lesson step", after.slug if after is not None else None, resume, forward)
    step = progress.known(key)
    if step is None:
        step = next_step(progress, facts, None, after=after, resume=resume, forward=forward)
        if step.kind == LESSON and not facts.asked:
            progress.keep(key, step)  # worked out from the progress alone: no quiz was asked
    if step.kind == COMPLETE and course.capstone is not None:  # the capstone comes last
        step = next_step(progress, facts, capstone_facts(db, user_id, course), after=after,
                         resume=resume, forward=forward)
    return StepLink(step, course.slug,
                    lambda: services.current(db, user_id, course.slug), facts)


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
