"""The learner's path in a real Chromium: a quiz's retry time in the learner's own time zone,
and finishing the course onto the completion page (preview, copy link, download), which fits a
320 px phone. Standalone and mounted, on SQLite."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from playwright.sync_api import expect

from course.db import session, utcnow
from course.lessons.services import complete_lesson
from course.quizzes.models import QuizAttempt
from tests.browser.conftest import LiveServer
from tests.browser.test_certificate import learner_id
from tests.browser.test_lessons import log_in
from tests.conftest import Site

COURSE = "/courses/social-divide/"
LAST = COURSE + "lessons/your-90-day-plan"


@pytest.fixture
def path_site(course_site: Site, content_root: Path) -> Site:
    course_site.app.config["COURSE_AUTO_COMPLETE_SECONDS"] = 0
    return course_site


def attempt(site: Site, module: str, passed: bool) -> None:
    quiz = site.app.extensions["course"].content().quizzes[("social-divide", module)]
    session().add(QuizAttempt(user_id=learner_id(site), course="social-divide", module=module,
                              number=1, quiz_version=quiz.version, state="finished", shown=[],
                              responses={}, pass_mark=80,
                              percent=Decimal("90" if passed else "40"), passed=passed,
                              finished_at=utcnow()))


def lessons_done(site: Site, but: str | None = None, modules: tuple[str, ...] = ()) -> None:
    course = site.app.extensions["course"].content().course("social-divide")
    for lesson in course.lessons:
        if lesson.slug != but and (not modules or lesson.module in modules):
            complete_lesson(session(), learner_id(site), lesson)


def test_the_retry_time_is_shown_in_the_learners_time_zone(path_site: Site, browser) -> None:
    site = path_site
    context = browser.new_context(timezone_id="Asia/Tokyo", locale="en-GB",
                                  viewport={"width": 1200, "height": 900})
    page = context.new_page()
    problems: list[str] = []
    page.on("pageerror", lambda e: problems.append(str(e)))
    try:
        with LiveServer(site.app) as server:
            log_in(page, server, site)
            page.goto(server.url + site.url(COURSE))
            with site.app.app_context():
                lessons_done(site, modules=("welcome", "social-graph-presence", "organisation"))
                attempt(site, "social-graph-presence", passed=True)
                attempt(site, "organisation", passed=False)  # a 10-minute wait to retry
                session().commit()
            page.goto(server.url + site.url(COURSE))
            wait = page.locator(".next-step time[data-local-time]")
            text = wait.inner_text()
            assert "UTC" not in text and ("GMT+9" in text or "JST" in text), text
            assert wait.get_attribute("datetime").endswith("Z")
            assert wait.get_attribute("title").endswith("UTC")  # the server's text, kept
            page.get_by_role("link", name="Take the quiz: Quiz: Organisation").click()
            assert page.get_by_role("heading", level=1).inner_text().startswith("Quiz")
            assert problems == []
    finally:
        context.close()


def test_finishing_lands_on_the_completion_page(path_site: Site, browser) -> None:
    site = path_site
    context = browser.new_context(viewport={"width": 1200, "height": 900})
    context.grant_permissions(["clipboard-read", "clipboard-write"])
    page = context.new_page()
    problems: list[str] = []
    page.on("pageerror", lambda e: problems.append(str(e)))
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    try:
        with LiveServer(site.app) as server:
            log_in(page, server, site)
            page.goto(server.url + site.url(COURSE))
            with site.app.app_context():
                lessons_done(site, but="your-90-day-plan")
                for module in ("social-graph-presence", "organisation", "role-model",
                               "education"):
                    attempt(site, module, passed=True)
                session().commit()
            page.goto(server.url + site.url(LAST))
            page.get_by_role("button", name="Mark complete").click()
            assert page.url.endswith(site.url(COURSE + "complete"))
            assert page.get_by_role("heading", level=1).inner_text().startswith("Well done")
            preview = page.get_by_role("figure")
            assert "has completed the course" in preview.inner_text()
            assert "The Social Divide" in preview.inner_text()
            page.get_by_role("button", name="Copy link").click()
            expect(page.locator(".copy-status")).to_have_text("Link copied.")  # once written
            link = page.locator("a[id^='link-']").get_attribute("href")
            assert page.evaluate("navigator.clipboard.readText()") == link
            with page.expect_download() as download:
                page.get_by_role("link", name="Download the PDF").click()
            assert download.value.suggested_filename == "certificate.pdf"
            linkedin = page.get_by_role("link", name="Add to LinkedIn profile")
            assert linkedin.get_attribute("href").startswith(
                "https://www.linkedin.com/profile/add?startTask=CERTIFICATION_NAME")
            # On a 320 px phone nothing scrolls sideways.
            page.set_viewport_size({"width": 320, "height": 700})
            assert page.evaluate("document.documentElement.scrollWidth <= "
                                 "document.documentElement.clientWidth")
            # The course page and My learning lead back to it.
            page.goto(server.url + site.url("/my-learning"))
            page.get_by_role("link", name="Your certificate").click()
            assert page.url.endswith(site.url(COURSE + "complete"))
            assert problems == []
    finally:
        context.close()
