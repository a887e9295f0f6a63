"""The self-assessment: a baseline per factor, asked once, shown beside quiz results."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from course.content.catalog import load_catalog
from course.content.selfassessment import SelfAssessment, Statement
from course.quizzes.selfcheck import baselines
from tests.conftest import Site, csrf_token
from tests.content.helpers import LESSON, MANIFEST, make_root

PAGE = "/courses/social-divide/self-assessment/"


def test_baselines_map_ratings_to_percentages() -> None:
    sa = SelfAssessment("t", "i", (Statement("s1", "a", "x"), Statement("s2", "a", "y"),
                                   Statement("s3", "b", "z")))
    assert baselines({"s1": 1, "s2": 2, "s3": 5}, sa) == {"a": Decimal("12.50"),
                                                          "b": Decimal("100.00")}


def test_bad_self_assessment_files_are_reported(tmp_path: Path) -> None:
    import pytest

    from course.errors import ContentErrors

    root = make_root(tmp_path, {
        "lessons/c/course.yaml": MANIFEST, "lessons/c/01-one/01-a.md": LESSON,
        "lessons/c/self-assessment.yaml": "title: yes\nintro: \"x\"\nstatements:\n"
                                          "  - {module: nope, text: \"x\"}\n"})
    with pytest.raises(ContentErrors) as info:
        load_catalog(root)
    text = str(info.value)
    assert "self-assessment.yaml:1: 'title' must be text" in text
    assert "self-assessment.yaml:3: statement 1: no module 'nope'" in text


def answer_all(site: Site, client, skip: str | None = None, token: str | None = None):
    token = token or csrf_token(client, site.url(PAGE))
    data = {"csrf_token": token, **{f"s{i}": str(1 + i % 5) for i in range(1, 13)}}
    if skip:
        data.pop(skip)
    return client.post(site.url(PAGE), data=data)


def test_take_it_once_and_see_the_baseline_beside_results(course_site: Site) -> None:
    client = course_site.logged_in_client()
    overview = course_site.url("/courses/social-divide/")
    assert "Where do you stand today?" in client.get(overview).get_data(as_text=True)
    token = csrf_token(client, course_site.url(PAGE))
    missing = answer_all(course_site, client, skip="s4", token=token)
    html = missing.get_data(as_text=True)
    assert missing.status_code == 400 and "Statement 4 has no answer" in html
    assert 'id="s1-2" value="2" checked' in html  # other answers are kept
    done = answer_all(course_site, client)
    assert done.status_code == 302
    page = client.get(overview).get_data(as_text=True)
    assert "Before you start" not in page
    # s1-s3 rated 2, 3, 4 -> mean 3 -> 50%
    row = page.split('<th scope="row">Social Graph &amp; Presence</th>')[1].split("</tr>")[0]
    assert "<td>50%</td>" in row and "Triangle: your starting point" in page
    again = answer_all(course_site, client, token=token)  # a second try changes nothing
    assert again.status_code == 200 and "You have answered it" in again.get_data(as_text=True)
