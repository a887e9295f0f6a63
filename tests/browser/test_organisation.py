"""A manager invites a learner, the learner accepts and completes the course, and the manager
sees the certificate and where the organisation stands per factor: in a real Chromium,
standalone and mounted."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import LiveServer, notices
from tests.browser.test_certificate import all_but_the_last_quiz, answer_the_fixture_quiz
from tests.conftest import Mailbox
from tests.orgs.fixtures import PASSWORD, Orgs
from tests.quizzes.conftest import use_fixture_quiz


@pytest.fixture
def org_site(orgs: Orgs, content_root: Path, mailbox: Mailbox) -> Orgs:
    use_fixture_quiz(content_root)
    orgs.site.app.config.update(COURSE_AUTO_COMPLETE_SECONDS=0, COURSE_MAIL_SERVER=mailbox.host,
                                COURSE_MAIL_PORT=mailbox.port)
    return orgs


def log_in_as(page, server: LiveServer, orgs: Orgs, email: str) -> None:
    site = orgs.site
    if site.mode == "host":
        page.request.post(server.url + "/login", form={"email": email})
        return
    page.goto(server.url + "/account/login")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()


def test_invite_accept_complete_and_report(org_site: Orgs, page, browser,
                                           mailbox: Mailbox) -> None:
    orgs, site = org_site, org_site.site
    with LiveServer(site.app) as server:
        log_in_as(page, server, orgs, "boss@acme.example")
        page.goto(server.url + site.url("/org/"))
        page.get_by_role("link", name="Invite and members").click()
        page.get_by_label("Email address").fill("rhea@acme.example")
        page.get_by_label("Team (optional)").fill("Sales")
        page.get_by_role("button", name="Send the invitation").click()
        expect(page.get_by_role("status")).to_contain_text("Invitation sent to rhea@acme.example")
        [message] = mailbox.wait_for(1)
        link = re.search(r"http://[^/\s]+(\S*/invitations/\S+)",
                         message.get_payload(decode=True).decode()).group(1)

        learner_context = browser.new_context()
        try:
            learner = learner_context.new_page()
            learner.set_default_timeout(10_000)
            if site.mode == "host":
                orgs.people.user_id("rhea@acme.example", "Rhea Reader")
                learner.request.post(server.url + "/login", form={"email": "rhea@acme.example"})
                learner.goto(server.url + link)
            else:
                learner.goto(server.url + link)
                learner.get_by_role("link", name="create your account").click()
                assert learner.get_by_label("Email address").input_value() == "rhea@acme.example"
                learner.get_by_label("Your name").fill("Rhea Reader")
                learner.get_by_label("Password", exact=True).fill(PASSWORD)
                learner.get_by_label("Repeat the password").fill(PASSWORD)
                learner.get_by_role("button", name="Create account").click()
                assert learner.url == server.url + link  # back to the invitation
            learner.get_by_role("button", name="Join Acme Ltd").click()
            expect(learner.get_by_role("status").first).to_contain_text("Welcome to Acme Ltd")

            orgs.people.ids.setdefault("rhea@acme.example", _user_id(orgs))
            all_but_the_last_quiz_for(orgs)
            learner.goto(server.url + site.url(
                "/courses/social-divide/quizzes/social-graph-presence/"))
            learner.get_by_role("button", name="Start the quiz").click()
            answer_the_fixture_quiz(learner)
            learner.get_by_role("button", name="Submit answers").click()
            ready = "your certificate for The Social Divide is ready"
            assert ready in notices(learner, ready)
        finally:
            learner_context.close()

        page.goto(server.url + site.url("/org/"))
        row = page.get_by_role("row", name=re.compile("Rhea Reader"))
        assert "valid until" in row.inner_text() and "Sales" in row.inner_text()
        chart = page.get_by_role("img", name=re.compile("Average best quiz score per factor"))
        assert chart.is_visible()
        table = page.get_by_role("table", name="Average of members' best quiz score per factor")
        assert "100%" in table.inner_text()  # the quiz taken in the browser
        page.get_by_role("link", name=re.compile("valid until")).first.click()
        assert page.get_by_role("heading", level=1).inner_text() == "Certificate of Rhea Reader"
        assert page.problems == []


def _user_id(orgs: Orgs) -> str:
    from sqlalchemy import select

    from course.db import session
    from course.orgs.models import Membership

    with orgs.site.app.app_context():
        return session().scalar(select(Membership.user_id).where(
            Membership.email == "rhea@acme.example"))


def all_but_the_last_quiz_for(orgs: Orgs) -> None:
    """The test_certificate helper finds its learner by name; point it at Rhea."""
    import tests.browser.test_certificate as journey

    original = journey.learner_id
    journey.learner_id = lambda site: orgs.people.ids["rhea@acme.example"]
    try:
        all_but_the_last_quiz(orgs.site)
    finally:
        journey.learner_id = original
