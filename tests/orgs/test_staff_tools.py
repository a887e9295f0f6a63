"""Nothing lost, nobody stranded; the manager's first screen. Email a developer can see without a
mail server; invitations resent (a new link shown once), revoked, and never blocked by the
per-address registration limit; members removed after a confirmation, softly, and restored;
the audit log in names; headline tiles and the summary CSV; completions per month; per-person
actions. Standalone and mounted, on each database, with real SMTP where email is involved."""

from __future__ import annotations

import csv
import io
import logging
import re
from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import insert, select, update

from course.certificates.models import Certificate
from course.db import session, utcnow
from course.lessons.models import Learner
from course.orgs import services
from course.orgs.models import Assignment, Invitation, Membership
from course.quizzes.models import QuizAttempt
from tests.certificates.test_issue_verify import admin_client
from tests.conftest import Mailbox, Site, csrf_token, submit
from tests.orgs.fixtures import Orgs

LINK = re.compile(r"http://localhost(\S*/invitations/[A-Za-z0-9_-]+)")


def _with_mail(site: Site, mailbox: Mailbox) -> None:
    site.app.config.update(COURSE_MAIL_SERVER=mailbox.host, COURSE_MAIL_PORT=mailbox.port)


def _invite(orgs: Orgs, email: str, client=None):  # noqa: ANN001, ANN202
    site = orgs.site
    client = client or orgs.manager()
    response = submit(client, site.url("/org/members"), {"email": email, "team": "Sales"})
    assert response.status_code == 302, response.get_data(as_text=True)
    return client


def _opens(site, link: str) -> bool:
    """The link works for a logged-out invitee: the invitation page standalone, the host's
    log-in with `next` back to the invitation when mounted."""
    response = site.client().get(link)
    if site.mode == "host":
        return response.status_code == 302 and "next=" in response.headers["Location"]
    return response.status_code == 200


def _links(messages: list) -> list[str]:
    return [LINK.search(m.get_payload(decode=True).decode()).group(1) for m in messages]


# ------------------------------------------------------------------ email without a server
def test_without_a_mail_server_the_invitation_is_logged_with_its_link(
        orgs: Orgs, caplog: pytest.LogCaptureFixture) -> None:
    site = orgs.site
    site.app.config["COURSE_MAIL_SERVER"] = None
    with caplog.at_level(logging.WARNING, logger="course.mail"):
        _invite(orgs, "ivy@acme.example")
        site.app.extensions["course"].tasks.join_all()
    [record] = [r for r in caplog.records if r.name == "course.mail"]
    assert record.levelno == logging.WARNING
    text = record.getMessage()
    assert "To: ivy@acme.example" in text and "no COURSE_MAIL_SERVER" in text
    link = LINK.search(text).group(1)
    assert _opens(site, link)  # the logged link works


def test_the_standalone_console_shows_the_whole_email(
        orgs: Orgs, capsys: pytest.CaptureFixture) -> None:
    """`python -m course serve` logs to stderr through the plugin's formatter: tokens are
    redacted from every line except an email written there for want of a mail server."""
    from course.__main__ import where_emails_go
    from course.ops import configure_logging

    site = orgs.site
    site.app.config["COURSE_MAIL_SERVER"] = None
    assert "printed here in full" in where_emails_go(site.app.config)
    assert "sent through smtp.example:25" in where_emails_go(
        {"COURSE_MAIL_SERVER": "smtp.example", "COURSE_MAIL_PORT": 25})
    logger = logging.getLogger("course")
    saved = (logger.level, logger.propagate, list(logger.handlers))
    try:
        configure_logging(site.app)
        _invite(orgs, "ivy@acme.example")
        site.app.extensions["course"].tasks.join_all()
    finally:
        logger.handlers[:] = saved[2]
        logger.setLevel(saved[0])
        logger.propagate = saved[1]
    err = capsys.readouterr().err
    assert "WARNING" in err and "course.mail" in err
    link = LINK.search(err).group(1)
    assert "[redacted]" not in link and _opens(site, link)


def test_a_logged_email_with_an_attachment_shows_its_text_and_names_the_file(
        caplog: pytest.LogCaptureFixture) -> None:
    from course.mail import build_message, send

    config = {"COURSE_MAIL_SENDER": "Academy <no-reply@localhost>", "COURSE_MAIL_SERVER": None}
    msg = build_message(config, "ada@example.com", "Your certificate",
                        "Hello Ada,\nverify it at https://academy.example/verify/" + "C" * 60)
    msg.add_attachment(b"%PDF-1.7", maintype="application", subtype="pdf",
                       filename="certificate.pdf")
    with caplog.at_level(logging.WARNING, logger="course.mail"):
        send(config, msg)
    [record] = caplog.records
    text = record.getMessage()
    assert "https://academy.example/verify/" + "C" * 60 in text  # whole, not folded
    assert "[attached: certificate.pdf]" in text and "%PDF" not in text


# ------------------------------------------------------------------ invitations
def test_resend_sends_a_new_link_shown_once_and_extends_the_expiry(
        orgs: Orgs, mailbox: Mailbox) -> None:
    site = orgs.site
    _with_mail(site, mailbox)
    manager = _invite(orgs, "ivy@acme.example")
    [first] = _links(mailbox.wait_for(1))
    page = manager.get(site.url("/org/members")).get_data(as_text=True)
    assert first in page and "Copy link" in page  # shown once, after creating it
    assert first not in manager.get(site.url("/org/members")).get_data(as_text=True)
    with site.app.app_context():
        invitation = session().scalar(select(Invitation))
        invitation.expires_at = utcnow() - timedelta(hours=1)  # it lapsed meanwhile
        session().commit()
        invitation_id = invitation.id
    resent = submit(manager, site.url(f"/org/invitations/{invitation_id}/resend"), {},
                    page=site.url("/org/members"))
    assert resent.status_code == 302
    second = _links(mailbox.wait_for(2))[1]
    assert second != first
    page = manager.get(site.url("/org/members")).get_data(as_text=True)
    assert second in page and "the earlier link no longer works" in page
    with site.app.app_context():
        expires = session().get(Invitation, invitation_id).expires_at
        assert expires > utcnow() + timedelta(days=6)
    visitor = site.client()
    assert visitor.get(first).status_code == 404
    opened = visitor.get(second)
    if site.mode == "host":  # the new link works: a logged-out invitee goes to the host's log-in
        assert opened.status_code == 302 and "/login" in opened.headers["Location"]
    else:
        assert opened.status_code == 200


def test_administrators_resend_and_revoke_manager_invitations(
        standalone_course_site: Site, mailbox: Mailbox) -> None:
    site = standalone_course_site
    admin = admin_client(site)
    created = submit(admin, "/orgs/admin", {"slug": "initech", "name": "Initech"})
    page = created.headers["Location"]
    assert submit(admin, page, {"email": "peter@initech.example"}).status_code == 302
    [first] = _links(mailbox.wait_for(1))
    html = admin.get(page).get_data(as_text=True)
    assert first in html and "Resend" in html and "Revoke" in html
    with site.app.app_context():
        invitation = session().scalar(select(Invitation))
        org_id, invitation_id = invitation.org_id, invitation.id
    base = f"/orgs/admin/{org_id}/invitations/{invitation_id}"
    assert submit(admin, base + "/resend", {}, page=page).status_code == 302
    second = _links(mailbox.wait_for(2))[1]
    assert second in admin.get(page).get_data(as_text=True)
    assert submit(admin, base + "/revoke", {}, page=page).status_code == 302
    assert site.client().get(second).status_code == 404
    assert submit(admin, base + "/resend", {}, page=page).status_code == 404  # revoked
    learner = site.logged_in_client()
    assert submit(learner, base + "/resend", {}, page="/catalogue").status_code == 403


def test_six_colleagues_from_one_address_register_through_their_invitations(
        orgs: Orgs) -> None:
    site = orgs.site
    if site.mode == "host":
        pytest.skip("the host app has its own accounts")
    site.app.config["COURSE_RATELIMIT_REGISTER"] = "2/hour"
    with site.app.app_context():
        site.app.extensions["course"].limiter().reset()
        org = services.org_by_slug(session(), "acme")
        tokens = [services.invite(session(), org, f"c{n}@acme.example", invited_by="x",
                                  days=7)[1] for n in range(6)]
        session().commit()

    def register(email: str, next_url: str | None):  # noqa: ANN202
        url = "/account/register" + (f"?next={next_url}" if next_url else "")
        return submit(site.client(), url, {"display_name": email.split("@")[0].title(),
                                           "email": email, "password": "correct horse battery",
                                           "confirm": "correct horse battery"})

    for n in range(2):  # the office spends its two plain registrations
        assert register(f"walk{n}@acme.example", None).status_code == 302
    assert register("walk2@acme.example", None).status_code == 429
    # A made-up or someone else's token is no proof: still limited.
    assert register("c0@acme.example", "/invitations/" + "x" * 43).status_code == 429
    assert register("mallory@acme.example", f"/invitations/{tokens[0]}").status_code == 429
    for n, token in enumerate(tokens):  # every invited colleague gets in
        response = register(f"c{n}@acme.example", f"/invitations/{token}")
        assert response.status_code == 302, n
        assert response.headers["Location"] == f"/invitations/{token}"


# ------------------------------------------------------------------ removal
def test_remove_asks_first_keeps_the_records_and_can_be_undone(orgs: Orgs) -> None:
    site = orgs.site
    ada = orgs.add_member("acme", "ada@acme.example", "Ada Acme", team="Sales")
    with site.app.app_context():
        session().add(_attempt(ada, "80"))
        session().execute(update(services.Organisation).where(
            services.Organisation.id == orgs.acme_id).values(seat_limit=2))
        session().commit()
        member_id = session().scalar(select(Membership.id).where(Membership.user_id == ada))
    manager = orgs.manager()
    url = site.url(f"/org/members/{member_id}/remove")
    confirm = manager.get(url)
    assert confirm.status_code == 200 and "Remove Ada Acme?" in confirm.get_data(as_text=True)
    token = csrf_token(manager, url)
    unconfirmed = manager.post(url, data={"csrf_token": token})
    assert unconfirmed.status_code == 200 and "Remove Ada Acme?" in unconfirmed.get_data(
        as_text=True)
    assert manager.post(url, data={"confirm": "yes"}).status_code == 400  # no CSRF token
    assert "Ada Acme" in manager.get(site.url("/org/")).get_data(as_text=True)
    done = manager.post(url, data={"csrf_token": token, "confirm": "yes"},
                        follow_redirects=True).get_data(as_text=True)
    assert "Ada Acme is removed" in done and "ada@acme.example" not in done.split(
        "Staff")[-1]
    with site.app.app_context():
        db = session()
        assert db.scalar(select(QuizAttempt).where(QuizAttempt.user_id == ada)) is not None
        assert db.get(Membership, member_id).removed_at is not None
        assert services.seats_used(db, services.org_by_slug(db, "acme")) == 1
    members = manager.get(site.url("/org/members")).get_data(as_text=True)
    assert "Recently removed" in members and "Ada Acme" in members
    orgs.add_member("acme", "ben@acme.example", "Ben Acme")  # takes the freed seat
    restore = site.url(f"/org/members/{member_id}/restore")
    full = manager.post(restore, data={"csrf_token": token}, follow_redirects=True)
    assert "seats are taken" in full.get_data(as_text=True)
    with site.app.app_context():
        session().execute(update(services.Organisation).values(seat_limit=None))
        session().commit()
    back = manager.post(restore, data={"csrf_token": token}, follow_redirects=True)
    assert "Ada Acme is a member again" in back.get_data(as_text=True)
    dashboard = manager.get(site.url("/org/")).get_data(as_text=True)
    assert "ada@acme.example" in dashboard
    audit = manager.get(site.url("/org/audit")).get_data(as_text=True)
    assert "Ada Acme &lt;ada@acme.example&gt;" in audit
    assert "Acme Boss &lt;boss@acme.example&gt;" in audit
    cells = re.findall(r"<td>([^<]*)</td>", audit)
    assert ada not in cells and "Ada Acme <ada@acme.example>" in [
        c.replace("&lt;", "<").replace("&gt;", ">") for c in cells]  # names, no internal ids
    # After the undo window a removal stays.
    manager.post(url, data={"csrf_token": token, "confirm": "yes"})
    with site.app.app_context():
        session().execute(update(Membership).where(Membership.id == member_id).values(
            removed_at=utcnow() - timedelta(days=15)))
        session().commit()
    assert manager.post(restore, data={"csrf_token": token}).status_code == 404


def _attempt(user_id: str, percent: str, module: str = "organisation") -> QuizAttempt:
    return QuizAttempt(user_id=user_id, course="social-divide", module=module, number=1,
                       quiz_version="v", state="finished", shown=[], responses={},
                       pass_mark=80, percent=Decimal(percent), passed=percent >= "80",
                       finished_at=utcnow())


def _certificate(user_id: str, code: str, issued_days_ago: int,
                 valid_days: int | None) -> Certificate:
    now = utcnow()
    return Certificate(user_id=user_id, course="social-divide", version=1, code=code * 27,
                       status="active", name="x", course_title="The Social Divide",
                       issued_at=now - timedelta(days=issued_days_ago),
                       valid_until=now + timedelta(days=valid_days) if valid_days else None,
                       snapshot={}, template="default", pdf=b"%PDF", sha256="0" * 64)


# ------------------------------------------------------------------ dashboard
def test_headline_tiles_chart_and_summary_csv(orgs: Orgs) -> None:
    site = orgs.site
    ada = orgs.add_member("acme", "ada@acme.example", "Ada Acme")
    ben = orgs.add_member("acme", "ben@acme.example", "Ben Acme")
    orgs.add_member("acme", "cy@acme.example", "Cy Acme")
    gina = orgs.add_member("globex", "gina@globex.example", "Gina Globex")
    with site.app.app_context():
        db = session()
        db.add_all([_certificate(ada, "A", 0, 30), _certificate(ben, "B", 40, None),
                    _certificate(gina, "G", 0, 30), _attempt(ada, "90"), _attempt(ben, "70"),
                    Learner(user_id=ada, display_name="Ada", last_seen_at=utcnow()),
                    Learner(user_id=ben, display_name="Ben",
                            last_seen_at=utcnow() - timedelta(days=45)),
                    Assignment(org_id=orgs.acme_id, course="social-divide",
                               due_on=(utcnow() - timedelta(days=1)).date())])
        db.commit()
    manager = orgs.manager()
    page = manager.get(site.url("/org/")).get_data(as_text=True)
    tiles = page.split('class="tiles headline"')[1].split("</ul>")[0]
    figures = {label.strip(): value for value, label in re.findall(
        r'tile-value">([^<]+)</span><span class="tile-label">([^<(]+)', tiles)}
    assert figures["enrolled"] == "4"  # the manager counts too
    assert figures["active in the last 30 days"] == "1"
    assert figures["completed"] == "50%"
    assert figures["overdue"] == "2"
    assert figures["certificates expiring within 90 days"] == "1"
    factors = page.split('class="tiles factor-tiles"')[1].split("</ul>")[0]
    assert re.search(r'tile-value">80%</span><span class="tile-label">Organisation<', factors)
    assert 'class="month-chart"' in page and "Completions per month" in page
    this_month, last_month = utcnow().strftime("%Y-%m"), (
        utcnow() - timedelta(days=40)).strftime("%Y-%m")
    months = page.split("months-table")[1]
    assert f'<th scope="row">{this_month}</th><td>1</td>' in months
    if last_month != this_month:
        assert f'<th scope="row">{last_month}</th><td>1</td>' in months
    response = manager.get(site.url("/org/summary.csv"))
    assert response.status_code == 200 and "attachment" in response.headers[
        "Content-Disposition"]
    rows = dict(csv.reader(io.StringIO(response.get_data(as_text=True))))
    assert rows["enrolled"] == "4" and rows["completion rate %"] == "50"
    assert rows["active in the last 30 days"] == "1" and rows["overdue"] == "2"
    assert rows["certificates expiring within 90 days"] == "1"
    assert rows["average best score %: Organisation"] == "80.0"
    assert rows[f"completions {this_month}"] == "1"


def test_pending_invitations_on_the_dashboard_and_seats_count_people(orgs: Orgs) -> None:
    site = orgs.site
    with site.app.app_context():
        db = session()
        org = services.org_by_slug(db, "acme")
        org.seat_limit = 3
        services.invite(db, org, "open@acme.example", invited_by="x", days=7)
        stale, _ = services.invite(db, org, "stale@acme.example", invited_by="x", days=7)
        stale.expires_at = utcnow() - timedelta(days=1)
        db.commit()
    page = orgs.manager().get(site.url("/org/")).get_data(as_text=True)
    assert "Pending invitations" in page
    assert "open@acme.example" in page and "stale@acme.example" in page
    assert "expired" in page
    assert "2 of 3 seats used" in page  # the manager and the open invitation


def test_many_open_invitations_come_a_page_at_a_time(orgs: Orgs) -> None:
    """A roster import can leave thousands of invitations open: the dashboard shows the ten
    that expire soonest and links to the members page, which shows them 50 to a page (counted
    and cut in SQL), as does an administrator's page for the organisation; accepted and revoked
    invitations are not counted."""
    site = orgs.site
    now = utcnow()
    with site.app.app_context():
        db = session()
        org = services.org_by_slug(db, "acme")
        org_id = org.id
        db.execute(insert(Invitation), [dict(
            org_id=org.id, email=f"p{n:03d}@acme.example", token_hash=f"hash{n}",
            invited_by="x", created_at=now, expires_at=now + timedelta(days=1 + n),
            accepted_at=now if n >= 120 else None,
            revoked_at=now if 110 <= n < 120 else None) for n in range(130)])
        db.commit()
    def invited(page: str) -> list[str]:
        return re.findall(r'<th scope="row">p(\d{3})@acme', page)

    manager = orgs.manager()
    dashboard = manager.get(site.url("/org/")).get_data(as_text=True)
    assert "Pending invitations (110)" in dashboard
    assert invited(dashboard) == [f"{n:03d}" for n in range(10)]
    assert "see all 110 on Members and invitations" in dashboard
    first = manager.get(site.url("/org/members")).get_data(as_text=True)
    assert "Open invitations (110)" in first and "Page 1 of 3" in first
    assert invited(first) == [f"{n:03d}" for n in range(50)]
    last = manager.get(site.url("/org/members?page=3")).get_data(as_text=True)
    assert invited(last) == [f"{n:03d}" for n in range(100, 110)]
    assert manager.get(site.url("/org/members?page=99")).get_data(as_text=True).count(
        "@acme.example</th>") == 10  # past the last page: the last page
    # Revoking one from page 2 comes back to page 2, with one fewer.
    second = manager.get(site.url("/org/members?page=2")).get_data(as_text=True)
    with site.app.app_context():
        target = session().scalar(select(Invitation.id).where(
            Invitation.email == "p060@acme.example"))
    done = manager.post(site.url(f"/org/invitations/{target}/revoke"),
                        data={"csrf_token": csrf_token(manager, site.url("/org/members")),
                              "page": re.search(r'name="page" value="(\d+)"', second).group(1)})
    assert done.headers["Location"].endswith(site.url("/org/members?page=2"))
    assert "Open invitations (109)" in manager.get(done.headers["Location"]).get_data(
        as_text=True)
    admin = admin_client(site) if site.mode == "standalone" else None
    if admin is not None:
        page = admin.get(site.url(f"/orgs/admin/{org_id}?page=2")).get_data(as_text=True)
        assert "109 in all, soonest to expire first." in page and "Page 2 of 3" in page
        assert invited(page) == [f"{n:03d}" for n in range(50, 101) if n != 60]


def test_remind_now_emails_the_member_once_a_day(orgs: Orgs, mailbox: Mailbox) -> None:
    site = orgs.site
    _with_mail(site, mailbox)
    ada = orgs.add_member("acme", "ada@acme.example", "Ada Acme")
    with site.app.app_context():
        member_id = session().scalar(select(Membership.id).where(Membership.user_id == ada))
    manager = orgs.manager()
    url = site.url(f"/org/members/{member_id}/remind")
    token = csrf_token(manager, site.url("/org/"))
    sent = manager.post(url, data={"csrf_token": token}, follow_redirects=True)
    assert "A reminder is on its way to ada@acme.example" in sent.get_data(as_text=True)
    [message] = mailbox.wait_for(1)
    assert message["To"] == "ada@acme.example"
    assert "Acme Ltd reminds you" in message.get_payload(decode=True).decode()
    again = manager.post(url, data={"csrf_token": token}, follow_redirects=True)
    assert "had a reminder in the last day" in again.get_data(as_text=True)
    site.app.extensions["course"].tasks.join_all()
    assert len(mailbox.messages) == 1
    assert manager.get(url).status_code == 405  # a GET changes nothing


def test_the_manager_sees_a_members_attempts_and_capstone(orgs: Orgs) -> None:
    from course.capstone.models import CapstoneSubmission, CapstoneVersion

    site = orgs.site
    ada = orgs.add_member("acme", "ada@acme.example", "Ada Acme")
    with site.app.app_context():
        db = session()
        submission = CapstoneSubmission(user_id=ada, course="social-divide",
                                        status="submitted", learner_name="Ada Acme",
                                        submitted_at=utcnow())
        db.add_all([_attempt(ada, "65"), submission])
        db.flush()
        db.add(CapstoneVersion(submission_id=submission.id, number=1, state="submitted",
                               body="Ada's plan", html="<p>Ada's 90-day plan</p>",
                               submitted_at=utcnow()))
        db.commit()
        member_id = db.scalar(select(Membership.id).where(Membership.user_id == ada))
    page = orgs.manager().get(site.url(f"/org/members/{member_id}"))
    text = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "Quiz attempts" in text and "65%" in text and "not passed (pass mark 80%)" in text
    assert "Ada&#39;s 90-day plan" in text or "Ada's 90-day plan" in text
    assert "waiting for review" in text
    assert 'method="post"' not in text.split("</header>")[1].split("<footer")[0]  # read-only


def test_branding_preview_renders_a_sample_without_saving(orgs: Orgs) -> None:
    from pypdf import PdfReader

    site = orgs.site
    manager = orgs.manager()
    page = manager.get(site.url("/org/settings")).get_data(as_text=True)
    assert "Preview a sample certificate" in page
    token = re.search(r'name="brand-csrf_token"[^>]*value="([^"]+)"', page).group(1)
    preview = manager.post(site.url("/org/settings/preview"), data={
        "brand-csrf_token": token, "brand-template": "classic",
        "brand-primary_colour": "#0a7d55", "brand-signatory": "Ada Director"},
        content_type="multipart/form-data")
    assert preview.status_code == 200 and preview.mimetype == "application/pdf"
    assert preview.headers["Cache-Control"] == "no-store"
    text = PdfReader(io.BytesIO(preview.data)).pages[0].extract_text()
    assert "Sample Learner" in text and "Ada Director" in text
    with site.app.app_context():  # nothing was saved
        org = services.org_by_slug(session(), "acme")
        assert org.template == "default" and org.signatory is None
    bad = manager.post(site.url("/org/settings/preview"), data={
        "brand-csrf_token": token, "brand-template": "../../etc",
        "brand-primary_colour": "#0a7d55"}, content_type="multipart/form-data")
    assert bad.status_code == 400
    assert manager.get(site.url("/org/settings/preview")).status_code == 405
