"""The trainer's gradebook in a real Chromium: filter to the failed learners, open one, send
the extra-attempt form without a reason (it comes back with the error), then with one (the
grant is listed); screenshots at 1280 and 390 px with nothing scrolling sideways. Standalone
and mounted, on SQLite."""

from __future__ import annotations

import pytest

from tests.browser.conftest import LiveServer
from tests.browser.test_organisation import log_in_as, org_site  # noqa: F401 (a fixture)
from tests.orgs.fixtures import Orgs
from tests.trainers.helpers import BOOK, MODULE, add_attempt, add_learners, give_role

pytestmark = pytest.mark.browser


def test_filter_open_a_learner_and_grant_an_extra_attempt(org_site: Orgs, page) -> None:  # noqa: F811
    orgs, site = org_site, org_site.site
    nora = orgs.people.user_id("nora@example.com", "Nora Nobody")
    add_learners(site, {nora: "Nora Nobody", "x1": "Xavier Passed"})
    add_attempt(site, nora, 1, 40, minutes_ago=120)
    add_attempt(site, nora, 2, 60)
    add_attempt(site, "x1", 1, 95)
    give_role(site, orgs.people.user_id("tia@example.com", "Tia Trainer"), "trainer")
    with LiveServer(site.app) as server:
        log_in_as(page, server, orgs, "tia@example.com")
        page.goto(server.url + site.url(BOOK + f"?quiz={MODULE}"))
        if site.mode == "standalone":
            for width in (1280, 390):
                page.set_viewport_size({"width": width, "height": 900})
                page.reload()
                assert page.evaluate("document.documentElement.scrollWidth") <= width
                page.screenshot(path=f"/tmp/gradebook-{width}.png", full_page=True)
            page.set_viewport_size({"width": 1200, "height": 900})
        page.get_by_label("Status").select_option(label="Failed")
        page.get_by_role("button", name="Show").click()
        assert page.get_by_role("row", name="Xavier").count() == 0
        row = page.get_by_role("row", name="Nora Nobody")
        assert "60%" in row.inner_text() and "Failed" in row.inner_text()
        row.get_by_role("link", name="Nora Nobody").click()
        assert page.get_by_role("heading", level=1).inner_text() == "Nora Nobody"
        page.get_by_text("Grant an extra attempt or reset this quiz").first.click()
        section = page.locator(f"#quiz-{MODULE}")
        section.get_by_label("One extra attempt").check()
        section.get_by_role("button", name="Record it").click()
        assert "Give a reason" in page.get_by_role("alert").first.inner_text()
        section = page.locator(f"#quiz-{MODULE}")
        section.get_by_label("Reason").fill("Connection dropped in attempt 2")
        section.get_by_label("One extra attempt").check()
        section.get_by_role("button", name="Record it").click()
        assert "Extra attempt recorded" in page.locator(".flash").inner_text()
        assert "Connection dropped in attempt 2" in page.locator(f"#quiz-{MODULE}").inner_text()
        if site.mode == "standalone":
            page.screenshot(path="/tmp/gradebook-learner.png", full_page=True)
        # The form sent without a reason came back with 400, as intended; nothing else failed.
        assert [p for p in page.problems if "status of 400" not in p] == []
