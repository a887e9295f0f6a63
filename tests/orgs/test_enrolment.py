"""Enrolment: invitations by email (expiring, revocable, accepted by a new or an existing
account), the seat limit, and staff-list import: every bad row reported with its line, nothing
applied until the file is valid, a valid file enrolling everyone once."""

from __future__ import annotations

import io
import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select, update

from course.db import session, utcnow
from course.orgs import services
from course.orgs.models import AuditEvent, Invitation, Membership, Organisation
from course.orgs.roster import parse_roster
from tests.conftest import Mailbox, csrf_token, submit
from tests.orgs.fixtures import Orgs

BAD_FILE = (
    "email,name,team,shoe size\n"         # 1: an unknown column
    "ana@example.com,Ana Lima,Sales,\n"    # 2: fine
    ",No Email,Sales,\n"                   # 3: no email
    "not-an-address,Bad,Sales,\n"          # 4: not an email
    "ana@example.com,Ana Again,Sales,\n"   # 5: a duplicate of line 2
    "ben@example.com,Ben\n"                # 6: too few fields
    f"cy@example.com,{'C' * 121},Sales,\n"  # 7: name too long
    "boss@globex.example,Gus,Ops,\n"       # 8: another organisation's person
)


def test_parse_reports_each_kind_of_bad_row_with_its_line() -> None:
    rows, problems = parse_roster(BAD_FILE.encode())
    found = {p.line: p.reason for p in problems}
    assert set(found) == {1, 3, 4, 5, 6, 7}
    assert "unknown column(s) shoe size" in found[1]
    assert found[3] == "no email address"
    assert "is not an email address" in found[4]
    assert found[5] == "ana@example.com is also on line 2"
    assert found[6] == "2 fields where the header has 4"
    assert "longer than 120" in found[7]
    assert [r.email for r in rows] == ["ana@example.com", "boss@globex.example"]


@pytest.mark.parametrize("data, line, reason", [
    (b"", 1, "the file is empty"),
    (b"name,team\nAna,Sales\n", 1, "no 'email' column"),
    (b"email\nan\xe9@example.com\n", 2, "not UTF-8"),
])
def test_unusable_files(data: bytes, line: int, reason: str) -> None:
    _, problems = parse_roster(data)
    assert problems[0].line == line and reason in problems[0].reason


def upload(client, site, text: str):
    token = csrf_token(client, site.url("/org/import"))
    return client.post(site.url("/org/import"), data={
        "csrf_token": token, "roster": (io.BytesIO(text.encode()), "staff.csv")},
        content_type="multipart/form-data")


def counts(site) -> tuple[int, int]:
    with site.app.app_context():
        return (session().scalar(select(func.count()).select_from(Invitation)),
                session().scalar(select(func.count()).select_from(Membership)))


def test_a_bad_file_reports_every_problem_and_changes_nothing(orgs: Orgs,
                                                               mailbox: Mailbox) -> None:
    site = orgs.site
    before = counts(site)
    response = upload(orgs.manager(), site, BAD_FILE)
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Nothing was changed: 7 problems" in html
    for line in (1, 3, 4, 5, 6, 7, 8):
        assert f"Line {line}:" in html
    assert "boss@globex.example belongs to another organisation" in html
    assert "Send" not in html.split("Nothing was changed")[1].split("</div>")[0]
    assert counts(site) == before
    site.app.extensions["course"].tasks.join_all()
    assert mailbox.messages == []


def test_a_valid_file_enrols_everyone_once(orgs: Orgs, mailbox: Mailbox) -> None:
    site = orgs.site
    manager = orgs.manager()
    good = "email,name,team\nana@example.com,Ana Lima,Sales\nBen@Example.com,,Support\n\n"
    preview = upload(manager, site, good)
    html = preview.get_data(as_text=True)
    assert preview.status_code == 200 and "Preview: 2 to invite" in html
    assert counts(site)[0] == 0  # a preview changes nothing
    token = csrf_token(manager, site.url("/org/import"))
    done = manager.post(site.url("/org/import"), data={"csrf_token": token,
                                                       "confirm-csrf_token": token,
                                                       "confirm-text": good})
    assert done.status_code == 302
    with site.app.app_context():
        rows = session().scalars(select(Invitation).order_by(Invitation.email)).all()
        assert [(i.email, i.team) for i in rows] == [("ana@example.com", "Sales"),
                                                     ("ben@example.com", "Support")]
    # The same file again: everyone is in already, nothing doubles.
    again = upload(manager, site, good).get_data(as_text=True)
    assert "Preview: 0 to invite, 2 already in" in again
    if site.mode == "standalone":
        messages = mailbox.wait_for(2)
        assert sorted(m["To"] for m in messages) == ["ana@example.com", "ben@example.com"]


def test_seat_limit(orgs: Orgs) -> None:
    site = orgs.site
    with site.app.app_context():
        session().execute(update(Organisation).where(Organisation.id == orgs.acme_id)
                          .values(seat_limit=3))  # the manager holds one seat
        session().commit()
    html = upload(orgs.manager(), site, "email\na@x.example\nb@x.example\nc@x.example\n")
    text = html.get_data(as_text=True)
    assert "Line 4: no seat left (the limit is 3)" in text and "Line 3:" not in text


def invitation_link(orgs: Orgs, mailbox: Mailbox, email: str) -> str:
    """Invite through the page; returns the link (from the email, or made directly)."""
    site = orgs.site
    manager = orgs.manager()
    response = submit(manager, site.url("/org/members"), {"email": email, "team": "Sales"})
    assert response.status_code == 302, response.get_data(as_text=True)
    [message] = mailbox.wait_for(1)
    body = message.get_payload(decode=True).decode()
    return re.search(r"http://localhost(\S*/invitations/\S+)", body).group(1)


def test_invite_then_a_new_learner_registers_and_joins(orgs: Orgs, mailbox: Mailbox) -> None:
    site = orgs.site
    if site.mode == "host":
        site.app.config.update(COURSE_MAIL_SERVER=mailbox.host, COURSE_MAIL_PORT=mailbox.port)
    link = invitation_link(orgs, mailbox, "newbie@acme.example")
    assert link.startswith(site.prefix + "/invitations/")
    if site.mode == "standalone":
        visitor = site.client()
        page = visitor.get(link).get_data(as_text=True)
        assert "Join Acme Ltd" in page and "create your account" in page
        register = re.search(r'href="([^"]*/account/register\?[^"]*)"', page).group(1)
        register = register.replace("&amp;", "&")
        form = visitor.get(register).get_data(as_text=True)
        assert 'value="newbie@acme.example"' in form  # the address is filled in
        token = csrf_token(visitor, register)
        response = visitor.post(register, data={
            "csrf_token": token, "display_name": "Nia Newbie", "email": "newbie@acme.example",
            "password": "correct horse battery", "confirm": "correct horse battery"})
        assert response.headers["Location"] == link  # back to the invitation
        client = visitor
    else:
        client = orgs.people.client("newbie@acme.example", "Nia Newbie")
    token = csrf_token(client, link)
    joined = client.post(link, data={"csrf_token": token})
    assert joined.status_code == 302
    with site.app.app_context():
        member = session().scalar(select(Membership).where(
            Membership.email == "newbie@acme.example"))
        assert member.org_id == orgs.acme_id and member.team == "Sales"
        actions = session().scalars(select(AuditEvent.action).where(
            AuditEvent.org_id == orgs.acme_id)).all()
        assert {"invited", "member-added", "invitation-accepted"} <= set(actions)
    # The link works once.
    assert client.get(link).status_code == 404


def test_invitations_expire_and_can_be_revoked(orgs: Orgs) -> None:
    site = orgs.site
    with site.app.app_context():
        db = session()
        org = services.org_by_slug(db, "acme")
        old, old_token = services.invite(db, org, "late@acme.example", invited_by="x", days=1)
        gone, gone_token = services.invite(db, org, "gone@acme.example", invited_by="x", days=9)
        old.expires_at = utcnow() - timedelta(minutes=1)
        db.commit()
        gone_id = gone.id
    manager = orgs.manager()
    token = csrf_token(manager, site.url("/org/members"))
    assert manager.post(site.url(f"/org/invitations/{gone_id}/revoke"),
                        data={"csrf_token": token}).status_code == 302
    learner = orgs.people.client("late@acme.example")
    for token_ in (old_token, gone_token):
        response = learner.get(site.url(f"/invitations/{token_}"))
        assert response.status_code == 404 and "not valid" in response.get_data(as_text=True)


def test_a_member_of_another_organisation_cannot_join(orgs: Orgs) -> None:
    site = orgs.site
    orgs.add_member("globex", "gina@globex.example", "Gina")
    with site.app.app_context():  # Globex recorded her under an address she has since changed
        session().execute(update(Membership).where(Membership.email == "gina@globex.example")
                          .values(email="gina.old@globex.example"))
        org = services.org_by_slug(session(), "acme")
        _, token = services.invite(session(), org, "gina@globex.example", invited_by="x",
                                   days=3)
        session().commit()
    gina = orgs.people.client("gina@globex.example")
    link = site.url(f"/invitations/{token}")
    page = gina.post(link, data={"csrf_token": csrf_token(gina, link)}, follow_redirects=True)
    assert "belongs to another organisation" in page.get_data(as_text=True)
    with site.app.app_context():
        assert session().scalar(select(Membership.org_id).where(
            Membership.email == "gina.old@globex.example")) == orgs.globex_id


def test_an_invitation_is_bound_to_its_address(orgs: Orgs) -> None:
    """Someone else's invitation link (forwarded, or leaked) cannot enrol another account."""
    site = orgs.site
    with site.app.app_context():
        org = services.org_by_slug(session(), "acme")
        _, token = services.invite(session(), org, "Ivy@Acme.example", invited_by="x", days=3)
        session().commit()
    link = site.url(f"/invitations/{token}")
    mallory = orgs.people.client("mallory@elsewhere.example")
    page = mallory.post(link, data={"csrf_token": csrf_token(mallory, link)},
                        follow_redirects=True).get_data(as_text=True)
    assert "sent to another email address" in page
    with site.app.app_context():
        assert session().scalar(select(Membership).where(
            Membership.email == "mallory@elsewhere.example")) is None
    ivy = orgs.people.client("ivy@acme.example")  # the same address, in another case
    assert ivy.post(link, data={"csrf_token": csrf_token(ivy, link)}).status_code == 302
    with site.app.app_context():
        assert session().scalar(select(Membership.org_id).where(
            Membership.email == "ivy@acme.example")) == orgs.acme_id
