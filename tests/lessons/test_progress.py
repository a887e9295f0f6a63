"""Progress arithmetic, without an app: gating, totals, resume, neighbours, drafts."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

from course.content.catalog import CourseInfo, Lesson, ModuleInfo
from course.lessons.progress import LessonState, course_progress, neighbours

T0 = datetime(2026, 1, 1, tzinfo=UTC)


def lesson(module: str, slug: str, draft: bool = False) -> Lesson:
    return Lesson("c", module, slug, slug.title(), "", 5, (), draft, f"{slug}.md", f"{slug}.md",
                  "body", 5, f"hash-{slug}", 100)


COURSE = CourseInfo("c", "C", "S", None, None, None, (
    ModuleInfo("one", "One", lessons=(lesson("one", "a"), lesson("one", "b"))),
    ModuleInfo("two", "Two", lessons=(lesson("two", "c"), lesson("two", "d", draft=True))),
))


def done(slug: str, minutes: int = 0) -> tuple[str, LessonState]:
    at = T0 + timedelta(minutes=minutes)
    return slug, LessonState(at, at, f"hash-{slug}")


def viewed(slug: str, minutes: int) -> tuple[str, LessonState]:
    return slug, LessonState(T0 + timedelta(minutes=minutes))


def test_new_learner_starts_at_the_first_lesson() -> None:
    p = course_progress(COURSE, {})
    assert (p.done, p.total, p.percent, p.started) == (0, 3, 0, False)
    assert p.resume.slug == "a"


def test_drafts_count_only_for_trainers() -> None:
    assert course_progress(COURSE, {}).total == 3
    assert course_progress(COURSE, {}, show_drafts=True).total == 4


def test_resume_is_the_last_viewed_unfinished_lesson() -> None:
    p = course_progress(COURSE, dict([done("a", 1), viewed("c", 5), viewed("b", 3)]))
    assert p.resume.slug == "c" and p.started
    assert (p.done, p.percent) == (1, 33)
    assert [(m.done, m.total, m.complete) for m in p.modules] == [(1, 2, False), (0, 1, False)]


def test_everything_done_resumes_at_the_start() -> None:
    p = course_progress(COURSE, dict([done("a"), done("b"), done("c")]))
    assert p.percent == 100 and p.resume.slug == "a"
    assert all(m.complete for m in p.modules)


def test_sequential_modules_open_in_order() -> None:
    sequential = replace(COURSE, sequential=True)
    p = course_progress(sequential, dict([done("a")]))
    assert [m.unlocked for m in p.modules] == [True, False]
    assert neighbours(p, COURSE.lesson("b")) == (COURSE.lesson("a"), None)
    p = course_progress(sequential, dict([done("a"), done("b")]))
    assert [m.unlocked for m in p.modules] == [True, True]
    assert neighbours(p, COURSE.lesson("b")) == (COURSE.lesson("a"), COURSE.lesson("c"))
    # trainers are never locked out
    assert all(m.unlocked for m in course_progress(sequential, {}, show_drafts=True).modules)


def test_a_lesson_edited_after_completion_is_flagged() -> None:
    p = course_progress(COURSE, {"a": LessonState(T0, T0, "old-hash")})
    assert p.is_done(COURSE.lesson("a")) and p.updated_since_done(COURSE.lesson("a"))


def test_the_same_course_and_states_give_the_same_progress_and_others_do_not() -> None:
    import pytest

    states = dict([done("a"), viewed("b", 5)])
    first = course_progress(COURSE, states)
    assert course_progress(COURSE, dict(states)) is first  # another learner, the same states
    assert course_progress(COURSE, dict([done("a"), viewed("b", 6)])) is not first
    assert course_progress(COURSE, states, show_drafts=True) is not first
    # A reloaded course (equal, but a new object) never gets the old course's progress.
    again = replace(COURSE)
    assert again == COURSE and course_progress(again, states) is not first
    assert course_progress(again, states).course is again
    # Shared, so read-only; the caller's own mapping is not the one kept.
    with pytest.raises(TypeError):
        first.states["c"] = LessonState(T0)  # type: ignore[index]
    states["b"] = LessonState(T0, T0, "hash-b")
    assert not first.is_done(COURSE.modules[0].lessons[1])


def test_values_derived_from_a_progress_are_worked_out_once() -> None:
    progress = course_progress(COURSE, dict([viewed("c", 1)]))
    calls = []
    assert progress.derived("k", lambda: calls.append(1) or "v") == "v"
    assert progress.derived("k", lambda: calls.append(1) or "w") == "v"
    assert calls == [1] and progress.known("k") == "v" and progress.known("other") is None
    progress.keep("other", 3)
    assert progress.known("other") == 3
    b = COURSE.modules[0].lessons[1]
    assert neighbours(progress, b) is neighbours(progress, b)
    assert neighbours(progress, b)[0].slug == "a"
