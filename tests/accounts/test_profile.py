"""Changing your name and email address (standalone accounts), and re-issuing a certificate
with a new name (standalone, and mounted where the host owns the name), on each database. The
email change is confirmed by a signed, expiring link to the new address (real SMTP); a GET of
that link changes nothing."""

from __future__ import annotations

import re

from sqlalchemy import select

from course.accounts.models import User
from course.certificates.models import Certificate
from course.db import session, utcnow
from tests.certificates.test_issue_verify import finish_last_lesson, nearly_done
from tests.conftest import Mailbox, Site, csrf_token, login, register, submit

PASSWORD = "correct horse battery"


def body(message) -> str:
    return message.get_payload(decode=True).decode()


def learner(site: Site):
    client = site.client()
    register(client, email="lea@example.com", name="Lea Learner", password=PASSWORD)
    return client


def test_change_name_re_renders_with_errors(standalone_app, mailbox: Mailbox) -> None:
    site = Site(standalone_app, "standalone", "")
    client = learner(site)
    form = client.get("/account/name").get_data(as_text=True)
    assert 'value="Lea Learner"' in form and "keep the name they were issued to" in form
    bad = submit(client, "/account/name", {"display_name": "\u200b  "})
    assert bad.status_code == 400
    page = bad.get_data(as_text=True)
    assert "error-summary" in page and "at least one letter or digit" in page
    good = submit(client, "/account/name", {"display_name": "Lea Newname"})
    assert good.status_code == 302
    assert "Lea Newname" in client.get("/account/").get_data(as_text=True)


def confirmation_link(mailbox: Mailbox) -> str:
    [message] = mailbox.wait_for(1)
    assert message["To"] == "new@example.com"
    return re.search(r"http://localhost(/account/email/confirm/\S+)", body(message)).group(1)


def test_change_email_by_a_link_to_the_new_address(standalone_app, mailbox: Mailbox) -> None:
    site = Site(standalone_app, "standalone", "")
    client = learner(site)
    other = site.client()
    register(other, email="taken@example.com", name="Tom Taken", password=PASSWORD)
    wrong = submit(client, "/account/email", {"email": "new@example.com", "password": "nope"})
    assert wrong.status_code == 400 and "not your current password" in wrong.get_data(
        as_text=True)
    taken = submit(client, "/account/email", {"email": "Taken@example.com", "password": PASSWORD})
    assert taken.status_code == 400
    assert "Another account already uses this email address" in taken.get_data(as_text=True)
    asked = submit(client, "/account/email", {"email": "new@example.com", "password": PASSWORD})
    assert asked.status_code == 302
    link = confirmation_link(mailbox)
    with standalone_app.app_context():  # nothing changes until the link is followed
        assert session().scalar(select(User.email).where(User.display_name == "Lea Learner")
                                ) == "lea@example.com"
    page = client.get(link)
    assert page.status_code == 200 and "Change my email address" in page.get_data(as_text=True)
    with standalone_app.app_context():  # opening the link changes nothing either
        assert session().scalar(func_count_lea()) == 1
    mailbox.clear()
    done = client.post(link, data={"csrf_token": csrf_token(client, link)})
    assert done.status_code == 302
    [notice] = mailbox.wait_for(1)
    assert notice["To"] == "lea@example.com"
    assert "changed from lea@example.com to new@example.com" in body(notice)
    # The link works once; the new address logs in, the old one no longer does.
    assert client.get(link).status_code == 404
    fresh = site.client()
    assert login(fresh, "lea@example.com", PASSWORD).status_code == 401
    assert login(fresh, "new@example.com", PASSWORD).status_code == 302


def func_count_lea():
    from sqlalchemy import func

    return select(func.count()).select_from(User).where(User.email == "lea@example.com")


def test_the_link_is_signed_expires_and_is_the_accounts_own(standalone_app,
                                                           mailbox: Mailbox) -> None:
    site = Site(standalone_app, "standalone", "")
    client = learner(site)
    submit(client, "/account/email", {"email": "new@example.com", "password": PASSWORD})
    link = confirmation_link(mailbox)
    assert client.get(link[:-3] + "abc").status_code == 404  # altered
    intruder = site.client()
    register(intruder, email="ivy@example.com", name="Ivy Intruder", password=PASSWORD)
    assert intruder.get(link).status_code == 404  # someone else's link
    assert intruder.post(link, data={"csrf_token": csrf_token(intruder, "/account/")}
                         ).status_code == 404
    standalone_app.config["COURSE_EMAIL_CHANGE_HOURS"] = -1  # every link has expired
    assert client.get(link).status_code == 404
    with standalone_app.app_context():
        assert session().scalar(func_count_lea()) == 1
    # A visitor is sent to log in first.
    assert "/account/login" in site.client().get(link).headers["Location"]


def test_host_accounts_are_the_hosts(host_app) -> None:
    client = host_app.test_client()
    client.post("/login", data={"email": "bob@host.example"})
    for path in ("/training/account/name", "/training/account/email"):
        assert client.get(path).status_code == 404


def rename(site: Site, client, name: str = "Bob Renamed") -> None:
    """Change the learner's name where the site keeps it (the form, or the host's table)."""
    if site.mode == "host":
        from tests.hostapp import Staff, db

        with site.app.app_context():
            db.session.execute(db.update(Staff).where(Staff.email == "bob@host.example")
                               .values(name=name))
            db.session.commit()
        return
    assert submit(client, "/account/name", {"display_name": name}).status_code == 302


def test_reissue_a_certificate_with_the_new_name(course_site: Site) -> None:
    site = course_site
    client = site.logged_in_client()
    nearly_done(site, client)
    finish_last_lesson(site, client)
    mine = site.url("/certificates/")
    assert "Re-issue my certificate with my new name" not in client.get(mine).get_data(
        as_text=True)
    rename(site, client)
    page = client.get(mine).get_data(as_text=True)
    assert "Re-issue my certificate with my new name" in page and "Bob Renamed" in page
    if site.mode == "standalone":
        account = client.get("/account/").get_data(as_text=True)
        assert "A certificate keeps the name it was issued to" in account
        assert "Re-issue my certificate with my new name" in account
    with site.app.app_context():
        old = session().scalar(select(Certificate))
        old_id, old_code, old_name = old.id, old.code, old.name
    url = site.url(f"/certificates/{old_id}/my-name")
    assert client.get(url).status_code == 405  # a GET changes nothing
    done = client.post(url, data={"csrf_token": csrf_token(client, mine)})
    assert done.headers["Location"] == site.url("/courses/social-divide/complete")
    with site.app.app_context():
        first, second = session().scalars(select(Certificate).order_by(Certificate.version))
        assert (first.status, first.superseded_by, first.name) == ("superseded", second.id,
                                                                   old_name)
        assert (second.status, second.name) == ("active", "Bob Renamed")
        assert second.snapshot["factors"] == first.snapshot["factors"]
        assert second.issued_at == first.issued_at
        new_code = second.code
    verify = site.client().get(site.url(f"/verify/{old_code}")).get_data(as_text=True)
    assert "replaced by a newer version" in verify
    assert f'href="{site.url(f"/verify/{new_code}")}"' in verify
    # Nothing left to re-issue; another learner cannot touch it.
    assert "Re-issue my certificate" not in client.get(mine).get_data(as_text=True)
    stranger = site.client()
    register(stranger, email="sam@example.com", name="Sam", prefix=site.prefix) if (
        site.mode == "standalone") else stranger.post("/login", data={
            "email": "ada@host.example"})
    lesson = site.url("/courses/social-divide/lessons/what-the-social-divide-is")
    assert stranger.post(url, data={"csrf_token": csrf_token(stranger, lesson)}
                         ).status_code == 404


def _current(site: Site) -> tuple[int, str, int]:
    with site.app.app_context():
        rows = session().scalars(select(Certificate).order_by(Certificate.version)).all()
        return rows[-1].id, rows[-1].code, len(rows)


def _reissue(site: Site, client):
    lesson = site.url("/courses/social-divide/lessons/what-the-social-divide-is")
    certificate_id = _current(site)[0]
    return client.post(site.url(f"/certificates/{certificate_id}/my-name"),
                       data={"csrf_token": csrf_token(client, lesson)}, follow_redirects=True)


def test_name_changes_are_bounded_and_shown_to_verifiers(course_site: Site) -> None:
    """A holder may put a new name on a certificate twice (COURSE_CERTIFICATE_NAME_CHANGES);
    each new version's verify page says the name was changed at their request, and after the
    last one the offer becomes a pointer to an administrator and a forced POST issues
    nothing. Otherwise one person could earn a certificate and re-issue it in another's name,
    unseen."""
    site = course_site
    client = site.logged_in_client()
    nearly_done(site, client)
    finish_last_lesson(site, client)
    verifier = site.client()
    first_code = _current(site)[1]
    page = verifier.get(site.url(f"/verify/{first_code}")).get_data(as_text=True)
    assert "Changed at the holder's request" not in page

    for number, name in enumerate(("Bob Second", "Bob Third"), start=1):
        rename(site, client, name)
        offer = client.get(site.url("/certificates/")).get_data(as_text=True)
        assert "Re-issue my certificate with my new name" in offer
        assert ("once more" if number == 2 else "2 more times") in offer
        assert f"Re-issued in the name {name}" in _reissue(site, client).get_data(as_text=True)
        today = utcnow().strftime("%d %B %Y")
        page = verifier.get(site.url(f"/verify/{_current(site)[1]}")).get_data(as_text=True)
        assert "This certificate is valid." in page and name in page
        times = " (2 times)" if number == 2 else ""
        assert f"Changed at the holder's request{times}, last on {today}." in page

    rename(site, client, "Somebody Else")
    offer = client.get(site.url("/certificates/")).get_data(as_text=True)
    # The versions share their dates: the one in force comes first, then the superseded.
    assert offer.index("<dd>Valid</dd>") < offer.index("<dd>Superseded</dd>")
    assert "Re-issue my certificate with my new name" not in offer
    assert "You have changed the name on it twice, as often as you can yourself." in offer
    forced = _reissue(site, client).get_data(as_text=True)
    assert "as often as you can yourself. An administrator can re-issue it" in forced
    assert _current(site)[2] == 3  # nothing issued
    with site.app.app_context():
        assert session().scalar(select(Certificate).where(
            Certificate.status == "active")).name == "Bob Third"


def test_name_changes_can_be_left_to_administrators(course_site: Site) -> None:
    site = course_site
    site.app.config["COURSE_CERTIFICATE_NAME_CHANGES"] = 0
    client = site.logged_in_client()
    nearly_done(site, client)
    finish_last_lesson(site, client)
    rename(site, client)
    offer = client.get(site.url("/certificates/")).get_data(as_text=True)
    assert "Re-issue my certificate with my new name" not in offer
    assert "Names on certificates are changed by an administrator." in offer
    assert "Name changes on certificates are made by an administrator" in _reissue(
        site, client).get_data(as_text=True)
    assert _current(site)[2] == 1


def test_staff_cannot_pass_a_re_issue_off_as_the_holders_name_change(
        standalone_course_site: Site) -> None:
    """An administrator's re-issue, whatever reason they type (even the holder's own wording),
    is not a name change at the holder's request: the verify page does not say so, and the
    holder keeps both of theirs."""
    from course.certificates.services import NEW_NAME_REASON
    from tests.certificates.test_issue_verify import admin_client

    site = standalone_course_site
    client = site.logged_in_client()
    nearly_done(site, client)
    finish_last_lesson(site, client)
    certificate_id = _current(site)[0]
    admin = admin_client(site)
    page = site.url(f"/certificates/admin/{certificate_id}")
    assert admin.post(page, data={"csrf_token": csrf_token(admin, page), "action": "reissue",
                                  "reason": NEW_NAME_REASON, "name": "Someone Else"}
                      ).status_code == 302
    code = _current(site)[1]
    verify = site.client().get(site.url(f"/verify/{code}")).get_data(as_text=True)
    assert "Someone Else" in verify and "at the holder's request" not in verify
    rename(site, client, "Bob Renamed")
    assert "2 more times" in client.get(site.url("/certificates/")).get_data(as_text=True)
