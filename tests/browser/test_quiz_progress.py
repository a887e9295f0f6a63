"""While taking a quiz in Chromium: the "Answered N of M" counter and the question navigator
follow the answers, keyboard focus is never hidden under the sticky timer, the unanswered-
questions summary takes focus, and on a phone the timer is a compact line in the flow."""

from __future__ import annotations

import pytest

from tests.browser.conftest import LiveServer
from tests.browser.test_lessons import log_in
from tests.conftest import Site, sample_module_lessons
from tests.quizzes.conftest import use_fixture_quiz

COVERED = """(() => {
  const el = document.activeElement, timer = document.querySelector('.quiz-timer');
  const box = el.getBoundingClientRect(), bar = timer.getBoundingClientRect();
  return box.top < bar.bottom && box.bottom > bar.top;
})()"""


@pytest.fixture
def timed_quiz_site(course_site: Site, content_root) -> Site:
    use_fixture_quiz(content_root)  # five questions, a 20-minute limit (so a sticky timer)
    course_site.app.config["COURSE_AUTO_COMPLETE_SECONDS"] = 0
    return course_site


def open_attempt(page, server: LiveServer, site: Site) -> None:
    page.set_default_timeout(30_000)  # the first page renders the course (a busy machine)
    site.client().get(site.url("/catalogue"))
    log_in(page, server, site)
    base = server.url + site.url("/courses/social-divide/")
    for lesson in sample_module_lessons("social-graph-presence"):
        page.goto(base + "lessons/" + lesson)
        with page.expect_navigation():
            page.get_by_role("button", name="Mark complete").click()
    page.goto(base + "quizzes/social-graph-presence/")
    with page.expect_navigation():
        page.get_by_role("button", name="Start the quiz").click()


def test_counter_navigator_and_focus_while_taking_a_quiz(timed_quiz_site: Site, page) -> None:
    site = timed_quiz_site
    with LiveServer(site.app) as server:
        open_attempt(page, server, site)
        counter = page.locator("#quiz-progress")
        assert counter.get_attribute("aria-live") == "polite"
        assert counter.inner_text() == "Answered 0 of 5"
        nav = page.get_by_role("navigation", name="Questions")
        assert nav.get_by_role("link").count() == 5

        page.get_by_label("False").check()  # the true/false question
        assert counter.inner_text() == "Answered 1 of 5"
        number = page.evaluate("document.querySelector('input[value=false]')"
                               ".closest('fieldset').id.split('-')[1]")
        link = nav.locator(f'a[href="#question-{number}"]')
        assert "answered" in link.get_attribute("class").split()
        assert link.text_content() == f"Question {number}, answered"
        page.get_by_label("Your answer (a number)").fill("6")
        assert counter.inner_text() == "Answered 2 of 5"
        page.get_by_label("Your answer (a number)").fill("")
        assert counter.inner_text() == "Answered 1 of 5"

        # A navigator link jumps to its question, whose top clears the sticky timer.
        nav.locator('a[href="#question-5"]').click()
        assert page.url.endswith("#question-5")
        assert page.evaluate("""(() => {
          const q = document.getElementById('question-5').getBoundingClientRect();
          return q.top >= document.querySelector('.quiz-timer').getBoundingClientRect().bottom;
        })()""")

        # Going back up with Shift+Tab, no focused control is hidden under the timer.
        page.get_by_role("button", name="Submit answers").focus()
        assert page.evaluate("getComputedStyle(document.querySelector('.quiz-timer'))"
                             ".position") == "sticky"
        for _ in range(12):
            page.keyboard.press("Shift+Tab")
            if page.evaluate("document.activeElement.closest('.quiz-form') === null"):
                break
            assert not page.evaluate(COVERED), page.evaluate("document.activeElement.outerHTML")

        # Submitting with questions unanswered: the summary of them takes focus.
        with page.expect_navigation():
            page.get_by_role("button", name="Submit answers").click()
        assert page.evaluate("document.activeElement.classList.contains('error-summary')")
        assert "4 questions still empty" in page.locator(".error-summary").inner_text()
        first = page.locator(".error-summary a").first
        target = first.get_attribute("href").split("#")[1]
        with page.expect_navigation():
            first.click()
        assert page.url.endswith("#" + target)

        # On a phone the timer is a compact line in the page's flow, not over the questions.
        page.set_viewport_size({"width": 390, "height": 844})
        timer = page.evaluate("""(() => {
          const t = document.querySelector('.quiz-timer'), s = getComputedStyle(t);
          return {position: s.position, height: t.getBoundingClientRect().height};
        })()""")
        assert timer["position"] == "static" and timer["height"] < 60
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        assert page.problems == []
