"""The next-step rule through the pages: a learner walks the whole sample course, and at every
step "Continue", "Mark complete" and the pager's Next agree (next unfinished lesson, the
module's quiz, its retry time, the capstone, the completion page). Standalone and mounted, on
each database."""

from __future__ import annotations

import re
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

from sqlalchemy import update

from course.db import session, utcnow
from course.quizzes.models import QuizAttempt
from tests.certificates.test_issue_verify import _user_id
from tests.conftest import Site, csrf_token
from tests.quizzes.conftest import use_fixture_quiz
from tests.quizzes.test_quiz_views import right_answers

COURSE = "/courses/social-divide/"
FIXTURE_QUIZ_MODULE = "social-graph-presence"


def planned_steps(site: Site) -> list[tuple[str, str]]:
    """What the rule should lead through, read from the content: (kind, path) in order."""
    with site.app.app_context():
        loaded = site.app.extensions["course"].content()
        course = loaded.course("social-divide")
        steps = []
        for module in course.modules:
            steps += [("lesson", f"{COURSE}lessons/{x.slug}") for x in module.lessons
                      if not x.draft]
            if ("social-divide", module.slug) in loaded.quizzes:
                steps.append(("quiz", f"{COURSE}quizzes/{module.slug}/"))
    return steps


def pager_next(html: str) -> str:
    pager = html.split('class="lesson-pager"')[1].split("</nav>")[0]
    return re.search(r'<a rel="next" href="([^"]+)"', pager).group(1)


def continue_to(site: Site, client) -> str:
    response = client.get(site.url(COURSE + "continue"))
    assert response.status_code == 302
    return response.headers["Location"]


def pass_in_the_database(site: Site, client, module: str) -> None:
    with site.app.app_context():
        quiz = site.app.extensions["course"].content().quizzes[("social-divide", module)]
        session().add(QuizAttempt(user_id=_user_id(site, client), course="social-divide",
                                  module=module, number=1, quiz_version=quiz.version,
                                  state="finished", shown=[], responses={}, pass_mark=80,
                                  percent=Decimal("90"), passed=True, finished_at=utcnow()))
        session().commit()


def take_quiz(site: Site, client, quiz: str, right: bool) -> None:
    token = csrf_token(client, site.url(quiz))
    attempt = client.post(site.url(quiz + "start"), data={"csrf_token": token})
    assert attempt.status_code == 302, attempt.get_data(as_text=True)
    page = attempt.headers["Location"]
    html = client.get(page).get_data(as_text=True)
    data = right_answers(html) if right else {"q-months": "1", "confirm": "yes"}
    token = csrf_token(client, page)
    assert client.post(page + "/submit", data={"csrf_token": token, **data}).status_code == 302


def test_walking_the_whole_course_follows_one_rule(course_site: Site,
                                                   content_root: Path) -> None:
    use_fixture_quiz(content_root)
    quiz_file = content_root / f"quizzes/social-divide/{FIXTURE_QUIZ_MODULE}.yaml"
    quiz_file.write_text(quiz_file.read_text() + "cooldown_minutes: 10\n")
    site, client = course_site, course_site.logged_in_client()
    steps = planned_steps(site)
    completion = site.url(COURSE + "complete")
    capstone = site.url(COURSE + "capstone")
    assert "Start the course" in client.get(site.url(COURSE)).get_data(as_text=True)
    for i, (kind, path) in enumerate(steps):
        assert continue_to(site, client) == site.url(path), (i, path)
        following = site.url(steps[i + 1][1]) if i + 1 < len(steps) else completion
        if kind == "lesson":
            html = client.get(site.url(path)).get_data(as_text=True)
            # Past the last lesson the pager points at the (optional) capstone; completing it
            # issues the certificate, and the learner lands on the completion page.
            assert pager_next(html) == (following if following != completion else capstone)
            token = csrf_token(client, site.url(path))
            done = client.post(site.url(path + "/complete"), data={"csrf_token": token})
            assert done.headers["Location"] == following, (i, path)
        elif path.endswith(f"/{FIXTURE_QUIZ_MODULE}/"):
            take_quiz(site, client, path, right=False)  # a fail: the retry waits 10 minutes
            assert continue_to(site, client) == site.url(path)
            overview = client.get(site.url(COURSE)).get_data(as_text=True)
            assert "You can try again from" in overview
            wait = re.search(r'<time datetime="([0-9T:-]+Z)" data-local-time>([^<]+ UTC)</time>',
                             overview)
            assert wait, "the retry time, as a machine-readable UTC time with a UTC fallback"
            start = client.get(site.url(path)).get_data(as_text=True)
            assert f'You can try again from <time datetime="{wait.group(1)}"' in start
            with site.app.app_context():
                session().execute(update(QuizAttempt).values(
                    finished_at=utcnow() - timedelta(minutes=11)))
                session().commit()
            assert "You can try again from" not in client.get(site.url(COURSE)).get_data(
                as_text=True)
            take_quiz(site, client, path, right=True)
            overview = client.get(site.url(COURSE)).get_data(as_text=True)
            quiz_line = overview.split(f'href="{site.url(path)}"')[1].split("</p>")[0]
            assert '<span class="done">Passed</span>' in quiz_line  # passed, not "open"
        else:
            pass_in_the_database(site, client, path.rstrip("/").rsplit("/", 1)[1])
    # Every lesson done, every quiz passed: the certificate, and no way back to lesson 1.
    assert continue_to(site, client) == capstone  # the optional capstone is not submitted
    page = client.get(completion).get_data(as_text=True)
    assert "Download the PDF" in page and "Add to LinkedIn profile" in page
    overview = client.get(site.url(COURSE)).get_data(as_text=True)
    assert f'href="{completion}"' in overview
    mine = client.get(site.url("/my-learning")).get_data(as_text=True)
    assert f'href="{completion}"' in mine and "Continue: " not in mine


def test_all_lessons_done_without_the_quizzes_leads_to_a_quiz_not_lesson_one(
        course_site: Site) -> None:
    from course.lessons.services import complete_lesson

    client = course_site.logged_in_client()
    client.get(course_site.url(COURSE))
    with course_site.app.app_context():
        course = course_site.app.extensions["course"].content().course("social-divide")
        user_id = _user_id(course_site, client)
        for lesson in course.lessons:
            complete_lesson(session(), user_id, lesson)
        session().commit()
    first_quiz = course_site.url(COURSE + "quizzes/social-graph-presence/")
    assert continue_to(course_site, client) == first_quiz
    html = client.get(course_site.url("/my-learning")).get_data(as_text=True)
    assert "Take the quiz: Quiz: Social Graph" in html


def test_learners_with_the_same_lesson_states_keep_their_own_next_step(
        standalone_course_site: Site) -> None:
    """Progress is shared by page views with the same lesson states, and a next step worked out
    from it alone is kept with it: one that depends on a quiz never is. Two learners with the
    very same states, one of whom passed the first module's quiz, see their own Next."""
    from course.lessons.models import LessonProgress
    from course.lessons.services import complete_lesson
    from tests.conftest import register

    site = standalone_course_site
    passed, failed = site.client(), site.client()
    register(passed, email="passed@example.com", name="Pat Passed")
    register(failed, email="failed@example.com", name="Fay Failing")
    with site.app.app_context():
        loaded = site.app.extensions["course"].content()
        course = loaded.course("social-divide")
        index = next(i for i, m in enumerate(course.modules)
                     if ("social-divide", m.slug) in loaded.quizzes)  # the first quiz's module
        first, second = course.modules[index], course.modules[index + 1]
        ids = [_user_id(site, c) for c in (passed, failed)]
        for user_id in ids:
            for module in course.modules[:index + 1]:
                for lesson in module.lessons:
                    complete_lesson(session(), user_id, lesson)
        now = utcnow()  # the very same states for both: viewed and completed at one moment
        session().execute(update(LessonProgress).values(last_viewed_at=now, completed_at=now))
        session().commit()
    pass_in_the_database(site, passed, first.slug)
    last = site.url(f"{COURSE}lessons/{first.lessons[-1].slug}")
    then = site.url(f"{COURSE}lessons/{second.lessons[1].slug}")
    quiz = site.url(f"{COURSE}quizzes/{first.slug}/")
    onwards = site.url(f"{COURSE}lessons/{second.lessons[0].slug}")
    for _ in range(2):  # each order, twice: whichever learner comes first
        for client, expected in ((failed, quiz), (passed, onwards), (failed, quiz)):
            assert pager_next(client.get(last).get_data(as_text=True)) == expected
        # A Next that reads no quiz (the next module's unfinished lessons) is the same for both.
        assert pager_next(passed.get(onwards).get_data(as_text=True)) == then
        assert pager_next(failed.get(onwards).get_data(as_text=True)) == then
