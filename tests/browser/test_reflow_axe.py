"""Every page a learner, a manager and a trainer meets, on a phone: at 320 CSS pixels
wide no page scrolls sideways (WCAG 1.4.10, reflow), and axe-core finds no serious or critical
accessibility violation. axe-core comes from the npm registry, installed by ./scripts/test into
tests/browser/node_modules; it is injected into each page (the context bypasses our CSP only
for that)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import LiveServer
from tests.browser.tour import (
    EMAILS,
    PAGES,
    after_submit,
    attempt_of,
    log_in,
    seed,
    start_quiz,
    submit_quiz,
)
from tests.conftest import Site

AXE = Path(__file__).parent / "node_modules" / "axe-core" / "axe.min.js"
# 320 CSS pixels only: the narrowest phone we hold ourselves to; no breakpoint of the stylesheet
# falls between 320 and 390 (the narrowest is 30rem), so what fits at 320 fits at 390.
WIDTHS = (320,)
OVERFLOW = "document.documentElement.scrollWidth - document.documentElement.clientWidth"
WIDEST = """() => {
  const width = document.documentElement.clientWidth;
  const framed = e => { for (let a = e.parentElement; a; a = a.parentElement) {
    if (getComputedStyle(a).overflowX !== 'visible') return a !== document.body
      && a !== document.documentElement; } return false; };
  return [...document.body.querySelectorAll('*')]
    .filter(e => e.getBoundingClientRect().right > width && !framed(e))
    .slice(-3).map(e => e.tagName.toLowerCase() + '.' + e.className).join(', ');
}"""
RUN_AXE = """async () => {
  const result = await axe.run(document, {resultTypes: ['violations']});
  return result.violations.filter(v => v.impact === 'serious' || v.impact === 'critical')
    .map(v => v.id + ' (' + v.impact + '): ' + v.nodes.slice(0, 3).map(n => n.target.join(' '))
      .join(', '));
}"""


@pytest.fixture
def tour_site(standalone_course_site: Site) -> Site:
    if not AXE.is_file():
        missing = "axe-core is missing: npm install --prefix tests/browser axe-core@4"
        pytest.fail(missing) if os.environ.get("CI") else pytest.skip(missing)
    # one person logs in many times in a minute (each width, before and after the quiz)
    standalone_course_site.app.config["COURSE_RATELIMIT_LOGIN"] = "1000/minute"
    return standalone_course_site


def check(page, url: str) -> list[str]:
    """Open `url`; what is wrong with it (sideways scrolling, axe's serious findings)."""
    response = page.goto(url)
    problems = []
    if response.status != 200 or page.url != url:  # the page itself, not an error or a log-in
        problems.append(f"answered {response.status} at {page.url}")
    overflow = page.evaluate(OVERFLOW)
    if overflow > 0:
        wide = page.evaluate(WIDEST)
        problems.append(f"scrolls sideways by {overflow}px ({wide})")
    page.add_script_tag(path=str(AXE))
    problems += page.evaluate(RUN_AXE)
    return problems


def walk(browser, base: str, width: int, pages: list[tuple[str, str, str]]) -> list[str]:
    """One browser context for the width; log in as each person in turn."""
    context = browser.new_context(viewport={"width": width, "height": 800}, bypass_csp=True)
    page = context.new_page()
    page.set_default_timeout(15_000)
    found, who_now = [], ""
    try:
        for name, who, url in sorted(pages, key=lambda p: p[1]):
            if who != who_now:
                log_in(page, base, EMAILS[who])
                who_now = who
            found += [f"{width}px {name} ({url}): {p}" for p in check(page, base + url)]
    finally:
        context.close()
    return found


def test_every_page_reflows_at_phone_widths_and_passes_axe(tour_site: Site, browser) -> None:
    tour = seed(tour_site.app)
    with LiveServer(tour_site.app) as server:
        context = browser.new_context()
        page = context.new_page()
        log_in(page, server.url, EMAILS["learner"])
        take = start_quiz(page, server.url).removeprefix(server.url)
        values = {"take": take, "code": tour.certificate_code, "cert": tour.certificate_id,
                  "learner": tour.learner_id, "org": tour.org_id}
        before = [(n, w, p.format(**values)) for n, w, p in PAGES if not after_submit(p)]
        problems = []
        for width in WIDTHS:
            problems += walk(browser, server.url, width, before)
        values["result"] = submit_quiz(page, server.url + take).removeprefix(server.url)
        values["attempt"] = attempt_of(values["result"])
        context.close()
        after = [(n, w, p.format(**values)) for n, w, p in PAGES if after_submit(p)]
        for width in WIDTHS:
            problems += walk(browser, server.url, width, after)
    assert problems == [], "\n".join(problems)


COVERED = """() => {
  const timer = document.querySelector('.quiz-timer').getBoundingClientRect();
  const focused = document.activeElement, box = focused.getBoundingClientRect();
  const hidden = box.top < timer.bottom && box.bottom > timer.top && box.top < innerHeight;
  return focused !== document.body && hidden ? [focused.tagName + '#' + focused.id] : [];
}"""


def covered_by_timer(page) -> list[str]:
    """Tab through the quiz; the controls that had focus while the timer hid them."""
    hidden = []
    page.wait_for_load_state()
    page.locator("h1").click()
    for key in ["Tab"] * 24 + ["Shift+Tab"] * 24:  # backwards, controls come in at the top
        page.keyboard.press(key)
        hidden += page.evaluate(COVERED)
    return hidden


def test_the_quiz_page_names_groups_and_keeps_focus_in_view(tour_site: Site, browser) -> None:
    """Each question's text names its group; the sticky timer never covers the control that
    has focus (WCAG 2.4.11), on a laptop or a phone; a failed submit puts focus on the errors."""
    seed(tour_site.app)
    with LiveServer(tour_site.app) as server:
        for width, height in ((1280, 600), (390, 700)):
            context = browser.new_context(viewport={"width": width, "height": height})
            page = context.new_page()
            log_in(page, server.url, EMAILS["learner"])
            page.goto(server.url + start_quiz(page, server.url).removeprefix(server.url))
            first = page.locator("fieldset.question").first
            text = first.locator(".question-text").inner_text()
            assert page.get_by_role("group", name=f"Question 1 {text}").is_visible()
            assert page.locator(".quiz-timer").is_visible()
            assert covered_by_timer(page) == []
            context.close()
        context = browser.new_context()
        page = context.new_page()
        page.goto(server.url + "/account/login")
        page.get_by_label("Email address").fill(EMAILS["learner"])
        page.get_by_label("Password").fill("not the password")
        page.get_by_role("button", name="Log in").click()
        expect(page.locator(".error-summary")).to_be_focused()
        context.close()
