"""Seeding learners and attempts for the gradebook's tests, straight into the tables."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from sqlalchemy import insert

from course.db import session, utcnow
from course.lessons.models import Learner, LessonProgress
from course.quizzes.models import QuizAttempt
from tests.conftest import Site

MODULE = "social-graph-presence"
BOOK = "/trainer/courses/social-divide/gradebook/"


def add_learners(site: Site, people: dict[str, str]) -> None:
    """Learners (user id -> name) who opened the course's first lesson."""
    now = utcnow()
    with site.app.app_context():
        lesson = site.app.extensions["course"].content().course("social-divide").lessons[0]
        session().execute(insert(Learner), [
            {"user_id": uid, "display_name": name, "email": f"{uid}@example.com",
             "first_seen_at": now, "last_seen_at": now} for uid, name in people.items()])
        session().execute(insert(LessonProgress), [
            {"user_id": uid, "course": "social-divide", "module": lesson.module,
             "lesson": lesson.slug, "first_viewed_at": now, "last_viewed_at": now,
             "viewed_version": lesson.content_hash} for uid in people])
        session().commit()


def add_attempt(site: Site, user_id: str, number: int, percent: int | None,
                minutes_ago: int = 60, took: int = 7) -> None:
    """A finished attempt with `percent` (pass mark 80), or an open one when None."""
    start = utcnow() - timedelta(minutes=minutes_ago)
    with site.app.app_context():
        session().add(QuizAttempt(
            user_id=user_id, course="social-divide", module=MODULE, number=number,
            quiz_version="v", state="in_progress" if percent is None else "finished",
            started_at=start, shown=[], responses={}, pass_mark=80,
            finished_at=None if percent is None else start + timedelta(minutes=took),
            percent=None if percent is None else Decimal(percent),
            passed=None if percent is None else percent >= 80))
        session().commit()


def give_role(site: Site, user_id: str, role: str) -> None:
    """Make an existing person a trainer (or, standalone only, an administrator)."""
    with site.app.app_context():
        if site.mode == "host":
            from tests.hostapp import Staff, db

            assert role == "trainer"
            db.session.get(Staff, int(user_id)).is_trainer = True
            db.session.commit()
        else:
            from course.accounts.models import User

            session().get(User, int(user_id)).role = role
            session().commit()


def grant_token(client, url: str) -> str:
    """The CSRF token of the first grant form on a learner's gradebook page."""
    import re

    html = client.get(url).get_data(as_text=True)
    return re.search(r'name="[a-z0-9-]+-csrf_token" type="hidden" value="([^"]+)"', html).group(1)
