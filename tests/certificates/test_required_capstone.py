"""The course as it ships requires its capstone: a learner who finished every lesson and passed
every factor quiz has no certificate until a trainer passes their 90-day plan, and the
certificate then says reviewed work stands behind it. Quizzes taken online can be answered by
good sense or an assistant (README, "What blind trials found"); the plan cannot. Standalone and
mounted, on the shipped content (the rest of the suite serves a copy with the capstone
optional: tests/conftest.py)."""

from __future__ import annotations

import re

from sqlalchemy import select

from course.certificates.models import Certificate
from course.db import session
from tests.capstone.conftest import mark, send, submission_ids
from tests.certificates.test_issue_verify import finish_last_lesson, nearly_done
from tests.conftest import SHIPPED_CONTENT, Site

COURSE = "social-divide"
PLAN = """## Social Graph & Presence

Weekly routine (when, where, whom): Tuesdays 08:30-08:50 on LinkedIn, comments on posts of the
twelve buyers in our two key accounts.

People or groups my network is missing: procurement leads at our two largest customers.

## Organisation

Teams to involve, and the pilot I will run: support answers product questions under our posts
for six weeks; owner: the support lead; results shared on 15 March.

## Role Model

What I will do in public that others can copy: one post a fortnight on what we learned from a
customer question, and two useful comments a week on colleagues' posts.

## Education

My sources, and one technique a week: three practitioner newsletters and one community; one
technique a week, tried on Fridays; I will teach the team our reply checklist.

## Measures and reviews

Three results I will look at in week twelve, and where each stands today: replies from buyers
(2 a month today), meetings that began on LinkedIn (0), questions answered in public (3).

Week-six review on: 20 February.

Week-twelve review on: 3 April.
"""


def _certificates(site: Site) -> list[Certificate]:
    with site.app.app_context():
        return session().scalars(select(Certificate)).all()


def test_the_shipped_course_certifies_only_after_a_trainer_passes_the_plan(site: Site) -> None:
    site.app.config.update(COURSE_CONTENT_ROOT=str(SHIPPED_CONTENT),
                           COURSE_RATELIMIT_LOGIN="1000/minute")
    learner = site.logged_in_client()
    nearly_done(site, learner)
    finish_last_lesson(site, learner)
    assert _certificates(site) == []  # every lesson and quiz done, the plan not reviewed
    mine = re.sub(r"\s+", " ", learner.get(site.url("/certificates/")).get_data(as_text=True))
    assert "Your 90-day plan: the capstone must pass review" in mine
    step = re.search(r'href="([^"]+)">Your next step towards this certificate</a>', mine)
    page = learner.get(step.group(1)).get_data(as_text=True)  # the completion page: next step
    assert site.url(f"/courses/{COURSE}/capstone") in page and "Write your capstone" in page
    overview = learner.get(site.url(f"/courses/{COURSE}/")).get_data(as_text=True)
    assert "Required for the certificate" in overview

    assert send(learner, site, "submit", PLAN, course=COURSE).status_code in (200, 302)
    trainer = site.trainer_client()
    (sid,) = submission_ids(trainer, site)
    mark(trainer, site, sid, "pass", ["Solid", "Solid", "Solid", "Solid", "Solid"])
    (certificate,) = _certificates(site)
    assert certificate.snapshot["extra"]["capstone"]["title"] == "Your 90-day plan"
    verify = site.client().get(site.url(f"/verify/{certificate.code}"))
    page = re.sub(r"\s+", " ", verify.get_data(as_text=True))
    assert "Your 90-day plan: passed, reviewed by" in page
    assert "No reviewed work was required" not in page
