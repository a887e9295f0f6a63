"""Full validation of a content root: structure and headers, quiz files, then every lesson
rendered (links, images, size and time budget), with every problem reported at once; and the
item check of every quiz (cues and the test-wise estimate, see `itemcheck`)."""

from __future__ import annotations

from pathlib import Path

from ..errors import ContentError, ContentErrors
from .catalog import Catalog, CourseInfo, scan_root
from .frontmatter import split_front_matter
from .handouts import FOLDER as HANDOUTS_URL
from .itemcheck import QuizReport, check_quiz
from .markdown import Rendered, RenderJob
from .practice import practice_of_course
from .qtypes import QuestionTypes
from .quizzes import load_quizzes
from .renderpool import render_with_budget

DEFAULT_BUDGET_SECONDS = 5.0


def link_targets(course: CourseInfo, from_handout: bool = False) -> dict[str, str]:
    """Files a page may link to (relative to the course folder) -> their URL relative to the
    page: a lesson's is `lessons/<slug>`, a template's `templates/<slug>`, side by side."""
    if from_handout:
        targets = {x.rel: f"../lessons/{x.slug}" for x in course.lessons}
        targets.update({h.rel: h.slug for h in course.handouts})
    else:
        targets = {x.rel: x.slug for x in course.lessons}
        targets.update({h.rel: f"../{HANDOUTS_URL}/{h.slug}" for h in course.handouts})
    return targets


def render_jobs(course: CourseInfo) -> list[RenderJob]:
    """One render job per lesson of `course`, with the course's link targets."""
    lessons = link_targets(course)
    return [RenderJob(x.path, x.rel, x.body, x.body_line, lessons, course.assets)
            for x in course.lessons]


def handout_jobs(course: CourseInfo) -> list[RenderJob]:
    """One render job per downloadable template, its links resolved from its own page."""
    targets = link_targets(course, from_handout=True)
    return [RenderJob(h.path, h.rel, h.body, h.body_line, targets, course.assets)
            for h in course.handouts]


def brief_jobs(course: CourseInfo) -> list[RenderJob]:
    """The capstone brief's render job (none when the course has no capstone); its links
    resolve like a lesson's, from the brief's place in the course folder."""
    capstone = course.capstone
    if capstone is None:
        return []
    lessons = {lesson.rel: lesson.slug for lesson in course.lessons}
    return [RenderJob(capstone.brief_path, capstone.brief_rel, capstone.brief, 1, lessons,
                      course.assets)]


def rejected_jobs(root: Path, catalog: Catalog,
                  errors: list[ContentError]) -> list[RenderJob]:
    """Render jobs for the lesson files left out of the catalogue for problems in their header,
    so that their text is checked in the same pass: an unknown header key must not hide a
    broken link further down the same file."""
    with_problems = {e.file for e in errors if e.file.endswith(".md")}
    jobs = []
    for course in catalog.courses:
        prefix = f"lessons/{course.slug}/"
        loaded = {lesson.path for lesson in course.lessons}
        targets = link_targets(course)
        for file in sorted(f for f in with_problems - loaded if f.startswith(prefix)):
            try:
                _, body, body_line = split_front_matter(
                    (root / file).read_text(encoding="utf-8"), file)
            except (OSError, UnicodeDecodeError, ContentError):
                continue  # its problem is the file itself, reported already
            jobs.append(RenderJob(file, file[len(prefix):], body, body_line, targets,
                                  course.assets))
    return jobs


def problems_of(job: RenderJob, rendered: Rendered) -> list[ContentError]:
    """A render's problems as located content errors."""
    return [ContentError(job.path, line, reason) for line, reason in rendered.problems]


def check_root(root: Path, budget_seconds: float = DEFAULT_BUDGET_SECONDS,
               types: QuestionTypes | None = None) -> Catalog:
    """Load and render everything under `root`; raise ContentErrors listing every problem.
    `types`: the question types the site knows (the built-in ones by default)."""
    catalog, errors = scan_root(root)
    quizzes, quiz_errors = load_quizzes(root, catalog, types)
    errors += quiz_errors
    errors += [e for course in catalog.courses for e in practice_of_course(course, quizzes)[1]]
    jobs = rejected_jobs(root, catalog, errors)
    for course in catalog.courses:
        jobs += render_jobs(course) + brief_jobs(course) + handout_jobs(course)
    for job, rendered in zip(jobs, render_with_budget(jobs, budget_seconds), strict=True):
        errors.extend(problems_of(job, rendered))
    if errors:
        errors.sort(key=lambda e: (e.file, e.line or 0))
        raise ContentErrors(errors)
    return catalog


def check_items(root: Path, types: QuestionTypes | None = None) -> list[QuizReport]:
    """The item check of every quiz under `root` that loads (load problems are check_root's),
    each against its module's published lessons."""
    catalog, _ = scan_root(root)
    reports = []
    for (course_slug, module_slug), quiz in sorted(load_quizzes(root, catalog, types)[0].items()):
        module = catalog.get(course_slug).module(module_slug)
        lessons = [x.slug for x in module.lessons if not x.draft] if module else []
        reports.append(check_quiz(quiz, lessons))
    return reports
