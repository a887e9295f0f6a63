"""Previews: a trainer opens any lesson (a draft too) and any quiz as a learner sees it, under a
"Preview" banner, and nothing is recorded (no progress, no attempt); checking a quiz preview's
answers marks them against the key and stores nothing. Learners still never see drafts, nor
the previews. Standalone and mounted, on each database."""

from __future__ import annotations

import re
from pathlib import Path

from sqlalchemy import func, select

from course.db import session
from course.lessons.models import LessonProgress
from course.quizzes.models import PracticeAnswer, QuizAttempt
from tests.conftest import Site, csrf_token
from tests.quizzes.test_quiz_views import right_answers

PREVIEW = "/trainer/preview/courses/social-divide"
DRAFT = "lessons/social-divide/04-role-model/02-draft-lesson.md"


def nothing_recorded(site: Site) -> None:
    with site.app.app_context():
        for model in (LessonProgress, QuizAttempt, PracticeAnswer):
            assert session().scalar(select(func.count()).select_from(model)) == 0, model


def test_a_draft_lesson_in_preview_and_never_for_learners(course_site: Site,
                                                            content_root: Path) -> None:
    (content_root / DRAFT).write_text(
        '---\ntitle: "Coming soon"\nsummary: "S"\ndraft: true\n---\nText here.\n')
    trainer = course_site.trainer_client()
    html = trainer.get(course_site.url(PREVIEW + "/lessons/draft-lesson")).get_data(
        as_text=True)
    assert "<strong>Preview</strong>" in html and "Coming soon" in html
    assert "it is a <strong>draft</strong>" in html and "Text here." in html
    first = trainer.get(course_site.url(PREVIEW + "/lessons/what-the-social-divide-is"))
    assert first.status_code == 200 and "Preview" in first.get_data(as_text=True)
    assert "Mark complete" not in first.get_data(as_text=True)
    nothing_recorded(course_site)
    learner = course_site.logged_in_client()
    assert learner.get(course_site.url("/courses/social-divide/lessons/draft-lesson")
                       ).status_code == 404
    assert learner.get(course_site.url(PREVIEW + "/lessons/draft-lesson")).status_code == 403
    assert learner.get(course_site.url(PREVIEW + "/quizzes/social-graph-presence")
                       ).status_code == 403
    assert trainer.get(course_site.url(PREVIEW + "/lessons/no-such")).status_code == 404


def test_a_quiz_preview_checks_answers_and_stores_nothing(course_site: Site) -> None:
    trainer = course_site.trainer_client()
    url = course_site.url(PREVIEW + "/quizzes/social-graph-presence")
    html = trainer.get(url).get_data(as_text=True)
    assert "<strong>Preview</strong>" in html and html.count('class="question"') == 5
    assert "Correct answer" not in html  # no key before checking
    seed = re.search(r'name="seed" value="(\d+)"', html).group(1)
    token = csrf_token(trainer, url)
    data = right_answers(html)
    checked = trainer.post(url + "/check", data={**data, "seed": seed, "csrf_token": token})
    page = checked.get_data(as_text=True)
    assert checked.status_code == 200 and "<strong>100%</strong>" in page and "Not stored" in page
    assert page.count("Correct answer:") == 5
    data["q-months"] = "12"
    wrong = trainer.post(url + "/check", data={**data, "seed": seed, "csrf_token": token})
    assert "Not right" in wrong.get_data(as_text=True)
    assert 'value="12"' in wrong.get_data(as_text=True)  # the answers stay filled in
    # Without the token: refused, nothing marked.
    expired = trainer.post(url + "/check", data={**data, "seed": seed})
    assert expired.status_code == 400 and "Correct answer:" not in expired.get_data(
        as_text=True)
    nothing_recorded(course_site)
