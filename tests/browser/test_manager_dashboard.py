"""The manager's dashboard in a real Chromium: the headline tiles, then removing a member (a
confirmation first) and undoing it from the members page; screenshots at 1280 and 390 px with
nothing scrolling sideways. Standalone and mounted."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from course.certificates.models import Certificate
from course.db import session, utcnow
from tests.browser.conftest import LiveServer
from tests.browser.test_organisation import log_in_as, org_site  # noqa: F401 (a fixture)
from tests.orgs.fixtures import Orgs

pytestmark = pytest.mark.browser


def _people(orgs: Orgs) -> None:
    ada = orgs.add_member("acme", "ada@acme.example", "Ada Lovelace", team="Sales")
    orgs.add_member("acme", "ben@acme.example", "Ben Okafor", team="Support")
    with orgs.site.app.app_context():
        session().add(Certificate(
            user_id=ada, course="social-divide", version=1, code="A" * 27, status="active",
            name="Ada Lovelace", course_title="The Social Divide", issued_at=utcnow(),
            valid_until=utcnow() + timedelta(days=40), snapshot={}, template="default",
            pdf=b"%PDF", sha256="0" * 64))
        session().commit()


def _tile(page, label: str) -> str:
    tile = page.locator(".tiles.headline .tile", has_text=label).first
    return tile.locator(".tile-value").inner_text()


def test_tiles_then_remove_and_undo(org_site: Orgs, page) -> None:  # noqa: F811
    orgs, site = org_site, org_site.site
    _people(orgs)
    with LiveServer(site.app) as server:
        log_in_as(page, server, orgs, "boss@acme.example")
        page.goto(server.url + site.url("/org/"))
        assert _tile(page, "enrolled") == "3"
        assert _tile(page, "completed") == "33%"
        assert _tile(page, "expiring within 90 days") == "1"
        assert page.get_by_role("img", name=re.compile("Members who completed")).is_visible()
        if site.mode == "standalone":
            for width in (1280, 390):
                page.set_viewport_size({"width": width, "height": 900})
                page.goto(server.url + site.url("/org/"))
                assert page.evaluate("document.documentElement.scrollWidth") <= width
                page.screenshot(path=f"/tmp/dashboard-{width}.png", full_page=True)
            page.set_viewport_size({"width": 1200, "height": 900})
            page.goto(server.url + site.url("/org/"))

        page.get_by_role("link", name="Remove Ben Okafor").click()
        assert page.get_by_role("heading", level=1).inner_text() == "Remove Ben Okafor?"
        page.get_by_role("button", name="Remove Ben Okafor").click()
        assert "Ben Okafor is removed" in page.locator(".flash").inner_text()
        assert page.get_by_role("row", name=re.compile("Ben Okafor")).count() == 0
        assert _tile(page, "enrolled") == "2"

        page.get_by_role("link", name="Invite and members").click()
        page.get_by_role("button", name="Restore Ben Okafor").click()
        assert "Ben Okafor is a member again" in page.locator(".flash").inner_text()
        page.goto(server.url + site.url("/org/"))
        assert page.get_by_role("row", name=re.compile("Ben Okafor")).count() == 1
        assert _tile(page, "enrolled") == "3"
        assert page.problems == []
