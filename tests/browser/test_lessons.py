"""Reading lessons in a real Chromium: complete, leave, come back, resume; the end-of-lesson
script; the phone layout. Standalone and mounted under /training."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import LiveServer
from tests.conftest import Site, sample_lesson_count

PASSWORD = "correct horse battery"


def log_in(page, server: LiveServer, site: Site) -> None:
    if site.mode == "host":  # the host's own log-in; its bare page is not ours to test
        page.request.post(server.url + "/login", form={"email": "bob@host.example"})
        return
    page.goto(server.url + "/account/register")
    page.get_by_label("Your name").fill("Rhea Reader")
    page.get_by_label("Email address").fill("rhea@example.com")
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_label("Repeat the password").fill(PASSWORD)
    page.get_by_role("button", name="Create account").click()


@pytest.fixture
def lesson_site(course_site: Site) -> Site:
    course_site.app.config["COURSE_AUTO_COMPLETE_SECONDS"] = 0  # the button, in this journey
    return course_site


def test_read_complete_leave_come_back_resume(lesson_site: Site, page) -> None:
    with LiveServer(lesson_site.app) as server:
        log_in(page, server, lesson_site)
        page.goto(server.url + lesson_site.url("/courses/social-divide/"))
        page.get_by_role("link", name="Start the course").click()
        assert page.get_by_role("heading", level=1).inner_text() == "What the social divide is"
        page.get_by_role("button", name="Mark complete").click()
        # Completing moves on to the next lesson.
        expect(page.get_by_role("heading", level=1)).to_have_text(
            "Six months to a useful network")
        expect(page.get_by_role("status").first).to_have_text(re.compile(r"is complete\.$"))
        # Leave the site, come back, and resume.
        page.goto("about:blank")
        page.goto(server.url + lesson_site.url("/courses/social-divide/"))
        progress = page.get_by_text("Your progress").inner_text()
        assert f"1 of {sample_lesson_count()} lessons done" in progress
        page.get_by_role("link", name="Continue where you left off").click()
        assert page.get_by_role("heading", level=1).inner_text() == (
            "Six months to a useful network")
        # The diagram next to the lesson loads under the prefix, and CSP let everything through.
        assert page.locator("img[alt^='Line chart of a network']").evaluate(
            "img => img.complete && img.naturalWidth > 0")
        assert page.problems == []


def test_reaching_the_end_completes_the_lesson(lesson_site: Site, page) -> None:
    lesson_site.app.config["COURSE_AUTO_COMPLETE_SECONDS"] = 1
    with LiveServer(lesson_site.app) as server:
        log_in(page, server, lesson_site)
        page.goto(server.url + lesson_site.url(
            "/courses/social-divide/lessons/why-leaders-stay-quiet"))
        page.locator("#lesson-end").scroll_into_view_if_needed()
        note = page.locator(".lesson-end .done-note")
        note.wait_for(state="visible", timeout=5000)
        assert note.inner_text() == "Lesson complete. Well done."
        page.goto(server.url + lesson_site.url("/courses/social-divide/"))
        progress = page.get_by_text("Your progress").inner_text()
        assert f"1 of {sample_lesson_count()} lessons done" in progress
        assert page.problems == []


def test_lesson_page_works_on_a_phone_and_by_keyboard(lesson_site: Site, browser) -> None:
    context = browser.new_context(viewport={"width": 360, "height": 740}, is_mobile=True)
    page = context.new_page()
    try:
        with LiveServer(lesson_site.app) as server:
            log_in(page, server, lesson_site)
            page.goto(server.url + lesson_site.url(
                "/courses/social-divide/lessons/beyond-the-marketing-channel"))
            overflow = page.evaluate("document.documentElement.scrollWidth - innerWidth")
            assert overflow <= 0, f"the lesson scrolls sideways by {overflow}px"
            # The button is reachable with the keyboard and works with Enter.
            page.get_by_role("button", name="Mark complete").focus()
            with page.expect_navigation():
                page.keyboard.press("Enter")
            assert page.get_by_role("heading", level=1).inner_text() == (
                "Every customer-facing team")
    finally:
        context.close()
