"""Administrators create organisations and appoint managers, on the web and with commands."""

from __future__ import annotations

import re

from sqlalchemy import select

from course.db import session
from course.orgs.models import MANAGER, Membership, Organisation
from tests.certificates.test_issue_verify import admin_client
from tests.conftest import Mailbox, Site, csrf_token, submit


def test_admin_creates_an_organisation_and_invites_its_manager(
        standalone_course_site: Site, mailbox: Mailbox) -> None:
    site = standalone_course_site
    admin = admin_client(site)
    bad = submit(admin, "/orgs/admin", {"slug": "Not A Slug", "name": "Initech"})
    assert bad.status_code == 400 and "Lower-case letters" in bad.get_data(as_text=True)
    created = submit(admin, "/orgs/admin", {"slug": "initech", "name": "Initech",
                                            "seat_limit": "50"})
    assert created.status_code == 302
    page = created.headers["Location"]
    again = submit(admin, "/orgs/admin", {"slug": "initech", "name": "Initech 2"})
    assert "exists already" in again.get_data(as_text=True)
    invited = submit(admin, page, {"email": "peter@initech.example"})
    assert invited.status_code == 302
    [message] = mailbox.wait_for(1)
    body = message.get_payload(decode=True).decode()
    assert "as a manager" in body
    link = re.search(r"http://localhost(/invitations/\S+)", body).group(1)
    from tests.conftest import register

    peter = site.client()
    register(peter, email="peter@initech.example", name="Peter Gibbons")
    peter.post(link, data={"csrf_token": csrf_token(peter, link)})
    dashboard = peter.get("/org/")
    assert dashboard.status_code == 200 and "Initech" in dashboard.get_data(as_text=True)
    nav = peter.get("/catalogue").get_data(as_text=True)
    assert "My organisation" in nav
    learner = site.logged_in_client()
    assert learner.get("/orgs/admin").status_code == 403


def test_commands_create_an_organisation_and_appoint_a_manager(site: Site) -> None:
    runner = site.app.test_cli_runner()
    made = runner.invoke(args=["course", "create-org", "hooli", "Hooli Inc", "--seats", "10"])
    assert made.exit_code == 0 and "created organisation hooli" in made.output
    clash = runner.invoke(args=["course", "create-org", "hooli", "Hooli again"])
    assert clash.exit_code != 0 and "exists already" in clash.output
    if site.mode == "host":
        missing = runner.invoke(args=["course", "appoint-manager", "hooli", "ada@host.example"])
        assert missing.exit_code != 0 and "--user-id" in missing.output
        args = ["--user-id", "1", "--name", "Ada Host"]
    else:
        runner.invoke(args=["course", "create-user", "gavin@hooli.example"],
                      input="a long password\n")
        args = []
    done = runner.invoke(args=["course", "appoint-manager", "hooli",
                               "ada@host.example" if site.mode == "host"
                               else "gavin@hooli.example", *args])
    assert done.exit_code == 0, done.output
    with site.app.app_context():
        member = session().scalar(select(Membership).join(Organisation).where(
            Organisation.slug == "hooli"))
        assert member.role == MANAGER
    unknown = runner.invoke(args=["course", "appoint-manager", "nope", "x@y.example"])
    assert unknown.exit_code != 0 and "no organisation" in unknown.output
