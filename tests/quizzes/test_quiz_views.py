"""Taking quizzes through HTTP, standalone and mounted, on each database: the lesson gate, no
answer key before submission, grading once, attempt rules, deadlines, review policy."""

from __future__ import annotations

import re
import threading
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select, update

from course.db import session, utcnow
from course.quizzes.models import QuizAttempt
from tests.conftest import Site, csrf_token, sample_module_lessons

QUIZ = "/courses/social-divide/quizzes/social-graph-presence/"
LESSON = "/courses/social-divide/lessons/six-months-to-a-useful-network"
QUIZ_FILE = "quizzes/social-divide/social-graph-presence.yaml"


MODULE_LESSONS = [f"/courses/social-divide/lessons/{slug}"
                  for slug in sample_module_lessons("social-graph-presence")]


def finish_lessons(site: Site, client) -> None:
    """Complete every lesson of the module, so its quiz opens."""
    token = None
    for lesson in MODULE_LESSONS:  # any lesson page still showing its form has a token
        match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"',
                          client.get(site.url(lesson)).get_data(as_text=True))
        token = token or (match.group(1) if match else None)
    for lesson in MODULE_LESSONS:
        client.post(site.url(lesson + "/complete"), data={"csrf_token": token})


def start(site: Site, client) -> str:
    token = csrf_token(client, site.url(QUIZ))
    response = client.post(site.url(QUIZ + "start"), data={"csrf_token": token})
    assert response.status_code == 302, response.get_data(as_text=True)
    location = response.headers["Location"]
    assert location.startswith(site.prefix)
    return location[len(site.prefix):]  # a path inside the plugin, like QUIZ


def shown_positions(html: str) -> dict[str, list[str]]:
    """For each choice field, the labels in the order shown."""
    found: dict[str, list[str]] = {}
    for name, label in re.findall(r'name="(q-[a-z0-9-]+)" id="[^"]+" value="\d+"[^>]*>\s*'
                                  r'<label for="[^"]+">([^<]+)</label>', html):
        found.setdefault(name, []).append(label)
    return found


RIGHT = {"q-why-so-long": "Keep a weekly routine: the first months are usually quiet",
         "q-profile-is-presence": "false", "q-months": "6"}


def right_answers(html: str) -> dict[str, object]:
    """A form filled with right answers, in this attempt's shown order."""
    shown = shown_positions(html)
    data: dict[str, object] = {"q-why-so-long": str(shown["q-why-so-long"].index(
        RIGHT["q-why-so-long"])), "q-profile-is-presence": "false", "q-months": "6"}
    data["q-what-to-fix"] = [str(shown["q-what-to-fix"].index(t)) for t in (
        "Answer questions from people in her industry",
        "Share what she learns from customer problems")]
    items = re.findall(r'<label for="(q-first-month-\d)">([^<]+)</label>', html)
    truth = ["Connect with people you actually work with", "Comment usefully on posts in your "
             "field", "Share one thing you learned this week"]
    for field, label in items:
        data[field] = str(truth.index(label) + 1)
    return data


@pytest.fixture
def learner(course_site: Site):
    client = course_site.logged_in_client()
    return client


def test_quiz_opens_when_the_module_lessons_are_done(course_site: Site, learner) -> None:
    html = learner.get(course_site.url(QUIZ)).get_data(as_text=True)
    assert "opens when you have finished the module" in html and "Start the quiz" not in html
    token = csrf_token(learner, course_site.url(LESSON))
    learner.post(course_site.url(LESSON + "/complete"), data={"csrf_token": token})
    assert learner.post(course_site.url(QUIZ + "start"),  # one lesson of three is not enough
                        data={"csrf_token": token}).status_code == 403
    finish_lessons(course_site, learner)
    assert "Start the quiz" in learner.get(course_site.url(QUIZ)).get_data(as_text=True)
    overview = learner.get(course_site.url("/courses/social-divide/")).get_data(as_text=True)
    assert "Quiz: Social Graph &amp; Presence" in overview


def test_no_answer_key_reaches_the_browser_before_submission(course_site: Site,
                                                             learner) -> None:
    finish_lessons(course_site, learner)
    html = learner.get(course_site.url(start(course_site, learner))).get_data(as_text=True)
    for secret in ("Trust grows through repeated", "Restarting puts her back", "About half a "
                   "year", "correct", "weight", "feedback", "a profile is where people land",
                   "It is usually about six months", "Helpful activity is what people notice"):
        assert secret.lower() not in html.lower(), secret
    assert "Priya joined a logistics company" in html  # the scenario is shown
    assert re.search(r'data-deadline="[^"]+"', html)


def test_right_answers_pass_and_are_graded_once(course_site: Site, learner) -> None:
    finish_lessons(course_site, learner)
    attempt_url = start(course_site, learner)
    data = right_answers(learner.get(course_site.url(attempt_url)).get_data(as_text=True))
    token = csrf_token(learner, course_site.url(attempt_url))
    submit_url = course_site.url(attempt_url + "/submit")
    first = learner.post(submit_url, data={"csrf_token": token, **data})
    again = learner.post(submit_url, data={"csrf_token": token, **data})
    assert first.status_code == again.status_code == 302
    assert first.headers["Location"] == again.headers["Location"]
    html = learner.get(first.headers["Location"]).get_data(as_text=True)
    assert "100%" in html and "you passed" in html
    assert "Correct answer:" in html  # correct answers are shown after a pass
    with course_site.app.app_context():
        attempts = session().query(QuizAttempt).all()
        assert len(attempts) == 1 and attempts[0].passed
        assert str(attempts[0].percent) == "100.00"


def test_unanswered_questions_are_confirmed_first(course_site: Site, learner) -> None:
    finish_lessons(course_site, learner)
    attempt_url = start(course_site, learner)
    token = csrf_token(learner, course_site.url(attempt_url))
    response = learner.post(course_site.url(attempt_url + "/submit"),
                            data={"csrf_token": token, "q-months": "6"})
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "Some questions have no answer" in html
    assert html.count("#question-") == 4
    # The answer given was saved before asking.
    page = learner.get(course_site.url(attempt_url)).get_data(as_text=True)
    assert 'name="q-months" id="q-months" value="6"' in page
    done = learner.post(course_site.url(attempt_url + "/submit"),
                        data={"csrf_token": token, "confirm": "yes"})
    result = learner.get(done.headers["Location"]).get_data(as_text=True)
    assert "20%" in result and "Not answered" in result


def test_autosave_keeps_answers_across_a_reload(course_site: Site, learner) -> None:
    finish_lessons(course_site, learner)
    attempt_url = start(course_site, learner)
    token = csrf_token(learner, course_site.url(attempt_url))
    saved = learner.post(course_site.url(attempt_url + "/save"),
                         data={"csrf_token": token, "q-profile-is-presence": "false"},
                         headers={"X-Requested-With": "fetch"})
    assert saved.get_json() == {"saved": True}
    html = learner.get(course_site.url(attempt_url)).get_data(as_text=True)
    assert 'value="false" checked' in html
    no_token = learner.post(course_site.url(attempt_url + "/save"), data={})
    assert no_token.status_code == 400


def test_answers_after_the_deadline_are_not_counted(course_site: Site, learner) -> None:
    finish_lessons(course_site, learner)
    attempt_url = start(course_site, learner)
    token = csrf_token(learner, course_site.url(attempt_url))
    learner.post(course_site.url(attempt_url + "/save"),
                 data={"csrf_token": token, "q-months": "6"})
    with course_site.app.app_context():
        session().execute(update(QuizAttempt).values(
            deadline_at=utcnow() - timedelta(minutes=5)))
        session().commit()
    late = learner.post(course_site.url(attempt_url + "/submit"),
                        data={"csrf_token": token, "q-profile-is-presence": "false",
                              "confirm": "yes"})
    result = learner.get(late.headers["Location"]).get_data(as_text=True)
    assert "20%" in result  # only the answer saved before the deadline counts
    assert learner.post(course_site.url(attempt_url + "/save"),
                        data={"csrf_token": token, "q-months": "5"}).status_code == 409


def test_attempt_limit_cooldown_and_no_retake(course_site: Site, content_root: Path,
                                              learner) -> None:
    path = content_root / QUIZ_FILE
    path.write_text(path.read_text().replace("attempts: 3", "attempts: 2")
                    .replace("no_retake_after_pass: false", "no_retake_after_pass: true")
                    + "cooldown_minutes: 30\n")
    finish_lessons(course_site, learner)

    def fail_once() -> None:
        url = start(course_site, learner)
        token = csrf_token(learner, course_site.url(url))
        learner.post(course_site.url(url + "/submit"), data={"csrf_token": token,
                                                              "confirm": "yes"})

    token = csrf_token(learner, course_site.url(QUIZ))  # while the page still has a form
    fail_once()
    html = learner.get(course_site.url(QUIZ)).get_data(as_text=True)
    assert "You can try again from" in html and "1 left" in html
    refused = learner.post(course_site.url(QUIZ + "start"), data={"csrf_token": token})
    assert refused.headers["Location"].endswith(QUIZ)
    with course_site.app.app_context():  # the cooldown passes
        session().execute(update(QuizAttempt).values(
            finished_at=utcnow() - timedelta(hours=1)))
        session().commit()
    fail_once()
    html = learner.get(course_site.url(QUIZ)).get_data(as_text=True)
    assert "You have used all your attempts" in html
    with course_site.app.app_context():
        assert session().query(QuizAttempt).count() == 2


def test_another_learners_attempt_is_not_found(course_site: Site, learner) -> None:
    finish_lessons(course_site, learner)
    attempt_url = start(course_site, learner)
    other = course_site.trainer_client()
    for suffix in ("", "/result"):
        assert other.get(course_site.url(attempt_url + suffix)).status_code == 404
    token = csrf_token(other, course_site.url(LESSON))
    assert other.post(course_site.url(attempt_url + "/submit"),
                      data={"csrf_token": token}).status_code == 404


@pytest.mark.parametrize(("setting", "shown", "hidden"), [
    ("score: never", [], ["%"]),
    ("right_wrong: never", ["20%"], ["Not right", "Not answered"]),
    ("feedback: never", ["20%"], ["About half a year."]),
    ("correct_answers: after_submit", ["Correct answer:"], []),
])
def test_review_policy(course_site: Site, content_root: Path, learner, setting: str,
                       shown: list[str], hidden: list[str]) -> None:
    path = content_root / QUIZ_FILE
    key = setting.split(":")[0]
    text = re.sub(rf"  {key}: \w+", f"  {setting}", path.read_text())
    path.write_text(text)
    finish_lessons(course_site, learner)
    url = start(course_site, learner)
    token = csrf_token(learner, course_site.url(url))
    done = learner.post(course_site.url(url + "/submit"),
                        data={"csrf_token": token, "q-months": "6", "confirm": "yes"})
    html = learner.get(done.headers["Location"]).get_data(as_text=True)
    body = html.split("<h1>", 1)[1].split("Back to the quiz")[0]
    for text in shown:
        assert text in body, text
    for text in hidden:
        assert text not in body, text


def in_parallel(fn, count: int) -> None:
    """Run `fn` in `count` threads at once and wait for all of them."""
    threads = [threading.Thread(target=fn) for _ in range(count)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)


def test_parallel_starts_create_one_attempt(course_site: Site, learner) -> None:
    finish_lessons(course_site, learner)
    token = csrf_token(learner, course_site.url(QUIZ))
    cookies = {c.key: c.value for c in learner._cookies.values()}
    locations: list[str] = []

    def go() -> None:
        client = course_site.client()
        for key, value in cookies.items():
            client.set_cookie(key, value)
        locations.append(client.post(course_site.url(QUIZ + "start"),
                                     data={"csrf_token": token}).headers["Location"])

    in_parallel(go, 8)
    assert len(locations) == 8 and len(set(locations)) == 1
    with course_site.app.app_context():
        assert session().query(QuizAttempt).count() == 1


def test_parallel_submits_grade_once(course_site: Site, learner) -> None:
    from course import signals

    finish_lessons(course_site, learner)
    attempt_url = start(course_site, learner)
    token = csrf_token(learner, course_site.url(attempt_url))
    cookies = {c.key: c.value for c in learner._cookies.values()}
    graded: list[dict] = []
    codes: list[int] = []

    def go() -> None:
        client = course_site.client()
        for key, value in cookies.items():
            client.set_cookie(key, value)
        codes.append(client.post(course_site.url(attempt_url + "/submit"),
                                 data={"csrf_token": token, "q-months": "6",
                                       "confirm": "yes"}).status_code)

    with signals.quiz_submitted.connected_to(lambda s, **k: graded.append(k), course_site.app):
        in_parallel(go, 8)
    assert codes == [302] * 8
    assert len(graded) == 1
    with course_site.app.app_context():
        [attempt] = session().query(QuizAttempt).all()
        assert attempt.state == "finished" and str(attempt.percent) == "20.00"


def test_factor_profile_shows_best_scores_as_chart_and_table(course_site: Site,
                                                             learner) -> None:
    finish_lessons(course_site, learner)
    course = course_site.url("/courses/social-divide/")
    html = learner.get(course).get_data(as_text=True)
    assert "Your factor profile" in html and "not taken" in html
    for answers in ({"q-months": "6"}, None):  # a weak attempt, then a perfect one
        url = start(course_site, learner)
        page = learner.get(course_site.url(url)).get_data(as_text=True)
        data = answers if answers is not None else right_answers(page)
        token = csrf_token(learner, course_site.url(url))
        learner.post(course_site.url(url + "/submit"),
                     data={"csrf_token": token, "confirm": "yes", **data})
    for page in (course, course_site.url("/my-learning")):
        html = learner.get(page).get_data(as_text=True)
        row = re.search(r'<tr><th scope="row">Social Graph &amp; Presence</th>.*?</tr>', html)
        assert row and "100%" in row.group(0) and "Passed" in row.group(0)
        assert '<svg class="profile-chart"' in html and 'role="img"' in html


def test_trainers_see_statistics_and_download_csv(course_site: Site, content_root: Path,
                                                  learner) -> None:
    path = content_root / QUIZ_FILE
    path.write_text(path.read_text().replace(
        '    text: "About how many months', '    text: "=HYPERLINK(1) About how many months'))
    finish_lessons(course_site, learner)
    url = start(course_site, learner)
    token = csrf_token(learner, course_site.url(url))
    learner.post(course_site.url(url + "/submit"),
                 data={"csrf_token": token, "q-months": "6", "confirm": "yes"})
    stats_url = course_site.url(QUIZ + "statistics")
    assert learner.get(stats_url).status_code == 403
    trainer = course_site.trainer_client()
    html = trainer.get(stats_url).get_data(as_text=True)
    assert "Only 1 attempt so far" in html and "Counting each learner's first attempt" in html
    assert re.search(r"<td>1</td>\s*<td>100%</td>", html)  # the months question, answered right
    home = trainer.get(course_site.url("/trainer/")).get_data(as_text=True)
    assert "Quiz statistics" in home
    csv = trainer.get(stats_url + ".csv")
    assert csv.mimetype == "text/csv"
    assert "attachment;" in csv.headers["Content-Disposition"]
    text = csv.get_data(as_text=True)
    assert text.startswith("question,type,text,attempts")
    assert "'=HYPERLINK(1)" in text and ",=HYPERLINK" not in text


def _state(site: Site) -> tuple[str, object]:
    with site.app.app_context():
        row = session().scalars(select(QuizAttempt)).one()
        return row.state, row.percent


def test_a_get_never_grades_an_attempt(course_site: Site, learner) -> None:
    """A link or an image pointing at an attempt's URLs spends nothing (hardening, item 2)."""
    finish_lessons(course_site, learner)
    attempt_url = start(course_site, learner)
    for path in ("/finish", "/submit", "", "/result"):  # within its time
        learner.get(course_site.url(attempt_url + path))
    assert _state(course_site) == ("in_progress", None)
    with course_site.app.app_context():  # the deadline passes
        session().execute(update(QuizAttempt).values(deadline_at=utcnow() - timedelta(minutes=5)))
        session().commit()
    for path in ("/finish", "", "/result"):
        learner.get(course_site.url(attempt_url + path))
    learner.get(course_site.url(QUIZ))
    assert _state(course_site) == ("in_progress", None)  # pages show it, nothing grades it
    page = learner.get(course_site.url(attempt_url)).get_data(as_text=True)
    assert "has run out" in page and "Grade my saved answers" in page
    assert "has run out" in learner.get(course_site.url(QUIZ)).get_data(as_text=True)


def test_finishing_by_post_grades_only_after_the_deadline(course_site: Site, learner) -> None:
    finish_lessons(course_site, learner)
    attempt_url = start(course_site, learner)
    token = csrf_token(learner, course_site.url(attempt_url))
    learner.post(course_site.url(attempt_url + "/save"),
                 data={"csrf_token": token, "q-months": "6"})
    early = learner.post(course_site.url(attempt_url + "/finish"), data={"csrf_token": token})
    assert early.status_code == 302 and _state(course_site) == ("in_progress", None)
    assert learner.post(course_site.url(attempt_url + "/finish"), data={}).status_code == 302
    assert _state(course_site) == ("in_progress", None)  # no token, nothing closed
    with course_site.app.app_context():
        session().execute(update(QuizAttempt).values(deadline_at=utcnow() - timedelta(minutes=5)))
        session().commit()
    late = learner.post(course_site.url(attempt_url + "/finish"), data={"csrf_token": token})
    assert late.headers["Location"].endswith(attempt_url + "/result")
    state, percent = _state(course_site)
    assert state == "finished" and percent == 20  # what was saved in time counts


def test_starting_again_grades_an_expired_attempt_first(course_site: Site, learner) -> None:
    """Start with an attempt out of time: it is graded and announced like a submit (the
    learner sees its result), then the next start begins a new attempt."""
    from course import signals

    finish_lessons(course_site, learner)
    attempt_url = start(course_site, learner)
    with course_site.app.app_context():
        session().execute(update(QuizAttempt).values(deadline_at=utcnow() - timedelta(minutes=5)))
        session().commit()
    token = csrf_token(learner, course_site.url(QUIZ))
    graded = []
    with signals.quiz_submitted.connected_to(lambda s, **k: graded.append(k),
                                             course_site.app):
        response = learner.post(course_site.url(QUIZ + "start"), data={"csrf_token": token})
    assert response.headers["Location"].endswith(attempt_url + "/result")
    assert len(graded) == 1 and graded[0]["passed"] is False
    second = start(course_site, learner)
    assert second != attempt_url
    with course_site.app.app_context():
        states = [a.state for a in session().scalars(select(QuizAttempt)
                                                     .order_by(QuizAttempt.number))]
    assert states == ["finished", "in_progress"]


def test_scores_show_as_whole_percentages_never_rounded_up(course_site: Site, learner) -> None:
    """79.99% is a fail, so no page may show it as 80%."""
    from decimal import Decimal

    finish_lessons(course_site, learner)
    attempt_url = start(course_site, learner)
    token = csrf_token(learner, course_site.url(attempt_url))
    learner.post(course_site.url(attempt_url + "/submit"), data={"csrf_token": token,
                                                                 "confirm": "yes"})
    with course_site.app.app_context():
        session().execute(update(QuizAttempt).values(percent=Decimal("79.99"), passed=False))
        session().commit()
    for page in (QUIZ, attempt_url + "/result"):
        html = learner.get(course_site.url(page)).get_data(as_text=True)
        assert "79%" in html and "79.99" not in html and "80%<" not in html, page
