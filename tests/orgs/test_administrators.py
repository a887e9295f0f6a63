"""Administrators: rename an organisation, change its seats, remove or replace its manager
(emailed, audited, rights gone at once); the Users page with organisation places apart from
site roles and a last log-in that only real log-ins set. Standalone and mounted, on each
database, with real SMTP where email is involved."""

from __future__ import annotations

import io
import re
from dataclasses import replace
from datetime import UTC, datetime

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select, update

from course.accounts.models import User
from course.db import session, utcnow
from course.orgs import services
from course.orgs.models import AuditEvent, KnownUser, Membership, Organisation
from tests.conftest import Mailbox, Site, csrf_token, login, register, submit
from tests.orgs.fixtures import PASSWORD, Orgs
from tests.orgs.test_reports import certificate

ROOT = "root@host.example"
TOKEN = re.compile(r'name="(?:[a-z]+-)?csrf_token"[^>]*value="([^"]+)"')


def admin_account(orgs: Orgs) -> str:
    """An administrator's address: the standalone site's own account, or in the host app a
    member of staff whom the host's roles hook makes an administrator. Password: PASSWORD."""
    site = orgs.site
    if site.mode == "standalone":
        _account(site.app, "root@example.com", "Root", "admin")
        return "root@example.com"
    state = site.app.extensions["course"]
    roles = state.hooks.roles
    state.hooks = replace(state.hooks, roles=lambda user: roles(user) | (
        {"admin"} if user.email == ROOT else set()))
    orgs.people.user_id(ROOT, "Root Admin")
    return ROOT


def admin(orgs: Orgs) -> FlaskClient:
    """A client logged in as the administrator."""
    email = admin_account(orgs)
    if orgs.site.mode == "standalone":
        client = orgs.site.client()
        assert login(client, email, PASSWORD).status_code == 302
        return client
    return orgs.people.client(email)


def _account(app: Flask, email: str, name: str, role: str = "learner") -> None:
    """An account made by an administrator's command (not a log-in)."""
    from course.accounts.services import PasswordPolicy, create_user

    with app.app_context():
        create_user(session(), PasswordPolicy.from_config(app.config), email=email,
                    password=PASSWORD, display_name=name, role=role)
        session().commit()


def _with_mail(site: Site, mailbox: Mailbox) -> None:
    site.app.config.update(COURSE_MAIL_SERVER=mailbox.host, COURSE_MAIL_PORT=mailbox.port)


def _post(client: FlaskClient, url: str, data: dict, **kwargs):  # noqa: ANN003, ANN202
    token = TOKEN.search(client.get(url).get_data(as_text=True)).group(1)
    return client.post(url, data={"csrf_token": token, "rename-csrf_token": token,
                                  "seats-csrf_token": token, **data}, **kwargs)


def _org(site: Site, slug: str = "acme") -> Organisation:
    with site.app.app_context():
        org = services.org_by_slug(session(), slug)
        session().expunge(org)
        return org


def _audit(site: Site, org_id: int) -> list[tuple[str, str | None, dict]]:
    with site.app.app_context():
        return [(e.action, e.subject, e.detail) for e in session().scalars(
            select(AuditEvent).where(AuditEvent.org_id == org_id).order_by(AuditEvent.id))]


def _member_id(site: Site, email: str) -> int:
    with site.app.app_context():
        return session().scalar(select(Membership.id).where(Membership.email == email))


def _body(message) -> str:  # noqa: ANN001
    return message.get_payload(decode=True).decode()


# ------------------------------------------------------------------ rename and seats
def test_rename_keeps_the_links_and_certificates_and_names_future_ones(orgs: Orgs) -> None:
    from pypdf import PdfReader

    site = orgs.site
    ada = orgs.add_member("acme", "ada@acme.example", "Ada Acme")
    with site.app.app_context():
        old = certificate(ada, "Ada Acme", "R" * 27)
        old.snapshot = {"organisation": "Acme Ltd"}
        session().add(old)
        session().commit()
    root = admin(orgs)
    page_url = site.url(f"/orgs/admin/{orgs.acme_id}")
    page = root.get(page_url)
    assert page.status_code == 200 and 'value="Acme Ltd"' in page.get_data(as_text=True)

    empty = _post(root, page_url, {"rename-name": "   "})
    assert empty.status_code == 400
    assert "The organisation needs a name" in empty.get_data(as_text=True)
    assert _org(site).name == "Acme Ltd"

    renamed = _post(root, page_url, {"rename-name": "Acme Group"}, follow_redirects=True)
    text = renamed.get_data(as_text=True)
    assert renamed.status_code == 200
    assert "Acme Ltd is now called Acme Group" in text and "<h1>Acme Group</h1>" in text
    org = _org(site)
    assert (org.name, org.slug) == ("Acme Group", "acme")  # the short name stays
    assert ("organisation-renamed", "Acme Group", {"from": "Acme Ltd", "to": "Acme Group"}) in (
        _audit(site, orgs.acme_id))
    listing = root.get(site.url("/orgs/admin")).get_data(as_text=True)
    assert "Acme Group" in listing and "Acme Ltd" not in listing

    # The issued certificate still verifies; the manager's pages and links are the same.
    verify = site.client().get(site.url(f"/verify/{'R' * 27}"))
    assert verify.status_code == 200 and "Ada Acme" in verify.get_data(as_text=True)
    manager = orgs.manager()
    dashboard = manager.get(site.url("/org/"))
    assert dashboard.status_code == 200 and "Acme Group" in dashboard.get_data(as_text=True)
    # Certificates from now on carry the new name: the sample the manager previews shows it.
    settings = manager.get(site.url("/org/settings")).get_data(as_text=True)
    token = re.search(r'name="brand-csrf_token"[^>]*value="([^"]+)"', settings).group(1)
    preview = manager.post(site.url("/org/settings/preview"), data={
        "brand-csrf_token": token, "brand-template": "default"},
        content_type="multipart/form-data")
    assert preview.status_code == 200
    assert "Acme Group" in PdfReader(io.BytesIO(preview.data)).pages[0].extract_text()
    with site.app.app_context():
        assert services.look_for(session(), ada).organisation == "Acme Group"
    # A manager cannot rename their organisation (nor see the administrators' page).
    token = csrf_token(manager, site.url("/org/members"))
    assert manager.post(page_url, data={"rename-csrf_token": token,
                                        "rename-name": "Hacked"}).status_code == 403
    assert manager.get(page_url).status_code == 403 and _org(site).name == "Acme Group"


def test_seats_cannot_go_below_the_people_counted(orgs: Orgs) -> None:
    site = orgs.site
    orgs.add_member("acme", "ada@acme.example", "Ada Acme")
    orgs.add_member("acme", "ben@acme.example", "Ben Acme")
    with site.app.app_context():
        db = session()
        acme = services.org_by_slug(db, "acme")
        services.invite(db, acme, "open@acme.example", invited_by="x", days=7)
        stale, _ = services.invite(db, acme, "stale@acme.example", invited_by="x", days=7)
        stale.expires_at = datetime(2020, 1, 1, tzinfo=UTC)  # lapsed: holds no seat
        db.commit()
    root = admin(orgs)
    page_url = site.url(f"/orgs/admin/{orgs.acme_id}")
    assert "4 used, no limit" in root.get(page_url).get_data(as_text=True)

    low = _post(root, page_url, {"seats-seat_limit": "3"})
    text = low.get_data(as_text=True)
    assert low.status_code == 400
    assert ("Acme Ltd has 3 members and 1 open invitation, so it needs at least 4 seats"
            in text)
    assert 'aria-invalid="true"' in text and _org(site).seat_limit is None
    bad = _post(root, page_url, {"seats-seat_limit": "0"})
    assert bad.status_code == 400 and _org(site).seat_limit is None

    done = _post(root, page_url, {"seats-seat_limit": "4"}, follow_redirects=True)
    assert "Acme Ltd now has 4 seats." in done.get_data(as_text=True)
    assert "4 of 4 used" in done.get_data(as_text=True)
    assert _org(site).seat_limit == 4
    assert ("seats-changed", "Acme Ltd", {"from": None, "to": 4}) in _audit(site, orgs.acme_id)
    # The manager now finds every seat taken.
    full = submit(orgs.manager(), site.url("/org/members"), {"email": "dan@acme.example"})
    assert "All 4 seats are taken" in full.get_data(as_text=True)

    unlimited = _post(root, page_url, {"seats-seat_limit": ""}, follow_redirects=True)
    assert "Acme Ltd now has no seat limit." in unlimited.get_data(as_text=True)
    assert _org(site).seat_limit is None


# ------------------------------------------------------------------ managers
def test_replace_the_manager_with_a_member_then_remove_the_last_one(
        orgs: Orgs, mailbox: Mailbox) -> None:
    site = orgs.site
    _with_mail(site, mailbox)
    orgs.add_member("acme", "ada@acme.example", "Ada Acme")
    boss = orgs.manager()
    ada = orgs.people.client("ada@acme.example")
    assert boss.get(site.url("/org/")).status_code == 200
    assert ada.get(site.url("/org/")).status_code == 403
    root = admin(orgs)
    page_url = site.url(f"/orgs/admin/{orgs.acme_id}")
    assert "ada@acme.example" in root.get(page_url).get_data(as_text=True).split(
        'id="member-addresses"')[1]  # offered to pick

    replaced = _post(root, page_url, {"email": "ADA@acme.example", "replace": "y"},
                     follow_redirects=True)
    assert "Ada Acme is now a manager of Acme Ltd, in place of Acme Boss." in (
        replaced.get_data(as_text=True))
    messages = {m["To"]: m for m in mailbox.wait_for(2)}
    assert "You are no longer a manager of Acme Ltd" in messages["boss@acme.example"]["Subject"]
    assert "You stay a member" in _body(messages["boss@acme.example"])
    assert "You are now a manager of Acme Ltd" in messages["ada@acme.example"]["Subject"]
    assert f"http://localhost{site.url('/org/')}" in _body(messages["ada@acme.example"])
    # At once: the old manager's open session has lost the organisation's pages.
    assert boss.get(site.url("/org/")).status_code == 403
    assert boss.get(site.url("/org/members")).status_code == 403
    assert ada.get(site.url("/org/")).status_code == 200
    events = _audit(site, orgs.acme_id)
    assert ("manager-appointed", "Ada Acme <ada@acme.example>", {}) in events
    assert ("manager-removed", "Acme Boss <boss@acme.example>", {}) in events

    # Appointing her again says so; she stays the one manager.
    again = _post(root, page_url, {"email": "ada@acme.example"})
    assert again.status_code == 400 and "Ada Acme manages Acme Ltd already" in (
        again.get_data(as_text=True))

    # Removing the last manager is allowed, and the page says the organisation has none.
    remove_url = site.url(f"/orgs/admin/{orgs.acme_id}/managers/"
                          f"{_member_id(site, 'ada@acme.example')}/remove")
    assert root.get(remove_url).status_code == 405
    assert root.post(remove_url).status_code == 400  # no CSRF token: nothing happens
    assert ada.get(site.url("/org/")).status_code == 200
    removed = root.post(remove_url, data={"csrf_token": csrf_token(root, page_url)},
                        follow_redirects=True)
    text = removed.get_data(as_text=True)
    assert "Ada Acme is no longer a manager of Acme Ltd; they stay a member." in text
    assert "Acme Ltd has no manager." in text
    assert ada.get(site.url("/org/")).status_code == 403
    listing = root.get(site.url("/orgs/admin")).get_data(as_text=True)
    acme_row = listing.split("Acme Ltd</a>")[1].split("</tr>")[0]
    assert "no manager" in acme_row and "<td>2</td>" in acme_row  # Boss and Ada stay members
    assert "Globex Boss" in listing.split("Globex plc</a>")[1].split("</tr>")[0]
    [notice] = [m for m in mailbox.wait_for(3) if m["To"] == "ada@acme.example"
                and "no longer" in m["Subject"]]
    assert "Acme Ltd" in _body(notice)
    with site.app.app_context():
        assert services.managers(session(), services.org_by_slug(session(), "acme")) == []
        assert services.membership(session(), orgs.people.ids["ada@acme.example"]) is not None
    # Another organisation's manager cannot be removed through Acme's page.
    globex_boss = site.url(f"/orgs/admin/{orgs.acme_id}/managers/"
                           f"{_member_id(site, 'boss@globex.example')}/remove")
    assert root.post(globex_boss, data={"csrf_token": csrf_token(root, page_url)}
                     ).status_code == 404


def test_replace_the_manager_by_inviting_someone_new(orgs: Orgs, mailbox: Mailbox) -> None:
    site = orgs.site
    _with_mail(site, mailbox)
    boss = orgs.manager()
    root = admin(orgs)
    page_url = site.url(f"/orgs/admin/{orgs.acme_id}")
    bad = _post(root, page_url, {"email": "not an address", "replace": "y"})
    assert bad.status_code == 400 and 'aria-invalid="true"' in bad.get_data(as_text=True)
    assert boss.get(site.url("/org/")).status_code == 200  # nothing changed
    taken = _post(root, page_url, {"email": "boss@globex.example", "replace": "y"})
    assert taken.status_code == 400 and "member of another organisation" in (
        taken.get_data(as_text=True))
    assert boss.get(site.url("/org/")).status_code == 200

    invited = _post(root, page_url, {"email": "nina@acme.example", "replace": "y"},
                    follow_redirects=True)
    text = invited.get_data(as_text=True)
    assert ("A manager&#39;s invitation is sent to nina@acme.example; Acme Boss no longer "
            "manages Acme Ltd." in text)
    assert "Acme Ltd has no manager." in text and "Open invitations" in text
    assert boss.get(site.url("/org/")).status_code == 403
    messages = {m["To"]: m for m in mailbox.wait_for(2)}
    link = re.search(r"http://localhost(\S*/invitations/\S+)",
                     _body(messages["nina@acme.example"])).group(1)
    assert "as a manager" in _body(messages["nina@acme.example"])
    assert "no longer a manager" in messages["boss@acme.example"]["Subject"]
    # Nina accepts and manages Acme.
    nina = orgs.people.client("nina@acme.example", "Nina New")
    nina.post(link, data={"csrf_token": csrf_token(nina, link)})
    assert nina.get(site.url("/org/")).status_code == 200
    assert "has no manager" not in root.get(page_url).get_data(as_text=True)


# ------------------------------------------------------------------ users page
def _user_rows(root: FlaskClient, url: str) -> dict[str, str]:
    text = root.get(url, follow_redirects=True).get_data(as_text=True)
    return {re.sub(r"<[^>]+>", "", m.group(1)).strip(): m.group(0)
            for m in re.finditer(r"<tr>\s*<th scope=\"row\">(.*?)</th>.*?</tr>", text, re.S)}


def test_users_page_shows_organisation_places_apart_from_site_roles(orgs: Orgs) -> None:
    site = orgs.site
    orgs.add_member("acme", "ada@acme.example", "Ada Acme")
    orgs.add_member("acme", "cy@acme.example", "Cy Acme")  # never logged in
    ada = orgs.people.client("ada@acme.example")
    for email in ("boss@acme.example", "boss@globex.example"):
        orgs.people.client(email)
    root = admin(orgs)
    nav = root.get(site.url("/catalogue")).get_data(as_text=True)
    assert re.search(r'href="[^"]*/users[^"]*">Users</a>', nav)
    users = site.url("/orgs/admin/users")
    page = root.get(users, follow_redirects=True)
    text = page.get_data(as_text=True)
    assert page.status_code == 200 and "Site role" in text and "Organisation" in text
    rows = _user_rows(root, users)
    assert "Manager of Acme Ltd" in rows["Acme Boss"]
    assert "Member of Acme Ltd" in rows["Ada Acme"] and "Member of Acme Ltd" in rows["Cy Acme"]
    assert "Manager of Globex plc" in rows["Globex Boss"]
    today = utcnow().strftime("%Y-%m-%d")
    assert f"<td>{today} " in rows["Ada Acme"]  # her log-in, through the host's too
    if site.mode == "standalone":
        assert "Administrator" in rows["Root"] and "Learner" in rows["Ada Acme"]
        assert "<td>never</td>" in rows["Cy Acme"]
    else:  # the host keeps site roles; a log-in before the plugin was there is unknown
        assert 'title="Set in the host application"' in rows["Ada Acme"]
        assert re.search(r'title="No log-in through the host application[^"]*">—<',
                         rows["Cy Acme"])
        assert "cannot know" in text
        # Using the session is no log-in: only the host's log-in moves the date.
        with site.app.app_context():
            session().execute(update(KnownUser).where(
                KnownUser.user_id == orgs.people.ids["ada@acme.example"]).values(
                last_login_at=datetime(2026, 1, 2, 3, 4, tzinfo=UTC)))
            session().commit()
        assert ada.get(site.url("/catalogue")).status_code == 200
        assert "<td>2026-01-02 03:04 UTC</td>" in _user_rows(root, users)["Ada Acme"]
        orgs.people.client("ada@acme.example")
        assert f"<td>{today} " in _user_rows(root, users)["Ada Acme"]
    searched = _user_rows(root, site.url("/orgs/admin/users?q=ada"))
    assert "Ada Acme" in searched and "Globex Boss" not in searched
    assert orgs.manager().get(users).status_code == 403
    # Closing her account (or, in a host, removing her course data) forgets her here too.
    closed = submit(ada, site.url("/privacy/close"), {"confirm": "CLOSE"},
                    page=site.url("/privacy/"))
    assert closed.status_code == 302
    assert "Ada Acme" not in _user_rows(root, users)
    with site.app.app_context():
        assert session().get(KnownUser, orgs.people.ids["ada@acme.example"]) is None


def test_last_log_in_counts_real_log_ins_only(standalone_app: Flask) -> None:
    app = standalone_app
    _account(app, "root@example.com", "Root", "admin")
    _account(app, "cli@example.com", "Cleo Cli")
    register(app.test_client(), email="new@example.com", name="Nia New")
    lea = app.test_client()
    register(lea, email="lea@example.com", name="Lea Learner")
    root = app.test_client()
    login(root, "root@example.com", PASSWORD)

    def last_log_in(name: str) -> str:
        text = root.get("/account/users").get_data(as_text=True)
        row = re.search(rf"<th scope=\"row\"><a [^>]*>{name}</a></th>(.*?)</tr>", text, re.S)
        return re.findall(r"<td>([^<]*)</td>", row.group(1))[-1]

    today = utcnow().strftime("%Y-%m-%d")
    assert last_log_in("Cleo Cli") == "never"  # made for them, never logged in
    assert last_log_in("Nia New").startswith(today)  # creating the account logs in
    assert last_log_in("Root").startswith(today)
    # A password log-in with "keep me logged in" is recorded ...
    device = app.test_client()
    assert login(device, "lea@example.com", "correct horse battery",
                 remember=True).status_code == 302
    assert last_log_in("Lea Learner").startswith(today)
    with app.app_context():
        session().execute(update(User).where(User.email == "lea@example.com")
                          .values(last_login_at=datetime(2026, 1, 2, 3, 4, tzinfo=UTC)))
        session().commit()
    # ... the cookie bringing a session back later is not a log-in.
    later = app.test_client()
    later.set_cookie("remember_token", device.get_cookie("remember_token").value)
    assert later.get("/account/").status_code == 200
    assert last_log_in("Lea Learner") == "2026-01-02 03:04 UTC"
    assert login(app.test_client(), "lea@example.com", "correct horse battery").status_code == 302
    assert last_log_in("Lea Learner").startswith(today)
    # A failed log-in is not one either.
    with app.app_context():
        session().execute(update(User).where(User.email == "lea@example.com")
                          .values(last_login_at=datetime(2026, 1, 2, 3, 4, tzinfo=UTC)))
        session().commit()
    assert login(app.test_client(), "lea@example.com", "wrong password!!").status_code == 401
    assert last_log_in("Lea Learner") == "2026-01-02 03:04 UTC"


def test_users_pages_page_in_sql(orgs: Orgs) -> None:
    """120 people make three pages of 50 (the query asks for one page, not everyone)."""
    site = orgs.site
    with site.app.app_context():
        db = session()
        if site.mode == "standalone":
            db.add_all([User(email=f"u{i:03}@example.com", display_name=f"User {i:03}",
                             password_hash="x") for i in range(120)])
        else:
            db.add_all([KnownUser(user_id=f"p{i:03}", display_name=f"User {i:03}")
                        for i in range(120)])
        db.commit()
    root = admin(orgs)
    first = root.get(site.url("/orgs/admin/users"), follow_redirects=True)
    text = first.get_data(as_text=True)
    assert "Page 1 of 3" in text
    assert text.count('<th scope="row">') <= 50
    third = root.get(site.url("/orgs/admin/users?page=3"), follow_redirects=True)
    assert "Page 3 of 3" in third.get_data(as_text=True)
    searched = root.get(site.url("/orgs/admin/users?q=User"), follow_redirects=True)
    following = re.search(r'href="([^"]+)" rel="next"', searched.get_data(as_text=True))
    assert following and "q=User" in following.group(1) and "page=2" in following.group(1)
