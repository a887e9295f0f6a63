"""This round's new pages attacked from outside through HTTP (standalone and mounted, on each
database): hostile page numbers, names full of markup and formulas, control characters in an
organisation's new name, missing CSRF tokens, previews for learners, hostile `next` targets and
email-change links used by the wrong person or after the address was taken."""

from __future__ import annotations

import csv
import io
import re

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from course.db import session
from course.errors import CourseConfigError
from course.quizzes.models import QuizGrant
from tests.conftest import Mailbox, Site, csrf_token, login, register, submit
from tests.orgs.fixtures import Orgs
from tests.orgs.test_administrators import TOKEN, admin
from tests.test_host_pages import make_host  # noqa: F401 (a fixture)
from tests.trainers.conftest import course_site  # noqa: F401 (the fixed five-question quiz)
from tests.trainers.helpers import BOOK, MODULE, add_attempt, add_learners, give_role

XSS = '<script>alert("x")</script><img src=x onerror=alert(1)>'
FORMULA = '=HYPERLINK("http://evil.example","click")'


def _quiet(site: Site, response) -> str:  # noqa: ANN001
    text = response.get_data(as_text=True)
    assert response.status_code < 500, text[:500]
    return text


# ------------------------------------------------------------------ the gradebook
def test_hostile_page_numbers_are_not_a_server_error(course_site: Site) -> None:  # noqa: F811
    trainer = course_site.trainer_client()
    for page in ("99999999999999999999999", "-5", "0", "abc", "1e9", str(2 ** 62)):
        got = trainer.get(course_site.url(BOOK + f"?quiz={MODULE}&page={page}"))
        assert got.status_code in (200, 404), (page, got.status_code)


def test_names_are_escaped_and_csv_cells_are_inert(course_site: Site) -> None:  # noqa: F811
    site = course_site
    trainer = site.trainer_client()
    add_learners(site, {"evil-1": XSS, "evil-2": FORMULA, "evil-3": "-2+3", "evil-4": "@SUM(A1)"})
    add_attempt(site, "evil-1", 1, 90)
    html = trainer.get(site.url(BOOK + f"?quiz={MODULE}")).get_data(as_text=True)
    assert "<script>alert" not in html and "<img src=x" not in html
    assert "&lt;script&gt;" in html
    page = trainer.get(site.url(BOOK + "learners/evil-1"))
    assert page.status_code == 200
    assert "<script>alert" not in page.get_data(as_text=True)
    link = re.search(r'href="([^"]+/gradebook/attempts/\d+)"', page.get_data(as_text=True))
    attempt = trainer.get(link.group(1))
    assert attempt.status_code == 200 and "<script>alert" not in attempt.get_data(as_text=True)
    exported = trainer.get(site.url(BOOK[:-1] + f".csv?quiz={MODULE}"))
    rows = list(csv.reader(io.StringIO(exported.get_data(as_text=True))))
    names = [r[0] for r in rows[1:]]
    assert names and all(not n.startswith(("=", "+", "-", "@")) for n in names), names
    assert "Content-Disposition" in exported.headers


def test_no_grant_or_preview_check_without_a_csrf_token(course_site: Site) -> None:  # noqa: F811
    site = course_site
    add_learners(site, {"nora-1": "Nora None"})
    trainer = site.trainer_client()
    url = site.url(BOOK + f"learners/nora-1/quizzes/{MODULE}/grant")
    refused = trainer.post(url, data={f"{MODULE}-kind": "extra", f"{MODULE}-reason": "Because"})
    assert refused.status_code == 400
    with site.app.app_context():
        assert session().scalar(select(func.count()).select_from(QuizGrant)) == 0
    check = site.url(f"/trainer/preview/courses/social-divide/quizzes/{MODULE}/check")
    assert trainer.post(check, data={"seed": "1"}).status_code == 400
    # Hostile seeds and unknown modules are refused, never a server error.
    for seed in ("-1", "99999999999999999999", "x", ""):
        assert trainer.post(check, data={"seed": seed}).status_code == 400
    assert trainer.get(site.url(
        "/trainer/preview/courses/social-divide/quizzes/nope")).status_code == 404
    assert trainer.get(site.url(
        "/trainer/preview/courses/nope/lessons/x")).status_code == 404


def test_learners_and_anonymous_visitors_get_no_gradebook_or_preview(
        course_site: Site) -> None:  # noqa: F811
    site = course_site
    learner = site.logged_in_client()
    anonymous = site.client()
    for path in (BOOK, BOOK[:-1] + ".csv", BOOK + "learners/1", BOOK + "attempts/1",
                 f"/trainer/preview/courses/social-divide/quizzes/{MODULE}",
                 "/trainer/preview/courses/social-divide/lessons/what-the-social-divide-is"):
        assert learner.get(site.url(path)).status_code in (403, 404), path
        assert anonymous.get(site.url(path)).status_code in (302, 401, 403, 404), path


def test_a_trainer_cannot_grant_themselves_through_another_spelling_of_their_id(
        orgs: Orgs) -> None:
    site = orgs.site
    me = orgs.people.user_id("tom@example.com", "Tom Trainer")
    give_role(site, me, "trainer")
    add_learners(site, {me: "Tom Trainer"})
    trainer = orgs.people.client("tom@example.com")
    page = site.url(BOOK + f"learners/{me}")
    html = trainer.get(page).get_data(as_text=True)
    token = re.search(r'name="[a-z0-9-]+-csrf_token"[^>]*value="([^"]+)"', html)
    token = token.group(1) if token else csrf_token(
        trainer, site.url(f"/trainer/preview/courses/social-divide/quizzes/{MODULE}"))
    for spelling in (me, f"0{me}", f"{me} ", f"{me}%20"):
        trainer.post(site.url(BOOK + f"learners/{spelling}/quizzes/{MODULE}/grant"),
                     data={f"{MODULE}-csrf_token": token, f"{MODULE}-kind": "extra",
                           f"{MODULE}-reason": "For me"})
    with site.app.app_context():
        assert session().scalar(select(func.count()).select_from(QuizGrant)) == 0


# ------------------------------------------------------------------ administrators
def test_hostile_organisation_names_and_seats(orgs: Orgs) -> None:
    site = orgs.site
    root = admin(orgs)
    page = site.url(f"/orgs/admin/{orgs.acme_id}")

    def post(data: dict) -> str:  # noqa: ANN202
        token = TOKEN.search(root.get(page).get_data(as_text=True)).group(1)
        got = root.post(page, data={"rename-csrf_token": token, "seats-csrf_token": token,
                                    "csrf_token": token, **data})
        return _quiet(site, got)

    def name() -> str:
        with site.app.app_context():
            from course.orgs.models import Organisation

            return session().get(Organisation, orgs.acme_id).name

    post({"rename-name": "Acme\x00Nul"})
    assert "\x00" not in name()
    post({"rename-name": "Acme\u202eevil\u200b\x1b[31m"})
    assert name() == "Acmeevil[31m"  # no bidi, zero-width or escape characters (certificates)
    post({"rename-name": "\u202e\u200b\x07"})  # nothing visible: refused, name kept
    assert name() == "Acmeevil[31m"
    post({"rename-name": "A" * 100_000})
    post({"rename-name": XSS})
    post({"seats-seat_limit": "99999999999999999999999"})
    post({"seats-seat_limit": "-1"})
    post({"seats-seat_limit": "1e3"})
    listing = root.get(site.url("/orgs/admin")).get_data(as_text=True)
    assert "<script>alert" not in listing
    assert "<script>alert" not in root.get(page).get_data(as_text=True)
    # No CSRF token: nothing changes.
    assert root.post(page, data={"rename-name": "NoToken Ltd"}).status_code in (400, 403)
    assert "NoToken" not in root.get(site.url("/orgs/admin")).get_data(as_text=True)


def test_users_page_hostile_query_and_page(orgs: Orgs) -> None:
    site = orgs.site
    root = admin(orgs)
    for query in ("page=99999999999999999999999", "page=-1", "q=%25", "q=%5C", "q=" + "x" * 5000,
                  "q=%00"):
        got = root.get(site.url("/orgs/admin/users?" + query), follow_redirects=True)
        assert got.status_code == 200, (query, got.status_code)
    reflected = root.get(site.url("/orgs/admin/users?q=%3Cscript%3Ealert(1)%3C/script%3E"),
                         follow_redirects=True).get_data(as_text=True)
    assert "<script>alert(1)" not in reflected
    # Only administrators: a manager, a trainer and a learner are refused.
    orgs.add_member("acme", "ada@acme.example", "Ada Acme")
    for client in (orgs.manager("acme"), site.trainer_client(),
                   orgs.people.client("ada@acme.example")):
        assert client.get(site.url("/orgs/admin/users")).status_code in (302, 403)


def test_manager_dashboard_team_filter_with_control_characters(orgs: Orgs) -> None:
    site = orgs.site
    orgs.add_member("acme", "ada@acme.example", "Ada Acme", team="Sales")
    manager = orgs.manager("acme")
    for team in ("%00", "Sales%00", "%1b", "x" * 3000):
        got = manager.get(site.url(f"/org/?course=social-divide&team={team}"))
        assert got.status_code == 200, (team, got.status_code)


def test_manager_removal_is_bound_to_the_organisation_in_the_url(orgs: Orgs) -> None:
    from course.orgs.models import MANAGER, Membership

    site = orgs.site
    root = admin(orgs)
    with site.app.app_context():
        globex_boss = session().scalar(select(Membership.id).where(
            Membership.org_id == orgs.globex_id, Membership.role == MANAGER))
    token = TOKEN.search(root.get(site.url(f"/orgs/admin/{orgs.acme_id}")).get_data(
        as_text=True)).group(1)
    got = root.post(site.url(f"/orgs/admin/{orgs.acme_id}/managers/{globex_boss}/remove"),
                    data={"csrf_token": token})
    assert got.status_code == 404
    with site.app.app_context():
        assert session().get(Membership, globex_boss).role == MANAGER
    # A GET does nothing there.
    assert root.get(site.url(
        f"/orgs/admin/{orgs.globex_id}/managers/{globex_boss}/remove")).status_code == 405


# ------------------------------------------------------------------ next and email changes
@pytest.mark.parametrize("target", [
    "https://evil.example/", "//evil.example/", "/\\evil.example", "\\\\evil.example",
    "/%5Cevil.example", "%2F%2Fevil.example", "/\t/evil.example", "javascript:alert(1)",
    "http:evil.example", "/%0d%0aSet-Cookie:x=1", "\u3000//evil.example", "///evil.example"])
def test_login_next_never_leaves_the_site(standalone_app, target: str) -> None:
    from urllib.parse import quote

    client = standalone_app.test_client()
    register(client, email="lea@example.com")
    client = standalone_app.test_client()
    got = login(client, "lea@example.com", "correct horse battery",
                next_url=quote(target, safe=""))
    assert got.status_code == 302
    location = got.headers["Location"]
    assert location.startswith("/") and not location.startswith(("//", "/\\")), location
    assert "evil" not in location.split("?")[0].lstrip("/").split("/")[0] or \
        location.startswith("/%"), location
    assert "\r" not in location and "\n" not in location


def _ask_change(client: FlaskClient, new: str) -> None:
    got = submit(client, "/account/email", {"email": new, "password": "correct horse battery"})
    assert got.status_code == 302, got.get_data(as_text=True)


def _link(mailbox: Mailbox) -> str:
    [message] = mailbox.wait_for(1)
    mailbox.clear()
    body = message.get_payload(decode=True).decode()
    return re.search(r"http://localhost(/account/email/confirm/\S+)", body).group(1)


def test_email_change_links_are_bound_to_their_account_and_the_address_being_free(
        standalone_app, mailbox: Mailbox) -> None:
    from course.accounts.models import User

    lea = standalone_app.test_client()
    register(lea, email="lea@example.com", name="Lea")
    _ask_change(lea, "shared@example.com")
    link = _link(mailbox)
    # Another account cannot use Lea's link (nor see where it points).
    mallory = standalone_app.test_client()
    register(mallory, email="mallory@example.com", name="Mallory")
    opened = mallory.get(link)
    assert opened.status_code == 404 and "shared@example" not in opened.get_data(as_text=True)
    token = csrf_token(mallory, "/account/email")
    assert mallory.post(link, data={"csrf_token": token}).status_code == 404
    # Meanwhile someone else registers the address: the link no longer changes anything.
    taken = standalone_app.test_client()
    register(taken, email="shared@example.com", name="Sam")
    token = csrf_token(lea, link)
    assert lea.post(link, data={"csrf_token": token}).status_code == 409
    # A tampered link is refused.
    assert lea.get(link[:-3] + "abc").status_code == 404
    with standalone_app.app_context():
        assert session().scalar(select(func.count()).select_from(User).where(
            User.email == "shared@example.com")) == 1
        assert session().scalar(select(User.email).where(User.display_name == "Lea")) == (
            "lea@example.com")


def test_two_confirmation_links_only_one_applies(standalone_app, mailbox: Mailbox) -> None:
    from course.accounts.models import User

    lea = standalone_app.test_client()
    register(lea, email="lea@example.com", name="Lea")
    _ask_change(lea, "one@example.com")
    first = _link(mailbox)
    _ask_change(lea, "two@example.com")
    second = _link(mailbox)
    assert lea.post(first, data={"csrf_token": csrf_token(lea, first)}).status_code == 302
    mailbox.clear()
    token = csrf_token(lea, "/account/email")
    assert lea.post(second, data={"csrf_token": token}).status_code == 404
    # Changing back does not revive the first link for the address in between.
    with standalone_app.app_context():
        assert session().scalar(select(User.email).where(User.display_name == "Lea")) == (
            "one@example.com")


def test_expired_email_change_link(standalone_app, mailbox: Mailbox) -> None:
    import time

    lea = standalone_app.test_client()
    register(lea, email="lea@example.com", name="Lea")
    _ask_change(lea, "new@example.com")
    link = _link(mailbox)
    standalone_app.config["COURSE_EMAIL_CHANGE_HOURS"] = 0
    time.sleep(1.1)
    assert lea.get(link).status_code == 404
    token = csrf_token(lea, "/account/email")
    assert lea.post(link, data={"csrf_token": token}).status_code == 404


def test_an_email_change_voids_reset_links_sent_to_the_old_address(
        standalone_app, mailbox: Mailbox) -> None:
    """Whoever still reads the old mailbox (a former employer's, a compromised one) cannot take
    the account back with a reset link sent there before the move."""
    lea = standalone_app.test_client()
    register(lea, email="lea@example.com", name="Lea")
    submit(standalone_app.test_client(), "/account/forgot", {"email": "lea@example.com"})
    [message] = mailbox.wait_for(1)
    mailbox.clear()
    reset = re.search(r"http://localhost(/account/reset/\S+)",
                      message.get_payload(decode=True).decode()).group(1)
    _ask_change(lea, "new@example.com")
    link = _link(mailbox)
    assert lea.post(link, data={"csrf_token": csrf_token(lea, link)}).status_code == 302
    mallory = standalone_app.test_client()
    page = mallory.get(reset)
    if page.status_code == 200:
        taken = submit(mallory, reset, {"password": "mallory owns this now",
                                        "confirm": "mallory owns this now"})
        assert taken.status_code != 302
    assert login(standalone_app.test_client(), "new@example.com",
                 "mallory owns this now").status_code != 302
    assert login(standalone_app.test_client(), "new@example.com",
                 "correct horse battery").status_code == 302


def test_a_grant_reason_with_control_characters(course_site: Site) -> None:  # noqa: F811
    site = course_site
    add_learners(site, {"nora-1": "Nora None"})
    trainer = site.trainer_client()
    page = site.url(BOOK + "learners/nora-1")
    html = trainer.get(page).get_data(as_text=True)
    token = re.search(r'name="[a-z0-9-]+-csrf_token"[^>]*value="([^"]+)"', html).group(1)
    got = trainer.post(page + f"/quizzes/{MODULE}/grant", data={
        f"{MODULE}-csrf_token": token, f"{MODULE}-kind": "extra",
        f"{MODULE}-reason": "Sick\x00 leave\x1b[2J\u202e"})
    assert got.status_code in (302, 400), got.status_code
    with site.app.app_context():
        reasons = list(session().scalars(select(QuizGrant.reason)))
    assert all("\x00" not in r and "\x1b" not in r and "\u202e" not in r for r in reasons)


@pytest.mark.parametrize("config", [
    {"COURSE_CSP": "strict", "COURSE_CSP_EXTRA": {"img-src": ["https://\u4f8b.example"]}},
    {"COURSE_CSP": "strict", "COURSE_CSP_EXTRA": "img-src https://b\u00fccher.example"},
    {"COURSE_CSP": "strict", "COURSE_CSP_EXTRA": {"img-src": ["https://a.example\x00"]}},
    {"COURSE_CSP": "default-src 'self'; img-src https://\u4f8b.example"},
    {"COURSE_CSP": "default-src 'self';\x0bimg-src *"},
])
def test_a_policy_no_header_can_carry_is_refused_at_start(make_host, config) -> None:  # noqa: F811
    """Non-ASCII (an IDN not in punycode) or control characters would fail every response when
    the server encodes the header; the host learns at start-up instead."""
    with pytest.raises(CourseConfigError, match="COURSE_CSP"):
        make_host(**config)


def test_an_ascii_extra_policy_still_starts(make_host) -> None:  # noqa: F811
    app: Flask = make_host(COURSE_CSP="strict",
                           COURSE_CSP_EXTRA={"img-src": ["https://xn--fsq.example"]})
    policy = app.test_client().get("/learning/catalogue").headers[
        "Content-Security-Policy"]
    assert "https://xn--fsq.example" in policy


def _everything(site: Site) -> dict[str, list]:
    """Every row of every plugin table (a small test database) but the rendering cache."""
    from course.db import Base

    with site.app.app_context():
        return {t.name: sorted(map(repr, session().execute(t.select()).all()))
                for t in Base.metadata.sorted_tables
                if t.name != "course_rendered_lesson"}  # a cache of rendered lessons


def test_no_post_anywhere_acts_without_a_csrf_token(orgs: Orgs) -> None:
    """Every POST route, filled with plausible ids and fields, as an administrator and as a
    manager: without a token nothing in the database changes (pages re-render with errors or
    redirect with "the page had expired")."""
    site = orgs.site
    root = admin(orgs)
    manager = orgs.manager("acme")
    learner = orgs.people.client("ada@acme.example", "Ada Acme")
    values = {"course": "social-divide", "module": MODULE, "org_id": str(orgs.acme_id),
              "lesson": "what-the-social-divide-is"}
    fields = {"name": "x", "reason": "because", "kind": "extra", "rename-name": "Taken Over",
              "seats-seat_limit": "5", "email": "new@example.com", "display_name": "Renamed",
              "confirm": "yes", "seed": "1"}
    before = _everything(site)
    tried = 0
    for rule in site.app.url_map.iter_rules():
        if "POST" not in (rule.methods or ()) or not rule.endpoint.startswith("course."):
            continue
        path = rule.rule
        for arg in rule.arguments:
            path = re.sub(rf"<(?:[a-z_]+:)?{arg}>", values.get(arg, "1"), path)
        for client in (root, manager, learner):
            assert client.post(path, data=fields).status_code < 500, path
            tried += 1
    assert tried > 20
    after = _everything(site)
    changed = {name: (before[name], after[name]) for name in before
               if before[name] != after[name]}
    assert not changed, changed


@pytest.mark.parametrize("site", ["host"], indirect=True)
def test_the_host_login_redirect_keeps_the_invitation_token_out_of_access_logs(
        orgs: Orgs) -> None:
    """A logged-out invitee is sent to the host's log-in with the invitation's path, token
    included, URL-encoded in `next`: the redacting access logger must catch it there too."""
    from course.ops import redact_tokens
    from course.orgs import services

    with orgs.site.app.app_context():
        org = services.org_by_slug(session(), "acme")
        _, token = services.invite(session(), org, "nia@host.example", invited_by="x", days=3)
        session().commit()
    sent = orgs.site.client().get(orgs.site.url(f"/invitations/{token}"))
    assert sent.status_code == 302 and token in sent.headers["Location"].replace("%2D", "-")
    for line in (f'"GET {sent.headers["Location"]} HTTP/1.1" 200',
                 f'"GET {sent.headers["Location"].lower()} HTTP/1.1" 200',
                 "GET /login?next=%252Ftraining%252Finvitations%252F" + token):
        assert token not in redact_tokens(line) and token.lower() not in redact_tokens(line)


def test_the_trainers_learners_page_follows_the_gradebooks_tenancy(orgs: Orgs) -> None:
    """Who is on which lesson: a trainer sees the learners the gradebook shows them (those in
    no organisation, and their own organisation's), never another organisation's people."""
    from tests.trainers.test_tenancy import people

    site = orgs.site
    people(orgs)
    page = site.url("/trainer/courses/social-divide/learners")
    plain = site.trainer_client().get(page).get_data(as_text=True)
    assert "Nora Nobody" in plain and "Ada Acme" not in plain and "Gina Globex" not in plain
    give_role(site, orgs.people.user_id("boss@acme.example"), "trainer")
    acme = orgs.manager("acme").get(page).get_data(as_text=True)
    assert "Nora Nobody" in acme and "Ada Acme" in acme and "Gina Globex" not in acme


def test_no_get_anywhere_changes_the_database(orgs: Orgs) -> None:
    """Every GET route, filled with plausible ids, as an administrator, a manager, a trainer, a
    learner and a visitor, answers without a server error and, under the suite's GET guard
    (tests/getguard.py: any write but a visit record or the audit of an export fails the
    request), writes nothing."""
    from tests.trainers.test_tenancy import people

    site = orgs.site
    ids = people(orgs)
    clients = [admin(orgs), orgs.manager("acme"), site.trainer_client(),
               orgs.people.client("ada@acme.example"), site.client()]
    values = {"course": "social-divide", "module": MODULE, "org_id": str(orgs.acme_id),
              "lesson": "what-the-social-divide-is", "user_id": ids["ada"]}
    for rule in site.app.url_map.iter_rules():
        if "GET" not in (rule.methods or ()) or not rule.endpoint.startswith("course."):
            continue
        path = rule.rule
        for arg in rule.arguments:
            path = re.sub(rf"<(?:[a-z_]+:)?{arg}>", values.get(arg, "1"), path)
        for client in clients:
            assert client.get(path).status_code < 500, path


def test_grants_are_in_the_learners_data_and_go_when_they_close(course_site: Site) -> None:  # noqa: F811
    """A grant's reason is personal (sick leave, a fire alarm): the learner's data export holds
    it, and closing the account (removing the course data, in a host) erases it, so a reused
    id never inherits someone else's extra attempts."""
    from tests.quizzes.test_quiz_views import finish_lessons
    from tests.trainers.test_grants import fail_once, grant, learner_page

    site = course_site
    learner = site.logged_in_client()
    finish_lessons(site, learner)
    fail_once(site, learner)
    trainer = site.trainer_client()
    assert grant(site, trainer, learner_page(site, trainer), "extra",
                 "Sick leave during the attempt").status_code == 302
    exported = learner.get(site.url("/privacy/my-data.json")).get_data(as_text=True)
    assert "Sick leave during the attempt" in exported
    token = csrf_token(learner, site.url("/privacy/"))
    closed = learner.post(site.url("/privacy/close"), data={"csrf_token": token,
                                                            "confirm": "CLOSE"})
    assert closed.status_code == 302
    with site.app.app_context():
        assert session().scalar(select(func.count()).select_from(QuizGrant)) == 0


@pytest.mark.parametrize("site", ["host"], indirect=True)
def test_the_users_pages_record_of_a_person_is_in_their_data_export(site: Site) -> None:
    """In a host the plugin notes each person's name, address and last log-in for the Users
    page: that is personal data, so their export shows it."""
    client = site.logged_in_client()  # a real log-in through the host
    exported = client.get(site.url("/privacy/my-data.json")).get_json()
    [known] = exported["known_user"]
    assert known["email"] == "bob@host.example" and known["last_login_at"]


def test_the_completion_page_escapes_the_name_and_encodes_the_linkedin_link(
        standalone_course_site: Site) -> None:
    import html as htmllib
    from urllib.parse import parse_qs, urlsplit

    from tests.certificates.test_issue_verify import finish_last_lesson, nearly_done

    site = standalone_course_site
    site.app.config["COURSE_SITE_NAME"] = 'Evil & Co "x" <b>&startTask=HIJACK#'
    client = site.client()
    register(client, email="xss@example.com", name='Zoe <script>alert(1)</script> "&amp;')
    nearly_done(site, client)
    finish_last_lesson(site, client)
    page = client.get(site.url("/courses/social-divide/complete")).get_data(as_text=True)
    assert "Well done" in page and "<script>alert(1)" not in page
    linkedin = htmllib.unescape(re.search(r'href="(https://www.linkedin.com/[^"]+)"',
                                          page).group(1))
    query = parse_qs(urlsplit(linkedin).query)
    assert query["organizationName"] == ['Evil & Co "x" <b>&startTask=HIJACK#']
    assert query["startTask"] == ["CERTIFICATION_NAME"] and not urlsplit(linkedin).fragment


def test_a_logged_out_email_change_link_keeps_its_token_out_of_access_logs(
        standalone_app, mailbox: Mailbox) -> None:
    from course.ops import redact_tokens

    lea = standalone_app.test_client()
    register(lea, email="lea@example.com", name="Lea")
    _ask_change(lea, "new@example.com")
    link = _link(mailbox)
    token = link.rsplit("/", 1)[1]
    sent = standalone_app.test_client().get(link)  # opened in another browser, logged out
    assert sent.status_code == 302 and token[:20] in sent.headers["Location"]
    assert token[:20] not in redact_tokens(f'"GET {sent.headers["Location"]} HTTP/1.1" 200')
