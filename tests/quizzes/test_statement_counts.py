"""What a quiz start and a quiz submit cost in SQL statements, counted over HTTP with
SQLAlchemy's `before_cursor_execute` event, so the cost stays where it is: a submit writes its
answers once and does not re-read them; the certificate check runs only after a pass; a learner
with many attempts pays what a learner with few pays."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import event, insert

from course.db import mark_plain_listener, session, utcnow
from course.quizzes.models import FINISHED, QuizAttempt
from tests.conftest import Site
from tests.quizzes.test_quiz_views import QUIZ, finish_lessons, right_answers

#: The targets of performance.md, on SQLite (PostgreSQL runs the same statements).
START_MAX = 5
SUBMIT_MAX = 4


@contextmanager
def counted(site: Site) -> Iterator[list[str]]:
    """The SQL statements the app's engine runs inside the block."""
    with site.app.app_context():
        engine = site.app.extensions["course"].db.engine
    seen: list[str] = []

    @mark_plain_listener  # the plugin's fast reads are counted too
    def note(conn, cursor, statement, parameters, context, executemany):  # noqa: ANN001, ANN202
        seen.append(" ".join(statement.split()))
        return statement, parameters

    event.listen(engine, "before_cursor_execute", note, retval=True)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", note)


def learner_id(site: Site) -> str:
    with site.app.app_context():
        return session().scalars(QuizAttempt.__table__.select().with_only_columns(
            QuizAttempt.user_id)).first()


def start_counted(site: Site, client) -> tuple[str, list[str]]:  # noqa: ANN001
    page = client.get(site.url(QUIZ)).get_data(as_text=True)
    token = page.split('name="csrf_token"')[1].split('value="')[1].split('"')[0]
    with counted(site) as seen:
        response = client.post(site.url(QUIZ + "start"), data={"csrf_token": token})
    assert response.status_code == 302
    return response.headers["Location"][len(site.prefix):], seen


def submit_counted(site: Site, client, attempt: str, data: dict) -> tuple[object, list[str]]:  # noqa: ANN001
    html = client.get(site.url(attempt)).get_data(as_text=True)
    token = html.split('name="csrf_token"')[1].split('value="')[1].split('"')[0]
    form = {"csrf_token": token, "confirm": "yes", **data}
    with counted(site) as seen:
        response = client.post(site.url(attempt + "/submit"), data=form)
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/result")
    return response, seen


@pytest.fixture
def ready(course_site: Site, content_root):  # noqa: ANN001, ANN201
    """A logged-in learner who finished the module's lessons (the quiz is open, with no limit
    on attempts)."""
    quiz = content_root / "quizzes/social-divide/social-graph-presence.yaml"
    quiz.write_text(quiz.read_text().replace("attempts: 3\n", ""))
    client = course_site.logged_in_client()
    finish_lessons(course_site, client)
    return client


def test_a_start_and_a_failed_submit_stay_within_their_statements(course_site: Site,
                                                                  ready) -> None:  # noqa: ANN001
    attempt, seen = start_counted(course_site, ready)
    assert len(seen) <= START_MAX, "\n".join(seen)
    _, seen = submit_counted(course_site, ready, attempt, {})  # nothing answered: a fail
    assert len(seen) <= SUBMIT_MAX, "\n".join(seen)
    assert not any("course_certificate" in s for s in seen), seen  # no eligibility check
    with course_site.app.app_context():  # graded once, as a fail
        row = session().get(QuizAttempt, int(attempt.rsplit("/", 1)[1]))
        assert row.state == FINISHED and row.passed is False and row.percent == Decimal("0")


#: A column of a quiz attempt that a partial index's condition names (open attempts, passes),
#: compared with a bound parameter: SQLite weighs its partial indexes against the value bound
#: and plans such a statement again on every run (for the start's statement, 15 times the cost
#: of running it).
PLANNED_EVERY_RUN = re.compile(r"\b(state|passed) (=|!=|<>|IN) \(?\?", re.IGNORECASE)


@pytest.mark.parametrize("rules", [
    "", "attempts: 3\n", "attempts: 3\nno_retake_after_pass: true\ncooldown_minutes: 1\n"])
def test_no_read_of_a_start_or_submit_is_planned_again_on_every_run(
        course_site: Site, content_root, rules: str) -> None:  # noqa: ANN001
    quiz = content_root / "quizzes/social-divide/social-graph-presence.yaml"
    text = re.sub(r"(?m)^(attempts|cooldown_minutes|no_retake_after_pass):.*\n", "",
                  quiz.read_text())
    quiz.write_text(text.replace("pass_mark:", rules + "pass_mark:", 1))
    client = course_site.logged_in_client()
    finish_lessons(course_site, client)
    attempt, started = start_counted(course_site, client)
    _, submitted = submit_counted(course_site, client, attempt, {})
    reads = [s for s in started + submitted if s.startswith("SELECT")]
    assert reads and not [s for s in reads if PLANNED_EVERY_RUN.search(s)], reads


def test_a_passing_submit_is_graded_once_and_checks_the_certificate(course_site: Site,
                                                                    ready) -> None:  # noqa: ANN001
    attempt, _ = start_counted(course_site, ready)
    html = ready.get(course_site.url(attempt)).get_data(as_text=True)
    _, seen = submit_counted(course_site, ready, attempt, right_answers(html))
    writes = [s for s in seen if s.startswith("UPDATE course_quiz_attempt")]
    assert len(writes) == 1, seen  # the answers and the grade written together, once
    assert any("course_certificate" in s for s in seen), seen  # a pass may complete the course
    with course_site.app.app_context():
        row = session().get(QuizAttempt, int(attempt.rsplit("/", 1)[1]))
        assert row.state == FINISHED and row.passed


def test_many_earlier_attempts_cost_the_same_statements(course_site: Site,
                                                        ready) -> None:  # noqa: ANN001
    """500 finished attempts on record: start and submit run as many statements as with 1."""
    first, few_start = start_counted(course_site, ready)
    _, few_submit = submit_counted(course_site, ready, first, {})
    user = learner_id(course_site)
    old = utcnow() - timedelta(days=30)
    with course_site.app.app_context():
        session().execute(insert(QuizAttempt), [
            {"user_id": user, "course": "social-divide", "module": "social-graph-presence",
             "number": 2 + n, "quiz_version": "old", "state": FINISHED, "started_at": old,
             "finished_at": old, "shown": [], "responses": {}, "pass_mark": 80,
             "percent": Decimal("10"), "passed": False} for n in range(500)])
        session().commit()
    attempt, many_start = start_counted(course_site, ready)
    assert attempt.rsplit("/", 1)[1] != first.rsplit("/", 1)[1]
    _, many_submit = submit_counted(course_site, ready, attempt, {})
    assert len(many_start) == len(few_start) and len(many_submit) == len(few_submit)


#: A logged-in lesson page: the learner, their progress, the view record; the next step of a
#: lesson in the middle of a module reads no quiz, capstone or certificate.
LESSON_MAX = 4


def test_a_lesson_page_reads_only_what_its_next_step_needs(course_site: Site) -> None:
    from tests.quizzes.test_quiz_views import MODULE_LESSONS

    client = course_site.logged_in_client()
    client.get(course_site.url(MODULE_LESSONS[0]))  # the first visit records it
    with counted(course_site) as seen:
        response = client.get(course_site.url(MODULE_LESSONS[0]))
    assert response.status_code == 200
    assert len(seen) <= LESSON_MAX, seen
    assert not [s for s in seen if "course_quiz" in s or "course_certificate" in s], seen


@contextmanager
def sqlite_steps(site: Site) -> Iterator[list[int]]:
    """The SQLite virtual-machine instructions the app's statements execute inside the block
    (counted by SQLite's progress handler: the same data gives the same count on any machine,
    however loaded, so a scan that grows with the rows shows without a clock)."""
    with site.app.app_context():
        engine = site.app.extensions["course"].db.engine
    steps, touched = [0], []

    def tick() -> int:
        steps[0] += 1
        return 0

    def note(conn, cursor, statement, parameters, context, executemany) -> None:  # noqa: ANN001
        raw = conn.connection.driver_connection
        if raw not in touched:
            raw.set_progress_handler(tick, 1)
            touched.append(raw)

    event.listen(engine, "before_cursor_execute", note)
    try:
        yield steps
    finally:
        event.remove(engine, "before_cursor_execute", note)
        for raw in touched:
            raw.set_progress_handler(None, 1)


def _old_attempts(site: Site, user: str, numbers: range) -> None:
    """Failed attempts from over a year ago, numbered and timed in order."""
    then = utcnow() - timedelta(days=400)
    with site.app.app_context():
        session().execute(insert(QuizAttempt), [
            {"user_id": user, "course": "social-divide", "module": "social-graph-presence",
             "number": n, "quiz_version": "old", "state": FINISHED,
             "started_at": then + timedelta(minutes=n), "finished_at": then + timedelta(minutes=n),
             "shown": [], "responses": {}, "pass_mark": 80, "percent": Decimal("10"),
             "passed": False} for n in numbers])
        session().commit()


def _start_steps(site: Site, client) -> tuple[int, str]:  # noqa: ANN001
    page = client.get(site.url(QUIZ)).get_data(as_text=True)
    token = page.split('name="csrf_token"')[1].split('value="')[1].split('"')[0]
    with sqlite_steps(site) as steps:
        response = client.post(site.url(QUIZ + "start"), data={"csrf_token": token})
    assert response.status_code == 302 and "/attempts/" in response.headers["Location"]
    return steps[0], response.headers["Location"].rsplit("/", 1)[1]


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
def test_a_start_reads_as_much_after_500_attempts_as_after_5(course_site: Site,
                                                             content_root) -> None:  # noqa: ANN001
    """The start's rules read the round's facts by index (the highest number, the open and the
    passed attempts by partial indexes, the latest finished, a capped count), not by walking
    the learner's history: 500 earlier attempts cost the database what 5 cost. The quiz has
    every rule that reads attempts: a limit, a cooldown, no retake after a pass; the learner
    is in a renewal round that began yesterday."""
    from course.quizzes.models import QuizRound

    quiz = content_root / "quizzes/social-divide/social-graph-presence.yaml"
    text = quiz.read_text()
    assert "attempts: 3\n" in text and "no_retake_after_pass: false\n" in text
    quiz.write_text(text.replace("no_retake_after_pass: false\n",
                                 "no_retake_after_pass: true\ncooldown_minutes: 10\n"))
    client = course_site.logged_in_client()
    finish_lessons(course_site, client)
    attempt, _ = start_counted(course_site, client)  # the learner's id, from a first attempt
    user = learner_id(course_site)
    with course_site.app.app_context():
        session().execute(QuizAttempt.__table__.delete())
        session().add(QuizRound(user_id=user, course="social-divide", reason="renewal",
                                started_at=utcnow() - timedelta(days=1)))
        session().commit()
    _old_attempts(course_site, user, range(1, 6))
    few, new = _start_steps(course_site, client)
    with course_site.app.app_context():
        session().execute(QuizAttempt.__table__.delete().where(QuizAttempt.id == int(new)))
        session().commit()
    _old_attempts(course_site, user, range(6, 501))
    many, _ = _start_steps(course_site, client)
    assert many <= few * 1.1, (few, many)


def test_a_quiz_post_reads_its_token_as_a_form_would(course_site: Site, ready) -> None:  # noqa: ANN001
    """The start checks its CSRF token without building a form, from the same places a
    Flask-WTF form reads it: the form fields, or a JSON body when there are none."""
    page = ready.get(course_site.url(QUIZ)).get_data(as_text=True)
    token = page.split('name="csrf_token"')[1].split('value="')[1].split('"')[0]
    refused = ready.post(course_site.url(QUIZ + "start"), json={"csrf_token": token + "x"})
    assert refused.status_code == 302 and "/attempts/" not in refused.headers["Location"]
    assert ready.post(course_site.url(QUIZ + "start"), data={}).headers["Location"] == \
        refused.headers["Location"]  # no token at all: the same refusal
    started = ready.post(course_site.url(QUIZ + "start"), json={"csrf_token": token})
    assert started.status_code == 302 and "/attempts/" in started.headers["Location"]


def test_a_second_start_and_submit_compile_no_sql(course_site: Site, ready) -> None:  # noqa: ANN001
    """Every statement of a quiz start and a graded submit is compiled once and then taken from
    SQLAlchemy's cache (a statement without a cache key is compiled on every use)."""
    with course_site.app.app_context():
        engine = course_site.app.extensions["course"].db.engine
    stats: list[tuple[str, str]] = []
    recording = [False]

    # Not marked plain (it reads the execution context): every statement, the plugin's fast
    # reads included, then goes through SQLAlchemy, in both cycles.
    def note(conn, cursor, statement, parameters, context, executemany) -> None:  # noqa: ANN001
        if recording[0]:
            stats.append((context.cache_hit.name, " ".join(statement.split())[:80]))

    def cycle() -> None:
        attempt, _ = start_counted(course_site, ready)
        html = ready.get(course_site.url(attempt)).get_data(as_text=True)
        submit_counted(course_site, ready, attempt, right_answers(html))

    event.listen(engine, "after_cursor_execute", note)
    try:
        cycle()  # the first compiles
        recording[0] = True
        cycle()
    finally:
        event.remove(engine, "after_cursor_execute", note)
    assert stats and all(hit == "CACHE_HIT" for hit, _ in stats), stats
