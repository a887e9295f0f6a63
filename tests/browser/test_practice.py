"""Practice questions in a lesson, in a real Chromium, standalone and mounted under /training:
answered by keyboard with the script (feedback announced in place, focus kept), and without
JavaScript (the form posts and the page comes back at the question with its feedback)."""

from __future__ import annotations

from tests.browser.conftest import LiveServer
from tests.browser.test_lessons import log_in
from tests.conftest import Site

LESSON = "/courses/social-divide/lessons/six-months-to-a-useful-network"
RIGHT = "Keep the weekly routine and review his log at six months"
WRONG = "Post three times a day so that more people see his name"


def answer_by_keyboard(page, label: str) -> None:
    """Select an option with the space bar, then Tab to the question's button and press Enter."""
    page.get_by_label(label, exact=True).focus()
    page.keyboard.press("Space")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Check answer"
    page.keyboard.press("Enter")


def test_a_practice_question_answered_by_keyboard(course_site: Site, page) -> None:
    with LiveServer(course_site.app) as server:
        log_in(page, server, course_site)
        page.goto(server.url + course_site.url(LESSON))
        question = page.locator("#practice-practice-week-ten")
        group = question.get_by_role("group", name="Tomás, a sales engineer")
        assert group.get_by_role("radio").count() == 4
        feedback = question.locator(".practice-feedback")
        assert feedback.get_attribute("aria-live") == "polite" and feedback.inner_text() == ""
        answer_by_keyboard(page, WRONG)
        feedback.get_by_text("Not quite. Try again.").wait_for()
        assert "People notice useful activity, not volume." in feedback.inner_text()
        assert page.evaluate("document.activeElement.textContent") == "Check answer"
        assert "#" not in page.url  # updated in place, no reload
        answer_by_keyboard(page, RIGHT)  # a retry
        feedback.get_by_text("Right.", exact=True).wait_for()
        assert "trust grows through repeated useful contact" in feedback.inner_text()
        assert question.locator(".practice-tries").inner_text() == "Checked 2 times"
        page.reload()  # the last answer and its feedback are kept
        assert page.get_by_label(RIGHT, exact=True).is_checked()
        assert "Right." in page.locator("#practice-practice-week-ten .practice-feedback"
                                         ).inner_text()
        page.get_by_role("link", name="Your practice answers").click()
        rows = page.locator("table.practice-history tbody tr")
        assert rows.count() == 2 and "Right" in rows.first.inner_text()
        assert page.problems == []


def test_a_practice_question_without_javascript(course_site: Site, browser) -> None:
    context = browser.new_context(java_script_enabled=False,
                                  viewport={"width": 390, "height": 844})
    page = context.new_page()
    try:
        with LiveServer(course_site.app) as server:
            log_in(page, server, course_site)
            page.goto(server.url + course_site.url(LESSON))
            question = page.locator("#practice-practice-restarts")
            question.get_by_label("True", exact=True).check()
            question.get_by_role("button", name="Check answer").click()
            assert page.url.endswith(course_site.url(LESSON) + "#practice-practice-restarts")
            feedback = page.locator("#practice-practice-restarts .practice-feedback")
            assert "Right." in feedback.inner_text()
            assert "about half a year each time" in feedback.inner_text()
    finally:
        context.close()
