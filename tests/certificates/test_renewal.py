"""The certificate emailed on issue, and recertification near expiry: the factor quizzes open
again, and passing them all issues a renewed version that supersedes the old one. Standalone
and mounted, on each database."""

from __future__ import annotations

import dataclasses
from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import update

from course.certificates.models import Certificate
from course.db import session, utcnow
from course.quizzes.models import QuizAttempt
from tests.certificates.test_issue_verify import finish_last_lesson, issued, nearly_done
from tests.conftest import Mailbox, Site, csrf_token
from tests.quizzes.conftest import use_fixture_quiz
from tests.quizzes.test_quiz_views import QUIZ, right_answers, start


def test_the_pdf_is_emailed_when_issued(standalone_course_site: Site, mailbox: Mailbox) -> None:
    site = standalone_course_site
    client = site.logged_in_client()
    nearly_done(site, client)
    finish_last_lesson(site, client)
    [message] = mailbox.wait_for(1)
    assert message["To"] == "learner@example.com"
    assert message["Subject"] == "Your certificate: The Social Divide"
    [attachment] = [part for part in message.walk() if part.get_filename()]
    assert attachment.get_filename() == "certificate.pdf"
    with site.app.app_context():
        certificate = session().query(Certificate).one()
        assert attachment.get_payload(decode=True) == certificate.pdf
        [text] = [p for p in message.walk() if p.get_content_type() == "text/plain"]
        body = text.get_payload(decode=True).decode()
        assert f"/verify/{certificate.code}" in body and "Lea Learner" in body
    # The learner also sees it at once, on the next page.
    page = client.get(site.url("/courses/social-divide/")).get_data(as_text=True)
    assert "your certificate for The Social Divide is ready" in page


def test_no_email_when_switched_off(standalone_course_site: Site, mailbox: Mailbox) -> None:
    site = standalone_course_site
    site.app.config["COURSE_CERTIFICATE_EMAIL"] = False
    client = site.logged_in_client()
    nearly_done(site, client)
    finish_last_lesson(site, client)
    site.app.extensions["course"].tasks.join_all()
    assert mailbox.messages == []


@pytest.fixture
def renewal_site(course_site: Site, content_root) -> Site:
    use_fixture_quiz(content_root)  # a quiz whose right answers the tests know
    return course_site


def expire_in(site: Site, days: int) -> None:
    with site.app.app_context():
        session().execute(update(Certificate).values(valid_until=utcnow() + timedelta(days=days)))
        session().commit()


def test_renewal_is_offered_only_near_expiry(renewal_site: Site) -> None:
    site = renewal_site
    client, certificate = issued(site)
    mine = site.url("/certificates/")
    expire_in(site, 30)
    token = csrf_token(client, mine)  # the renewal form's token, kept for later posts
    expire_in(site, 200)
    assert "Start recertification" not in client.get(mine).get_data(as_text=True)
    refused = client.post(site.url(f"/certificates/{certificate.id}/recertify"),
                          data={"csrf_token": token}, follow_redirects=True)
    assert "cannot be renewed yet" in refused.get_data(as_text=True)
    expire_in(site, 30)
    html = client.get(mine).get_data(as_text=True)
    assert "expires on" in html and "Start recertification" in html
    expire_in(site, -3)
    assert "This certificate has expired." in client.get(mine).get_data(as_text=True)
    other = site.trainer_client()  # nobody else can start it
    assert other.post(site.url(f"/certificates/{certificate.id}/recertify"),
                      data={"csrf_token": token}).status_code in (400, 404)


def test_recertification_renews_the_certificate(renewal_site: Site) -> None:
    site = renewal_site
    client, old = issued(site)
    expire_in(site, 20)
    mine = site.url("/certificates/")
    token = csrf_token(client, mine)
    response = client.post(site.url(f"/certificates/{old.id}/recertify"),
                           data={"csrf_token": token}, follow_redirects=True)
    html = response.get_data(as_text=True)
    assert "Recertification started" in html and "Recertification in progress" in html
    assert html.count("pass the quiz") == 4  # earlier passes no longer count
    # The quiz opens again even though it was passed before.
    assert "Start the quiz" in client.get(site.url(QUIZ)).get_data(as_text=True)
    with site.app.app_context():  # three factors passed again in this round
        user_id, quizzes = old.user_id, site.app.extensions["course"].content().quizzes
        for (_, module), quiz in quizzes.items():
            if module != "social-graph-presence":
                session().add(QuizAttempt(
                    user_id=user_id, course="social-divide", module=module, number=2,
                    quiz_version=quiz.version, state="finished", shown=[], responses={},
                    pass_mark=80, percent=Decimal("95"), passed=True, finished_at=utcnow()))
        session().commit()
    still = client.get(mine).get_data(as_text=True)
    assert still.count("pass the quiz") == 1
    # The last one through the site: passing it issues the renewed certificate at once.
    attempt = start(site, client)
    data = right_answers(client.get(site.url(attempt)).get_data(as_text=True))
    token = csrf_token(client, site.url(attempt))
    done = client.post(site.url(attempt + "/submit"), data={"csrf_token": token, **data},
                       follow_redirects=True)
    assert "your certificate for The Social Divide is ready" in done.get_data(as_text=True)
    with site.app.app_context():
        first, renewed = session().query(Certificate).order_by(Certificate.version).all()
        assert (first.status, first.superseded_by) == ("superseded", renewed.id)
        assert renewed.status == "active" and renewed.reason == "Recertification"
        assert renewed.valid_until is None or renewed.valid_until > first.valid_until
        assert renewed.issued_at > first.issued_at
        assert renewed.snapshot["extra"] == {"renews": first.code}
        assert [f["score"] for f in renewed.snapshot["factors"]] == ["100", "95", "95", "95"]
        renewed_code = renewed.code
    visitor = site.client()
    html = visitor.get(site.url(f"/verify/{old.code}")).get_data(as_text=True)
    assert "replaced by a newer version" in html and renewed_code in html
    assert "This certificate is valid." in visitor.get(
        site.url(f"/verify/{renewed_code}")).get_data(as_text=True)
    page = client.get(mine).get_data(as_text=True)
    assert "Recertification in progress" not in page and "Start recertification" not in page


def test_a_new_round_lifts_the_no_retake_rule_and_resets_attempts(course_site: Site) -> None:
    """The rules that stop a retake (passed already, no attempts left) apply per round."""
    from course.quizzes import services

    site = course_site
    site.client().get(site.url("/"))
    with site.app.app_context():
        quiz = dataclasses.replace(
            site.app.extensions["course"].content().quizzes[("social-divide", "organisation")],
            no_retake_after_pass=True, attempts=1, cooldown_minutes=0)
        db = session()
        db.add(QuizAttempt(user_id="u1", course="social-divide", module="organisation",
                           number=1, quiz_version=quiz.version, state="finished", shown=[],
                           responses={}, pass_mark=80, percent=Decimal("90"), passed=True,
                           finished_at=utcnow()))
        db.commit()
        before = services.status(db, "u1", quiz)
        assert before.passed and before.refusal and before.attempts_left == 0
        services.start_round(db, "u1", "social-divide", "Recertification")
        db.commit()
        after = services.status(db, "u1", quiz)
        assert not after.passed and after.refusal is None and after.attempts_left == 1
        attempt = services.start(db, "u1", quiz)
        assert attempt.number == 2  # numbering continues across rounds
        db.commit()
