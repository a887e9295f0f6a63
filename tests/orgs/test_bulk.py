"""Bulk issuance for an organisation: on the local process pool and on RQ workers against the
local Redis; a re-issue needs a reason and supersedes; branding follows membership."""

from __future__ import annotations

import io
import os
import uuid
from decimal import Decimal

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from course.certificates.models import Certificate
from course.db import session, utcnow
from course.lessons.services import complete_lesson
from course.orgs.models import BulkJob, Organisation
from course.quizzes.models import QuizAttempt
from tests.orgs.fixtures import Orgs

REDIS_URL = os.environ.get("COURSE_TEST_REDIS_URL")
LOGO = (b'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10">'
        b'<rect width="10" height="10" fill="#c0392b"/></svg>')


def finished_everything(orgs: Orgs, *emails: str) -> list[str]:
    """Members of Acme who read every lesson and passed every quiz, without a certificate (as
    after a workshop recorded in bulk, or results imported)."""
    ids = [orgs.add_member("acme", e, e.split("@")[0].title() + " Learner") for e in emails]
    site = orgs.site
    with site.app.app_context():
        loaded = site.app.extensions["course"].content()
        course = loaded.course("social-divide")
        for user_id in ids:
            for lesson in course.lessons:
                complete_lesson(session(), user_id, lesson)
            for (_, module), quiz in loaded.quizzes.items():
                session().add(QuizAttempt(
                    user_id=user_id, course="social-divide", module=module, number=1,
                    quiz_version=quiz.version, state="finished", shown=[], responses={},
                    pass_mark=quiz.pass_mark, percent=Decimal("91"), passed=True,
                    finished_at=utcnow()))
        session().commit()
    return ids


def certificates_of(site, ids: list[str]) -> list[Certificate]:
    with site.app.app_context():
        rows = session().scalars(select(Certificate).where(Certificate.user_id.in_(ids))
                                 .order_by(Certificate.user_id, Certificate.version)).all()
        for row in rows:
            session().expunge(row)
        return rows


def brand_acme(site) -> None:
    with site.app.app_context():
        org = session().scalar(select(Organisation).where(Organisation.slug == "acme"))
        org.logo, org.logo_type, org.primary_colour = LOGO, "image/svg+xml", "#c0392b"
        org.signatory = "Ada Director"
        session().commit()


def test_bulk_issue_on_the_local_pool_then_a_reissue(orgs: Orgs) -> None:
    site = orgs.site
    ids = finished_everything(orgs, "ana@acme.example", "ben@acme.example",
                              "cy@acme.example")
    brand_acme(site)
    runner = site.app.test_cli_runner()
    result = runner.invoke(args=["course", "issue-certificates", "--org", "acme"])
    assert result.exit_code == 0, result.output
    # The boss has done nothing: looked at, not eligible.
    assert "done: 3 certificate(s) issued for 4 member(s) looked at" in result.output
    issued = certificates_of(site, ids)
    assert [c.status for c in issued] == ["active"] * 3
    text = PdfReader(io.BytesIO(issued[0].pdf)).pages[0].extract_text()
    assert "Acme Ltd" in text and "Signed for Acme Ltd: Ada Director" in text
    assert issued[0].snapshot["organisation"] == "Acme Ltd"
    # Again: nothing to do, nothing doubles.
    again = runner.invoke(args=["course", "issue-certificates", "--org", "acme"])
    assert "0 certificate(s) issued" in again.output
    # A re-issue without a reason is refused; with one, every current certificate is replaced.
    refused = runner.invoke(args=["course", "issue-certificates", "--org", "acme", "--reissue"])
    assert refused.exit_code != 0 and "needs a reason" in refused.output
    done = runner.invoke(args=["course", "issue-certificates", "--org", "acme", "--reissue",
                               "--reason", "New company name"])
    assert "3 certificate(s) re-issued" in done.output, done.output
    after = certificates_of(site, ids)
    assert sorted(c.status for c in after) == ["active"] * 3 + ["superseded"] * 3
    assert all(c.reason == "New company name" for c in after if c.version == 2)
    with site.app.app_context():
        jobs = session().scalars(select(BulkJob).order_by(BulkJob.id)).all()
        assert [(j.kind, j.state, j.issued) for j in jobs] == [
            ("issue", "done", 3), ("issue", "done", 0), ("reissue", "done", 3)]


@pytest.mark.skipif(not REDIS_URL, reason="COURSE_TEST_REDIS_URL is not set")
def test_bulk_issue_on_rq_workers(orgs: Orgs) -> None:
    site = orgs.site
    site.app.config.update(COURSE_JOBS_REDIS_URL=REDIS_URL,
                           COURSE_JOBS_QUEUE=f"course-test-{uuid.uuid4().hex}")
    ids = finished_everything(orgs, "ana@acme.example", "ben@acme.example")
    runner = site.app.test_cli_runner()
    queued = runner.invoke(args=["course", "issue-certificates", "--org", "acme", "--no-wait"])
    assert queued.exit_code == 0, queued.output
    assert "3 member(s) in 1 chunk(s) on RQ" in queued.output
    assert certificates_of(site, ids) == []  # nothing until a worker takes it
    worked = runner.invoke(args=["course", "worker", "--burst"])
    assert worked.exit_code == 0, worked.output
    issued = certificates_of(site, ids)
    assert [c.status for c in issued] == ["active", "active"]
    with site.app.app_context():
        job = session().scalars(select(BulkJob)).one()
        assert (job.backend, job.state, job.done, job.total, job.issued) == (
            "rq", "done", 3, 3, 2)


def test_manager_starts_a_bulk_job_and_follows_it(orgs: Orgs) -> None:
    site = orgs.site
    finished_everything(orgs, "ana@acme.example")
    manager = orgs.manager()
    from tests.conftest import csrf_token

    token = csrf_token(manager, site.url("/org/bulk"))
    refused = manager.post(site.url("/org/bulk"), data={"csrf_token": token, "kind": "reissue"})
    assert refused.status_code == 400 and "needs a reason" in refused.get_data(as_text=True)
    started = manager.post(site.url("/org/bulk"), data={"csrf_token": token, "kind": "issue"})
    assert started.status_code == 302
    site.app.extensions["course"].tasks.join_all(120)
    job_url = started.headers["Location"]
    status = manager.get(job_url + ".json").get_json()
    assert status == {"state": "done", "done": 2, "total": 2, "issued": 1, "error": None}
    page = manager.get(job_url).get_data(as_text=True)
    assert "<progress" in page and "1 certificate issued" in page
