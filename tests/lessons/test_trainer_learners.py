"""The trainer's learners page is paged in SQL: at most 50 learners a page, most recently
active first, with previous and next links (standalone and mounted, on each database)."""

from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import insert

from course.db import session, utcnow
from course.lessons.models import Learner, LessonProgress
from tests.conftest import Site

LEARNERS = "/trainer/courses/social-divide/learners"


def seed(site: Site, count: int) -> None:
    """`count` learners, learner 0 the most recently active, each with one lesson done."""
    now = utcnow()
    with site.app.app_context():
        lesson = site.app.extensions["course"].content().course("social-divide").lessons[0]
        session().execute(insert(Learner), [
            {"user_id": f"p{i}", "display_name": f"Paged Learner {i:03d}", "email": None,
             "first_seen_at": now, "last_seen_at": now - timedelta(minutes=i)}
            for i in range(count)])
        session().execute(insert(LessonProgress), [
            {"user_id": f"p{i}", "course": "social-divide", "module": lesson.module,
             "lesson": lesson.slug, "first_viewed_at": now, "last_viewed_at": now,
             "viewed_version": lesson.content_hash, "completed_at": now,
             "completed_version": lesson.content_hash} for i in range(count)])
        session().commit()


def names(html: str) -> list[str]:
    return re.findall(r'<th scope="row">(Paged Learner \d+)', html)


def test_learners_come_fifty_to_a_page_with_previous_and_next(course_site: Site) -> None:
    seed(course_site, 120)
    trainer = course_site.trainer_client()
    first = trainer.get(course_site.url(LEARNERS)).get_data(as_text=True)
    assert names(first) == [f"Paged Learner {i:03d}" for i in range(50)]
    assert 'rel="next"' in first and 'rel="prev"' not in first
    nxt = re.search(r'<a rel="next" href="([^"]+)"', first).group(1)
    assert nxt == course_site.url(LEARNERS) + "?page=2"
    second = trainer.get(nxt).get_data(as_text=True)
    assert names(second) == [f"Paged Learner {i:03d}" for i in range(50, 100)]
    assert 'rel="prev"' in second and 'rel="next"' in second
    third = trainer.get(course_site.url(LEARNERS + "?page=3")).get_data(as_text=True)
    assert names(third) == [f"Paged Learner {i:03d}" for i in range(100, 120)]
    assert 'rel="prev"' in third and 'rel="next"' not in third
    assert "1 of " in third  # progress still shown per learner


def test_a_page_past_the_end_says_so_and_links_back(course_site: Site) -> None:
    seed(course_site, 3)
    trainer = course_site.trainer_client()
    html = trainer.get(course_site.url(LEARNERS + "?page=9")).get_data(as_text=True)
    assert not names(html) and "Back to the first page" in html
    assert names(trainer.get(course_site.url(LEARNERS + "?page=0")).get_data(
        as_text=True)) == [f"Paged Learner {i:03d}" for i in range(3)]
