"""Issuing when a learner becomes eligible, downloading, and public verification by code or by
file: standalone and mounted, on each database."""

from __future__ import annotations

import io
import re
from datetime import timedelta
from decimal import Decimal

from pypdf import PdfReader
from sqlalchemy import event, insert, update

from course.certificates.models import Certificate
from course.db import session, utcnow
from course.lessons.services import complete_lesson
from course.quizzes.models import QuizAttempt
from tests.conftest import Site, csrf_token

LAST = "/courses/social-divide/lessons/your-90-day-plan"


def nearly_done(site: Site, client) -> str:
    """Every lesson but the last done and every factor quiz passed, straight in the database;
    returns the learner's user id."""
    client.get(site.url("/courses/social-divide/"))  # the learner is known to the site
    with site.app.app_context():
        loaded = site.app.extensions["course"].content()
        course = loaded.course("social-divide")
        user_id = _user_id(site, client)
        for lesson in course.lessons:
            if lesson.slug != "your-90-day-plan":
                complete_lesson(session(), user_id, lesson)
        for (_, module), quiz in loaded.quizzes.items():
            session().add(QuizAttempt(user_id=user_id, course="social-divide", module=module,
                                      number=1, quiz_version=quiz.version, state="finished",
                                      shown=[], responses={}, pass_mark=80,
                                      percent=Decimal("90"), passed=True,
                                      finished_at=utcnow()))
        session().commit()
    return user_id


def _user_id(site: Site, client) -> str:
    with client.session_transaction() as sess:
        raw = sess["_user_id"]
    return raw.split(":")[0]


def finish_last_lesson(site: Site, client, token: str | None = None) -> str:
    """Complete the last lesson; returns the CSRF token used (the page loses its form after)."""
    token = token or csrf_token(client, site.url(LAST))
    client.post(site.url(LAST + "/complete"), data={"csrf_token": token})
    return token


def test_certificate_is_issued_on_becoming_eligible(course_site: Site) -> None:
    client = course_site.logged_in_client()
    nearly_done(course_site, client)
    page = client.get(course_site.url("/certificates/")).get_data(as_text=True)
    assert "Closing the divide: 1 lesson to finish" in page
    token = finish_last_lesson(course_site, client)
    page = client.get(course_site.url("/certificates/")).get_data(as_text=True)
    assert "Download the PDF" in page and "Add to LinkedIn profile" in page
    assert "linkedin.com/profile/add?startTask=CERTIFICATION_NAME" in page
    pdf_link = re.search(r'href="([^"]+certificate\.pdf)"', page).group(1)
    response = client.get(pdf_link)
    assert response.mimetype == "application/pdf"
    assert response.headers["Content-Disposition"] == 'attachment; filename="certificate.pdf"'
    reader = PdfReader(io.BytesIO(response.data))
    text = reader.pages[0].extract_text()
    name = "Lea Learner" if course_site.mode == "standalone" else "Bob Host"
    assert name in text and "90%" in text
    with course_site.app.app_context():
        [certificate] = session().query(Certificate).all()
        assert certificate.code in text.replace("\n", "") and len(certificate.code) >= 22
        assert certificate.code.isalnum()
        assert certificate.valid_until is None or certificate.valid_until > utcnow()
    # Completing again issues nothing new.
    finish_last_lesson(course_site, client, token)
    with course_site.app.app_context():
        assert session().query(Certificate).count() == 1


def test_other_learners_cannot_download(course_site: Site) -> None:
    client = course_site.logged_in_client()
    nearly_done(course_site, client)
    finish_last_lesson(course_site, client)
    with course_site.app.app_context():
        certificate_id = session().query(Certificate).one().id
    other = course_site.trainer_client()
    url = course_site.url(f"/certificates/{certificate_id}/certificate.pdf")
    assert other.get(url).status_code == 404


def issued(site: Site) -> tuple[object, Certificate]:
    client = site.logged_in_client()
    nearly_done(site, client)
    finish_last_lesson(site, client)
    with site.app.app_context():
        certificate = session().query(Certificate).one()
        session().expunge(certificate)
    return client, certificate


def test_verify_page_for_each_status(course_site: Site) -> None:
    _, certificate = issued(course_site)
    visitor = course_site.client()
    url = course_site.url(f"/verify/{certificate.code}")
    response = visitor.get(url)
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "This certificate is valid." in html
    assert response.headers["X-Robots-Tag"].startswith("noindex")
    assert response.headers["Cache-Control"] == "no-store"
    assert "The Social Divide" in html and certificate.name in html
    assert "@" not in html.split("<main")[1].split("</main>")[0]  # no email address shown
    # What the certificate rests on, so a verifier can weigh it: the sample course requires no
    # reviewed work, and its quizzes are taken online without supervision.
    earned = html.split("<dt>Earned by</dt><dd>")[1].split("</dd>")[0]
    assert earned.startswith("Completing every lesson and passing 4 quizzes (Social Graph")
    assert "taken online without supervision" in earned
    assert earned.endswith("No reviewed work was required.") and "<dt>Capstone</dt>" not in html
    for change, expected in (
            ({"valid_until": utcnow() - timedelta(days=1)}, "has expired"),
            ({"status": "revoked", "reason": "issued in error"}, "revoked: issued in error"),
            ({"status": "superseded"}, "replaced by a newer version")):
        with course_site.app.app_context():
            session().execute(update(Certificate).values(
                **{"status": "active", "valid_until": None, **change}))
            session().commit()
        assert expected in visitor.get(url).get_data(as_text=True)
    assert visitor.get(course_site.url("/verify/not-a-real-code")).status_code == 404


def test_check_a_pdf_authentic_altered_unknown(course_site: Site) -> None:
    _, certificate = issued(course_site)
    visitor = course_site.client()
    page = course_site.url("/verify/check")

    def check(data: bytes) -> str:
        token = csrf_token(visitor, page)
        return visitor.post(page, data={"csrf_token": token,
                                        "pdf": (io.BytesIO(data), "c.pdf")},
                            content_type="multipart/form-data").get_data(as_text=True)

    assert "authentic, unaltered certificate" in check(certificate.pdf)
    altered = certificate.pdf.replace(b"Lea", b"Leo").replace(b"Bob", b"Rob") + b" "
    assert "not a certificate we issued, or it has been altered" in check(altered)
    assert "not a certificate we issued" in check(b"%PDF-1.7 something else")
    empty = visitor.post(page, data={"csrf_token": csrf_token(visitor, page)},
                         content_type="multipart/form-data")
    assert empty.status_code == 400  # the button pressed with no file: say so
    assert "PDF file, then check it" in empty.get_data(as_text=True)


def test_verification_is_rate_limited(course_site: Site) -> None:
    course_site.app.config["COURSE_RATELIMIT_VERIFY"] = "3/minute"
    visitor = course_site.client()
    codes = [visitor.get(course_site.url(f"/verify/guess{i}")).status_code for i in range(4)]
    assert codes == [404, 404, 404, 429]


def admin_client(site: Site):
    """An administrator: the standalone site's own accounts (the host app has none)."""
    site.app.test_cli_runner().invoke(args=["course", "create-user", "root@example.com",
                                            "--role", "admin"], input="an admin password\n")
    client = site.client()
    from tests.conftest import login

    assert login(client, "root@example.com", "an admin password").status_code == 302
    return client


def test_admin_revokes_and_reissues(standalone_course_site: Site) -> None:
    site = standalone_course_site
    _, certificate = issued(site)
    admin = admin_client(site)
    page = site.url(f"/certificates/admin/{certificate.id}")
    token = csrf_token(admin, page)
    response = admin.post(page, data={"csrf_token": token, "action": "reissue",
                                      "reason": "name corrected", "name": "Lea M. Learner"})
    assert response.status_code == 302
    with site.app.app_context():
        old, new = session().query(Certificate).order_by(Certificate.version).all()
        assert (old.status, old.superseded_by, new.version, new.name) == (
            "superseded", new.id, 2, "Lea M. Learner")
        new_id, new_code, old_code = new.id, new.code, old.code
    visitor = site.client()
    html = visitor.get(site.url(f"/verify/{old_code}")).get_data(as_text=True)
    assert "replaced by a newer version" in html and new_code in html
    token = csrf_token(admin, site.url(f"/certificates/admin/{new_id}"))
    admin.post(site.url(f"/certificates/admin/{new_id}"),
               data={"csrf_token": token, "action": "revoke", "reason": "issued in error"})
    html = visitor.get(site.url(f"/verify/{new_code}")).get_data(as_text=True)
    assert "revoked: issued in error" in html
    learner = site.client()
    assert learner.get(site.url("/certificates/admin")).status_code == 302


def test_expiring_lists(standalone_course_site: Site) -> None:
    site = standalone_course_site
    _, certificate = issued(site)
    with site.app.app_context():
        session().execute(update(Certificate).values(valid_until=utcnow() + timedelta(days=45)))
        session().commit()
    admin = admin_client(site)
    in_30 = admin.get(site.url("/certificates/admin?expiring=30")).get_data(as_text=True)
    in_60 = admin.get(site.url("/certificates/admin?expiring=60")).get_data(as_text=True)
    assert "No certificates expire in the next 30 days" in in_30
    assert certificate.name in in_60


def test_a_revoked_or_superseded_pdf_is_never_handed_out(standalone_course_site: Site) -> None:
    site = standalone_course_site
    learner, certificate = issued(site)
    old_pdf = site.url(f"/certificates/{certificate.id}/certificate.pdf")
    assert learner.get(old_pdf).mimetype == "application/pdf"
    admin = admin_client(site)
    page = site.url(f"/certificates/admin/{certificate.id}")
    admin.post(page, data={"csrf_token": csrf_token(admin, page), "action": "reissue",
                           "reason": "name corrected", "name": "Lea M. Learner"})
    superseded = learner.get(old_pdf)
    assert superseded.status_code == 410 and superseded.mimetype == "text/html"
    text = superseded.get_data(as_text=True)
    assert "replaced by a newer version" in text and "Download the current version" in text
    with site.app.app_context():
        new_id = session().query(Certificate).filter_by(status="active").one().id
    new_pdf = site.url(f"/certificates/{new_id}/certificate.pdf")
    assert learner.get(new_pdf).mimetype == "application/pdf"
    mine = learner.get(site.url("/certificates/")).get_data(as_text=True)
    assert mine.count("Download the PDF") == 1  # only the current version offers its PDF
    page = site.url(f"/certificates/admin/{new_id}")
    admin.post(page, data={"csrf_token": csrf_token(admin, page), "action": "revoke",
                           "reason": "issued in error"})
    revoked = learner.get(new_pdf)
    assert revoked.status_code == 410 and b"%PDF" not in revoked.data
    assert "was revoked (issued in error)" in revoked.get_data(as_text=True)
    assert "Download the PDF" not in learner.get(site.url("/certificates/")).get_data(
        as_text=True)


def test_the_administrators_list_is_paged_in_sql(standalone_course_site: Site) -> None:
    """120 certificates: 50 to a page, newest first; the expiring filter soonest first; past
    the last page, the last page; and no list reads a PDF or a snapshot."""
    site = standalone_course_site
    now = utcnow()
    with site.app.app_context():
        session().execute(insert(Certificate), [dict(
            user_id=f"u{n}", course="social-divide", version=1, code=f"code{n}",
            status="active", name=f"Holder {n:03d}", course_title="The Social Divide",
            issued_at=now - timedelta(days=n), snapshot={"big": "x" * 100}, template="default",
            pdf=b"%PDF", sha256=f"h{n}",
            valid_until=now + timedelta(days=(n + 1) if n < 60 else 400)) for n in range(120)])
        session().commit()
        engine = session().get_bind()
    admin = admin_client(site)
    statements: list[str] = []

    def note(_conn, _cursor, statement, *_args) -> None:
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", note)
    try:
        first = admin.get(site.url("/certificates/admin")).get_data(as_text=True)
        soon = admin.get(site.url("/certificates/admin?expiring=90")).get_data(as_text=True)
        later = admin.get(site.url("/certificates/admin?expiring=90&page=2")).get_data(
            as_text=True)
    finally:
        event.remove(engine, "before_cursor_execute", note)
    assert "120 certificates, the newest first." in first and "Page 1 of 3" in first
    holders = re.findall(r"Holder (\d{3})", first)
    assert holders == [f"{n:03d}" for n in range(50)]
    assert 'rel="next"' in first and "page=2" in first
    assert "60 certificates expiring within 90 days, the soonest first." in soon
    assert re.findall(r"Holder (\d{3})", soon)[:3] == ["000", "001", "002"]
    assert re.findall(r"Holder (\d{3})", later) == [f"{n:03d}" for n in range(50, 60)]
    assert "expiring=90" in later and 'rel="prev"' in later
    listing = [s for s in statements if "course_certificate" in s]
    assert listing and not [s for s in listing if ".pdf" in s or ".snapshot" in s]
    last = admin.get(site.url("/certificates/admin?page=999")).get_data(as_text=True)
    assert "Page 3 of 3" in last and "Holder 119" in last
