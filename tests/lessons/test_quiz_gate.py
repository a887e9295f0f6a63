"""What opens a quiz and what may make a certificate due, counted in SQL: the counts agree with
the progress arithmetic (course_progress) for every combination of completed lessons, in a free
and in a sequential course, with drafts and lessons of other courses left out."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from itertools import combinations

import pytest
from flask import Flask

from course.certificates import services as certificates
from course.db import session, utcnow
from course.lessons import services
from course.lessons.progress import course_progress
from course.quizzes.services import start_round
from tests.lessons.test_progress import COURSE, lesson

#: Modules one (a, b) and two (c, d: a draft); a lesson "a" of another course, completed too.
LESSONS = {x.slug: x for m in COURSE.modules for x in m.lessons}
ELSEWHERE = replace(lesson("one", "a"), course="other")


def by_arithmetic(course, states, module: str) -> bool:  # noqa: ANN001
    progress = course_progress(course, states)
    found = next((m for m in progress.modules if m.module.slug == module), None)
    return bool(found and found.unlocked and found.complete)


@pytest.fixture
def app(make_app) -> Flask:  # noqa: ANN001
    return make_app()


def learners_with_every_combination(app: Flask) -> dict[str, tuple[str, ...]]:
    """One learner per set of completed lessons (drafts included), each also having viewed
    every lesson and completed the other course's "a"."""
    found: dict[str, tuple[str, ...]] = {}
    with app.app_context():
        db = session()
        for size in range(len(LESSONS) + 1):
            for done in combinations(sorted(LESSONS), size):
                user = "u-" + "".join(done)
                found[user] = done
                services.complete_lesson(db, user, ELSEWHERE)
                for slug, each in LESSONS.items():
                    services.record_view(db, user, each, None)
                    if slug in done:
                        services.complete_lesson(db, user, each)
        db.commit()
    return found


@pytest.mark.parametrize("sequential", [False, True])
def test_a_quiz_opens_as_the_progress_arithmetic_says(app: Flask, sequential: bool) -> None:
    course = replace(COURSE, sequential=sequential)
    learners = learners_with_every_combination(app)
    with app.app_context():
        db = session()
        for user in learners:
            states = services.lesson_states(db, user, "c")
            for module in ("one", "two", "missing"):
                assert services.module_lessons_done(db, user, course, module) == by_arithmetic(
                    course, states, module), (user, module, sequential)


def test_the_lessons_a_quiz_needs() -> None:
    assert services.required_lessons(COURSE, "one") == ["a", "b"]
    assert services.required_lessons(COURSE, "two") == ["c"]  # the draft is not needed
    assert services.required_lessons(replace(COURSE, sequential=True), "two") == ["a", "b", "c"]
    assert services.required_lessons(COURSE, "missing") is None


def test_standing_counts_the_given_lessons_and_sees_a_renewal(app: Flask) -> None:
    learners = learners_with_every_combination(app)
    published = ["a", "b", "c"]
    with app.app_context():
        db = session()
        for user, done in learners.items():
            now = certificates.standing(db, user, "c", published)
            assert now.lessons_done == len(set(done) & set(published)), user
            assert (now.certified_at, now.round_started, now.renewing) == (None, None, False)
        assert certificates.standing(db, "u-abc", "c", []).lessons_done == 0
        # A round started before the certificate was issued is no renewal; one after is.
        user = "u-abc"
        start_round(db, user, "c", "first", utcnow() - timedelta(days=2))
        db.flush()
        issued = utcnow() - timedelta(days=1)
        db.execute(certificates.Certificate.__table__.insert(), [{
            "code": "GATE-TEST-1", "user_id": user, "course": "c", "version": 1,
            "name": "Lea", "course_title": "C", "status": certificates.ACTIVE,
            "issued_at": issued, "pdf": b"%PDF", "snapshot": {}, "template": "default",
            "sha256": "0" * 64}])
        now = certificates.standing(db, user, "c", published)
        assert now.certified_at == issued and not now.renewing
        start_round(db, user, "c", "renewal", utcnow())
        assert certificates.standing(db, user, "c", published).renewing
        db.rollback()
