"""Practice inside lessons, through HTTP, standalone and mounted, on each database: feedback with
its reason, retries, answers kept privately and never graded, and graded draws that avoid
practised (and, at renewal, already seen) questions. The fixture course refers to its bank by id."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from flask.testing import FlaskClient
from sqlalchemy import Engine, event, func, select

from course.db import session
from course.quizzes import services
from course.quizzes.models import PracticeAnswer, QuizAttempt
from tests.conftest import Site, csrf_token, register

ROOT = Path(__file__).parent / "practice_root"
COURSE = "/courses/practice-course"
LESSON = COURSE + "/lessons/first"
QUIZ = COURSE + "/quizzes/one/"


@pytest.fixture
def practice_site(site: Site) -> Site:
    site.app.config["COURSE_CONTENT_ROOT"] = str(ROOT)
    return site


@pytest.fixture
def learner(practice_site: Site) -> FlaskClient:
    return practice_site.logged_in_client()


def other_learner(site: Site) -> FlaskClient:
    """A second learner (Ada in the host app)."""
    client = site.client()
    if site.mode == "host":
        client.post("/login", data={"email": "ada@host.example"})
    else:
        register(client, email="other@example.com", name="Otto Other")
    return client


def positions(html: str, question: str) -> dict[str, str]:
    """The labels of a practice question's options -> the values the form posts."""
    return {label: value for value, label in re.findall(
        rf'name="q-{question}" id="practice-{question}-[a-z0-9]+" value="([a-z0-9]+)"[^>]*>'
        r'<label for="[^"]+">([^<]+)</label>', html)}


def answer(site: Site, client: FlaskClient, question: str, data: dict, *, js: bool = False):
    token = csrf_token(client, site.url(LESSON))
    headers = {"X-Requested-With": "fetch"} if js else {}
    return client.post(site.url(f"{COURSE}/practice/first/{question}"),
                       data={"csrf_token": token, **data}, headers=headers)


def choose(site: Site, client: FlaskClient, question: str, *labels: str, js: bool = False):
    shown = positions(client.get(site.url(LESSON)).get_data(as_text=True), question)
    return answer(site, client, question, {f"q-{question}": [shown[x] for x in labels]}, js=js)


def stored(site: Site) -> list[PracticeAnswer]:
    with site.app.app_context():
        return list(session().scalars(select(PracticeAnswer).order_by(PracticeAnswer.id)))


def test_the_lesson_shows_its_practice_without_the_answer_key(practice_site: Site,
                                                              learner) -> None:
    html = learner.get(practice_site.url(LESSON)).get_data(as_text=True)
    assert "Check yourself" in html and "Check your understanding" in html
    assert html.count("Practice · not graded") == 2
    for text in ("Alpha: which option is right?", "Beta: which options are right?",
                 "A customer complains in public", "Only the marketing team should answer"):
        assert f"<legend>{text}" in html, text
    assert set(positions(html, "alpha")) == {"Alpha right", "Alpha wrong"}
    assert set(positions(html, "inline-listen")) == {"True", "False"}
    for secret in ("this is the one", "first is right", "Answering in public shows",
                   "the people who can solve", "weight", "correct"):
        assert secret not in html, secret
    assert "practice-slot" not in html  # every placeholder was filled
    assert 'src="' + practice_site.url("/static/course/practice.js") in html
    assert 'role="status" aria-live="polite"' in html and "<fieldset" in html
    assert stored(practice_site) == []  # looking is not answering


def test_a_right_answer_without_javascript_comes_back_with_its_reason(practice_site: Site,
                                                                      learner) -> None:
    response = choose(practice_site, learner, "inline-reply",
                      "Thank them, apologise and offer to sort it out in a direct message")
    assert response.status_code == 302
    assert response.headers["Location"] == practice_site.url(LESSON) + "#practice-inline-reply"
    html = learner.get(response.headers["Location"]).get_data(as_text=True)
    block = html[html.index('id="practice-inline-reply"'):]
    block = block[:block.index("</form>")]
    assert "Right." in block and "Answering in public shows others you listen" in block
    assert "checked" in block and "Checked 1 time" in block
    [row] = stored(practice_site)
    assert (row.question, row.lesson, row.module, row.bank, row.correct) == (
        "inline-reply", "first", "one", False, True)


def test_a_wrong_answer_explains_why_and_the_learner_can_retry(practice_site: Site,
                                                               learner) -> None:
    choose(practice_site, learner, "inline-listen", "True")
    html = learner.get(practice_site.url(LESSON)).get_data(as_text=True)
    assert "Not quite. Try again." in html
    assert "Customers want the person who can help" in html
    choose(practice_site, learner, "inline-listen", "False")
    html = learner.get(practice_site.url(LESSON)).get_data(as_text=True)
    assert "the people who can solve the problem should answer" in html
    assert "Customers want the person" not in html and "Checked 2 times" in html
    assert [(r.response, r.correct) for r in stored(practice_site)] == [(True, False),
                                                                        (False, True)]


def test_partly_right_multiple_response_shows_the_feedback_of_each_choice(
        practice_site: Site, learner) -> None:
    choose(practice_site, learner, "beta", "Beta first", "Beta third")
    html = learner.get(practice_site.url(LESSON)).get_data(as_text=True)
    assert "Not quite. Try again." in html  # 50 - 50 = 0
    assert "Beta: first is right." in html and "Beta: third is wrong." in html
    choose(practice_site, learner, "beta", "Beta first")
    assert "Partly right. Try again." in learner.get(
        practice_site.url(LESSON)).get_data(as_text=True)


def test_with_javascript_the_answer_comes_back_as_the_updated_question(practice_site: Site,
                                                                       learner) -> None:
    response = choose(practice_site, learner, "alpha", "Alpha wrong", js=True)
    assert response.status_code == 200 and response.is_json
    data = response.get_json()
    assert data["right"] is False
    assert "Alpha: not this one." in data["html"] and 'id="practice-alpha-feedback"' in data[
        "html"]
    again = choose(practice_site, learner, "alpha", "Alpha right", js=True).get_json()
    assert again["right"] is True and "Checked 2 times" in again["html"]


def test_no_answer_is_asked_for_and_nothing_is_stored(practice_site: Site, learner) -> None:
    response = answer(practice_site, learner, "alpha", {})
    assert response.status_code == 302 and "unanswered=alpha" in response.headers["Location"]
    html = learner.get(response.headers["Location"]).get_data(as_text=True)
    assert "Choose an answer, then check it." in html
    js = answer(practice_site, learner, "beta", {"q-beta-seen": "1"}, js=True)
    assert js.status_code == 422 and "Choose an answer" in js.get_json()["error"]
    assert stored(practice_site) == []


def test_a_missing_token_loses_nothing_and_stores_nothing(practice_site: Site,
                                                          learner) -> None:
    url = practice_site.url(f"{COURSE}/practice/first/alpha")
    assert learner.post(url, data={"q-alpha": "0"}).status_code == 302
    js = learner.post(url, data={"q-alpha": "0"}, headers={"X-Requested-With": "fetch"})
    assert js.status_code == 400 and "expired" in js.get_json()["error"]
    assert stored(practice_site) == []


def test_unknown_questions_and_lessons_are_not_found(practice_site: Site, learner) -> None:
    token = csrf_token(learner, practice_site.url(LESSON))
    for path in ("/practice/first/gamma", "/practice/second/alpha", "/practice/nope/alpha"):
        assert learner.post(practice_site.url(COURSE + path),
                            data={"csrf_token": token}).status_code == 404, path
    assert practice_site.client().post(  # a visitor is sent to log in first
        practice_site.url(COURSE + "/practice/first/alpha")).status_code in (302, 401)


def test_another_learner_never_sees_my_answers(practice_site: Site, learner) -> None:
    choose(practice_site, learner, "alpha", "Alpha wrong")
    mine = learner.get(practice_site.url(COURSE + "/practice/")).get_data(as_text=True)
    assert "Alpha: which option is right?" in mine and "Alpha wrong" in mine
    assert "Not quite" in mine
    other = other_learner(practice_site)
    lesson = other.get(practice_site.url(LESSON)).get_data(as_text=True)
    assert "Alpha: not this one." not in lesson and "Checked 1 time" not in lesson
    theirs = other.get(practice_site.url(COURSE + "/practice/")).get_data(as_text=True)
    assert "Alpha wrong" not in theirs and "not answered any practice questions" in theirs


def finish_lessons(site: Site, client: FlaskClient) -> None:
    token = csrf_token(client, site.url(LESSON))
    for lesson in ("first", "second"):
        client.post(site.url(f"{COURSE}/lessons/{lesson}/complete"), data={"csrf_token": token})


def start_attempt(site: Site, client: FlaskClient, statements: list[str] | None = None
                  ) -> set[str]:
    """Start an attempt; its questions' ids. `statements` collects the SQL the start ran."""
    token = csrf_token(client, site.url(QUIZ))

    def record(conn, cursor, statement, *args) -> None:  # noqa: ANN001
        statements.append(statement)

    if statements is not None:
        event.listen(Engine, "before_cursor_execute", record)
    try:
        response = client.post(site.url(QUIZ + "start"), data={"csrf_token": token})
    finally:
        if statements is not None:
            event.remove(Engine, "before_cursor_execute", record)
    assert response.status_code == 302, response.get_data(as_text=True)
    attempt_id = int(re.search(r"/attempts/(\d+)", response.headers["Location"]).group(1))
    with site.app.app_context():
        return {q["id"] for q in session().get(QuizAttempt, attempt_id).shown}


def test_practice_never_counts_toward_grade_or_certificate(practice_site: Site,
                                                           learner) -> None:
    from course.certificates.services import eligibility

    app = practice_site.app

    def standing() -> tuple:
        with app.app_context():
            content = app.extensions["course"].content()
            info = content.course("practice-course")
            quiz = content.quizzes[("practice-course", "one")]
            user_id = session().scalar(select(PracticeAnswer.user_id)) or ""
            found = eligibility(session(), user_id, info, content.quizzes)
            return services.status(session(), user_id, quiz).grade, found.eligible, \
                found.missing, found.scores

    finish_lessons(practice_site, learner)
    choose(practice_site, learner, "inline-reply",
           "Thank them, apologise and offer to sort it out in a direct message")
    before = standing()
    for question, label in (("alpha", "Alpha right"), ("beta", "Beta first"),
                            ("inline-listen", "False"), ("alpha", "Alpha wrong")):
        choose(practice_site, learner, question, label)
    assert standing() == before == (None, False, ["Module one: pass the quiz"], {})
    page = learner.get(practice_site.url(QUIZ)).get_data(as_text=True)
    assert "Your grade:" not in page
    with app.app_context():
        assert session().scalar(select(func.count()).select_from(QuizAttempt)) == 0


def test_the_graded_draw_avoids_questions_practised_in_lessons(practice_site: Site,
                                                               learner) -> None:
    choose(practice_site, learner, "alpha", "Alpha right")
    choose(practice_site, learner, "beta", "Beta first")
    choose(practice_site, learner, "inline-listen", "False")  # inline: not in the bank
    finish_lessons(practice_site, learner)
    statements: list[str] = []
    assert start_attempt(practice_site, learner, statements) == {"gamma", "delta"}
    assert len([s for s in statements if "FROM course_practice_answer" in s]) == 1
    assert not [s for s in statements if s.lstrip().startswith("SELECT course_quiz_attempt.shown")]
    other = other_learner(practice_site)  # someone who did not practise draws from all four
    finish_lessons(practice_site, other)
    assert len(start_attempt(practice_site, other)) == 2


def test_a_renewal_round_draws_questions_not_seen_before(practice_site: Site,
                                                         learner) -> None:
    finish_lessons(practice_site, learner)
    first = start_attempt(practice_site, learner)
    with practice_site.app.app_context():
        db = session()
        attempt = db.scalar(select(QuizAttempt))
        services.finish(db, attempt, {})
        services.start_round(db, attempt.user_id, "practice-course", "renewal")
        db.commit()
    statements: list[str] = []
    second = start_attempt(practice_site, learner, statements)
    assert len(second) == 2 and not first & second
    assert len([s for s in statements if s.lstrip().startswith(  # one look at what was seen
        "SELECT course_quiz_attempt.shown")]) == 1


def test_my_practice_answers_are_in_my_data_and_go_with_my_account(practice_site: Site,
                                                                   learner) -> None:
    choose(practice_site, learner, "alpha", "Alpha wrong")
    data = learner.get(practice_site.url("/privacy/my-data.json")).get_json(force=True)
    assert [(a["lesson"], a["question"], a["correct"]) for a in data["practice_answers"]] == [
        ("first", "alpha", False)]
    token = csrf_token(learner, practice_site.url("/privacy/"))
    assert learner.post(practice_site.url("/privacy/close"),
                        data={"csrf_token": token, "confirm": "CLOSE"}).status_code == 302
    assert stored(practice_site) == []


def test_practice_in_a_locked_module_is_refused(site: Site, tmp_path: Path) -> None:
    root = tmp_path / "content"
    shutil.copytree(ROOT, root)
    manifest = root / "lessons/practice-course/course.yaml"
    manifest.write_text(manifest.read_text() + "  - {slug: two, title: \"Module two\"}\n"
                        "sequential: true\n")
    (root / "lessons/practice-course/02-two").mkdir()
    (root / "lessons/practice-course/02-two/01-later.md").write_text(
        '---\ntitle: "Later"\nsummary: "S"\n---\n\nWords.\n\n```practice\nquestions:\n'
        '  - {id: later, type: truefalse, text: "Later?", answer: true}\n```\n')
    site.app.config["COURSE_CONTENT_ROOT"] = str(root)
    client = site.logged_in_client()
    token = csrf_token(client, site.url(LESSON))
    url = site.url(COURSE + "/practice/later/later")
    assert client.post(url, data={"csrf_token": token, "q-later": "true"}).status_code == 403
    finish_lessons(site, client)
    assert client.post(url, data={"csrf_token": token, "q-later": "true"}).status_code == 302
    assert [r.question for r in stored(site)] == ["later"]


def test_the_trainers_content_problems_page_names_a_bad_block(site: Site,
                                                              tmp_path: Path) -> None:
    root = tmp_path / "content"
    shutil.copytree(ROOT, root)
    lesson = root / "lessons/practice-course/01-one/01-first.md"
    lesson.write_text(lesson.read_text().replace("  - beta\n", "  - no-such-question\n"))
    site.app.config["COURSE_CONTENT_ROOT"] = str(root)
    html = site.trainer_client().get(site.url("/trainer/")).get_data(as_text=True)
    assert "lessons/practice-course/01-one/01-first.md:12" in html
    assert "no question &#39;no-such-question&#39; in the module&#39;s quiz" in html


def test_a_question_of_an_open_attempt_cannot_be_practised(practice_site: Site,
                                                           learner) -> None:
    """Checking a bank question in a lesson while it sits in the learner's open graded attempt
    would hand out its key during the quiz: refused, nothing stored."""
    finish_lessons(practice_site, learner)
    shown = start_attempt(practice_site, learner)
    question = next(iter(sorted(shown & {"alpha", "beta"})), None)
    if question is None:  # the draw took neither question the lesson practises: make it so
        question = "alpha"
        with practice_site.app.app_context():
            attempt = session().scalars(select(QuizAttempt)).one()
            attempt.shown = [{**attempt.shown[0], "id": "alpha"}, *attempt.shown[1:]]
            session().commit()
    html = learner.get(practice_site.url(LESSON)).get_data(as_text=True)
    label = next(iter(positions(html, question)))
    refused = choose(practice_site, learner, question, label, js=True)
    assert refused.status_code == 409 and "finish the quiz first" in refused.get_json()["error"]
    assert "right" not in refused.get_json()
    assert stored(practice_site) == []
