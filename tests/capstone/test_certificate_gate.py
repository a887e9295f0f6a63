"""A course that requires its capstone issues the certificate only once the capstone passes,
and the certificate (PDF and verify page) says who reviewed it. Standalone and mounted."""

from __future__ import annotations

import io
import re

from pypdf import PdfReader
from sqlalchemy import select

from course import signals
from course.certificates.models import Certificate
from course.db import session
from tests.capstone.conftest import complete_lesson, mark, send, submission_ids
from tests.conftest import Site, csrf_token


def _certificates(site: Site) -> list[Certificate]:
    with site.app.app_context():
        return session().scalars(select(Certificate)).all()


def test_the_certificate_waits_for_the_capstone_then_states_it(cap_site: Site, mailbox) -> None:
    learner = cap_site.logged_in_client()
    complete_lesson(learner, cap_site)
    assert _certificates(cap_site) == []  # lessons done, capstone not passed
    mine = learner.get(cap_site.url("/certificates/")).get_data(as_text=True)
    assert "A reviewed plan: the capstone must pass review" in mine
    send(learner, cap_site, "submit", "## My plan\n\nDone")
    trainer = cap_site.trainer_client()
    (sid,) = submission_ids(trainer, cap_site)
    mark(trainer, cap_site, sid, "return", ["Clear", "None"], overall="Measures?")
    assert _certificates(cap_site) == []  # a return issues nothing
    send(learner, cap_site, "submit", "## My plan\n\nDone, with measures")
    issued = []
    with signals.certificate_issued.connected_to(lambda s, **k: issued.append(k), cap_site.app):
        token = csrf_token(trainer, cap_site.url(f"/capstone/reviews/{sid}"))
        mark(trainer, cap_site, sid, "pass", ["Clear", "Some"], token=token)
    (certificate,) = _certificates(cap_site)
    assert len(issued) == 1 and issued[0]["user_id"] == certificate.user_id
    site_name = cap_site.app.config["COURSE_SITE_NAME"]
    assert certificate.snapshot["extra"]["capstone"] == {"title": "A reviewed plan",
                                                         "reviewed_by": site_name}
    assert certificate.name in ("Lea Learner", "Bob Host")  # the learner's, not the reviewer's
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(certificate.pdf)).pages)
    assert f"Capstone: passed, reviewed by {site_name}" in " ".join(text.split())
    verify = cap_site.client().get(cap_site.url(f"/verify/{certificate.code}"))
    page = re.sub(r"\s+", " ", verify.get_data(as_text=True))
    assert f"A reviewed plan: passed, reviewed by {site_name}" in page
    assert "Completing every lesson, and a piece of work reviewed by a person.</dd>" in page
    assert "No reviewed work was required" not in page
    if cap_site.mode == "standalone":
        to = {m["To"] for m in mailbox.wait_for(3) if "certificate" in m["Subject"].lower()}
        assert to == {"learner@example.com"}  # the learner's certificate, to the learner


def test_passing_first_then_finishing_the_lessons_issues_it(cap_site: Site) -> None:
    learner = cap_site.logged_in_client()
    send(learner, cap_site, "submit", "## My plan\n\nA weekly routine on Tuesdays.")
    trainer = cap_site.trainer_client()
    (sid,) = submission_ids(trainer, cap_site)
    mark(trainer, cap_site, sid, "pass", ["Vivid", "Some"])
    assert _certificates(cap_site) == []  # the lesson is not done yet
    complete_lesson(learner, cap_site)
    (certificate,) = _certificates(cap_site)
    assert certificate.snapshot["extra"]["capstone"]["title"] == "A reviewed plan"
