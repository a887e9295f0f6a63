"""The gradebook: learners by quiz with status, grade, attempts and last attempt, 50 a page in
SQL, filtered by status, quiz and organisation (within the trainer's tenancy), as CSV too; one
learner's every attempt and one attempt's answers. Standalone and mounted, on each database."""

from __future__ import annotations

import csv
import io
import re

import pytest

from tests.conftest import Site
from tests.trainers.helpers import BOOK, MODULE, add_attempt, add_learners


def names(html: str) -> list[str]:
    return re.findall(r'<th scope="row"><a href="[^"]+">([^<]+)</a>', html)


def seeded(site: Site) -> None:
    """120 learners: 000 passed on a second try, 001 failed, 002 in progress, the rest none."""
    add_learners(site, {f"g{i:03d}": f"Learner {i:03d}" for i in range(120)})
    add_attempt(site, "g000", 1, 40, minutes_ago=90)
    add_attempt(site, "g000", 2, 87, minutes_ago=30, took=12)
    add_attempt(site, "g001", 1, 55)
    add_attempt(site, "g002", 1, None)


def test_fifty_a_page_with_status_grade_and_attempts(course_site: Site) -> None:
    seeded(course_site)
    trainer = course_site.trainer_client()
    first = trainer.get(course_site.url(BOOK)).get_data(as_text=True)
    assert names(first) == [f"Learner {i:03d}" for i in range(50)]
    row = first.split("Learner 000</a>")[1].split("</tr>")[0]
    assert "Passed" in row and "<td>87%</td>" in row and "<td>2</td>" in row
    assert "Failed" in first.split("Learner 001</a>")[1].split("</tr>")[0]
    assert "In progress" in first.split("Learner 002</a>")[1].split("</tr>")[0]
    assert "Not started" in first.split("Learner 003</a>")[1].split("</tr>")[0]
    nxt = re.search(r'<a rel="next" href="([^"]+)"', first).group(1).replace("&amp;", "&")
    assert nxt.startswith(course_site.url(BOOK)) and "page=2" in nxt
    third = trainer.get(course_site.url(BOOK + f"?quiz={MODULE}&page=3")).get_data(as_text=True)
    assert names(third) == [f"Learner {i:03d}" for i in range(100, 120)]
    assert 'rel="next"' not in third and 'rel="prev"' in third


def _link(html: str, rel: str) -> str | None:
    found = re.search(rf'<a rel="{rel}" href="([^"]+)"', html)
    return found.group(1).replace("&amp;", "&") if found else None


def test_pages_are_sought_from_the_edge_row_both_ways(course_site: Site,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    """Next and previous links carry the edge row's learner (not a name) and find the page by
    seeking from it: forward through every page and back give each learner once, in order; a
    typed page number, or an edge whose learner is gone, still gives that page."""
    from course.paging import edge_mark
    from course.trainers import gradebook

    seeded(course_site)
    add_learners(course_site, {"h000": "Learner 050"})  # the same name as another: by user id
    trainer = course_site.trainer_client()
    url, pages = course_site.url(BOOK + f"?quiz={MODULE}"), []
    while url:
        html = trainer.get(url).get_data(as_text=True)
        pages.append(names(html))
        url = _link(html, "next")
        assert url is None or ("after=" in url and "at=" in url and "Learner" not in url)
    everyone = sorted([f"Learner {i:03d}" for i in range(120)] + ["Learner 050"])
    assert [n for page in pages for n in page] == everyone and len(pages) == 3
    html = trainer.get(course_site.url(BOOK + f"?quiz={MODULE}&page=3")).get_data(as_text=True)
    back = []
    while (url := _link(html, "prev")) is not None:
        html = trainer.get(url).get_data(as_text=True)
        back.append(names(html))
    assert back == [pages[1], pages[0]]
    assert "Page 1" in html and 'rel="prev"' not in html
    with course_site.app.app_context():
        mark = {n: edge_mark(f"Learner {n}") for n in ("049", "119", "009")}
    sought = course_site.url(BOOK + f"?quiz={MODULE}&page=9&after=g049&at={mark['049']}")
    assert names(trainer.get(sought).get_data(as_text=True))[:2] == ["Learner 050"] * 2
    after_last = course_site.url(  # nothing after the edge: the page by its number
        BOOK + f"?quiz={MODULE}&page=2&after=g119&at={mark['119']}")
    assert names(trainer.get(after_last).get_data(as_text=True)) == pages[1]
    early = trainer.get(course_site.url(
        BOOK + f"?quiz={MODULE}&page=2&before=g009&at={mark['009']}"))
    assert names(early.get_data(as_text=True)) == pages[0]  # less than a page before it
    assert 'rel="prev"' not in early.get_data(as_text=True)
    gone = course_site.url(BOOK + f"?quiz={MODULE}&page=2&after=no-such-learner")
    assert names(trainer.get(gone).get_data(as_text=True)) == pages[1]
    # the CSV reads a batch at a time, each sought from the last: every learner once
    monkeypatch.setattr(gradebook, "CSV_BATCH", 7)
    rows = list(csv.reader(io.StringIO(trainer.get(course_site.url(
        BOOK[:-1] + f".csv?quiz={MODULE}")).get_data(as_text=True))))
    assert [r[0] for r in rows[1:]] == everyone


def test_an_edge_learner_renamed_since_skips_no_page_of_learners(course_site: Site) -> None:
    """The links carry a fingerprint of the edge learner's name as it was: renamed since (to a
    name further on), the page is read by its number, not sought from the new name, which would
    have skipped everyone between the two names. A link without the fingerprint, or with
    another, is read by its number too."""
    from sqlalchemy import update

    from course.db import session
    from course.lessons.models import Learner

    seeded(course_site)
    trainer = course_site.trainer_client()
    first = trainer.get(course_site.url(BOOK + f"?quiz={MODULE}")).get_data(as_text=True)
    nxt = _link(first, "next")
    assert "after=g049" in nxt and "at=" in nxt
    with course_site.app.app_context():
        session().execute(update(Learner).where(Learner.user_id == "g049")
                          .values(display_name="Learner 075a"))
        session().commit()
    by_number = names(trainer.get(course_site.url(
        BOOK + f"?quiz={MODULE}&page=2")).get_data(as_text=True))
    second = names(trainer.get(nxt).get_data(as_text=True))
    assert second == by_number
    assert "Learner 060" in second and "Learner 075a" in second  # not sought from 075a
    forged = re.sub(r"at=[0-9a-f]+", "at=0123456789abcdef", nxt)
    assert names(trainer.get(forged).get_data(as_text=True)) == by_number
    unmarked = re.sub(r"&?at=[0-9a-f]+", "", nxt)
    assert names(trainer.get(unmarked).get_data(as_text=True)) == by_number


def test_filters_by_status_and_quiz(course_site: Site) -> None:
    seeded(course_site)
    trainer = course_site.trainer_client()

    def shown(query: str) -> list[str]:
        return names(trainer.get(course_site.url(BOOK + query)).get_data(as_text=True))

    assert shown(f"?quiz={MODULE}&status=passed") == ["Learner 000"]
    assert shown(f"?quiz={MODULE}&status=failed") == ["Learner 001"]
    assert shown(f"?quiz={MODULE}&status=in_progress") == ["Learner 002"]
    assert shown(f"?quiz={MODULE}&status=not_started")[:2] == ["Learner 003", "Learner 004"]
    assert "Learner 000" not in shown(f"?quiz={MODULE}&status=not_started&page=3")
    # Another quiz: nobody has started it.
    assert shown("?quiz=organisation&status=passed") == []
    assert len(shown("?quiz=organisation&status=not_started")) == 50


def test_csv_is_the_filtered_view_and_formula_safe(course_site: Site) -> None:
    seeded(course_site)
    add_learners(course_site, {"evil": "=HYPERLINK(\"http://x\")"})
    add_attempt(course_site, "evil", 1, 90)
    trainer = course_site.trainer_client()
    response = trainer.get(course_site.url(BOOK[:-1] + f".csv?quiz={MODULE}&status=passed"))
    assert response.status_code == 200 and response.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True))))
    assert rows[0][:4] == ["learner", "organisation", "quiz", "status"]
    assert [r[0] for r in rows[1:]] == ["'=HYPERLINK(\"http://x\")", "Learner 000"]
    assert rows[2][3:6] == ["Passed", "87", "2"]
    every = trainer.get(course_site.url(BOOK[:-1] + f".csv?quiz={MODULE}")).get_data(
        as_text=True)
    assert len(every.strip().splitlines()) == 1 + 121  # every page, not just the first


def test_learner_page_and_an_attempts_answers(course_site: Site) -> None:
    from tests.quizzes.test_quiz_views import finish_lessons, right_answers, start

    learner = course_site.logged_in_client()
    finish_lessons(course_site, learner)
    url = start(course_site, learner)
    page = learner.get(course_site.url(url)).get_data(as_text=True)
    data = right_answers(page)
    data["q-months"] = "12"  # one wrong answer
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
    learner.post(course_site.url(url + "/submit"), data={**data, "csrf_token": token})
    trainer = course_site.trainer_client()
    book = trainer.get(course_site.url(BOOK + f"?quiz={MODULE}")).get_data(as_text=True)
    link = re.search(r'<a href="([^"]+)">(Lea Learner|Bob[^<]*)</a>', book).group(1)
    person = trainer.get(link.replace("&amp;", "&")).get_data(as_text=True)
    assert "Every attempt at" in person and "Attempt 1" in person
    attempt = re.search(r'href="([^"]+/gradebook/attempts/\d+)"', person).group(1)
    html = trainer.get(attempt).get_data(as_text=True)
    assert "Answer:</strong> 12" in html and "Not right" in html
    assert "Correct answer: 5 to 7" in html  # the key, though the learner's policy hides it
    assert "Answer:</strong> Keep a weekly routine" in html and "Right" in html
    # A learner cannot open the gradebook.
    assert learner.get(course_site.url(BOOK)).status_code == 403
    assert learner.get(attempt).status_code == 403


@pytest.mark.parametrize("few", [2000, 0])
def test_not_started_follows_attempts_resets_rounds_and_progress(course_site: Site, monkeypatch,  # noqa: ANN001
                                                                  few: int) -> None:
    """"Not started" is the same whether its learners are few (read from the list the
    triggers keep, with those a reset or a new round may have sent back) or many (learners
    walked by name), through attempts, a reset, a new round, and lesson progress erased."""
    from sqlalchemy import delete

    from course.db import session
    from course.lessons.models import LessonProgress
    from course.quizzes import services as quizzes
    from course.quizzes.models import QuizAttempt
    from course.trainers import scope
    from course.trainers.operations import grant

    monkeypatch.setattr(scope, "FEW", few)
    site = course_site
    add_learners(site, {f"g{i:03d}": f"Learner {i:03d}" for i in range(6)})
    trainer = site.trainer_client()

    def not_started() -> list[str]:
        return names(trainer.get(site.url(BOOK + f"?quiz={MODULE}&status=not_started"))
                     .get_data(as_text=True))

    everyone = [f"Learner {i:03d}" for i in range(6)]
    assert not_started() == everyone  # nobody has attempted the quiz yet
    add_attempt(site, "g000", 1, 90)
    add_attempt(site, "g001", 1, None)
    add_attempt(site, "g002", 1, 40)
    assert not_started() == everyone[3:]
    add_learners(site, {"g006": "Learner 006"})  # a newcomer opens the course
    assert not_started() == everyone[3:] + ["Learner 006"]
    with site.app.app_context():
        grant(session(), learner_id="g002", course="social-divide", module=MODULE,
              kind="reset", reason="a new start", by="trainer", by_name="A Trainer")
        quizzes.start_round(session(), "g000", "social-divide", "recertification")
        session().commit()
    assert not_started() == ["Learner 000", "Learner 002"] + everyone[3:] + ["Learner 006"]
    with site.app.app_context():  # an attempt erased, then a learner's progress
        session().execute(delete(QuizAttempt).where(QuizAttempt.user_id == "g001"))
        session().execute(delete(LessonProgress).where(LessonProgress.user_id == "g003"))
        session().commit()
    assert not_started() == ["Learner 000", "Learner 001", "Learner 002", "Learner 004",
                             "Learner 005", "Learner 006"]
