"""Practice questions in a lesson, in a real Chromium, standalone and mounted under /training:
answered by keyboard with the script (feedback announced in place, focus kept), and without
JavaScript (the form posts and the page comes back at the question with its feedback)."""

from __future__ import annotations

import pytest

from tests.browser.conftest import LiveServer
from tests.browser.test_lessons import log_in
from tests.conftest import Site
from tests.quizzes.test_practice_views import ROOT

LESSON = "/courses/practice-course/lessons/first"
RIGHT = "Thank them, apologise and offer to sort it out in a direct message"
WRONG = "Wait until the logistics team has the full facts"


@pytest.fixture
def practice_site(site: Site) -> Site:
    site.app.config["COURSE_CONTENT_ROOT"] = str(ROOT)
    return site


def answer_by_keyboard(page, label: str) -> None:
    """Select an option with the space bar, then Tab to the question's button and press Enter."""
    page.get_by_label(label, exact=True).focus()
    page.keyboard.press("Space")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Check answer"
    page.keyboard.press("Enter")


def test_a_practice_question_answered_by_keyboard(practice_site: Site, page) -> None:
    with LiveServer(practice_site.app) as server:
        log_in(page, server, practice_site)
        page.goto(server.url + practice_site.url(LESSON))
        question = page.locator("#practice-inline-reply")
        group = question.get_by_role("group", name="A customer complains in public")
        assert group.get_by_role("radio").count() == 3
        feedback = question.locator(".practice-feedback")
        assert feedback.get_attribute("aria-live") == "polite" and feedback.inner_text() == ""
        answer_by_keyboard(page, WRONG)
        feedback.get_by_text("Not quite. Try again.").wait_for()
        assert "A quick first reply matters more than a complete one." in feedback.inner_text()
        assert page.evaluate("document.activeElement.textContent") == "Check answer"
        assert "#" not in page.url  # updated in place, no reload
        answer_by_keyboard(page, RIGHT)  # a retry
        feedback.get_by_text("Right.", exact=True).wait_for()
        assert "Answering in public shows others you listen" in feedback.inner_text()
        assert question.locator(".practice-tries").inner_text() == "Checked 2 times"
        page.reload()  # the last answer and its feedback are kept
        assert page.get_by_label(RIGHT, exact=True).is_checked()
        assert "Right." in page.locator("#practice-inline-reply .practice-feedback").inner_text()
        page.get_by_role("link", name="Your practice answers").first.click()
        rows = page.locator("table.practice-history tbody tr")
        assert rows.count() == 2 and "Right" in rows.first.inner_text()
        assert "Not quite" in rows.nth(1).inner_text()
        assert page.problems == []


def test_a_practice_question_without_javascript(practice_site: Site, browser) -> None:
    context = browser.new_context(java_script_enabled=False,
                                  viewport={"width": 390, "height": 844})
    page = context.new_page()
    try:
        with LiveServer(practice_site.app) as server:
            log_in(page, server, practice_site)
            page.goto(server.url + practice_site.url(LESSON))
            question = page.locator("#practice-inline-listen")
            question.get_by_label("True", exact=True).check()
            question.get_by_role("button", name="Check answer").click()
            assert page.url.endswith(practice_site.url(LESSON) + "#practice-inline-listen")
            feedback = page.locator("#practice-inline-listen .practice-feedback")
            assert "Not quite. Try again." in feedback.inner_text()
            assert "Customers want the person who can help" in feedback.inner_text()
            question = page.locator("#practice-inline-listen")
            question.get_by_label("False", exact=True).check()
            question.get_by_role("button", name="Check answer").click()
            assert "the people who can solve the problem" in page.locator(
                "#practice-inline-listen .practice-feedback").inner_text()
    finally:
        context.close()
