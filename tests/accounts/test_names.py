"""A name of only spaces or invisible characters is refused at every input, and where a host
gives no usable name the pages and certificates say "Learner", never an email address."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from flask import Flask
from flask_login import UserMixin, login_user

from course import CoursePlugin
from course.accounts.models import User
from course.certificates.models import Certificate
from course.db import session
from course.orgs.roster import parse_roster
from tests.certificates.test_issue_verify import finish_last_lesson, nearly_done
from tests.conftest import Site, submit
from tests.orgs.fixtures import Orgs
from tests.orgs.test_enrolment import upload
from tests.test_cli import run
from tests.test_plugin_contract import bare_host

BLANK_NAMES = ["   ", "\u200b\u200c\u200d", "\u202e\u200f\u2066", "\u00a0\u00a0", "\x07\x1b",
               "\u3164\u2800", "\ufeff \u2060"]
PASSWORD = "correct horse battery"


@pytest.mark.parametrize("name", BLANK_NAMES)
def test_registration_refuses_a_name_with_nothing_visible(standalone_app: Flask,
                                                          name: str) -> None:
    response = submit(standalone_app.test_client(), "/account/register", {
        "display_name": name, "email": "lea@example.com", "password": PASSWORD,
        "confirm": PASSWORD})
    assert response.status_code == 400
    assert "at least one letter or digit" in response.get_data(as_text=True)
    with standalone_app.app_context():
        assert session().query(User).count() == 0


def test_a_name_is_stored_without_its_invisible_characters(standalone_app: Flask) -> None:
    submit(standalone_app.test_client(), "/account/register", {
        "display_name": "\u202eAda\u200b\u00a0 Lovelace ", "email": "ada@example.com",
        "password": PASSWORD, "confirm": PASSWORD})
    with standalone_app.app_context():
        assert session().query(User).one().display_name == "Ada Lovelace"


def test_create_user_refuses_a_blank_name(standalone_app: Flask) -> None:
    result = run(standalone_app, "create-user", "max@example.com", "--name", "\u200b \u200f",
                 stdin="a long enough password\n")
    assert result.exit_code == 1 and "at least one letter or digit" in result.output


def test_a_staff_list_with_a_blank_name_is_refused_with_its_line(orgs: Orgs) -> None:
    data = "email,name\nana@example.com,Ana Lima\nben@example.com,\u200b\u00a0\u200b\n"
    _, problems = parse_roster(data.encode())
    assert [(p.line, p.reason) for p in problems] == [
        (3, "the name has no letters or digits, only spaces or invisible characters")]
    page = upload(orgs.manager(), orgs.site, data).get_data(as_text=True)
    assert "Line 3: the name has no letters or digits" in page


class Person(UserMixin):
    """A host's user with an email address and no name at all."""

    def __init__(self, email: str) -> None:
        self.id = self.email = email


@pytest.fixture
def nameless_host(db_url: str, content_root: Path) -> Site:
    """A host app with no display_name hook, whose users have only an email address."""
    app, db = bare_host(db_url, COURSE_CONTENT_ROOT=str(content_root))
    app.login_manager.user_loader(Person)

    @app.route("/login/<email>")
    def login_as(email: str) -> str:
        login_user(Person(email))
        return "ok"

    CoursePlugin(app, db=db)
    yield Site(app, "host", "/course")
    app.extensions["course"].tasks.join_all()
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def test_a_host_user_without_a_name_is_a_learner_never_an_email(nameless_host: Site) -> None:
    site = nameless_host
    client = site.client()
    client.get("/login/zed@host.example")
    page = client.get(site.url("/catalogue")).get_data(as_text=True)
    assert "zed@host.example" not in page and "Learner" in page
    nearly_done(site, client)
    finish_last_lesson(site, client)
    with site.app.app_context():
        [certificate] = session().query(Certificate).all()
        assert certificate.name == "Learner"
        code = certificate.code
    verify = site.client().get(site.url(f"/verify/{code}")).get_data(as_text=True)
    assert "zed@host.example" not in verify and re.search(r"\bLearner\b", verify)
