"""Lesson progress: views, completions, the learners seen. Each takes a session and plain values,
flushes, and never commits."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache

from sqlalchemy import ColumnElement, ScalarSelect, Select, bindparam, exists, func, select, update
from sqlalchemy.orm import Session

from ..content.catalog import CourseInfo, Lesson
from ..db import FastSelect, insert_ignore, utcnow
from .models import Learner, LessonProgress
from .progress import LessonState, visible_lessons

VIEW_REFRESH = timedelta(minutes=1)  # a re-read within a minute writes nothing


# Built once, of the table's columns (no ORM entity work): this runs on every lesson page,
# and building a select costs as much as running it.
_PROGRESS = LessonProgress.__table__
_STATES = FastSelect(
    select(_PROGRESS.c.lesson, _PROGRESS.c.last_viewed_at, _PROGRESS.c.completed_at,
           _PROGRESS.c.completed_version)
    .where(_PROGRESS.c.user_id == bindparam("user_id"), _PROGRESS.c.course == bindparam("course")))


def lesson_states(db: Session, user_id: str, course: str) -> dict[str, LessonState]:
    """The learner's state for every lesson of `course` they have opened (read in `db`'s
    transaction when it has one, else as `FastSelect` reads)."""
    rows = _STATES.rows({"user_id": user_id, "course": course}, db)
    return {r.lesson: LessonState(r.last_viewed_at, r.completed_at, r.completed_version)
            for r in rows}


def touch_learner(db: Session, user_id: str, display_name: str, email: str | None) -> None:
    """Remember who this user id is, for trainers' and managers' reports."""
    now = utcnow()
    insert_ignore(db, Learner.__table__, [{"user_id": user_id, "display_name": display_name,
                                           "email": email, "first_seen_at": now,
                                           "last_seen_at": now}])
    db.execute(update(Learner).where(Learner.user_id == user_id)
               .values(display_name=display_name, email=email, last_seen_at=now))


def _ensure_row(db: Session, user_id: str, lesson: Lesson, now: datetime) -> None:
    """Create the learner's progress row for `lesson` unless another request already did."""
    insert_ignore(db, LessonProgress.__table__, [{
        "user_id": user_id, "course": lesson.course, "module": lesson.module,
        "lesson": lesson.slug, "first_viewed_at": now, "last_viewed_at": now,
        "viewed_version": lesson.content_hash}])


def record_view(db: Session, user_id: str, lesson: Lesson, state: LessonState | None) -> bool:
    """Note that the learner opened `lesson`; False when nothing needed writing."""
    now = utcnow()
    if state is not None and state.viewed_at and now - state.viewed_at < VIEW_REFRESH:
        return False
    _ensure_row(db, user_id, lesson, now)
    db.execute(update(LessonProgress)
               .where(LessonProgress.user_id == user_id, LessonProgress.course == lesson.course,
                      LessonProgress.lesson == lesson.slug)
               .values(last_viewed_at=now, viewed_version=lesson.content_hash))
    return True


def complete_lesson(db: Session, user_id: str, lesson: Lesson) -> bool:
    """Mark `lesson` complete for the learner; False if it already was (so this is idempotent)."""
    now = utcnow()
    _ensure_row(db, user_id, lesson, now)
    result = db.execute(update(LessonProgress)
                        .where(LessonProgress.user_id == user_id,
                               LessonProgress.course == lesson.course,
                               LessonProgress.lesson == lesson.slug,
                               LessonProgress.completed_at.is_(None))
                        .values(completed_at=now, completed_version=lesson.content_hash))
    return result.rowcount == 1


LEARNERS_PER_PAGE = 50


@dataclass(frozen=True)
class LearnerPage:
    """One page of a course's learners and whether pages come before and after it."""

    learners: list[dict]
    page: int
    has_next: bool

    @property
    def has_previous(self) -> bool:
        return self.page > 1


def learners_page(db: Session, course: CourseInfo, page: int = 1,
                  per_page: int = LEARNERS_PER_PAGE,
                  in_scope: ColumnElement[bool] | None = None) -> LearnerPage:
    """One page of the learners who opened `course`, most recently active first: name, lessons
    done, the lesson they were on last. Paged in SQL (the newest activity by index, one row more
    than the page to know if another follows); progress is read for this page's learners only.
    `in_scope`: a condition on `Learner` the viewer may see (organisations are tenants)."""
    page = max(1, page)
    found = list(db.execute(
        select(Learner.user_id, Learner.display_name, Learner.email)
        .where(exists().where(LessonProgress.user_id == Learner.user_id,
                              LessonProgress.course == course.slug),
               *([] if in_scope is None else [in_scope]))
        .order_by(Learner.last_seen_at.desc(), Learner.user_id.desc())  # one index, backwards
        .limit(per_page + 1).offset((page - 1) * per_page)))
    shown = found[:per_page]
    known = {x.slug for x in course.lessons}
    learners = {r.user_id: {"user_id": r.user_id, "name": r.display_name or r.user_id,
                            "email": r.email, "done": 0, "current": None, "last_seen": None}
                for r in shown}
    rows = db.execute(select(LessonProgress.user_id, LessonProgress.lesson,
                             LessonProgress.last_viewed_at, LessonProgress.completed_at)
                      .where(LessonProgress.user_id.in_(list(learners)),
                             LessonProgress.course == course.slug)) if learners else []
    for r in rows:
        entry = learners[r.user_id]
        if r.completed_at and r.lesson in known:
            entry["done"] += 1
        if entry["last_seen"] is None or r.last_viewed_at >= entry["last_seen"]:
            entry["last_seen"] = r.last_viewed_at
            entry["current"] = course.lesson(r.lesson)
    return LearnerPage(list(learners.values()), page, len(found) > per_page)


def courses_started(db: Session, user_id: str) -> list[str]:
    """Slugs of the courses the learner has opened a lesson of, most recent first."""
    rows = db.execute(select(LessonProgress.course, func.max(LessonProgress.last_viewed_at)
                             .label("seen"))
                      .where(LessonProgress.user_id == user_id)
                      .group_by(LessonProgress.course).order_by(func.max(
                          LessonProgress.last_viewed_at).desc()))
    return [r.course for r in rows]


def required_lessons(course: CourseInfo, module: str) -> list[str] | None:
    """The lessons a learner must have completed for `module`'s quiz to open: its published
    lessons, and in a sequential course those of every module before it (which unlock it);
    None when the course has no such module."""
    slugs = [m.slug for m in course.modules]
    if module not in slugs:
        return None
    needed = course.modules[:slugs.index(module) + 1] if course.sequential else (
        course.modules[slugs.index(module)],)
    return [x.slug for m in needed for x in visible_lessons(m, show_drafts=False)]


@lru_cache(maxsize=64)
def completed_among(count: int) -> ScalarSelect[int]:
    """How many of `count` given lessons (parameters lesson_0, lesson_1...) the learner
    (user_id) has completed in the course (course): one subquery per number of lessons, built
    once. Each lesson is a parameter of its own: an expanding IN list would be rendered again
    on every run, which costs more than the query."""
    lessons = [bindparam(f"lesson_{i}") for i in range(count)]
    return (select(func.count()).select_from(_PROGRESS)
            .where(_PROGRESS.c.user_id == bindparam("user_id"),
                   _PROGRESS.c.course == bindparam("course"),
                   _PROGRESS.c.completed_at.is_not(None), _PROGRESS.c.lesson.in_(lessons))
            .scalar_subquery())


@lru_cache(maxsize=64)
def _completed(count: int) -> Select[tuple[int]]:
    return select(completed_among(count))


def lesson_parameters(lessons: list[str]) -> dict[str, str]:
    """The parameters of `completed_among(len(lessons))`: the lessons themselves."""
    return {f"lesson_{i}": slug for i, slug in enumerate(lessons)}


def module_lessons_done(db: Session, user_id: str, course: CourseInfo, module: str) -> bool:
    """True when the learner has completed every published lesson of `module`, and the module
    is unlocked (its quiz opens): one count, whatever the course's size."""
    required = required_lessons(course, module)  # slugs are unique in a course
    if required is None:
        return False
    if not required:
        return True
    done = db.connection().execute(_completed(len(required)), {
        "user_id": user_id, "course": course.slug, **lesson_parameters(required)}).scalar()
    return done == len(required)


def learner_email(db: Session, user_id: str) -> str | None:
    """A learner's email address as last seen (for the email with a re-issued certificate)."""
    return db.scalar(select(Learner.email).where(Learner.user_id == user_id))
