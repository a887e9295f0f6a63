"""The one issuing path: every way a certificate comes to be is announced the same way, and a
failure while issuing never costs the learner the progress that made them eligible."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.exc import OperationalError

from course import signals
from course.certificates import services as certificate_services
from course.certificates.models import Certificate
from course.db import session
from course.lessons.models import LessonProgress
from tests.certificates.test_issue_verify import finish_last_lesson, nearly_done
from tests.conftest import Site, csrf_token
from tests.orgs.fixtures import Orgs
from tests.orgs.test_bulk import finished_everything


def test_web_issue_and_admin_reissue_are_both_announced(standalone_course_site: Site) -> None:
    from tests.certificates.test_issue_verify import admin_client

    site = standalone_course_site
    client = site.logged_in_client()
    nearly_done(site, client)
    announced: list[tuple[str, int]] = []
    with signals.certificate_issued.connected_to(
            lambda sender, **event: announced.append((event["code"], event["version"])),
            site.app):
        finish_last_lesson(site, client)
        with site.app.app_context():
            certificate_id = session().scalar(select(Certificate.id))
        admin = admin_client(site)
        page = site.url(f"/certificates/admin/{certificate_id}")
        admin.post(page, data={"csrf_token": csrf_token(admin, page), "action": "reissue",
                               "reason": "name corrected", "name": "Lea M. Learner"})
    assert [version for _, version in announced] == [1, 2]  # the issue, then the re-issue
    with site.app.app_context():
        codes = session().scalars(select(Certificate.code).order_by(Certificate.version)).all()
    assert [code for code, _ in announced] == list(codes)


def test_bulk_issue_and_bulk_reissue_are_announced(orgs: Orgs) -> None:
    site = orgs.site
    finished_everything(orgs, "ana@acme.example", "ben@acme.example")
    announced: list[str] = []
    runner = site.app.test_cli_runner()
    with signals.certificate_issued.connected_to(
            lambda sender, **event: announced.append(event["user_id"]), site.app):
        assert runner.invoke(args=["course", "issue-certificates", "--org", "acme"]
                             ).exit_code == 0
        assert len(announced) == 2
        assert runner.invoke(args=["course", "issue-certificates", "--org", "acme",
                                   "--reissue", "--reason", "rebrand"]).exit_code == 0
    assert len(announced) == 4  # each member's certificate, then each new version


def test_a_database_error_while_issuing_keeps_the_progress(
        course_site: Site, monkeypatch) -> None:  # noqa: ANN001
    site = course_site
    client = site.logged_in_client()
    nearly_done(site, client)

    def unavailable(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
        raise OperationalError("INSERT INTO course_certificate", {}, Exception("disk I/O"))

    monkeypatch.setattr(certificate_services, "issue_if_eligible", unavailable)
    token = csrf_token(client, site.url("/courses/social-divide/lessons/your-90-day-plan"))
    response = client.post(site.url("/courses/social-divide/lessons/your-90-day-plan/complete"),
                           data={"csrf_token": token})
    assert response.status_code == 302  # never a 503 for the progress itself
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "could not be produced just now" in page
    with site.app.app_context():
        done = session().scalar(select(func.count()).select_from(LessonProgress).where(
            LessonProgress.completed_at.is_not(None)))
        assert done == session().scalar(select(func.count()).select_from(LessonProgress))
        assert session().scalar(select(func.count()).select_from(Certificate)) == 0
