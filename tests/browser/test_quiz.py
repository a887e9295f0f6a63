"""Taking a quiz in a real Chromium with the keyboard alone, standalone and mounted."""

from __future__ import annotations

import pytest

from tests.browser.conftest import LiveServer
from tests.browser.test_lessons import log_in
from tests.conftest import Site, sample_module_lessons
from tests.quizzes.conftest import use_fixture_quiz


@pytest.fixture
def quiz_site(course_site: Site, content_root) -> Site:
    use_fixture_quiz(content_root)
    course_site.app.config["COURSE_AUTO_COMPLETE_SECONDS"] = 0
    return course_site


def press_until_focused(page, predicate: str, limit: int = 80) -> None:
    """Tab forward until the focused element satisfies a JS predicate on `el`."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate(f"(() => {{ const el = document.activeElement; return {predicate}; }})()"):
            return
    raise AssertionError(f"never focused: {predicate}")


def test_take_and_pass_a_quiz_with_the_keyboard(quiz_site: Site, page) -> None:
    with LiveServer(quiz_site.app) as server:
        log_in(page, server, quiz_site)
        base = server.url + quiz_site.url("/courses/social-divide/")
        for lesson in sample_module_lessons("social-graph-presence")[1:]:
            page.goto(base + "lessons/" + lesson)
            with page.expect_navigation():
                page.get_by_role("button", name="Mark complete").click()
        page.goto(base + "lessons/six-months-to-a-useful-network")
        page.get_by_role("button", name="Mark complete").focus()
        with page.expect_navigation():
            page.keyboard.press("Enter")
        page.goto(base + "quizzes/social-graph-presence/")
        page.get_by_role("button", name="Start the quiz").focus()
        with page.expect_navigation():
            page.keyboard.press("Enter")

        # Single choice: Tab into the radio group, then arrow keys move the selection.
        right = "Keep a weekly routine: the first months are usually quiet"
        press_until_focused(page, "el.name === 'q-why-so-long'")
        for _ in range(3):
            if page.evaluate("document.activeElement.labels[0].textContent") == right:
                page.keyboard.press("Space")  # Tab focuses a radio without choosing it
                break
            page.keyboard.press("ArrowDown")
        assert page.get_by_label(right).is_checked()
        # Multiple choice: Space ticks a focused checkbox.
        for text in ("Answer questions from people in her industry",
                     "Share what she learns from customer problems"):
            page.get_by_label(text).focus()
            page.keyboard.press("Space")
            assert page.get_by_label(text).is_checked()
        # True/false.
        page.get_by_label("False").focus()
        page.keyboard.press("Space")
        # Numeric: type into the field.
        page.get_by_label("Your answer (a number)").focus()
        page.keyboard.type("6")
        # Ordering: each select takes its position by typing the number.
        for rank, item in enumerate(["Connect with people you actually work with",
                                     "Comment usefully on posts in your field",
                                     "Share one thing you learned this week"], start=1):
            page.get_by_label(item).focus()
            page.keyboard.type(str(rank))
        page.get_by_role("button", name="Submit answers").focus()
        with page.expect_navigation():
            page.keyboard.press("Enter")
        status = page.get_by_role("status").first.inner_text()
        assert "100%" in status and "you passed" in status
        assert page.problems == []
