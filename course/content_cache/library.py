"""The loaded content of an app: the catalogue plus every lesson's stored HTML.

Loaded once, on first use, and kept in memory: a page view reads HTML from here and renders no
markdown. Rendered HTML is also stored in the database under a key that hashes everything the
output depends on, so other processes (and restarts) find it ready. With COURSE_CONTENT_RELOAD on
(the default in debug mode) a changed file is picked up on the next page load.

One bad file never takes the course offline: a load with problems keeps serving the last good
version (this process's, else the one stored in the database, see `lastgood`), with the
problems in `Content.newer_problems` for trainers and administrators to see. Only when there
is no good version at all do the pages give way to the content-problems page.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import threading
from dataclasses import dataclass, field, replace
from pathlib import Path

from sqlalchemy import Engine, select
from sqlalchemy.exc import SQLAlchemyError

from ..content.capstone import RENDER_KEY, rebase
from ..content.catalog import Catalog, CourseInfo, Lesson, scan_root
from ..content.check import brief_jobs, handout_jobs, problems_of, render_jobs
from ..content.markdown import PIPELINE_VERSION, Rendered, RenderJob
from ..content.practice import PracticeBlock, practice_of_course
from ..content.qtypes import QuestionTypes
from ..content.quiz import Quiz
from ..content.quizzes import load_quizzes
from ..content.renderpool import render_with_budget
from ..db import insert_ignore, utcnow
from ..errors import ContentError
from . import lastgood
from .models import RenderedLesson

log = logging.getLogger(__name__)
HANDOUT_KEY = "template:"  # content.html keys of downloadable templates: (course, key + slug)


def render_key(job: RenderJob) -> str:
    """A key that changes whenever anything the rendered HTML depends on changes."""
    digest = hashlib.sha256(PIPELINE_VERSION.encode())
    digest.update(json.dumps([job.rel, job.body, job.body_line, sorted(job.lessons.items()),
                              sorted(job.assets)]).encode())
    return digest.hexdigest()


def fingerprint(root: Path) -> str:
    """A cheap summary of every folder and file under `root` as the loader reads them (symbolic
    links followed, each real folder once): names, modes, sizes, modification and change times,
    so that an edit, a new or removed file or folder, or a change of permissions gives a new
    one."""
    digest, seen = hashlib.sha256(), set()
    for folder, dirs, files in os.walk(root, followlinks=True):
        real = os.path.realpath(folder)
        if real in seen:  # a link back up the tree
            dirs[:] = []
            continue
        seen.add(real)
        dirs.sort()
        for name in [*dirs, *sorted(files)]:
            try:
                st = os.stat(os.path.join(folder, name))
            except OSError:  # a dangling link: its name still counts
                digest.update(f"{folder}/{name}:missing;".encode())
                continue
            digest.update(f"{folder}/{name}:{st.st_mode}:{st.st_size}:{st.st_mtime_ns}:"
                          f"{st.st_ctime_ns};".encode())
    return digest.hexdigest()


@dataclass
class Content:
    """One loaded version of the content root."""

    catalog: Catalog | None
    html: dict[tuple[str, str], Rendered] = field(default_factory=dict)
    errors: list[ContentError] = field(default_factory=list)
    quizzes: dict[tuple[str, str], Quiz] = field(default_factory=dict)
    #: (course, lesson) -> the lesson's practice blocks, their questions resolved
    practice: dict[tuple[str, str], tuple[PracticeBlock, ...]] = field(default_factory=dict)
    #: Problems of a newer version of the files, not served because of them (this content is
    #: the last good version); empty when the files on disk are what is served.
    newer_problems: list[ContentError] = field(default_factory=list)
    #: Page shells rendered from this version (course/pageshell.py), dropped with it.
    shells: dict = field(default_factory=dict, repr=False, compare=False)

    def course(self, slug: str) -> CourseInfo | None:
        return self.catalog.get(slug) if self.catalog else None

    def rendered(self, lesson: Lesson) -> Rendered:
        return self.html[(lesson.course, lesson.slug)]


class ContentLibrary:
    """Loads, renders and caches one app's content root; safe to share between threads."""

    def __init__(self, types: QuestionTypes | None = None) -> None:
        #: The question types quizzes may use (the app's own; the state sets it).
        self.types = types
        self._lock = threading.Lock()
        self._content: Content | None = None
        self._good: Content | None = None  # the last version loaded without problems
        self._fingerprint: str | None = None
        self.renders = 0  # markdown renders done by this process (tests count them)

    def loaded(self) -> Content | None:
        """The content loaded already, if any (what `get` returns without reload)."""
        return self._content

    def get(self, root: Path, engine: Engine, budget: float, reload: bool) -> Content:
        """The current content, loading it on first use or when a file changed (with reload)."""
        if self._content is not None and not reload:
            return self._content
        current = fingerprint(root) if reload else None
        with self._lock:
            if self._content is None or (reload and current != self._fingerprint):
                self._content = self._load_or_keep(root, engine, budget)
                self._fingerprint = current
            return self._content

    def _load_or_keep(self, root: Path, engine: Engine, budget: float) -> Content:
        """The files' content when it has no problems (and it becomes the last good version);
        otherwise the last good version, carrying the new problems."""
        loaded = self._load(root, engine, budget)
        if not loaded.errors:
            self._good = loaded
            try:
                lastgood.remember(engine, root)
            except (OSError, SQLAlchemyError) as exc:  # the site still serves; next load retries
                log.warning("could not keep the last good content version: %s", exc)
            return loaded
        good = self._good or self._stored_good(engine, budget)
        if good is None:
            return loaded
        log.error("serving the last good content version; the files have %d problem(s)",
                  len(loaded.errors))
        return replace(good, newer_problems=loaded.errors)

    def _stored_good(self, engine: Engine, budget: float) -> Content | None:
        """The last good version stored by any process, loaded from its own folder."""
        folder = lastgood.unpack(engine, self)
        if folder is None:
            return None
        stored = self._load(folder, engine, budget)
        if stored.errors:  # written by another version of the code: not good here
            return None
        self._good = stored
        return stored

    def _load(self, root: Path, engine: Engine, budget: float) -> Content:
        catalog, errors = scan_root(root)
        quizzes, quiz_errors = load_quizzes(root, catalog, self.types)
        content = Content(catalog, errors=list(errors) + quiz_errors, quizzes=quizzes)
        for course in catalog.courses:
            blocks, problems = practice_of_course(course, quizzes)
            content.errors += problems
            content.practice.update({(course.slug, slug): b for slug, b in blocks.items()})
        for course in catalog.courses:
            jobs = render_jobs(course)
            for job, lesson, rendered in zip(jobs, course.lessons,
                                             self._render(engine, jobs, budget), strict=True):
                content.errors.extend(problems_of(job, rendered))
                content.html[(course.slug, lesson.slug)] = rendered
            handouts = handout_jobs(course)  # downloadable templates, shown on their own pages
            for job, handout, rendered in zip(handouts, course.handouts,
                                              self._render(engine, handouts, budget)
                                              if handouts else [], strict=True):
                content.errors.extend(problems_of(job, rendered))
                content.html[(course.slug, HANDOUT_KEY + handout.slug)] = rendered
            for job in brief_jobs(course):  # the capstone's brief, linked from its own page
                rendered = self._render(engine, [job], budget)[0]
                content.errors.extend(problems_of(job, rendered))
                content.html[(course.slug, RENDER_KEY)] = Rendered(rebase(rendered.html))
        if content.errors:
            log.error("content root %s has %d problem(s)", root, len(content.errors))
        return content

    def _render(self, engine: Engine, jobs: list[RenderJob], budget: float) -> list[Rendered]:
        keys = [render_key(job) for job in jobs]
        with engine.connect() as conn:
            stored = {row.key: Rendered(row.html, row.toc) for row in conn.execute(
                select(RenderedLesson.key, RenderedLesson.html, RenderedLesson.toc)
                .where(RenderedLesson.key.in_(keys)))}
        missing = [(key, job) for key, job in zip(keys, jobs, strict=True) if key not in stored]
        if missing:
            results = render_with_budget([job for _, job in missing], budget)
            self.renders += len(missing)
            rows = []
            for (key, _job), rendered in zip(missing, results, strict=True):
                stored[key] = rendered
                if not rendered.problems:
                    rows.append({"key": key, "html": rendered.html, "toc": rendered.toc,
                                 "created_at": utcnow()})
            with engine.begin() as conn:
                insert_ignore(conn, RenderedLesson.__table__, rows)
        return [stored[key] for key in keys]
