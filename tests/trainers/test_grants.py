"""Extra attempts and resets: a trainer grants one with a reason (the form comes back with its
errors without one), it is recorded with who and when and shown in the gradebook, and the
learner can then start again past the attempt limit (extra) or afresh (reset: earlier attempts
stay on record but stop counting). Standalone and mounted, on each database."""

from __future__ import annotations

import re

from sqlalchemy import func, select

from course.db import session
from course.quizzes.models import QuizAttempt, QuizGrant
from tests.conftest import Site, csrf_token
from tests.quizzes.test_quiz_views import QUIZ, finish_lessons, start
from tests.trainers.helpers import BOOK, MODULE, grant_token


def fail_once(site: Site, learner) -> None:
    url = start(site, learner)
    token = csrf_token(learner, site.url(url))
    learner.post(site.url(url + "/submit"), data={"csrf_token": token, "confirm": "yes"})


def learner_page(site: Site, trainer) -> str:
    book = trainer.get(site.url(BOOK + f"?quiz={MODULE}")).get_data(as_text=True)
    link = re.search(r'<a href="([^"]+/gradebook/learners/[^"#]+)#', book).group(1)
    return link


def grant(site: Site, trainer, page: str, kind: str, reason: str):
    token = grant_token(trainer, page)
    return trainer.post(page + f"/quizzes/{MODULE}/grant",
                        data={f"{MODULE}-csrf_token": token, f"{MODULE}-kind": kind,
                              f"{MODULE}-reason": reason})


def test_an_extra_attempt_past_the_limit(course_site: Site) -> None:
    learner = course_site.logged_in_client()
    finish_lessons(course_site, learner)
    for _ in range(3):
        fail_once(course_site, learner)
    assert "You have used all your attempts" in learner.get(course_site.url(QUIZ)).get_data(
        as_text=True)
    trainer = course_site.trainer_client()
    page = learner_page(course_site, trainer)
    # No reason: the form comes back with the error, nothing is recorded.
    refused = grant(course_site, trainer, page, "extra", "  ")
    assert refused.status_code == 400
    assert "Give a reason" in refused.get_data(as_text=True)
    # A forged request without the token changes nothing either.
    assert trainer.post(page + f"/quizzes/{MODULE}/grant", data={
        f"{MODULE}-kind": "extra", f"{MODULE}-reason": "No token"}).status_code == 400
    with course_site.app.app_context():
        assert session().scalar(select(func.count()).select_from(QuizGrant)) == 0
    done = grant(course_site, trainer, page, "extra", "Fire alarm during attempt 3")
    assert done.status_code == 302
    person = trainer.get(page).get_data(as_text=True)
    assert "Extra attempt</strong> by" in person and "Fire alarm during attempt 3" in person
    assert "1 attempt left" in person
    # The learner can start a fourth attempt, and only one.
    fail_once(course_site, learner)
    assert "You have used all your attempts" in learner.get(course_site.url(QUIZ)).get_data(
        as_text=True)
    with course_site.app.app_context():
        assert session().scalar(select(func.count()).select_from(QuizAttempt)) == 4
        row = session().scalar(select(QuizGrant))
        assert (row.kind, row.reason) == ("extra", "Fire alarm during attempt 3")
        assert row.granted_by_name in ("Tia Trainer", "Ada Host") and row.granted_at


def test_a_reset_starts_the_quiz_afresh_and_keeps_the_record(course_site: Site) -> None:
    learner = course_site.logged_in_client()
    finish_lessons(course_site, learner)
    for _ in range(3):
        fail_once(course_site, learner)
    trainer = course_site.trainer_client()
    page = learner_page(course_site, trainer)
    assert grant(course_site, trainer, page, "reset", "Retraining after role change"
                 ).status_code == 302
    book = trainer.get(course_site.url(BOOK + f"?quiz={MODULE}&status=not_started")).get_data(
        as_text=True)
    assert re.search(r"/gradebook/learners/[^\"#]+#", book)  # listed as not started again
    row = book.split("/gradebook/learners/")[1].split("</tr>")[0]
    assert "<td>0 <span class=\"hint\">(3 in all)</span></td>" in row
    person = trainer.get(page).get_data(as_text=True)
    assert person.count("earlier round") == 3 and "Retraining after role change" in person
    html = learner.get(course_site.url(QUIZ)).get_data(as_text=True)
    assert "You have used all your attempts" not in html
    url = start(course_site, learner)
    assert url.startswith(QUIZ + "attempts/")
    with course_site.app.app_context():  # the new attempt's number continues the record
        assert session().scalar(select(func.max(QuizAttempt.number))) == 4


def test_a_trainer_cannot_grant_to_themselves_nor_a_learner(course_site: Site) -> None:
    learner = course_site.logged_in_client()
    finish_lessons(course_site, learner)
    fail_once(course_site, learner)
    trainer = course_site.trainer_client()
    page = learner_page(course_site, trainer)
    token = grant_token(trainer, page)
    # A learner posting to the grant URL is refused.
    assert learner.post(page + f"/quizzes/{MODULE}/grant", data={
        f"{MODULE}-csrf_token": token, f"{MODULE}-kind": "extra",
        f"{MODULE}-reason": "Me"}).status_code == 403
    # The trainer's own record: no form, and a POST is refused.
    finish_lessons(course_site, trainer)
    book = trainer.get(course_site.url(BOOK + f"?quiz={MODULE}")).get_data(as_text=True)
    links = re.findall(r'<a href="([^"]+/gradebook/learners/[^"#]+)#', book)
    own = next(link for link in links if link != page)
    assert "Grant an extra attempt" not in trainer.get(own).get_data(as_text=True)
    assert trainer.post(own + f"/quizzes/{MODULE}/grant", data={
        f"{MODULE}-csrf_token": token, f"{MODULE}-kind": "extra",
        f"{MODULE}-reason": "Me"}).status_code == 403
    with course_site.app.app_context():
        assert session().scalar(select(func.count()).select_from(QuizGrant)) == 0
