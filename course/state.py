"""The floor every feature stands on: `CourseState`, the one way to reach it (`get_state`), and
the typed Protocols for what features provide each other.

A feature never imports another feature to ask it something: it reads a slot here, which the
providing feature fills in its `init_feature(app, state)`. Nothing here imports a feature.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from flask import Blueprint, Flask, current_app
from flask_sqlalchemy import SQLAlchemy
from sqlalchemy.orm import Session

from .content import find_content_root
from .content.qtypes import QuestionTypes, default_types
from .content_cache import Content, ContentLibrary
from .ctx import this_app, this_g
from .errors import CourseConfigError
from .ratelimit import RateLimiter
from .tasks import BackgroundTasks

EXTENSION_KEY = "course"


class UserHooks(Protocol):
    """How the plugin reads a user object (see `course.identity.IdentityHooks`)."""

    user_id: Callable[[Any], str | None]
    roles: Callable[[Any], set[str]]
    display_name: Callable[[Any], str]
    email: Callable[[Any], str | None]


class PracticeBlocks(Protocol):
    """Gives the lesson page its practice blocks, filled for one learner (quizzes provides),
    each as HTML text or as the UTF-8 bytes of it (a block kept ready for the page)."""

    def __call__(self, db: Session, user_id: str, course: str, lesson: str
                 ) -> dict[int, str | bytes]: ...


class LessonsDone(Protocol):
    """Whether a learner has done every lesson of a module (lessons provides)."""

    def __call__(self, db: Session, user_id: str, course: str, module: str) -> bool: ...


class CertificateLook(Protocol):
    """How a learner's certificate looks: their organisation's name, template and branding, as
    a `certificates.services.Look` (organisations provides)."""

    def __call__(self, db: Session, user_id: str) -> Any: ...


class CertificateAudit(Protocol):
    """Record a certificate event ("certificate-issued", "certificate-revoked") in the holder's
    organisation's audit log, in the caller's transaction: it flushes, never commits
    (organisations provides; the issuing path calls it before its commit)."""

    def __call__(self, db: Session, certificate: Any, action: str, *, by: str | None = None,
                 reason: str | None = None) -> None: ...


class InvitationOpen(Protocol):
    """An open invitation has this link token and address (organisations provides)."""

    def __call__(self, db: Session, token: str, email: str) -> bool: ...


class LearnerEmail(Protocol):
    """A learner's email address as last seen, or None (lessons provides)."""

    def __call__(self, db: Session, user_id: str) -> str | None: ...


class ManagesOrganisation(Protocol):
    """The user manages at least one organisation (organisations provides; the navigation asks)."""

    def __call__(self, user_id: str) -> bool: ...


class OrgRoles(Protocol):
    """For a page of users, each one's place in an organisation, e.g. "Manager of Acme Ltd"
    (organisations provides; the administrators' Users page asks)."""

    def __call__(self, db: Session, user_ids: list[str]) -> dict[str, str]: ...


class BaseUrl(Protocol):
    """The site's address for links in emails (the `base_url` plugin option)."""

    def __call__(self) -> str: ...


class CloseHook(Protocol):
    """Run when a user closes their account, inside the closing request's transaction."""

    def __call__(self, db: Session, user_id: str) -> None: ...


@dataclass
class CourseState:
    """Everything the plugin keeps for one app; reached with `get_state()`."""

    plugin: object
    db: SQLAlchemy
    url_prefix: str
    accounts: bool
    hooks: UserHooks
    tasks: BackgroundTasks = field(default_factory=BackgroundTasks)
    library: ContentLibrary = field(default_factory=ContentLibrary)
    #: The question types this app's quizzes may use: its own set (the built-in types to start
    #: with); a host adds one with `get_state(app).question_types.register(MyType())`.
    question_types: QuestionTypes = field(default_factory=default_types)
    lessons_done: LessonsDone | None = None
    practice_blocks: PracticeBlocks | None = None
    certificate_look: CertificateLook | None = None
    certificate_audit: CertificateAudit | None = None
    invitation_open: InvitationOpen | None = None
    manages_organisation: ManagesOrganisation | None = None
    org_roles: OrgRoles | None = None
    learner_email: LearnerEmail | None = None
    base_url: BaseUrl | None = None
    #: The parent blueprint's name (COURSE_BLUEPRINT_NAME): endpoints are "<name>.lessons.index"
    #: and so on; the plugin's code and templates say "course." and `course.links` maps it.
    blueprint_name: str = "course"
    #: Whether every template a page shell is made from is the plugin's own (pages may then keep
    #: shells of them); found on first use by course.pageshell.own_templates.
    own_templates: bool | None = None
    close_hooks: list[CloseHook] = field(default_factory=list)
    #: Links built in requests, by what they depend on (course.links.url_for).
    links: dict[tuple[object, ...], str] = field(default_factory=dict)
    #: What failed when this process warmed up (check name -> what), reported by /readyz.
    warm_up_problems: dict[str, str] = field(default_factory=dict)
    #: The features' blueprints, nested under the parent `course` blueprint in this order.
    blueprints: list[Blueprint] = field(default_factory=list)
    #: Template context processors features add to the parent blueprint.
    context_processors: list[Callable[[], dict[str, Any]]] = field(default_factory=list)
    #: Warm-up steps features add (app -> None), run by `course.ops.warm`.
    warm_ups: list[Callable[[Flask], None]] = field(default_factory=list)
    _limiter: RateLimiter | None = None
    _root: tuple[object, Path] | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def __post_init__(self) -> None:
        self.library.types = self.question_types  # the content is read with this app's types

    def content_root(self, app: Flask) -> Path:
        """The content root this app serves (resolved once per configured value)."""
        configured = app.config["COURSE_CONTENT_ROOT"]
        if self._root is None or self._root[0] != configured:
            self._root = (configured, find_content_root(configured))
        return self._root[1]

    def content(self) -> Content:
        """The loaded content: read and rendered once, re-read on change when reload is on.

        Looked up once per request (kept in `g`), so a page pays for it once.
        """
        here = this_g()
        cached = here.get("_course_content")
        if cached is not None:
            return cached
        app = this_app()
        reload = app.config["COURSE_CONTENT_RELOAD"]
        reload = app.debug if reload is None else bool(reload)
        content = None if reload else self.library.loaded()
        if content is None:
            content = self.library.get(self.content_root(app), self.db.engine,
                                       float(app.config["COURSE_RENDER_BUDGET_SECONDS"]), reload)
        here._course_content = content
        return content

    def limiter(self) -> RateLimiter:
        """The rate limiter, created on first use from COURSE_RATELIMIT_STORAGE_URL."""
        if self._limiter is None:
            with self._lock:
                if self._limiter is None:
                    url = current_app.config["COURSE_RATELIMIT_STORAGE_URL"]
                    self._limiter = RateLimiter(url)
        return self._limiter


def find_state(app: Flask | None = None) -> CourseState | None:
    """The plugin's state for `app` (default: the current app), or None if not registered."""
    return (app or this_app()).extensions.get(EXTENSION_KEY)


def get_state(app: Flask | None = None) -> CourseState:
    """The plugin's state for `app` (default: the current app)."""
    state = find_state(app)
    if state is None:
        raise CourseConfigError("the course plugin is not registered on this app")
    return state
