"""The organisation's tallies (kept by database triggers, migration 0017) equal a recount from
the rows after every kind of change: certificates issued, re-issued, revoked and ending, members
removed and restored, a quiz reset and retaken, an account closed, bulk SQL over many rows; and
the dashboard's summary shows the figures a from-scratch count gives. Each database."""

from __future__ import annotations

import csv
import io
import re
from datetime import timedelta

from sqlalchemy import func, select, update

from course.certificates.models import ACTIVE, Certificate
from course.db import session, utcnow
from course.lessons.models import Learner
from course.orgs import tally
from course.orgs.models import ACTIVE_MEMBER, Membership
from course.orgs.summary import ACTIVE_DAYS, EXPIRING_DAYS
from course.privacy import services as privacy
from course.trainers.operations import grant
from tests.conftest import csrf_token
from tests.orgs.fixtures import Orgs
from tests.orgs.test_bulk import certificates_of, finished_everything
from tests.orgs.test_factor_averages import MODULE, learner, open_quiz, take_quiz  # noqa: F401
from tests.orgs.test_reports import populate


def assert_recounted(orgs: Orgs) -> None:
    """The tallies as kept equal the tallies recounted from scratch (then rolled back)."""
    with orgs.site.app.app_context():
        db = session()
        kept = tally.snapshot(db)
        tally.rebuild(db)
        recounted = tally.snapshot(db)
        db.rollback()
    assert kept == recounted, (kept - recounted, recounted - kept)


def counted(orgs: Orgs) -> dict[str, str]:
    """Acme's figures counted from the rows, the way the summary names them."""
    with orgs.site.app.app_context():
        db = session()
        now = utcnow()
        members = (Membership.org_id == orgs.acme_id, ACTIVE_MEMBER)

        def count(*where: object) -> str:
            return str(db.scalar(select(func.count()).select_from(Membership).where(
                *members, *where)))

        active = select(Certificate.user_id).where(Certificate.course == "social-divide",
                                                   Certificate.status == ACTIVE)
        return {
            "enrolled": count(),
            "certified": count(Membership.user_id.in_(active)),
            f"certificates expiring within {EXPIRING_DAYS} days": count(
                Membership.user_id.in_(active.where(
                    Certificate.valid_until > now,
                    Certificate.valid_until <= now + timedelta(days=EXPIRING_DAYS)))),
            f"active in the last {ACTIVE_DAYS} days": count(Membership.user_id.in_(
                select(Learner.user_id).where(
                    Learner.last_seen_at >= now - timedelta(ACTIVE_DAYS)))),
        }


def shown(orgs: Orgs, manager) -> dict[str, str]:  # noqa: ANN001
    rows = dict(csv.reader(io.StringIO(manager.get(orgs.site.url("/org/summary.csv"))
                                       .get_data(as_text=True))))
    figures = counted(orgs)
    return {k: rows[k] for k in figures}


def check(orgs: Orgs, manager) -> None:  # noqa: ANN001
    assert shown(orgs, manager) == counted(orgs)
    assert_recounted(orgs)


def test_tallies_follow_certificates_members_and_closures(orgs: Orgs, open_quiz) -> None:  # noqa: ANN001, F811
    site, manager = orgs.site, orgs.manager()
    populate(orgs)  # certificates active, revoked, superseded, ended; several in one statement
    check(orgs, manager)
    [fay] = finished_everything(orgs, "fay@acme.example")
    assert site.app.test_cli_runner().invoke(
        args=["course", "issue-certificates", "--org", "acme"]).exit_code == 0
    check(orgs, manager)
    [cert] = certificates_of(site, [fay])
    url = site.url(f"/org/certificates/{cert.id}")
    token = csrf_token(manager, url)
    manager.post(url, data={"csrf_token": token, "action": "reissue", "reason": "typo fixed"})
    check(orgs, manager)
    _, new = certificates_of(site, [fay])
    with site.app.app_context():  # her certificate now ends within the window, then has ended
        for days in (30, -2):
            session().execute(update(Certificate).where(Certificate.id == new.id).values(
                valid_until=utcnow() + timedelta(days=days)))
            session().commit()
            check(orgs, manager)
    manager.post(site.url(f"/org/certificates/{new.id}"),
                 data={"csrf_token": token, "action": "revoke", "reason": "left"})
    assert certificates_of(site, [fay])[1].status == "revoked"
    check(orgs, manager)
    ana = learner(orgs, "ana@acme.example", "Ana Lima", "Sales")  # a member of populate's
    ana_id = orgs.people.ids["ana@acme.example"]
    take_quiz(orgs, ana)
    check(orgs, manager)
    with site.app.app_context():  # a trainer's reset, and she retakes the quiz
        grant(session(), learner_id=ana_id, course="social-divide", module=MODULE,
              kind="reset", reason="a new start", by="trainer", by_name="A Trainer")
        session().commit()
    take_quiz(orgs, ana)
    check(orgs, manager)
    with site.app.app_context():
        member_id = session().scalar(select(Membership.id).where(Membership.user_id == ana_id))
    remove = site.url(f"/org/members/{member_id}/remove")
    assert manager.post(remove, data={"csrf_token": csrf_token(manager, remove),
                                      "confirm": "yes"}).status_code == 302
    check(orgs, manager)
    members = site.url("/org/members")
    assert manager.post(site.url(f"/org/members/{member_id}/restore"), data={
        "csrf_token": csrf_token(manager, members)}).status_code == 302
    check(orgs, manager)
    with site.app.app_context():  # Fay closes her account
        privacy.close(session(), fay, keep_name=False, email=None)
        session().commit()
    check(orgs, manager)


def test_tallies_follow_bulk_statements_over_many_rows(orgs: Orgs) -> None:
    site, manager = orgs.site, orgs.manager()
    ids = populate(orgs)
    with site.app.app_context():
        db = session()
        # Everyone moves team in one statement; then every certificate ends tomorrow.
        db.execute(update(Membership).where(Membership.org_id == orgs.acme_id)
                   .values(team="Field"))
        db.commit()
        check(orgs, manager)
        db.execute(update(Certificate).values(valid_until=utcnow() + timedelta(days=1)))
        db.commit()
        check(orgs, manager)
        db.execute(update(Membership).where(Membership.user_id.in_(list(ids.values())))
                   .values(removed_at=utcnow()))
        db.commit()
    check(orgs, manager)
    page = manager.get(site.url("/org/")).get_data(as_text=True)
    assert "1 match" in page  # the manager alone
    # the administrators' list of organisations counts the members from the tallies too
    from tests.orgs.test_administrators import admin

    listing = admin(orgs).get(site.url("/orgs/admin")).get_data(as_text=True)
    row = re.search(r'<tr><th scope="row"><a [^>]*>Acme[^<]*</a></th>(.*?)</tr>', listing)
    slug, _managers, members, _limit = re.findall(r"<td>(.*?)</td>", row.group(1))
    assert (slug, members) == ("acme", counted(orgs)["enrolled"])


def test_certificates_ending_by_a_moment_count_its_day_from_either_side(orgs: Orgs) -> None:
    """`ending_by` counts the day of its moment from the certificates before it or from the
    day's tally less those after, whichever side is smaller: both give the count from the rows,
    for the organisation and for a team, and `ending_between` is the difference of two."""
    site = orgs.site
    emails = [f"d{n}@acme.example" for n in range(6)]
    ids = finished_everything(orgs, *emails)
    assert site.app.test_cli_runner().invoke(
        args=["course", "issue-certificates", "--org", "acme"]).exit_code == 0
    day = (utcnow() + timedelta(days=40)).replace(hour=0, minute=0, second=0, microsecond=0)
    with site.app.app_context():
        db = session()
        for n, user_id in enumerate(ids):  # 2:00, 5:00, ... 17:00 on one day
            db.execute(update(Certificate).where(Certificate.user_id == user_id).values(
                valid_until=day + timedelta(hours=2 + 3 * n)))
        db.execute(update(Membership).where(Membership.user_id.in_(ids[:2])).values(team="Ops"))
        db.commit()
        course = "social-divide"
        active = select(Certificate.user_id).where(Certificate.course == course,
                                                   Certificate.status == ACTIVE)

        def direct(until, team=None) -> int:  # noqa: ANN001
            where = [Membership.org_id == orgs.acme_id, ACTIVE_MEMBER, Membership.user_id.in_(
                active.where(Certificate.valid_until <= until))]
            if team:
                where.append(Membership.team == team)
            return db.scalar(select(func.count()).select_from(Membership).where(*where))

        for hours in (0, 1, 4, 8, 11, 16, 20, 23.99):  # early in the day, late, and between
            until = day + timedelta(hours=hours)
            assert tally.ending_by(db, orgs.acme_id, course, until) == direct(until), hours
            assert tally.ending_by(db, orgs.acme_id, course, until, "Ops") == direct(
                until, "Ops"), hours
        start, until = day + timedelta(hours=3), day + timedelta(hours=12)
        assert tally.ending_between(db, orgs.acme_id, course, start, until) == 3
        assert tally.ending_between(db, orgs.acme_id, course, day - timedelta(days=1),
                                    day + timedelta(days=1)) == len(ids)
