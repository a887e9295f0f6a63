"""The manager's dashboard (filters, pagination, factor averages), the exports (formula-safe
CSV, a ZIP of exactly the current certificates), reminders sent once, the audit log."""

from __future__ import annotations

import csv
import io
import re
import zipfile
from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import func, select

from course.certificates.models import Certificate
from course.db import session, utcnow
from course.lessons.models import LessonProgress
from course.orgs import services
from course.orgs.models import Assignment, Membership, ReminderSent
from course.quizzes.models import QuizAttempt
from tests.conftest import Mailbox, sample_lesson_count
from tests.orgs.fixtures import Orgs


def certificate(user_id: str, name: str, code: str, *, status: str = "active",
                days: int | None = 400, version: int = 1) -> Certificate:
    return Certificate(user_id=user_id, course="social-divide", version=version, code=code,
                       status=status, name=name, course_title="The Social Divide",
                       issued_at=utcnow(), snapshot={}, template="default",
                       valid_until=utcnow() + timedelta(days=days) if days is not None else None,
                       pdf=f"%PDF-{code}".encode(), sha256=code.ljust(64, "0"))


def populate(orgs: Orgs) -> dict[str, str]:
    """Acme: Ana (certified, expiring in 45 days), Ben (in progress, Sales), Cy (not started),
    Dee (revoked, and a superseded old one), Eve (=HYPERLINK formula name, expired)."""
    ids = {}
    for email, name, team in (("ana@acme.example", "Ana Lima", "Sales"),
                              ("ben@acme.example", "Ben Okafor", "Sales"),
                              ("cy@acme.example", "Cy Chen", "Support"),
                              ("dee@acme.example", "Dee Diaz", "Support"),
                              ("eve@acme.example", "=HYPERLINK(\"http://x\")", None)):
        ids[name.split()[0]] = orgs.add_member("acme", email, name, team)
    with orgs.site.app.app_context():
        db = session()
        db.add_all([
            certificate(ids["Ana"], "Ana Lima", "A" * 27, days=45),
            certificate(ids["Dee"], "Dee Diaz", "D" * 27, status="revoked"),
            certificate(ids["Dee"], "Dee Diaz", "d" * 27, status="superseded", version=0),
            certificate(ids["=HYPERLINK(\"http://x\")"], "=HYPERLINK(\"http://x\")", "E" * 27,
                        days=-1),
            LessonProgress(user_id=ids["Ben"], course="social-divide", module="welcome",
                           lesson="what-the-social-divide-is", viewed_version="v",
                           completed_at=utcnow()),
            QuizAttempt(user_id=ids["Ben"], course="social-divide", module="role-model",
                        number=1, quiz_version="v", state="finished", shown=[], responses={},
                        pass_mark=80, percent=Decimal("64"), passed=False,
                        finished_at=utcnow()),
        ])
        db.commit()
    return ids


def test_dashboard_filters_and_numbers(orgs: Orgs) -> None:
    site = orgs.site
    populate(orgs)
    manager = orgs.manager()

    def names(query: str) -> set[str]:
        html = manager.get(site.url("/org/?" + query)).get_data(as_text=True)
        rows = html.split("<tbody>")[-1].split("</tbody>")[0]
        return {n for n in ("Ana Lima", "Ben Okafor", "Cy Chen", "Dee Diaz", "Acme Boss")
                if n in rows}

    assert names("") == {"Ana Lima", "Ben Okafor", "Cy Chen", "Dee Diaz", "Acme Boss"}
    assert names("team=Sales") == {"Ana Lima", "Ben Okafor"}
    assert names("status=certified") == {"Ana Lima"}  # Eve's expired one is still active
    assert names("status=in-progress") == {"Ben Okafor"}
    assert names("status=not-started") == {"Cy Chen", "Dee Diaz", "Acme Boss"}
    assert names("expiring=30") == set()
    assert names("expiring=60") == {"Ana Lima"}
    assert names("overdue=1") == set()  # no due date yet
    with site.app.app_context():
        session().add(Assignment(org_id=orgs.acme_id, course="social-divide",
                                 due_on=date.today() - timedelta(days=1)))
        session().commit()
    assert names("overdue=1") == {"Ben Okafor", "Cy Chen", "Dee Diaz", "Acme Boss"}
    html = manager.get(site.url("/org/")).get_data(as_text=True)
    assert "<th scope=\"row\">Role Model</th><td>64%</td><td>1</td>" in html
    assert f"</progress> 1/{sample_lesson_count()}" in html  # Ben's progress


def test_pagination_stays_in_sql(orgs: Orgs) -> None:
    site = orgs.site
    with site.app.app_context():
        db = session()
        db.add_all([Membership(org_id=orgs.acme_id, user_id=f"bulk-{i:05d}",
                               name=f"Member {i:05d}", email=f"m{i}@acme.example",
                               team="Ops" if i % 2 else "Field") for i in range(1, 121)])
        db.commit()
    manager = orgs.manager()
    first = manager.get(site.url("/org/")).get_data(as_text=True)
    assert "121 matches" in first and "Page 1 of 3" in first
    assert "Member 00049" in first and "Member 00050" not in first  # after Acme Boss
    third = manager.get(site.url("/org/?page=3&team=Ops")).get_data(as_text=True)
    assert "Page 2 of 2" in third  # clamped to the last page
    assert "60 matches" in third


def test_pages_are_read_from_the_edge_member_both_ways(orgs: Orgs, monkeypatch) -> None:  # noqa: ANN001
    """The pager's links carry the member at the page's edge (an id): forward and back they
    give every member once, in order, with the filters kept; a typed page, or an edge member
    who has left, still gives that page; the progress CSV reads each batch from the last."""
    from course.orgs import exports
    from course.paging import edge_mark

    site = orgs.site
    with site.app.app_context():
        db = session()
        db.add_all([Membership(org_id=orgs.acme_id, user_id=f"edge-{i:03d}",
                               name=f"Member {i // 2:03d}", email=f"e{i}@acme.example",
                               team="Ops" if i % 3 else "Field") for i in range(130)])
        db.commit()  # names come in pairs: the order within a pair is by id
    manager = orgs.manager()
    member = re.compile(r'<th scope="row">([^<]+)(?: <span class="tag">manager</span>)?<br>')

    def walk(url: str, rel: str) -> list[list[str]]:
        pages, start = [], url
        while url:
            html = manager.get(url).get_data(as_text=True)
            pages.append(member.findall(html))
            found = re.search(rf'<a href="([^"]+)" rel="{rel}"', html)
            url = found.group(1).replace("&amp;", "&") if found else None
            assert url is None or "team=Ops" in url or "team" not in start
        return pages

    forward = walk(site.url("/org/?team=Ops"), "next")
    ops = sorted(f"Member {i // 2:03d}" for i in range(130) if i % 3)
    assert [n for page in forward for n in page] == ops and len(forward) == 2
    assert walk(site.url("/org/?team=Ops&page=2"), "prev") == forward[::-1]
    everyone = walk(site.url("/org/"), "next")  # three pages: page 3's Previous seeks back
    assert len(everyone) == 3 and walk(site.url("/org/?page=3"), "prev") == everyone[::-1]
    with site.app.app_context():
        ids = dict(session().execute(select(Membership.user_id, Membership.id).where(
            Membership.user_id.like("edge-%"))).all())
    # nothing after the edge any more (its followers left): the page by its number, not empty
    last = manager.get(site.url(f"/org/?page=2&after={ids['edge-129']}")).get_data(
        as_text=True)
    assert member.findall(last) == everyone[1]
    # less than a page before the edge (people left): the whole first page, numbered 1
    with site.app.app_context():
        mark = {n: edge_mark(f"Member {n}") for n in ("004", "049")}
    early = manager.get(site.url(f"/org/?page=2&before={ids['edge-009']}&at={mark['004']}")
                        ).get_data(as_text=True)
    assert member.findall(early) == everyone[0] and "Page 1 of 3" in early
    with site.app.app_context():
        edge = session().scalar(select(Membership.id).where(
            Membership.user_id == "edge-099"))  # Member 049's second: page 1 ends at it
    sought = manager.get(site.url(f"/org/?page=2&after={edge}&at={mark['049']}")).get_data(
        as_text=True)
    assert member.findall(sought)[0] == "Member 050"
    for edge in ("999999", str(10**20), "-5", "x", "1e3"):  # gone, too large, not an id
        gone = manager.get(site.url(f"/org/?page=2&after={edge}&before={edge}"))
        assert gone.status_code == 200, edge
        assert "Page 2 of 3" in gone.get_data(as_text=True), edge
        assert "Member 049" in gone.get_data(as_text=True), edge
    monkeypatch.setattr(exports, "CSV_BATCH", 7)
    rows = list(csv.reader(io.StringIO(manager.get(site.url("/org/staff-progress.csv"))
                                       .get_data(as_text=True))))
    everyone = sorted([f"Member {i // 2:03d}" for i in range(130)] + ["Acme Boss"])
    assert sorted(r[0] for r in rows[1:]) == everyone and len(rows) == 1 + 131


def test_progress_csv_escapes_formulas(orgs: Orgs) -> None:
    site = orgs.site
    populate(orgs)
    response = orgs.manager().get(site.url("/org/staff-progress.csv"))
    assert response.mimetype == "text/csv" and b"\r\n" in response.data
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True))))
    assert rows[0][:3] == ["name", "email", "team"]
    names = [r[0] for r in rows[1:]]
    assert "'=HYPERLINK(\"http://x\")" in names and not any(n.startswith("=") for n in names)
    ben = next(r for r in rows if r[0] == "Ben Okafor")
    assert ben[4:6] == ["1", str(sample_lesson_count())]
    assert "64.00" in ben


def test_zip_holds_exactly_the_current_certificates(orgs: Orgs) -> None:
    site = orgs.site
    populate(orgs)
    orgs.add_member("globex", "gina@globex.example", "Gina")
    with site.app.app_context():
        gina = session().scalar(select(Membership.user_id).where(
            Membership.email == "gina@globex.example"))
        session().add(certificate(gina, "Gina", "G" * 27))
        session().commit()
    response = orgs.manager().get(site.url("/org/certificates.zip"))
    archive = zipfile.ZipFile(io.BytesIO(response.data))
    pdfs = sorted(n for n in archive.namelist() if n.endswith(".pdf"))
    assert pdfs == ["Ana-Lima-AAAAAAAA.pdf"]  # not revoked, superseded, expired or Globex's
    assert archive.read(pdfs[0]) == b"%PDF-" + b"A" * 27
    manifest = list(csv.reader(io.StringIO(archive.read("manifest.csv").decode())))
    assert [r[3] for r in manifest[1:]] == ["A" * 27]
    log = orgs.manager().get(site.url("/org/audit")).get_data(as_text=True)
    assert "exported certificates" in log


def test_reminders_are_sent_once(orgs: Orgs, mailbox: Mailbox) -> None:
    site = orgs.site
    site.app.config.update(COURSE_MAIL_SERVER=mailbox.host, COURSE_MAIL_PORT=mailbox.port)
    populate(orgs)
    with site.app.app_context():
        session().add(Assignment(org_id=orgs.acme_id, course="social-divide",
                                 due_on=date.today() - timedelta(days=2)))
        # Ana's certificate expires in 45 days: inside a 60-day reminder window.
        session().commit()
    site.app.config["COURSE_REMINDER_EXPIRY_DAYS"] = 60
    runner = site.app.test_cli_runner()
    first = runner.invoke(args=["course", "send-reminders"])
    assert first.exit_code == 0, first.output
    # Overdue: Ben, Cy, Dee and the boss (not Ana, certified; Eve has an active certificate).
    assert "5 reminder(s) sent" in first.output
    messages = mailbox.wait_for(5)
    by_to = {m["To"]: m for m in messages}
    assert set(by_to) == {"ben@acme.example", "cy@acme.example", "dee@acme.example",
                          "boss@acme.example", "ana@acme.example"}
    expiring = by_to["ana@acme.example"].get_payload(decode=True).decode()
    assert "expires on" in expiring and "/reminders/unsubscribe/" in expiring
    overdue = by_to["ben@acme.example"].get_payload(decode=True).decode()
    assert "asked you to finish" in overdue and "unsubscribe" not in overdue
    second = runner.invoke(args=["course", "send-reminders"])
    assert "0 reminder(s) sent" in second.output
    assert len(mailbox.messages) == 5
    with site.app.app_context():
        assert session().scalar(select(func.count()).select_from(ReminderSent)) == 5


def test_unsubscribe_stops_optional_reminders(orgs: Orgs, mailbox: Mailbox) -> None:
    site = orgs.site
    site.app.config.update(COURSE_MAIL_SERVER=mailbox.host, COURSE_MAIL_PORT=mailbox.port,
                           COURSE_REMINDER_EXPIRY_DAYS=60)
    ids = populate(orgs)
    with site.app.test_request_context():
        from course.orgs.views import unsubscribe_token

        token = unsubscribe_token(ids["Ana"])
    visitor = site.client()
    url = site.url(f"/reminders/unsubscribe/{token}")
    page = visitor.get(url).get_data(as_text=True)
    assert "Stop optional reminders" in page
    from tests.conftest import csrf_token

    done = visitor.post(url, data={"csrf_token": csrf_token(visitor, url)})
    assert "no longer get optional reminders" in done.get_data(as_text=True)
    assert site.client().get(site.url("/reminders/unsubscribe/forged")).status_code == 404
    out = site.app.test_cli_runner().invoke(args=["course", "send-reminders", "--dry-run"])
    assert "ana@acme.example" not in out.output


def test_audit_log_records_enrolment_issue_and_revoke(orgs: Orgs) -> None:
    """The issuing path writes the audit (no receiver of ours does): an issue by the bulk
    command, a revocation by the manager, each recorded once, in the request that made it."""
    from tests.conftest import csrf_token
    from tests.orgs.test_bulk import certificates_of, finished_everything

    site = orgs.site
    populate(orgs)
    [fay] = finished_everything(orgs, "fay@acme.example")
    assert site.app.test_cli_runner().invoke(
        args=["course", "issue-certificates", "--org", "acme"]).exit_code == 0
    [cert] = certificates_of(site, [fay])
    manager = orgs.manager()
    url = site.url(f"/org/certificates/{cert.id}")
    manager.post(url, data={"csrf_token": csrf_token(manager, url), "action": "revoke",
                            "reason": "left"})
    with site.app.app_context():
        services.audit(session(), orgs.globex_id, "x", "invited", "secret@globex.example")
        session().commit()
    log = orgs.manager().get(site.url("/org/audit")).get_data(as_text=True)
    for action in ("member added", "certificate issued", "certificate revoked", "reason: left"):
        assert action in log, action
    assert log.count("certificate issued") == log.count("certificate revoked") == 1
    assert "secret@globex.example" not in log


def test_manager_revokes_and_reissues_a_members_certificate(orgs: Orgs) -> None:
    from tests.conftest import csrf_token
    from tests.orgs.test_bulk import certificates_of, finished_everything

    site = orgs.site
    [ana] = finished_everything(orgs, "ana@acme.example")
    site.app.test_cli_runner().invoke(args=["course", "issue-certificates", "--org", "acme"])
    [cert] = certificates_of(site, [ana])
    manager = orgs.manager()
    url = site.url(f"/org/certificates/{cert.id}")
    token = csrf_token(manager, url)
    manager.post(url, data={"csrf_token": token, "action": "reissue", "reason": "typo fixed"})
    old, new = certificates_of(site, [ana])
    assert (old.status, new.status, new.reason) == ("superseded", "active", "typo fixed")
    new_url = site.url(f"/org/certificates/{new.id}")
    manager.post(new_url, data={"csrf_token": token, "action": "revoke", "reason": "left"})
    assert certificates_of(site, [ana])[1].status == "revoked"
    log = manager.get(site.url("/org/audit")).get_data(as_text=True)
    assert "certificate reissued" in log and "certificate revoked" in log
    assert "reason: typo fixed" in log and "reason: left" in log


def test_an_edge_member_renamed_since_skips_no_page_of_members(orgs: Orgs) -> None:
    """Renamed after the page was shown (to a name further on), the edge member no longer
    marks where the next page starts: it is read by its number, not sought from the new name,
    which would have skipped everyone between the two names."""
    from sqlalchemy import update

    site = orgs.site
    with site.app.app_context():
        db = session()
        db.add_all([Membership(org_id=orgs.acme_id, user_id=f"rn-{i:03d}", name=f"Member {i:03d}",
                               email=f"rn{i}@acme.example") for i in range(120)])
        db.commit()
    manager = orgs.manager()
    member = re.compile(r'<th scope="row">([^<]+)(?: <span class="tag">manager</span>)?<br>')
    first = manager.get(site.url("/org/")).get_data(as_text=True)
    nxt = re.search(r'<a href="([^"]+)" rel="next"', first).group(1).replace("&amp;", "&")
    edge = member.findall(first)[-1]
    assert "after=" in nxt and "at=" in nxt and "Member" not in nxt
    with site.app.app_context():
        session().execute(update(Membership).where(Membership.name == edge)
                          .values(name="Member 090a"))
        session().commit()
    by_number = member.findall(manager.get(site.url("/org/?page=2")).get_data(as_text=True))
    second = member.findall(manager.get(nxt).get_data(as_text=True))
    assert second == by_number and "Member 060" in second and "Member 090a" in second
