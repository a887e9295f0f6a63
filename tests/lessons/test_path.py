"""The next-step rule, without an app: lessons in order, the module's quiz (or its retry time),
the capstone, then the completion page."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

from course.content.catalog import CourseInfo, ModuleInfo
from course.lessons.path import (
    CAPSTONE,
    COMPLETE,
    LESSON,
    QUIZ,
    CapstoneFacts,
    QuizFacts,
    left_off,
    next_step,
)
from course.lessons.progress import LessonState, course_progress
from tests.lessons.test_progress import done, lesson, viewed

T0 = datetime(2026, 1, 1, tzinfo=UTC)
A, B, C, D = (lesson("one", "a"), lesson("one", "b"), lesson("two", "c"), lesson("two", "d"))
COURSE = CourseInfo("c", "C", "S", None, None, None, (
    ModuleInfo("one", "One", lessons=(A, B)), ModuleInfo("two", "Two", lessons=(C, D))))
QUIZZES = {"one": QuizFacts("Quiz one"), "two": QuizFacts("Quiz two")}


def step(states: dict, quizzes: dict | None = None, capstone: CapstoneFacts | None = None,
         **kwargs):
    progress = course_progress(COURSE, dict(states))
    return next_step(progress, QUIZZES if quizzes is None else quizzes, capstone, **kwargs)


def test_a_new_learner_starts_at_the_first_lesson() -> None:
    first = step({})
    assert (first.kind, first.lesson) == (LESSON, A)


def test_the_module_quiz_comes_after_its_lessons_not_the_next_module() -> None:
    after = step([done("a"), done("b")])
    assert (after.kind, after.module, after.title) == (QUIZ, "one", "Quiz one")
    assert not after.waiting


def test_a_quiz_that_is_cooling_down_carries_its_retry_time() -> None:
    retry = T0 + timedelta(minutes=10)
    waiting = step([done("a"), done("b")], {**QUIZZES, "one": QuizFacts("Quiz one",
                                                                          retry_at=retry)})
    assert waiting.kind == QUIZ and waiting.waiting and waiting.retry_at == retry


def test_a_passed_quiz_leads_on_and_an_exhausted_one_is_not_a_step() -> None:
    passed = {**QUIZZES, "one": QuizFacts("Quiz one", passed=True)}
    assert step([done("a"), done("b")], passed).lesson == C
    exhausted = {**QUIZZES, "one": QuizFacts("Quiz one", exhausted=True)}
    assert step([done("a"), done("b")], exhausted).lesson == C


def test_everything_done_leads_to_the_completion_page_not_lesson_one() -> None:
    everything = [done(x) for x in "abcd"]
    passed = {k: replace(v, passed=True) for k, v in QUIZZES.items()}
    assert step(everything, passed).kind == COMPLETE
    assert step(everything, passed, resume=True).kind == COMPLETE


def test_the_capstone_comes_before_the_completion_page() -> None:
    everything = [done(x) for x in "abcd"]
    passed = {k: replace(v, passed=True) for k, v in QUIZZES.items()}
    required = CapstoneFacts("Plan", required=True, status="submitted")
    assert (step(everything, passed, required).kind, step(everything, passed, required).status
            ) == (CAPSTONE, "submitted")
    assert step(everything, passed, replace(required, status="passed")).kind == COMPLETE
    optional = CapstoneFacts("Plan", required=False)
    assert step(everything, passed, optional).kind == CAPSTONE
    assert step(everything, passed, replace(optional, status="submitted")).kind == COMPLETE


def test_the_pager_counts_the_current_lesson_as_done_and_looks_forward_first() -> None:
    assert step({}, after=A).lesson == B
    assert step({}, after=B).kind == LESSON and step({}, after=B).lesson == A  # a is unfinished
    assert step([done("a")], after=B).kind == QUIZ
    # From module two, an unfinished lesson of module one comes after module two's own steps.
    later = step([done("b")], after=C)
    assert later.lesson == D
    assert step([done("b"), done("d")], after=C).module == "two"  # module two's quiz
    two_passed = {**QUIZZES, "two": QuizFacts("Quiz two", passed=True)}
    assert step([done("b"), done("d")], two_passed, after=C).lesson == A


def test_the_pager_looks_forward_only_so_a_modules_last_lesson_leads_to_its_quiz() -> None:
    assert step({}, after=A, forward=True).lesson == B
    pager = step({}, after=B, forward=True)
    assert (pager.kind, pager.module) == (QUIZ, "one")
    # "Mark complete" on the same lesson sends the learner back to the unfinished one instead.
    assert step({}, after=B).lesson == A


def test_resume_prefers_the_unfinished_lesson_being_read() -> None:
    reading = [done("a"), viewed("c", 5), viewed("b", 1)]
    assert left_off(course_progress(COURSE, dict(reading))) == C
    assert step(reading, resume=True).lesson == C
    assert step(reading).lesson == B  # without resume: the next one in order


def test_sequential_courses_never_point_into_a_locked_module() -> None:
    course = replace(COURSE, sequential=True)
    progress = course_progress(course, dict([done("a"), done("b")]))
    facts = {"one": QuizFacts("Quiz one", passed=True)}
    assert next_step(progress, facts).lesson == C
    progress = course_progress(course, {"a": LessonState(T0, T0)})
    assert next_step(progress, facts).lesson == B
