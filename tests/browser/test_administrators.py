"""An administrator looks after an organisation in a real Chromium, standalone and mounted:
renames it, is told why the seats cannot go below the people counted, replaces its manager
with a member, then removes the last manager and is told the organisation has none; the page
reflows at 320 px and passes axe."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import LiveServer
from tests.browser.test_organisation import log_in_as
from tests.browser.test_reflow_axe import AXE, check
from tests.orgs.fixtures import Orgs
from tests.orgs.test_administrators import admin_account

pytestmark = pytest.mark.browser


def test_administrator_renames_sets_seats_and_replaces_the_manager(orgs: Orgs, browser) -> None:
    site = orgs.site
    orgs.add_member("acme", "ada@acme.example", "Ada Acme")
    orgs.add_member("acme", "ben@acme.example", "Ben Acme")
    email = admin_account(orgs)
    site.client().get(site.url("/catalogue"))  # the content is read before the clock runs
    context = browser.new_context(viewport={"width": 1200, "height": 900})
    page = context.new_page()
    page.set_default_timeout(20_000)
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    try:
        with LiveServer(site.app) as server:
            log_in_as(page, server, orgs, email)
            page.goto(server.url + site.url("/catalogue"))
            page.get_by_role("navigation", name="Main").get_by_role(
                "link", name="Organisations").click()
            page.get_by_role("link", name="Acme Ltd").click()
            expect(page.get_by_role("heading", level=1)).to_have_text("Acme Ltd")

            page.get_by_label("Name", exact=True).fill("Acme Group")
            page.get_by_role("button", name="Rename").click()
            expect(page.get_by_role("status").first).to_contain_text(
                "Acme Ltd is now called Acme Group")
            expect(page.get_by_role("heading", level=1)).to_have_text("Acme Group")

            page.get_by_label("Number of seats").fill("2")
            page.get_by_role("button", name="Save the seats").click()
            summary = page.get_by_role("alert")
            expect(summary).to_contain_text("needs at least 3 seats")
            summary.get_by_role("link").click()  # the summary leads to the field
            expect(page.get_by_label("Number of seats")).to_be_focused()
            page.get_by_label("Number of seats").fill("5")
            page.get_by_role("button", name="Save the seats").click()
            expect(page.get_by_role("status").first).to_contain_text("Acme Group now has 5 seats")
            expect(page.locator(".org-facts")).to_contain_text("3 of 5 used")

            page.get_by_label("Manager's email address").fill("ada@acme.example")
            page.get_by_label("Replace the current manager").check()
            page.get_by_role("button", name="Appoint").click()
            expect(page.get_by_role("status").first).to_contain_text(
                "Ada Acme is now a manager of Acme Group, in place of Acme Boss.")
            managers = page.get_by_role("region", name="Managers")
            expect(managers).to_contain_text("Ada Acme")
            expect(managers).not_to_contain_text("Acme Boss")

            managers.get_by_role("button", name="Remove manager rights of Ada Acme").click()
            expect(page.get_by_role("status").first).to_contain_text(
                "Ada Acme is no longer a manager of Acme Group")
            expect(page.get_by_text("Acme Group has no manager.")).to_be_visible()
            assert not errors

            if AXE.is_file():
                narrow = browser.new_context(viewport={"width": 320, "height": 800},
                                             bypass_csp=True)
                try:
                    small = narrow.new_page()
                    log_in_as(small, server, orgs, email)
                    url = server.url + site.url(f"/orgs/admin/{orgs.acme_id}")
                    assert check(small, url) == []
                    users = "/account/users" if site.mode == "standalone" else "/orgs/admin/users"
                    assert check(small, server.url + site.url(users)) == []
                    assert check(small, server.url + site.url("/orgs/admin")) == []
                finally:
                    narrow.close()
    finally:
        context.close()
