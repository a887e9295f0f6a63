"""Due dates as the learner meets them: the course page and My learning show the date their
organisation set, and "Overdue" once it has passed without a certificate; the invitation and
the reminders state it (real SMTP). Standalone and mounted, on each database."""

from __future__ import annotations

import re
from datetime import date, timedelta

from sqlalchemy import select, update

from course.db import session, utcnow
from course.orgs.models import Assignment, Membership
from tests.conftest import Mailbox, csrf_token, submit
from tests.orgs.fixtures import Orgs

COURSE = "/courses/social-divide/"


def assign(orgs: Orgs, due_on: date, org_id: int | None = None) -> None:
    with orgs.site.app.app_context():
        session().add(Assignment(org_id=org_id or orgs.acme_id, course="social-divide",
                                 due_on=due_on))
        session().commit()


def with_mail(orgs: Orgs, mailbox: Mailbox) -> None:
    orgs.site.app.config.update(COURSE_MAIL_SERVER=mailbox.host, COURSE_MAIL_PORT=mailbox.port)


def text(message) -> str:
    return message.get_payload(decode=True).decode()


def test_the_learner_sees_the_due_date_and_overdue(orgs: Orgs) -> None:
    site = orgs.site
    soon = date.today() + timedelta(days=20)
    assign(orgs, soon)
    orgs.add_member("acme", "ada@acme.example", "Ada Acme")
    ada = orgs.people.client("ada@acme.example")
    wanted = "Acme Ltd asked you to finish by"
    for page in (COURSE, "/my-learning"):
        html = ada.get(site.url(page)).get_data(as_text=True)
        assert wanted in html and soon.strftime("%d %B %Y") in html, page
        assert f'<time datetime="{soon.isoformat()}">' in html
        assert "Overdue" not in html
    # Someone in another organisation, or in none, has no due date.
    orgs.add_member("globex", "gus@globex.example", "Gus Globex")
    for email in ("gus@globex.example", "solo@example.com"):
        other = orgs.people.client(email)
        assert wanted not in other.get(site.url(COURSE)).get_data(as_text=True)
    # Past the date: overdue, on both pages.
    with site.app.app_context():
        session().execute(update(Assignment).values(due_on=date.today() - timedelta(days=1)))
        session().commit()
    for page in (COURSE, "/my-learning"):
        html = ada.get(site.url(page)).get_data(as_text=True)
        assert re.search(r'<span class="tag bad">Overdue</span> Acme Ltd asked you', html), page
    # Removed from the organisation: no longer its due date.
    with site.app.app_context():
        session().execute(update(Membership).where(Membership.email == "ada@acme.example")
                          .values(removed_at=utcnow()))
        session().commit()
    assert wanted not in ada.get(site.url(COURSE)).get_data(as_text=True)


def test_a_certified_learner_is_not_overdue(orgs: Orgs) -> None:
    from tests.certificates.test_issue_verify import finish_last_lesson, nearly_done

    site = orgs.site
    assign(orgs, date.today() - timedelta(days=3))
    orgs.add_member("acme", "ada@acme.example", "Ada Acme")
    ada = orgs.people.client("ada@acme.example")
    assert "Overdue" in ada.get(site.url(COURSE)).get_data(as_text=True)
    nearly_done(site, ada)
    finish_last_lesson(site, ada)
    html = ada.get(site.url(COURSE)).get_data(as_text=True)
    assert "Acme Ltd asked you to finish by" in html and "Overdue" not in html


def test_the_invitation_states_the_due_date(orgs: Orgs, mailbox: Mailbox) -> None:
    with_mail(orgs, mailbox)
    due = date.today() + timedelta(days=30)
    assign(orgs, due)
    manager = orgs.manager()
    response = submit(manager, orgs.site.url("/org/members"), {"email": "new@acme.example"})
    assert response.status_code == 302, response.get_data(as_text=True)
    [message] = mailbox.wait_for(1)
    assert f"Acme Ltd asks you to finish The Social Divide by {due:%d %B %Y}." in text(message)


def test_the_invitation_without_a_due_date_names_none(orgs: Orgs, mailbox: Mailbox) -> None:
    with_mail(orgs, mailbox)
    manager = orgs.manager()
    submit(manager, orgs.site.url("/org/members"), {"email": "new@acme.example"})
    [message] = mailbox.wait_for(1)
    assert "asks you to finish" not in text(message)


def test_reminders_state_the_due_date(orgs: Orgs, mailbox: Mailbox) -> None:
    site = orgs.site
    with_mail(orgs, mailbox)
    due = date.today() + timedelta(days=9)
    assign(orgs, due)
    ada = orgs.add_member("acme", "ada@acme.example", "Ada Acme")
    with site.app.app_context():
        member_id = session().scalar(select(Membership.id).where(Membership.user_id == ada))
    manager = orgs.manager()
    token = csrf_token(manager, site.url("/org/"))
    manager.post(site.url(f"/org/members/{member_id}/remind"), data={"csrf_token": token})
    [now] = mailbox.wait_for(1)
    assert f"due by {due:%d %B %Y}" in text(now)
    # Once the date has passed, the scheduled reminder says so, with the date.
    past = date.today() - timedelta(days=2)
    with site.app.app_context():
        session().execute(update(Assignment).values(due_on=past))
        session().commit()
    mailbox.clear()
    result = site.app.test_cli_runner().invoke(args=["course", "send-reminders"])
    assert result.exit_code == 0, result.output
    messages = mailbox.wait_for(2)
    ada_mail = next(m for m in messages if m["To"] == "ada@acme.example")
    assert f"asked you to finish The Social Divide by {past:%d %B %Y}" in text(ada_mail)
