"""The dashboard's factor averages come from each member's best score, kept as attempts are
graded (not from every attempt on every view): the figure stays right through failures,
retakes, a new round, a trainer's reset, removal and restoration, and account closure; and the
dashboard runs as many SQL statements with 30 members as with 3."""

from __future__ import annotations

import csv
import html
import io
import re
from decimal import Decimal

import pytest
from sqlalchemy import select

from course.db import session, utcnow
from course.orgs import services
from course.orgs.models import Membership
from course.privacy import services as privacy
from course.quizzes import services as quizzes
from course.quizzes.models import FINISHED, QuizAttempt, QuizBest
from course.trainers.operations import grant
from tests.conftest import csrf_token
from tests.orgs.fixtures import Orgs
from tests.quizzes.test_quiz_views import QUIZ, QUIZ_FILE, finish_lessons
from tests.quizzes.test_statement_counts import counted

MODULE = "social-graph-presence"


@pytest.fixture
def open_quiz(content_root):  # noqa: ANN001, ANN201
    """The module's quiz without an attempt limit or a cooldown: retakes right away."""
    quiz = content_root / QUIZ_FILE
    quiz.write_text(quiz.read_text().replace("attempts: 3\n", "").replace(
        "cooldown_minutes: 10\n", ""))


def take_quiz(orgs: Orgs, client) -> None:  # noqa: ANN001
    """Start an attempt and submit it unanswered (a fail: 0%)."""
    site = orgs.site
    response = client.post(site.url(QUIZ + "start"),
                           data={"csrf_token": csrf_token(client, site.url(QUIZ))})
    assert response.status_code == 302, response.get_data(as_text=True)
    attempt = response.headers["Location"]
    html = client.get(attempt).get_data(as_text=True)
    token = html.split('name="csrf_token"')[1].split('value="')[1].split('"')[0]
    data = {"csrf_token": token, "confirm": "yes"}
    assert client.post(attempt + "/submit", data=data).headers["Location"].endswith("/result")


def learner(orgs: Orgs, email: str, name: str, team: str):  # noqa: ANN201
    orgs.add_member("acme", email, name, team)
    client = orgs.people.client(email, name)
    finish_lessons(orgs.site, client)
    return client


def average(orgs: Orgs, manager, team: str | None = None) -> str:  # noqa: ANN001
    """The factor's average as the manager reads it: the summary CSV, or a team's tile."""
    site = orgs.site
    with site.app.app_context():
        title = site.app.extensions["course"].content().course("social-divide").module(
            MODULE).title
    if team is None:
        rows = dict(csv.reader(io.StringIO(manager.get(site.url("/org/summary.csv"))
                                           .get_data(as_text=True))))
        return rows[f"average best score %: {title}"]
    page = manager.get(site.url(f"/org/?team={team}")).get_data(as_text=True)
    factors = page.split('class="tiles factor-tiles"')[1].split("</ul>")[0]
    found = re.search(r'tile-value">([^<]+)</span><span class="tile-label">'
                      + re.escape(html.escape(title)) + "<", factors)
    assert found, factors
    return found.group(1)


def best_rows(orgs: Orgs, user_id: str) -> list[Decimal]:
    with orgs.site.app.app_context():
        return list(session().scalars(select(QuizBest.percent).where(
            QuizBest.user_id == user_id, QuizBest.module == MODULE)))


def test_the_factor_average_follows_every_change(orgs: Orgs, open_quiz) -> None:  # noqa: ANN001
    site, manager = orgs.site, orgs.manager()
    ana = learner(orgs, "ana@acme.example", "Ana Lima", "Sales")
    ana_id = orgs.people.ids["ana@acme.example"]
    assert average(orgs, manager) == ""  # nobody has a score yet
    take_quiz(orgs, ana)
    assert average(orgs, manager) == "0.0"  # a fail counts, as 0
    with site.app.app_context():  # an attempt recorded by another path (an import, say)
        session().add(QuizAttempt(
            user_id=ana_id, course="social-divide", module=MODULE, number=99,
            quiz_version="v", state=FINISHED, shown=[], responses={}, pass_mark=80,
            percent=Decimal("80"), passed=True, finished_at=utcnow()))
        session().commit()
    assert average(orgs, manager) == "80.0"
    take_quiz(orgs, ana)
    assert average(orgs, manager) == "80.0"  # a later fail does not lower her best
    ben = learner(orgs, "ben@acme.example", "Ben Okafor", "Support")
    take_quiz(orgs, ben)
    assert average(orgs, manager) == "40.0"
    assert average(orgs, manager, team="Sales") == "80%"
    assert average(orgs, manager, team="Support") == "0%"
    ben_id = orgs.people.ids["ben@acme.example"]
    with site.app.app_context():  # a recertification round and a trainer's reset for Ana
        quizzes.start_round(session(), ana_id, "social-divide", "recertification")
        grant(session(), learner_id=ana_id, course="social-divide", module=MODULE,
              kind="reset", reason="a new start", by="trainer", by_name="A Trainer")
        session().commit()
    take_quiz(orgs, ana)  # her record keeps her best: the figure stays
    assert average(orgs, manager) == "40.0"
    with site.app.app_context():  # Ben leaves: the average is Ana's alone
        db = session()
        org = services.org_by_slug(db, "acme")
        member_id = db.scalar(select(Membership.id).where(Membership.user_id == ben_id))
        services.remove_member(db, org, member_id, "boss")
        db.commit()
    assert average(orgs, manager) == "80.0"
    with site.app.app_context():  # and back
        db = session()
        services.restore_member(db, services.org_by_slug(db, "acme"), member_id, "boss")
        db.commit()
    assert average(orgs, manager) == "40.0"
    with site.app.app_context():  # Ben closes his account: his scores go with his attempts
        privacy.close(session(), ben_id, keep_name=False, email=None)
        session().commit()
    assert best_rows(orgs, ben_id) == []
    assert average(orgs, manager) == "80.0"
    assert best_rows(orgs, ana_id) == [Decimal("80")]


def test_the_dashboard_runs_the_same_statements_for_3_or_30_members(orgs: Orgs) -> None:
    site, manager = orgs.site, orgs.manager()

    def statements() -> int:
        manager.get(site.url("/org/"))  # warm
        with counted(site) as seen:
            assert manager.get(site.url("/org/?team=Sales")).status_code == 200
        return len(seen)

    for n in range(2):
        orgs.add_member("acme", f"m{n}@acme.example", f"Member {n}", "Sales")
    few = statements()
    # the user, the organisation, its assignments, a page of members and their records, the
    # tallies (read once each: the organisation's and the team's), the invitations (counted
    # once), the certificates ending (one statement)...
    assert few <= 15, few
    for n in range(2, 29):
        orgs.add_member("acme", f"m{n}@acme.example", f"Member {n}", "Sales")
    assert statements() == few
