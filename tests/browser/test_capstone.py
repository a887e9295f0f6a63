"""The capstone in a real Chromium, standalone and mounted: a learner in Acme writes and submits
their plan, Acme's manager returns it with comments, the learner revises and resubmits, the
manager passes it, and the certificate the capstone was required for is issued. Screenshots of
the learner's page and the review page at phone and desktop widths go to /tmp/capstone-*.png."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from course.certificates.models import Certificate
from course.db import session
from tests.browser.conftest import LiveServer, notices
from tests.browser.test_organisation import log_in_as
from tests.capstone.conftest import COURSE, cap_orgs, cap_root  # noqa: F401
from tests.conftest import Mailbox

pytestmark = pytest.mark.browser
WIDTHS = (390, 1280)


@pytest.fixture
def journey(cap_orgs, mailbox: Mailbox):  # noqa: F811
    cap_orgs.site.app.config.update(COURSE_AUTO_COMPLETE_SECONDS=0,
                                    COURSE_MAIL_SERVER=mailbox.host,
                                    COURSE_MAIL_PORT=mailbox.port)
    cap_orgs.add_member("acme", "ada@acme.example", "Ada Acme")
    return cap_orgs


def shoot(page, name: str, mode: str) -> None:
    """Full-page screenshots at phone and desktop widths (standalone run only)."""
    if mode != "standalone":
        return
    page.evaluate("document.activeElement && document.activeElement.blur()")
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        page.evaluate("window.scrollTo(0, 0)")
        page.screenshot(path=f"/tmp/capstone-{name}-{width}.png", full_page=True)
    page.set_viewport_size({"width": 1200, "height": 900})


def level(page, criterion: str, name: str):
    return page.get_by_role("group", name=criterion).get_by_label(re.compile(f"^{name} \\("))


def test_submit_return_revise_pass_and_certificate(journey, page, browser,
                                                   mailbox: Mailbox) -> None:
    orgs, site = journey, journey.site
    with LiveServer(site.app) as server:
        base = server.url + site.prefix
        learner_context = browser.new_context(viewport={"width": 1200, "height": 900})
        try:
            learner = learner_context.new_page()
            learner.set_default_timeout(10_000)
            log_in_as(learner, server, orgs, "ada@acme.example")
            learner.goto(base + f"/courses/{COURSE}/lessons/the-lesson")
            learner.get_by_role("button", name="Mark complete").click()
            learner.goto(base + f"/courses/{COURSE}/")
            shoot(learner, "overview", site.mode)
            learner.get_by_role("link", name="Open the capstone").click()
            editor = learner.get_by_label("Your response (markdown)")
            assert editor.input_value().startswith("## My plan")
            editor.fill("## My plan\n\nCall *three* customers a week.")
            learner.get_by_role("button", name="Preview").click()
            assert learner.locator("#preview em").inner_text() == "three"
            learner.get_by_role("button", name="Submit for review").click()
            assert "Submitted for review" in notices(learner, "Submitted for review")

            log_in_as(page, server, orgs, "boss@acme.example")
            page.goto(base + "/org/")
            page.get_by_role("link", name="Capstone reviews").first.click()
            page.get_by_role("link", name=re.compile("Review")).first.click()
            assert "Call three customers" in " ".join(page.locator(".response").inner_text()
                                                      .split()).replace("*", "")
            level(page, "Clarity", "Clear").check()
            level(page, "Measures", "None").check()
            page.get_by_label("Comment on Measures").fill("Which numbers will you look at?")
            page.get_by_label("Overall comment to the learner").fill("Add your measures.")
            shoot(page, "review", site.mode)
            page.get_by_role("button", name="Return for revision").click()
            assert "returned for revision" in notices(page, "returned for revision")

            learner.reload()
            assert "Returned for revision" in learner.locator(".capstone-status").inner_text()
            assert learner.get_by_text("Which numbers will you look at?").is_visible()
            shoot(learner, "learner", site.mode)
            editor = learner.get_by_label("Your response (markdown)")
            editor.fill(editor.input_value() + "\n\n## Measures\n\n- meetings booked")
            learner.get_by_role("button", name="Submit for review").click()
            notices(learner, "Submitted for review")  # the resubmission has landed

            page.goto(base + "/capstone/reviews")
            assert "Ada Acme" in page.get_by_role("table").first.inner_text()
            shoot(page, "queue", site.mode)
            page.get_by_role("link", name=re.compile("Review")).first.click()
            level(page, "Clarity", "Vivid").check()
            level(page, "Measures", "Some").check()
            page.get_by_label("Overall comment to the learner").fill("A plan to follow.")
            page.get_by_role("button", name="Pass").click()
            shown = notices(page, "capstone is passed", "certificate")
            assert "capstone is passed" in shown and "certificate" in shown

            learner.goto(base + "/certificates/")
            assert learner.get_by_role("link", name=re.compile("Download")).first.is_visible()
            learner.goto(base + f"/courses/{COURSE}/capstone")
            assert "Passed" in learner.locator(".capstone-status").inner_text()
            shoot(learner, "learner-passed", site.mode)
            assert learner.problems == [] if hasattr(learner, "problems") else True
        finally:
            learner_context.close()
    with site.app.app_context():
        certificate = session().scalar(select(Certificate))
        assert certificate.name == "Ada Acme"
        assert certificate.snapshot["extra"]["capstone"]["reviewed_by"] == "Acme Ltd"
    subjects = [m["Subject"] for m in mailbox.wait_for(4)]
    assert any(s.startswith("Your capstone passed") for s in subjects)
    assert page.problems == []
