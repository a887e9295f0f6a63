"""The result page reviews each question (the learner's answer beside the right one as the
review policy allows, the feedback, the scenario, a link to the lesson that teaches it), and the
attempt page counts answers and lists the questions. Standalone and mounted, on each database."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from course.content import find_content_root
from course.content.catalog import load_catalog
from course.content.quiz import Question
from course.quizzes.review import teaching_lesson
from tests.conftest import Site, csrf_token
from tests.quizzes.test_quiz_views import QUIZ_FILE, finish_lessons, right_answers, start


@pytest.fixture
def learner(course_site: Site):  # noqa: ANN201
    return course_site.logged_in_client()


LESSON_LINK = re.compile(r'class="review-lesson">Revise it in <a href="([^"]+)">([^<]+)</a>')


def submit(site: Site, client, attempt: str, data: dict) -> str:
    token = csrf_token(client, site.url(attempt))
    done = client.post(site.url(attempt + "/submit"),
                       data={"csrf_token": token, "confirm": "yes", **data})
    assert done.status_code == 302
    return client.get(done.headers["Location"]).get_data(as_text=True)


def test_a_failed_attempt_shows_answers_feedback_and_lessons_not_the_key(
        course_site: Site, learner) -> None:
    finish_lessons(course_site, learner)
    attempt = start(course_site, learner)
    html = submit(course_site, learner, attempt, {"q-months": "12", "q-profile-is-presence":
                                                  "true"})
    assert "Not right" in html and "<strong>Your answer:</strong> 12" in html
    assert "<strong>Your answer:</strong> True" in html
    assert "no answer given" in html  # three were left empty
    assert "It is usually about six months" in html  # the feedback the answer earned
    assert "Correct answer:" not in html  # the policy shows the key only after a pass
    assert "The correct answers are shown once you pass." in html
    assert "Priya joined a logistics company" in html  # the scenario, beside its questions
    links = LESSON_LINK.findall(html)
    assert len(links) == 5 and {title for _, title in links} == {"Six months to a useful network"}
    href = links[0][0]
    assert href.startswith(course_site.prefix + "/courses/social-divide/lessons/")
    assert learner.get(href).status_code == 200  # the link resolves, standalone and mounted


def test_after_a_pass_the_right_answer_stands_beside_the_learners(course_site: Site,
                                                                  learner) -> None:
    finish_lessons(course_site, learner)
    attempt = start(course_site, learner)
    page = learner.get(course_site.url(attempt)).get_data(as_text=True)
    html = submit(course_site, learner, attempt, right_answers(page))
    assert "100%" in html and "you passed" in html
    pairs = re.findall(r'<p class="review-yours"><strong>Your answer:</strong> ([^<]+)</p>\s*'
                       r'<p class="review-correct"><strong>Correct answer:</strong> ([^<]+)</p>',
                       html)
    assert len(pairs) == 5 and ("6", "5 to 7") in pairs
    assert ("False", "False") in pairs
    assert ("Connect with people you actually work with → Comment usefully on posts in your "
            "field → Share one thing you learned this week",) * 2 in pairs


def test_correct_answers_never_shown_when_the_policy_says_never(
        course_site: Site, content_root: Path, learner) -> None:
    path = content_root / QUIZ_FILE
    path.write_text(path.read_text().replace("correct_answers: after_pass",
                                             "correct_answers: never"))
    finish_lessons(course_site, learner)
    attempt = start(course_site, learner)
    page = learner.get(course_site.url(attempt)).get_data(as_text=True)
    html = submit(course_site, learner, attempt, right_answers(page))
    assert "you passed" in html and "Correct answer:" not in html
    assert html.count("<strong>Your answer:</strong>") == 5


def test_the_attempt_page_counts_answers_and_lists_the_questions(course_site: Site,
                                                                 learner) -> None:
    finish_lessons(course_site, learner)
    attempt = start(course_site, learner)
    page = learner.get(course_site.url(attempt)).get_data(as_text=True)
    assert re.search(r'aria-live="polite">Answered <span data-answered-count>0</span> of 5',
                     page)
    assert [int(n) for n in re.findall(r'href="#question-(\d)"', page)] == [1, 2, 3, 4, 5]
    assert page.count(", not answered") == 5
    for n in range(1, 6):  # every link has its target
        assert f'id="question-{n}"' in page
    token = csrf_token(learner, course_site.url(attempt))
    learner.post(course_site.url(attempt + "/save"), data={"csrf_token": token, "q-months": "6"})
    page = learner.get(course_site.url(attempt)).get_data(as_text=True)
    assert "<span data-answered-count>1</span> of 5" in page
    assert page.count(", not answered") == 4 and page.count(", answered") == 1


def test_the_teaching_lesson_comes_from_the_key_or_the_module_tags() -> None:
    course = load_catalog(find_content_root(None)).get("social-divide")
    module = course.module("social-graph-presence")
    first, second = module.lessons[0], module.lessons[1]
    named = Question("a", "single", "?", lesson=second.slug, tags=(first.slug,))
    tagged = Question("b", "single", "?", tags=("not-a-lesson", first.slug))
    neither = Question("c", "single", "?", tags=("not-a-lesson",))
    assert teaching_lesson(named, course, module.slug) == second
    assert teaching_lesson(tagged, course, module.slug) == first
    assert teaching_lesson(neither, course, module.slug) is None
