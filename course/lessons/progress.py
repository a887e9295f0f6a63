"""Progress arithmetic (pure): what a learner has done, what is open to them, where to resume."""

from __future__ import annotations

from collections.abc import Callable, Hashable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from types import MappingProxyType
from typing import Any, NamedTuple, TypeVar

from ..content.catalog import CourseInfo, Lesson, ModuleInfo
from ..kept import KeptByObject

T = TypeVar("T")


class LessonState(NamedTuple):
    """What a learner has done with one lesson (a named tuple: made for every row of a
    learner's progress on every page)."""

    viewed_at: datetime | None = None
    completed_at: datetime | None = None
    completed_version: str | None = None


@dataclass(frozen=True)
class ModuleProgress:
    """A module's lessons as this learner sees them, and how many are done."""

    module: ModuleInfo
    lessons: tuple[Lesson, ...]
    done: int
    unlocked: bool

    @property
    def total(self) -> int:
        return len(self.lessons)

    @property
    def percent(self) -> int:
        return round(100 * self.done / self.total) if self.total else 100

    @property
    def complete(self) -> bool:
        """Every lesson of the module is done: its quiz may open."""
        return self.done == self.total


@dataclass(frozen=True)
class CourseProgress:
    """A learner's whole course: modules, totals, and the lesson to continue with."""

    course: CourseInfo
    modules: tuple[ModuleProgress, ...]
    states: Mapping[str, LessonState]
    resume: Lesson | None
    started: bool
    #: Values worked out from this progress alone (`derived`): a progress is shared by every
    #: page view with the same course and lesson states (`course_progress`), and so are they.
    _derived: dict[Hashable, Any] = field(default_factory=dict, init=False, repr=False,
                                          compare=False, hash=False)

    def derived(self, key: Hashable, make: Callable[[], T]) -> T:
        """`make()`, worked out once for this progress: `make` must read nothing but the
        progress (and the content it was made from)."""
        kept = self._derived
        if key in kept:
            return kept[key]  # type: ignore[no-any-return]
        value = kept[key] = make()
        return value

    def known(self, key: Hashable) -> Any:
        """The value kept under `key` (`derived`, `keep`), or None."""
        return self._derived.get(key)

    def keep(self, key: Hashable, value: object) -> None:
        """Keep `value`, worked out from this progress alone, under `key`."""
        self._derived[key] = value

    @property
    def done(self) -> int:
        return sum(m.done for m in self.modules)

    @property
    def total(self) -> int:
        return sum(m.total for m in self.modules)

    @property
    def percent(self) -> int:
        return round(100 * self.done / self.total) if self.total else 0

    def module_of(self, lesson: Lesson) -> ModuleProgress:
        """The module progress holding `lesson`."""
        return next(m for m in self.modules if m.module.slug == lesson.module)

    def is_done(self, lesson: Lesson) -> bool:
        state = self.states.get(lesson.slug)
        return bool(state and state.completed_at)

    def updated_since_done(self, lesson: Lesson) -> bool:
        """The lesson changed after the learner completed it."""
        state = self.states.get(lesson.slug)
        return bool(state and state.completed_at and state.completed_version
                    and state.completed_version != lesson.content_hash)


def visible_lessons(module: ModuleInfo, show_drafts: bool) -> tuple[Lesson, ...]:
    """The module's lessons a learner sees: drafts only for trainers."""
    return tuple(x for x in module.lessons if show_drafts or not x.draft)


#: Each course's modules with the lessons a learner sees, by course object and drafts shown:
#: the same for every learner of a content version (a few courses, both views).
_SEEN: KeptByObject[tuple[tuple[ModuleInfo, tuple[Lesson, ...]], ...]] = KeptByObject(16)


def _seen_lessons(course: CourseInfo, show_drafts: bool
                  ) -> tuple[tuple[ModuleInfo, tuple[Lesson, ...]], ...]:
    return _SEEN.get(course, lambda: tuple((m, visible_lessons(m, show_drafts))
                                           for m in course.modules), show_drafts)


#: Progress by course object, drafts shown and lesson states: a learner's states change only
#: when a lesson is opened for the first time in a while or completed, so most page views (and
#: every learner who has not started) find theirs here. Bounded; a full store starts again.
_KEPT: KeptByObject[CourseProgress] = KeptByObject(2048)


def course_progress(course: CourseInfo, states: Mapping[str, LessonState],
                    show_drafts: bool = False) -> CourseProgress:
    """Combine the course's structure with a learner's lesson states (kept: the same course and
    states give the same progress, whose `states` are then read-only)."""
    return _KEPT.get(course, lambda: _course_progress(
        course, MappingProxyType(dict(states)), show_drafts),
        (bool(show_drafts), tuple(states.items())))


def _course_progress(course: CourseInfo, states: Mapping[str, LessonState],
                     show_drafts: bool) -> CourseProgress:
    modules: list[ModuleProgress] = []
    previous_complete = True
    for module, lessons in _seen_lessons(course, show_drafts):
        done = sum(1 for x in lessons if (s := states.get(x.slug)) and s.completed_at) if (
            states) else 0
        unlocked = show_drafts or not course.sequential or previous_complete
        modules.append(ModuleProgress(module, lessons, done, unlocked))
        previous_complete = previous_complete and done == len(lessons)
    ordered = [x for m in modules if m.unlocked for x in m.lessons]
    return CourseProgress(course, tuple(modules), states, _resume(ordered, states),
                          any(s.viewed_at for s in states.values()))


def _resume(ordered: list[Lesson], states: Mapping[str, LessonState]) -> Lesson | None:
    """The unfinished lesson viewed last, else the first unfinished one, else the first."""
    unfinished = [x for x in ordered if not (states.get(x.slug) and
                                             states[x.slug].completed_at)]
    viewed = [x for x in unfinished if states.get(x.slug) and states[x.slug].viewed_at]
    if viewed:
        return max(viewed, key=lambda x: states[x.slug].viewed_at)
    if unfinished:
        return unfinished[0]
    return ordered[0] if ordered else None


def neighbours(progress: CourseProgress, lesson: Lesson) -> tuple[Lesson | None, Lesson | None]:
    """The previous and next lessons a learner can open."""
    return progress.derived(("neighbours", lesson.slug), lambda: _neighbours(progress, lesson))


def _neighbours(progress: CourseProgress, lesson: Lesson
                ) -> tuple[Lesson | None, Lesson | None]:
    ordered = [x for m in progress.modules if m.unlocked for x in m.lessons]
    slugs = [x.slug for x in ordered]  # by slug: comparing lessons compares every field
    if lesson.slug not in slugs:
        return None, None
    i = slugs.index(lesson.slug)
    return (ordered[i - 1] if i else None), (ordered[i + 1] if i + 1 < len(ordered) else None)
