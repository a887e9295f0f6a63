"""Faults: a worker killed in the middle of a quiz submission, a PDF renderer that fails, a
PostgreSQL server that stops and comes back. Nothing is lost or doubled, the user sees a clear
page, and the app recovers by itself."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, func, select, text

from course import create_app, signals
from course.certificates.models import Certificate
from course.certificates.render import CertificateRenderer, CertificateRenderError
from course.db import session
from course.migrate import upgrade
from course.quizzes.models import QuizAttempt
from tests.certificates.test_issue_verify import finish_last_lesson, nearly_done
from tests.conftest import TEST_SECRET, Site, csrf_token, free_port, sample_module_lessons
from tests.production.conftest import Browser, Gunicorn, start_gunicorn, stop

QUIZ = "/courses/social-divide/quizzes/social-graph-presence/"
LESSONS = sample_module_lessons("social-graph-presence")
def learner_in_a_quiz(server: Gunicorn) -> tuple[Browser, str]:
    """Register, finish the module's lessons, start the quiz: returns the attempt's path."""
    browser = Browser(server.url)
    token = browser.token("/account/register")
    browser.open("/account/register", {"csrf_token": token, "display_name": "Kim Killed",
                                       "email": "kim@example.com",
                                       "password": "correct horse battery",
                                       "confirm": "correct horse battery"})
    for lesson in LESSONS:
        path = f"/courses/social-divide/lessons/{lesson}"
        browser.open(path + "/complete", {"csrf_token": browser.token(path)})
    status, url, _ = browser.open(QUIZ + "start", {"csrf_token": browser.token(QUIZ)})
    assert status == 200 and "/attempts/" in url, (status, url)
    return browser, urllib.parse.urlsplit(url).path


def hold_the_write_lock(server: Gunicorn, attempt_id: int):  # noqa: ANN201
    """Block writes to the attempt from outside the app, as a slow disk or a long transaction
    would: SQLite's write lock, or PostgreSQL's row lock."""
    url = server.env["COURSE_DATABASE_URL"]
    engine = create_engine(url)
    connection = engine.connect()
    if url.startswith("sqlite"):
        connection.exec_driver_sql("BEGIN IMMEDIATE")
    else:
        connection.begin()
        connection.execute(text("SELECT id FROM course_quiz_attempt WHERE id = :id FOR UPDATE"),
                           {"id": attempt_id})
    return engine, connection


def attempts(server: Gunicorn) -> list[tuple[str, object]]:
    engine = create_engine(server.env["COURSE_DATABASE_URL"])
    with engine.connect() as connection:
        rows = connection.execute(select(QuizAttempt.state, QuizAttempt.percent)).all()
    engine.dispose()
    return [tuple(r) for r in rows]


@pytest.fixture
def one_worker(tmp_path: Path, db_url: str) -> Iterator[Gunicorn]:
    server = start_gunicorn(tmp_path, db_url, workers=1, COURSE_RATELIMIT_LOGIN="1000/minute")
    yield server
    stop(server)


def test_a_worker_killed_mid_submission_loses_nothing_and_grades_once(
        one_worker: Gunicorn) -> None:
    server = one_worker
    browser, attempt_path = learner_in_a_quiz(server)
    attempt_id = int(attempt_path.rsplit("/", 1)[1])
    token = browser.token(attempt_path)
    answers = {"csrf_token": token, "confirm": "yes"}
    engine, lock = hold_the_write_lock(server, attempt_id)
    outcome: dict[str, object] = {}

    def submit() -> None:
        try:
            outcome["first"] = browser.open(attempt_path + "/submit", answers, timeout=20)
        except OSError as exc:  # the connection dies with the worker
            outcome["first"] = exc

    thread = threading.Thread(target=submit)
    thread.start()
    time.sleep(1.5)  # the worker is inside the submission, waiting on the lock
    [worker] = server.worker_pids()
    os.kill(worker, signal.SIGKILL)
    thread.join(20)
    lock.rollback()
    lock.close()
    engine.dispose()
    assert isinstance(outcome["first"], OSError) or outcome["first"][0] >= 500
    assert attempts(server) == [("in_progress", None)]  # no partial write survived
    deadline = time.monotonic() + 30  # gunicorn starts a new worker
    while time.monotonic() < deadline and server.worker_pids() in ([], [worker]):
        time.sleep(0.2)
    for _ in range(2):  # the learner submits again (twice, impatiently): graded once
        status, url, _ = browser.open(attempt_path + "/submit", answers)
        assert status == 200 and url.endswith("/result"), (status, url)
    [(state, percent)] = attempts(server)
    assert state == "finished" and percent is not None


def test_a_failing_renderer_shows_a_clean_page_and_issues_on_the_next_try(
        course_site: Site, monkeypatch: pytest.MonkeyPatch) -> None:
    site = course_site
    client = site.logged_in_client()
    nearly_done(site, client)

    def broken(self, *args, **kwargs):  # noqa: ANN001, ANN002, ANN003, ANN202
        raise CertificateRenderError("the renderer is down")

    working = CertificateRenderer.render
    monkeypatch.setattr(CertificateRenderer, "render", broken)
    finish_last_lesson(site, client)  # the lesson is saved; the certificate fails
    page = client.get(site.url("/courses/social-divide/")).get_data(as_text=True)
    assert "could not be produced just now" in page
    page = client.get(site.url("/certificates/")).get_data(as_text=True)
    assert "Issue my certificate" in page  # a page view issues nothing: the learner asks
    token = csrf_token(client, site.url("/certificates/"))
    mine = client.post(site.url("/certificates/issue"), data={"csrf_token": token})
    assert mine.status_code == 503
    assert "Your certificate could not be produced just now" in mine.get_data(as_text=True)
    with site.app.app_context():
        assert session().scalar(select(func.count()).select_from(Certificate)) == 0
    monkeypatch.setattr(CertificateRenderer, "render", working)
    announced: list[str] = []
    with signals.certificate_issued.connected_to(
            lambda sender, **event: announced.append(event["code"]), site.app):
        client.post(site.url("/certificates/issue"), data={"csrf_token": token})
        client.post(site.url("/certificates/issue"), data={"csrf_token": token})  # nothing more
        again = client.get(site.url("/certificates/"))
    assert again.status_code == 200 and "Download the PDF" in again.get_data(as_text=True)
    assert "Issue my certificate" not in again.get_data(as_text=True)
    assert len(announced) == 1  # issued on the retry like any other: signal, email, notice
    with site.app.app_context():
        assert session().scalar(select(func.count()).select_from(Certificate)) == 1


# ------------------------------------------------------------------ PostgreSQL restarts
PG_BIN = next(iter(sorted(Path("/usr/lib/postgresql").glob("*/bin"))), None) if Path(
    "/usr/lib/postgresql").is_dir() else None


@pytest.fixture
def own_postgres() -> Iterator[tuple[str, callable, callable]]:
    """A PostgreSQL server of this test's own on a spare loopback port (as the postgres user
    when run as root), with start and stop."""
    if PG_BIN is None or not (PG_BIN / "initdb").exists():
        pytest.skip("PostgreSQL server binaries are not installed")
    as_user = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
    tmp_path = Path(tempfile.mkdtemp(prefix="course-pg-"))  # reachable by the postgres user
    data = tmp_path / "pgdata"
    sockets = tmp_path / "pgsock"
    for folder in (data, sockets):
        folder.mkdir()
    if as_user:
        for folder in (tmp_path, data, sockets):
            shutil.chown(folder, "postgres")
    subprocess.run([*as_user, str(PG_BIN / "initdb"), "-D", str(data), "-A", "trust",
                    "-U", "postgres"], check=True, capture_output=True)
    port = free_port()
    options = f"-p {port} -k {sockets} -c listen_addresses=127.0.0.1"

    def start() -> None:
        subprocess.run([*as_user, str(PG_BIN / "pg_ctl"), "-D", str(data), "-o", options,
                        "-w", "-l", str(tmp_path / "pg.log"), "start"], check=True,
                       capture_output=True)

    def halt() -> None:
        subprocess.run([*as_user, str(PG_BIN / "pg_ctl"), "-D", str(data), "-m", "fast",
                        "-w", "stop"], check=True, capture_output=True)

    start()
    try:
        yield f"postgresql+psycopg://postgres@127.0.0.1:{port}/postgres", start, halt
    finally:
        subprocess.run([*as_user, str(PG_BIN / "pg_ctl"), "-D", str(data), "-m", "immediate",
                        "stop"], capture_output=True)
        shutil.rmtree(tmp_path, ignore_errors=True)


def test_the_app_survives_a_postgresql_restart(own_postgres, tmp_path: Path) -> None:
    url, start, halt = own_postgres
    engine = create_engine(url)
    upgrade(engine)
    engine.dispose()
    app = create_app({"TESTING": True, "SECRET_KEY": TEST_SECRET,
                      "SQLALCHEMY_DATABASE_URI": url}, instance_path=tmp_path / "instance")
    client = app.test_client()
    needs_the_database = "/verify/" + "A" * 27  # a look-up in the certificate table
    assert client.get(needs_the_database).status_code == 404
    assert client.get("/readyz").status_code == 200
    halt()
    page = client.get(needs_the_database)
    assert page.status_code == 503
    assert "briefly unavailable" in page.get_data(as_text=True)
    assert client.get("/readyz").status_code == 503
    assert client.get("/catalogue").status_code == 200  # the loaded content still serves
    start()
    assert client.get(needs_the_database).status_code == 404  # same app, no restart
    assert client.get("/readyz").get_json()["status"] == "ready"
    with app.app_context():
        app.extensions["course"].db.engine.dispose()
