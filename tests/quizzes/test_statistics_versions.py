"""Item statistics per question version, through the trainer's pages: editing a question
starts a new version, and the attempts made before keep theirs, listed separately."""

from __future__ import annotations

import re
from pathlib import Path

from tests.conftest import Site, csrf_token
from tests.quizzes.test_quiz_views import QUIZ, QUIZ_FILE, finish_lessons, start

SMALL_QUIZ = """title: "Quiz: Social Graph & Presence"
module: social-graph-presence
pass_mark: 50
shuffle_options: false
questions:
  - id: first-step
    type: single
    text: "{stem}"
    options:
      - {{text: "Answer questions where customers ask them", correct: true}}
      - {{text: "Post the product brochure in every group"}}
  - id: routine
    type: truefalse
    text: "A weekly routine helps a network grow."
    answer: true
"""


def take(site: Site, client, answer: str) -> None:
    url = start(site, client)
    token = csrf_token(client, site.url(url))
    response = client.post(site.url(url + "/submit"), data={
        "csrf_token": token, "confirm": "yes", "q-first-step": answer, "q-routine": "true"})
    assert response.status_code == 302


def test_editing_a_question_starts_a_new_version(course_site: Site, content_root: Path) -> None:
    course_site.app.config["COURSE_CONTENT_RELOAD"] = True  # the edit is read on the next page
    path = content_root / QUIZ_FILE
    path.write_text(SMALL_QUIZ.format(stem="What should Marco do first?"))
    learner = course_site.logged_in_client()
    finish_lessons(course_site, learner)
    take(course_site, learner, "0")  # right, on the first wording
    path.write_text(SMALL_QUIZ.format(stem="Marco has a week. What should he do first?"))
    take(course_site, learner, "1")  # wrong, on the edited one
    trainer = course_site.trainer_client()
    html = trainer.get(course_site.url(QUIZ + "statistics?attempts=all")).get_data(as_text=True)
    rows = re.findall(r"<tr>\s*<th scope=\"row\">(.*?)</tr>", html, re.S)
    first_step = [r for r in rows if "first-step" in r]
    assert len(first_step) == 2
    now, before = first_step
    assert "Marco has a week" in now and "earlier version" not in now
    assert "What should Marco do first?" in before and "(earlier version, no longer in the " \
        "quiz)" in before
    versions = [re.search(r"version <code>([0-9a-f]{8})</code>", r).group(1) for r in first_step]
    assert versions[0] != versions[1]
    assert re.search(r"<td>1</td>\s*<td>0%</td>", now)  # the new version: one wrong answer
    assert re.search(r"<td>1</td>\s*<td>100%</td>", before)  # the old one keeps its right one
    routine = [r for r in rows if "routine" in r]
    assert len(routine) == 1 and re.search(r"<td>2</td>\s*<td>100%</td>", routine[0])
    csv = trainer.get(course_site.url(QUIZ + "statistics.csv?attempts=all")).get_data(
        as_text=True)
    lines = csv.splitlines()
    assert lines[0].endswith(",version,current")
    step_lines = [x for x in lines if x.startswith("first-step,")]
    assert [x.split(",")[-2:] for x in step_lines] == [[versions[0], "yes"],
                                                      [versions[1], "no"]]
