"""Who reviews whom: an organisation's managers review their own staff's capstones (another
organisation's manager gets 404, whatever id they send), trainers review learners in no
organisation, and nobody reviews their own work. Standalone and mounted."""

from __future__ import annotations

from sqlalchemy import select

from course.capstone.models import CapstoneReview, CapstoneSubmission
from course.certificates.models import Certificate
from course.db import session
from tests.capstone.conftest import (  # noqa: F401
    cap_orgs,
    complete_lesson,
    mark,
    page_url,
    review_url,
    send,
    submission_ids,
)
from tests.conftest import csrf_token


def _submission(site, user_id: str) -> CapstoneSubmission:
    with site.app.app_context():
        return session().scalar(select(CapstoneSubmission).where(
            CapstoneSubmission.user_id == user_id))


def test_another_organisations_manager_gets_404(cap_orgs) -> None:  # noqa: F811
    site = cap_orgs.site
    ada_id = cap_orgs.add_member("acme", "ada@acme.example", "Ada Acme")
    ada = cap_orgs.people.client("ada@acme.example")
    send(ada, site, "submit", "Ada's plan")
    sid = _submission(site, ada_id).id
    globex = cap_orgs.manager("globex")
    assert submission_ids(globex, site) == []
    assert "Ada" not in globex.get(site.url("/capstone/reviews")).get_data(as_text=True)
    assert globex.get(review_url(site, sid)).status_code == 404
    token = csrf_token(globex, page_url(site))
    refused = mark(globex, site, sid, "pass", ["Vivid", "Some"], token=token)
    assert refused.status_code == 404
    trainer = site.trainer_client()  # trainers review learners in no organisation only
    assert trainer.get(review_url(site, sid)).status_code == 404
    with site.app.app_context():
        assert session().scalars(select(CapstoneReview)).all() == []
    acme = cap_orgs.manager("acme")
    assert submission_ids(acme, site) == [sid]
    assert acme.get(review_url(site, sid)).status_code == 200


def test_the_managers_organisation_is_named_on_the_certificate(cap_orgs) -> None:  # noqa: F811
    site = cap_orgs.site
    ada_id = cap_orgs.add_member("acme", "ada@acme.example", "Ada Acme")
    ada = cap_orgs.people.client("ada@acme.example")
    complete_lesson(ada, site)
    send(ada, site, "submit", "Ada's plan")
    acme = cap_orgs.manager("acme")
    sid = _submission(site, ada_id).id
    assert mark(acme, site, sid, "pass", ["Clear", "Some"]).status_code == 302
    with site.app.app_context():
        certificate = session().scalar(select(Certificate).where(Certificate.user_id == ada_id))
        assert certificate.snapshot["extra"]["capstone"]["reviewed_by"] == "Acme Ltd"
        assert certificate.name == "Ada Acme"


def test_a_manager_never_reviews_their_own_capstone(cap_orgs) -> None:  # noqa: F811
    site = cap_orgs.site
    boss = cap_orgs.manager("acme")
    send(boss, site, "submit", "The boss's own plan")
    own = _submission(site, cap_orgs.people.user_id("boss@acme.example"))
    assert submission_ids(boss, site) == []
    assert boss.get(review_url(site, own.id)).status_code == 403
    token = csrf_token(boss, site.url("/org/members"))
    assert mark(boss, site, own.id, "pass", ["Vivid", "Some"], token=token).status_code == 403
