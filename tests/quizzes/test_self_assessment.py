"""The self-assessment: statements about what the learner does, rated at the start and again once
every factor quiz is passed, with "don't know" left out of each figure; shown beside the quiz
results, in the learner's data download and gone when the account closes."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import func, select

from course.content.catalog import load_catalog
from course.content.selfassessment import (
    DONT_KNOW,
    SCALE,
    Figure,
    SelfAssessment,
    Statement,
    figures,
    parse_self_assessment,
    read_ratings,
)
from course.db import session, utcnow
from course.errors import ContentError, ContentErrors
from course.quizzes.models import QuizAttempt, SelfAssessmentScore
from course.quizzes.profile import Rating
from course.quizzes.selfcheck import stage_for
from tests.conftest import Site, csrf_token
from tests.content.helpers import LESSON, MANIFEST, make_root
from tests.test_cli import run

START_PAGE = "/courses/social-divide/self-assessment/"
END_PAGE = "/courses/social-divide/self-assessment/end"
OVERVIEW = "/courses/social-divide/"
SA = SelfAssessment("t", "i", (Statement("s1", "a", "x"), Statement("s2", "a", "y"),
                               Statement("s3", "b", "z"), Statement("s4", "c", "w")))


# ---------------------------------------------------------------- pure: ratings and figures
def test_ratings_become_figures_and_dont_know_does_not_count() -> None:
    result = figures({"s1": 1, "s2": 2, "s3": 5, "s4": None}, SA)
    assert result == {"a": Figure(Decimal("12.50"), 2, 2), "b": Figure(Decimal("100.00"), 1, 1),
                      "c": Figure(None, 0, 1)}
    assert figures({"s1": None, "s2": 4, "s3": 3}, SA)["a"] == Figure(Decimal("75.00"), 1, 2)


def test_read_ratings_takes_the_scale_or_dont_know_and_names_what_is_missing() -> None:
    ratings, missing = read_ratings({"s1": "5", "s2": DONT_KNOW, "s3": "6", "s4": ""}, SA)
    assert ratings == {"s1": 5, "s2": None} and missing == ["s3", "s4"]


def test_the_start_is_open_until_every_quiz_is_passed_then_the_end() -> None:
    some = {"a": Rating(Decimal(50), 2, 2)}
    assert stage_for({"start": {}, "end": {}}, finished=False) == "start"
    assert stage_for({"start": some, "end": {}}, finished=False) is None
    assert stage_for({"start": {}, "end": {}}, finished=True) == "end"
    assert stage_for({"start": some, "end": some}, finished=True) is None


# ---------------------------------------------------------------- pure: the file
GOOD = ('title: "Where"\nintro: "Rate"\nend_title: "Now"\nend_intro: "Again"\n'
        'scale: ["No", "Rarely", "Sometimes", "Often", "Yes"]\nstatements:\n'
        '  - {module: one, text: "I post."}\n  - {module: one, text: "I   comment."}\n')


def test_a_file_with_the_new_keys_parses() -> None:
    errors: list[ContentError] = []
    sa = parse_self_assessment(GOOD, "sa.yaml", {"one"}, errors)
    assert errors == [] and sa is not None
    assert (sa.end_title, sa.end_intro, sa.scale[0]) == ("Now", "Again", "No")
    assert [s.text for s in sa.statements] == ["I post.", "I comment."] and sa.count("one") == 2


def test_the_end_texts_and_the_scale_have_defaults() -> None:
    errors: list[ContentError] = []
    sa = parse_self_assessment('title: "W"\nintro: "R"\nstatements:\n'
                               '  - {module: one, text: "I post."}\n', "sa.yaml", {"one"}, errors)
    assert errors == [] and sa.scale == SCALE and sa.end_title.startswith("Where do you stand")


BAD = ('title: "Where"\nintro: "Rate"\n'          # 1-2
       'end_title: yes\n'                          # 3
       'end_intro: ""\n'                           # 4
       'scale: ["Never", "Often"]\n'               # 5
       'colour: "red"\n'                           # 6
       'statements:\n'                             # 7
       '  - {module: nope, text: "I post."}\n'     # 8
       '  - module: one\n'                         # 9
       '    text: 12\n'                            # 10
       '  - {module: one, text: "I comment."}\n'   # 11
       '  - {module: one, text: "i  COMMENT."}\n'  # 12
       '  - {module: one}\n')                      # 13


def test_every_problem_in_the_file_has_its_line() -> None:
    errors: list[ContentError] = []
    assert parse_self_assessment(BAD, "sa.yaml", {"one"}, errors) is None
    text = "\n".join(map(str, errors))
    for expected in ("sa.yaml:3: 'end_title' must be text in quotes, found a true/false value",
                     "sa.yaml:4: 'end_intro' must be text in quotes, found str",
                     "sa.yaml:5: 'scale' is a list of 5 labels",
                     "sa.yaml:6: unknown key 'colour'",
                     "sa.yaml:8: statement 1: no module 'nope'",
                     "sa.yaml:10: 'text' must be text in quotes, found a number",
                     "sa.yaml:12: statement 4 repeats an earlier statement",
                     "sa.yaml:13: statement 5 must have exactly 'module' and 'text'"):
        assert expected in text, text


def test_bad_self_assessment_files_are_reported(tmp_path: Path) -> None:
    root = make_root(tmp_path, {
        "lessons/c/course.yaml": MANIFEST, "lessons/c/01-one/01-a.md": LESSON,
        "lessons/c/self-assessment.yaml": "title: yes\nintro: \"x\"\nstatements:\n"
                                          "  - {module: nope, text: \"x\"}\n"})
    with pytest.raises(ContentErrors) as info:
        load_catalog(root)
    text = str(info.value)
    assert "self-assessment.yaml:1: 'title' must be text" in text
    assert "self-assessment.yaml:4: statement 1: no module 'nope'" in text


def test_course_check_reports_the_new_keys_with_file_and_line(standalone_app: Flask,
                                                               tmp_path: Path) -> None:
    root = make_root(tmp_path, {
        "lessons/c/course.yaml": MANIFEST, "lessons/c/01-one/01-a.md": LESSON,
        "lessons/c/self-assessment.yaml": 'title: "W"\nintro: "R"\nscale: "Never to always"\n'
                                          'statements:\n  - {module: one, text: "I post."}\n'})
    result = run(standalone_app, "check", str(root))
    assert result.exit_code == 1
    assert "lessons/c/self-assessment.yaml:3: 'scale' is a list of 5 labels" in result.output


# ---------------------------------------------------------------- the pages
def answers(skip: str | None = None, **given: str) -> dict[str, str]:
    """An answer to each of the sample's 16 statements (1-5 in turn), `given` overriding."""
    data = {f"s{i}": str(1 + i % 5) for i in range(1, 17)}
    data.update(given)
    if skip:
        data.pop(skip)
    return data


def post(site: Site, client, page: str, data: dict[str, str], token: str | None = None):
    token = token or csrf_token(client, site.url(OVERVIEW))
    return client.post(site.url(page), data={"csrf_token": token, **data})


def user_id_of(client) -> str:
    with client.session_transaction() as sess:
        return sess["_user_id"].split(":")[0]


def pass_every_quiz(site: Site, client) -> None:
    client.get(site.url(OVERVIEW))
    with site.app.app_context():
        loaded = site.app.extensions["course"].content()
        for (course, module), quiz in loaded.quizzes.items():
            if course == "social-divide":
                session().add(QuizAttempt(
                    user_id=user_id_of(client), course=course, module=module, number=1,
                    quiz_version=quiz.version, state="finished", shown=[], responses={},
                    pass_mark=quiz.pass_mark, percent=Decimal(90), passed=True,
                    finished_at=utcnow()))
        session().commit()


def stored(site: Site) -> dict[tuple[str, str], tuple]:
    with site.app.app_context():
        return {(r.stage, r.module): (r.percent, r.rated, r.statements)
                for r in session().scalars(select(SelfAssessmentScore))}


def profile_row(html: str, factor: str) -> str:
    return html.split(f'<th scope="row">{factor}</th>')[-1].split("</tr>")[0]


def test_the_start_rating_with_dont_know(course_site: Site) -> None:
    site, client = course_site, course_site.logged_in_client()
    assert "Before you start" in client.get(site.url(OVERVIEW)).get_data(as_text=True)
    form = client.get(site.url(START_PAGE)).get_data(as_text=True)
    assert "my note said why I wanted" in form and ">Don't know<" in form
    assert f'id="s1-{DONT_KNOW}" value="{DONT_KNOW}"' in form
    token = csrf_token(client, site.url(START_PAGE))
    dont_know = {f"s{i}": DONT_KNOW for i in range(1, 6)}  # all of Social Graph, one of Org
    missing = post(site, client, START_PAGE, answers(skip="s7", **dont_know), token)
    html = missing.get_data(as_text=True)
    assert missing.status_code == 400 and "Statement 7 has no answer" in html
    assert f'id="s1-{DONT_KNOW}" value="{DONT_KNOW}" checked' in html  # answers are kept
    assert 'id="s6-2" value="2" checked' in html and stored(site) == {}
    assert post(site, client, START_PAGE, answers(**dont_know), token).status_code == 302
    # Organisation: s5 don't know, s6-s8 rated 2, 3, 4 -> mean 3 -> 50% on 3 of 4 statements
    assert stored(site)[("start", "organisation")] == (Decimal("50.00"), 3, 4)
    assert stored(site)[("start", "social-graph-presence")] == (None, 0, 4)
    page = client.get(site.url(OVERVIEW)).get_data(as_text=True)
    assert "Before you start" not in page and "Rate the same statements again" not in page
    assert "50%" in profile_row(page, "Organisation") and "(3 of 4 statements)" in page
    assert "every answer" in profile_row(page, "Social Graph &amp; Presence")
    assert "Triangle: your own rating at the start" in page
    again = post(site, client, START_PAGE, answers(), token)  # a second submit changes nothing
    assert again.status_code == 200 and "You have answered it" in again.get_data(as_text=True)
    assert stored(site)[("start", "organisation")] == (Decimal("50.00"), 3, 4)


def test_the_end_rating_opens_only_once_every_quiz_is_passed(course_site: Site) -> None:
    site, client = course_site, course_site.logged_in_client()
    token = csrf_token(client, site.url(START_PAGE))
    assert post(site, client, START_PAGE, answers(), token).status_code == 302
    closed = client.get(site.url(END_PAGE)).get_data(as_text=True)
    assert "opens when you have passed every factor quiz" in closed and "s1-1" not in closed
    refused = post(site, client, END_PAGE, answers(), token)
    assert refused.status_code == 409 and not any(k[0] == "end" for k in stored(site))
    pass_every_quiz(site, client)
    page = client.get(site.url(OVERVIEW)).get_data(as_text=True)
    assert "Rate the same statements again" in page and site.url(END_PAGE) in page
    mine = client.get(site.url("/my-learning")).get_data(as_text=True)
    assert site.url(END_PAGE) in mine
    form = client.get(site.url(END_PAGE)).get_data(as_text=True)
    assert "Where do you stand now?" in form and "my note said why I wanted" in form
    done = post(site, client, END_PAGE, answers(**{f"s{i}": "5" for i in range(5, 9)}), token)
    assert done.status_code == 302
    assert stored(site)[("end", "organisation")] == (Decimal("100.00"), 4, 4)
    assert stored(site)[("start", "organisation")] == (Decimal("37.50"), 4, 4)
    page = client.get(site.url(OVERVIEW)).get_data(as_text=True)
    row = profile_row(page, "Organisation")
    assert "Your rating at the start" in page and "Your rating at the end" in page
    assert row.index("38%") < row.index("100%") < row.index("90") and "Passed" in row
    assert "Circle: your own rating at the end" in page and 'class="end"' in page
    assert "Rate the same statements again" not in page
    again = post(site, client, END_PAGE, answers(), token)
    assert again.status_code == 200 and "You have answered it" in again.get_data(as_text=True)


def test_the_start_closes_once_every_quiz_is_passed(course_site: Site) -> None:
    site, client = course_site, course_site.logged_in_client()
    pass_every_quiz(site, client)
    assert "Before you start" not in client.get(site.url(OVERVIEW)).get_data(as_text=True)
    page = client.get(site.url(START_PAGE)).get_data(as_text=True)
    assert "rate where you stand now instead" in page and site.url(END_PAGE) in page
    token = csrf_token(client, site.url(END_PAGE))
    assert post(site, client, START_PAGE, answers(), token).status_code == 409
    assert stored(site) == {}


def test_both_ratings_are_in_the_download_and_gone_when_the_account_closes(
        course_site: Site) -> None:
    site, client = course_site, course_site.logged_in_client()
    token = csrf_token(client, site.url(START_PAGE))
    post(site, client, START_PAGE, answers(s1=DONT_KNOW), token)
    pass_every_quiz(site, client)
    post(site, client, END_PAGE, answers(), token)
    data = json.loads(client.get(site.url("/privacy/my-data.json")).data)
    mine = {(r["stage"], r["module"]): r for r in data["self_assessment"]}
    assert len(mine) == 8 and "user_id" not in mine[("start", "education")]
    assert mine[("start", "social-graph-presence")]["rated"] == 3
    assert mine[("end", "social-graph-presence")]["statements"] == 4
    other = site.trainer_client().get(site.url("/privacy/my-data.json"))
    assert json.loads(other.data)["self_assessment"] == []
    token = csrf_token(client, site.url("/privacy/"))
    closed = client.post(site.url("/privacy/close"), data={"csrf_token": token,
                                                           "confirm": "CLOSE"})
    assert closed.status_code == 302
    with site.app.app_context():
        assert session().scalar(select(func.count()).select_from(SelfAssessmentScore)) == 0
