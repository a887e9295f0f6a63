"""Documented blinker signals reach a host's receivers."""

from __future__ import annotations

from flask import Flask

from course import signals
from tests.conftest import login, register


def test_registration_and_security_events_are_signalled(standalone_app: Flask) -> None:
    seen: list[tuple[str, dict]] = []

    def on_registered(sender, **kwargs):
        seen.append(("registered", kwargs))

    def on_security(sender, **kwargs):
        seen.append(("security", kwargs))

    with signals.user_registered.connected_to(on_registered, standalone_app), \
            signals.security_event.connected_to(on_security, standalone_app):
        register(standalone_app.test_client(), email="lea@example.com")
        login(standalone_app.test_client(), "lea@example.com", "wrong password!!")
    registered = [k for name, k in seen if name == "registered"]
    assert len(registered) == 1
    assert registered[0]["email"] == "lea@example.com" and registered[0]["by_admin"] is False
    assert registered[0]["user_id"].isdigit()
    events = [k["event"] for name, k in seen if name == "security"]
    assert "register" in events and "login-failed" in events


def test_a_renewal_is_announced_like_an_issue(course_site, content_root) -> None:  # noqa: ANN001
    """`certificate_issued` reaches a host for the first issue and again for the renewal that
    passing the recertification round issues (the same path, the same announcement)."""
    from datetime import timedelta
    from decimal import Decimal

    from sqlalchemy import select, update

    from course.certificates.models import Certificate
    from course.db import session, utcnow
    from course.quizzes.models import QuizAttempt
    from tests.certificates.test_issue_verify import issued
    from tests.conftest import csrf_token
    from tests.quizzes.conftest import use_fixture_quiz
    from tests.quizzes.test_quiz_views import right_answers, start

    use_fixture_quiz(content_root)
    site = course_site
    announced: list[tuple[str, int]] = []
    with signals.certificate_issued.connected_to(
            lambda sender, **event: announced.append((event["code"], event["version"])),
            site.app):
        client, old = issued(site)
        with site.app.app_context():
            session().execute(update(Certificate).values(valid_until=utcnow()
                                                         + timedelta(days=20)))
            session().commit()
        mine = site.url("/certificates/")
        client.post(site.url(f"/certificates/{old.id}/recertify"),
                    data={"csrf_token": csrf_token(client, mine)})
        with site.app.app_context():  # the other factors passed again in this round
            for (_, module), quiz in site.app.extensions["course"].content().quizzes.items():
                if module != "social-graph-presence":
                    session().add(QuizAttempt(
                        user_id=old.user_id, course="social-divide", module=module, number=2,
                        quiz_version=quiz.version, state="finished", shown=[], responses={},
                        pass_mark=80, percent=Decimal("95"), passed=True,
                        finished_at=utcnow()))
            session().commit()
        attempt = start(site, client)
        data = right_answers(client.get(site.url(attempt)).get_data(as_text=True))
        client.post(site.url(attempt + "/submit"),
                    data={"csrf_token": csrf_token(client, site.url(attempt)), **data})
    with site.app.app_context():
        codes = session().scalars(select(Certificate.code)
                                  .order_by(Certificate.version)).all()
    assert [version for _, version in announced] == [1, 2]  # the issue, then the renewal
    assert [code for code, _ in announced] == list(codes)
