"""The gradebook follows the tenancy rules (security.md, "Authorisation"; as capstone reviews
do): a trainer sees learners in no organisation and those of the organisation they manage;
another organisation's learners, attempts and grants are "not found", whatever the client
sends; an administrator sees everyone. Standalone and mounted, on each database."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from course.db import session
from course.orgs.models import Membership
from course.quizzes.models import QuizAttempt, QuizGrant
from tests.conftest import Site, csrf_token
from tests.orgs.fixtures import Orgs
from tests.trainers.helpers import (
    BOOK,
    MODULE,
    add_attempt,
    add_learners,
    give_role,
    grant_token,
)


def people(orgs: Orgs) -> dict[str, str]:
    site = orgs.site
    ids = {"ada": orgs.add_member("acme", "ada@acme.example", "Ada Acme"),
           "gina": orgs.add_member("globex", "gina@globex.example", "Gina Globex"),
           "nora": orgs.people.user_id("nora@example.com", "Nora Nobody")}
    add_learners(site, {ids["ada"]: "Ada Acme", ids["gina"]: "Gina Globex",
                        ids["nora"]: "Nora Nobody"})
    for who in ids.values():
        add_attempt(site, who, 1, 90)
    return ids


def shown(client, site: Site, query: str = "") -> str:
    return client.get(site.url(BOOK + f"?quiz={MODULE}" + query)).get_data(as_text=True)


def test_a_trainer_who_manages_acme_sees_acme_and_no_organisation(orgs: Orgs) -> None:
    site = orgs.site
    ids = people(orgs)
    give_role(site, orgs.people.user_id("boss@acme.example"), "trainer")
    trainer = orgs.manager("acme")
    html = shown(trainer, site)
    assert "Ada Acme" in html and "Nora Nobody" in html and "Gina" not in html
    assert "Globex" not in html  # not even offered as a filter
    # Globex's id in the filter is ignored, never trusted.
    assert "Gina" not in shown(trainer, site, f"&org={orgs.globex_id}")
    only_acme = shown(trainer, site, f"&org={orgs.acme_id}")
    assert "Ada Acme" in only_acme and "Nora" not in only_acme
    nobody = shown(trainer, site, "&org=none")
    assert "Nora Nobody" in nobody and "Ada" not in nobody
    # A page sought from Gina's id would place her name among Acme's learners: it is ignored.
    for edge in ("after", "before"):
        sought = shown(trainer, site, f"&page=1&{edge}={ids['gina']}")
        assert "Ada Acme" in sought and "Nora Nobody" in sought, edge
    csv_text = trainer.get(site.url(BOOK[:-1] + f".csv?quiz={MODULE}&org={orgs.globex_id}"))
    assert "Gina" not in csv_text.get_data(as_text=True)
    # Gina's record, attempt and grant form: not found.
    assert trainer.get(site.url(BOOK + f"learners/{ids['gina']}")).status_code == 404
    with site.app.app_context():
        gina_attempt = session().scalar(select(QuizAttempt.id).where(
            QuizAttempt.user_id == ids["gina"]))
    assert trainer.get(site.url(BOOK + f"attempts/{gina_attempt}")).status_code == 404
    token = grant_token(trainer, site.url(BOOK + f"learners/{ids['ada']}"))
    refused = trainer.post(site.url(BOOK + f"learners/{ids['gina']}/quizzes/{MODULE}/grant"),
                           data={f"{MODULE}-csrf_token": token, f"{MODULE}-kind": "extra",
                                 f"{MODULE}-reason": "Sneaky"})
    assert refused.status_code == 404
    with site.app.app_context():
        assert session().scalar(select(func.count()).select_from(QuizGrant)) == 0
    assert trainer.get(site.url(BOOK + f"learners/{ids['ada']}")).status_code == 200


def test_a_trainer_in_no_organisation_sees_only_learners_in_none(orgs: Orgs) -> None:
    site = orgs.site
    ids = people(orgs)
    trainer = site.trainer_client()
    html = shown(trainer, site)
    assert "Nora Nobody" in html and "Ada Acme" not in html and "Gina" not in html
    assert trainer.get(site.url(BOOK + f"learners/{ids['ada']}")).status_code == 404


def test_managers_and_learners_who_are_not_trainers_are_refused(orgs: Orgs) -> None:
    site = orgs.site
    people(orgs)
    assert orgs.manager("acme").get(site.url(BOOK)).status_code == 403
    assert orgs.people.client("ada@acme.example").get(site.url(BOOK)).status_code == 403


def test_an_administrator_sees_every_organisation(orgs: Orgs) -> None:
    site = orgs.site
    if site.mode == "host":  # the host app's staff are learners or trainers only
        return
    ids = people(orgs)
    give_role(site, orgs.people.user_id("root@example.com", "Root Admin"), "admin")
    admin = orgs.people.client("root@example.com")
    html = shown(admin, site)
    assert all(n in html for n in ("Ada Acme", "Gina Globex", "Nora Nobody"))
    globex = shown(admin, site, f"&org={orgs.globex_id}")
    assert "Gina Globex" in globex and "Ada" not in globex
    assert re.search(r"Globex plc", html)
    assert admin.get(site.url(BOOK + f"learners/{ids['gina']}")).status_code == 200


@pytest.mark.parametrize("few", [2000, 0])
def test_learners_in_no_organisation_follow_joining_and_removal(orgs: Orgs, monkeypatch,  # noqa: ANN001
                                                                 few: int) -> None:
    """A trainer outside every organisation sees the learners in none, whether they are few
    (read from their kept list and sorted) or many (learners walked by name): a learner who
    joins an organisation leaves the list, and is back in it once removed."""
    from course.trainers import scope

    monkeypatch.setattr(scope, "FEW", few)
    site = orgs.site
    ids = people(orgs)
    trainer = site.trainer_client()
    learners = site.url("/trainer/courses/social-divide/learners")
    assert "Nora Nobody" in shown(trainer, site) and "Ada Acme" not in shown(trainer, site)
    assert "Nora Nobody" in trainer.get(learners).get_data(as_text=True)
    orgs.add_member("globex", "nora@example.com", "Nora Nobody")
    assert "Nora" not in shown(trainer, site)
    assert "Nora" not in trainer.get(learners).get_data(as_text=True)
    manager = orgs.manager("globex")
    with site.app.app_context():
        member_id = session().scalar(select(Membership.id).where(
            Membership.user_id == ids["nora"]))
    remove = site.url(f"/org/members/{member_id}/remove")
    assert manager.post(remove, data={"csrf_token": csrf_token(manager, remove),
                                      "confirm": "yes"}).status_code == 302
    assert "Nora Nobody" in shown(trainer, site)
    assert "Nora Nobody" in trainer.get(learners).get_data(as_text=True)
    assert "Ada Acme" not in shown(trainer, site) and "Gina" not in shown(trainer, site)
    # A trainer who manages Acme: Acme's members and the learners in none, either way.
    give_role(site, orgs.people.user_id("boss@acme.example"), "trainer")
    html = shown(orgs.manager("acme"), site)
    assert "Ada Acme" in html and "Nora Nobody" in html and "Gina" not in html
