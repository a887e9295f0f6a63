"""The worked example of docs/integrating.md (examples/hostapp) runs as documented: its own
migrations and the course's through its CLI, its pages, its own registration and log-in, and a
lesson under /learning in its own base template. On SQLite and PostgreSQL."""

from __future__ import annotations

import os
import re
import secrets
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask

from tests.conftest import _finish, csrf_token

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "hostapp"


def flask(env: dict[str, str], *args: str) -> str:
    result = subprocess.run([sys.executable, "-m", "flask", "--app", "learning_host", *args],
                            cwd=EXAMPLE, env=env, capture_output=True, text=True, timeout=180)
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout + result.stderr


@pytest.fixture
def example(empty_db_url: str) -> Iterator[Flask]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("FLASK_")}
    env.update(SECRET_KEY=secrets.token_urlsafe(48), DATABASE_URL=empty_db_url,
               BASE_URL="http://localhost",
               PYTHONPATH=os.pathsep.join([str(EXAMPLE), str(ROOT)]))
    # The deploy steps of the guide: the host's migrations, then the course's.
    flask(env, "db", "upgrade")
    assert "database at revision" in flask(env, "course", "db", "upgrade")
    # The host's Flask-Migrate sees the course's tables and plans nothing for them.
    assert "No new upgrade operations detected" in flask(env, "db", "check")
    sys.path.insert(0, str(EXAMPLE))
    try:
        import learning_host

        os.environ.setdefault("SECRET_KEY", env["SECRET_KEY"])
        app = learning_host.create_app({"SECRET_KEY": env["SECRET_KEY"], "TESTING": True,
                                        "SQLALCHEMY_DATABASE_URI": empty_db_url,
                                        "COURSE_BASE_URL": "http://localhost"})
        yield app
        _finish(app)
    finally:
        sys.path.remove(str(EXAMPLE))


def test_the_example_app_runs_the_course_under_learning(example: Flask) -> None:
    client = example.test_client()
    home = client.get("/").get_data(as_text=True)
    assert "Welcome to the intranet" in home and 'href="/learning/"' in home
    # A visitor opening the course's own pages is sent to the intranet's log-in.
    mine = client.get("/learning/my-learning")
    assert mine.status_code == 302 and mine.headers["Location"].startswith("/login")
    token = csrf_token(client, "/register")
    registered = client.post("/register", data={
        "csrf_token": token, "name": "Rita Reader", "email": "rita@intranet.example",
        "password": "a long enough password"})
    assert registered.status_code == 302
    catalogue = client.get("/learning/catalogue")
    page = catalogue.get_data(as_text=True)
    assert catalogue.status_code == 200
    assert "<title>Catalogue" in page and "· Intranet</title>" in page  # the host's base
    assert 'aria-label="Intranet"' in page  # the intranet's own navigation
    course = re.search(r'href="(/learning/courses/[^"/]+/)"', page).group(1)
    overview = client.get(course).get_data(as_text=True)
    lesson = re.search(r'href="(/learning/courses/[^"]+/lessons/[^"]+)"', overview).group(1)
    opened = client.get(lesson)
    assert opened.status_code == 200
    assert "Rita Reader" in opened.get_data(as_text=True)
    # Log out and back in through the intranet's own log-in, which returns to the lesson.
    client.post("/logout", data={"csrf_token": csrf_token(client, "/")})
    back = client.get(lesson)
    assert back.status_code == 302 and "/login" in back.headers["Location"]
    login_page = back.headers["Location"]
    token = csrf_token(client, login_page)
    again = client.post(login_page, data={"csrf_token": token,
                                          "email": "rita@intranet.example",
                                          "password": "a long enough password"})
    assert again.status_code == 302 and again.headers["Location"] == lesson
    assert client.get(lesson).status_code == 200
