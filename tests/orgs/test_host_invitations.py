"""Invitations in a host (issue 18, item 7): a logged-out invitee goes to the host's own log-in
page with `next` back to the invitation, and lands on it again once signed in."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import select

from course.db import session
from course.orgs import services
from course.orgs.models import Membership
from tests.conftest import csrf_token
from tests.orgs.fixtures import Orgs


def invite(orgs: Orgs, email: str) -> str:
    with orgs.site.app.app_context():
        org = services.org_by_slug(session(), "acme")
        _, token = services.invite(session(), org, email, invited_by="x", days=3)
        session().commit()
    return orgs.site.url(f"/invitations/{token}")


@pytest.mark.parametrize("site", ["host"], indirect=True)
def test_a_logged_out_invitee_signs_in_at_the_host_and_comes_back(orgs: Orgs) -> None:
    link = invite(orgs, "nia@host.example")
    orgs.people.user_id("nia@host.example", "Nia Staff")  # she has a host account
    visitor = orgs.site.client()
    sent = visitor.get(link)
    assert sent.status_code == 302
    login = urlsplit(sent.headers["Location"])
    assert login.path == "/login" and not login.netloc  # the host's own view, same site
    assert parse_qs(login.query) == {"next": [link]}  # a relative path back
    # The host's log-in page sends her back to `next`.
    signed_in = visitor.post(sent.headers["Location"], data={"email": "nia@host.example"})
    assert signed_in.status_code == 302 and signed_in.headers["Location"] == link
    page = visitor.get(link).get_data(as_text=True)
    assert "Join Acme Ltd" in page and 'type="submit"' in page
    joined = visitor.post(link, data={"csrf_token": csrf_token(visitor, link)})
    assert joined.status_code == 302
    with orgs.site.app.app_context():
        assert session().scalar(select(Membership.org_id).where(
            Membership.email == "nia@host.example")) == orgs.acme_id


@pytest.mark.parametrize("site", ["host"], indirect=True)
def test_a_dead_link_is_not_sent_to_log_in_and_a_host_without_login_view_gets_the_page(
        orgs: Orgs) -> None:
    visitor = orgs.site.client()
    assert visitor.get(orgs.site.url("/invitations/no-such-token")).status_code == 404
    orgs.site.app.login_manager.login_view = None
    page = visitor.get(invite(orgs, "olga@host.example"))
    assert page.status_code == 200 and "Please log in first" in page.get_data(as_text=True)


@pytest.mark.parametrize("site", ["host"], indirect=True)
def test_a_blueprint_login_view_comes_first(orgs: Orgs) -> None:
    app = orgs.site.app
    app.add_url_rule("/staff-sign-in", "staff_sign_in", lambda: "sign in here")
    app.login_manager.blueprint_login_views["course"] = "staff_sign_in"
    sent = orgs.site.client().get(invite(orgs, "pia@host.example"))
    assert urlsplit(sent.headers["Location"]).path == "/staff-sign-in"


@pytest.mark.parametrize("site", ["standalone"], indirect=True)
def test_standalone_the_invitation_offers_its_own_accounts(orgs: Orgs) -> None:
    page = orgs.site.client().get(invite(orgs, "rae@example.com"))
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "create your account" in html
