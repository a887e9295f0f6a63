"""Register, log in and log out on the standalone site, with bad input re-rendered."""

from __future__ import annotations

import logging
import re

import pytest
from flask import Flask

from course.accounts.models import User
from course.db import session
from tests.conftest import Mailbox, login, logout, register, submit


def test_register_logs_in_and_shows_name(standalone_app: Flask) -> None:
    client = standalone_app.test_client()
    response = register(client, email="Ada@Example.com", name="Ada Lovelace")
    assert response.headers["Location"] == "/catalogue"
    page = client.get("/catalogue").get_data(as_text=True)
    assert "Ada Lovelace" in page and "Log out" in page
    with standalone_app.app_context():
        user = session().query(User).one()
        assert user.email == "ada@example.com"
        assert user.role == "learner"


def test_bad_registration_re_renders_with_errors_and_keeps_input(standalone_app: Flask) -> None:
    client = standalone_app.test_client()
    response = submit(client, "/account/register",
                      {"display_name": "Ada", "email": "not-an-email", "password": "short",
                       "confirm": "different"})
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert 'value="Ada"' in html and 'value="not-an-email"' in html
    assert "The two passwords differ." in html
    assert 'role="alert"' in html and 'aria-invalid="true"' in html
    assert 'value="short"' not in html  # passwords are never echoed back


def test_weak_password_is_refused(standalone_app: Flask) -> None:
    client = standalone_app.test_client()
    response = submit(client, "/account/register",
                      {"display_name": "Ada", "email": "ada@example.com",
                       "password": "aaaaaaaaaaaa", "confirm": "aaaaaaaaaaaa"})
    assert response.status_code == 400
    assert "more than three different characters" in response.get_data(as_text=True)


def test_registering_a_taken_address_looks_like_success_and_tells_its_owner(
        standalone_app: Flask, mailbox: Mailbox, caplog: pytest.LogCaptureFixture) -> None:
    """The page must not reveal which addresses have accounts; the owner gets an email."""
    caplog.set_level(logging.INFO, logger="course.security")
    fresh = register(standalone_app.test_client(), email="ada@example.com", name="Ada")
    other = standalone_app.test_client()
    taken = submit(other, "/account/register",
                   {"display_name": "Ada", "email": "ADA@example.com",
                    "password": "another fine password", "confirm": "another fine password"})
    assert taken.status_code == fresh.status_code == 302
    assert taken.headers["Location"] == fresh.headers["Location"]
    assert other.get(taken.headers["Location"]).get_data(as_text=True).count(
        "Welcome, Ada. Your account is ready.") == 1
    [message] = mailbox.wait_for(1)
    body = message.get_payload(decode=True).decode()
    assert message["To"] == "ada@example.com" and "already have an account" in message["Subject"]
    path = re.search(r"http://localhost(/account/reset/\S+)", body).group(1)
    assert standalone_app.test_client().get(path).status_code == 200
    with standalone_app.app_context():
        assert session().query(User).count() == 1
    assert login(standalone_app.test_client(), "ada@example.com",
                 "another fine password").status_code == 401  # nothing was changed
    assert any(getattr(r, "security", {}).get("event") == "register-existing"
               for r in caplog.records)


def test_closed_registration_is_not_found(make_app) -> None:
    app = make_app(COURSE_OPEN_REGISTRATION=False)
    client = app.test_client()
    assert client.get("/account/register").status_code == 404
    assert "Create account" not in client.get("/account/login").get_data(as_text=True)


def test_login_wrong_password_and_unknown_account_get_the_same_answer(
        standalone_app: Flask) -> None:
    register(standalone_app.test_client(), email="known@example.com")
    wrong = login(standalone_app.test_client(), "known@example.com", "wrong password here")
    unknown = login(standalone_app.test_client(), "nobody@example.com", "wrong password here")
    assert wrong.status_code == unknown.status_code == 401

    def message(r):
        return r.get_data(as_text=True).split('<p class="error"')[1].split("</p>")[0]

    assert message(wrong) == message(unknown)
    assert 'value="known@example.com"' in wrong.get_data(as_text=True)


def test_login_then_logout(standalone_app: Flask) -> None:
    register(standalone_app.test_client(), email="lea@example.com")
    client = standalone_app.test_client()
    response = login(client, "lea@example.com", "correct horse battery")
    assert response.status_code == 302
    assert client.get("/account/").status_code == 200
    response = logout(client)
    assert response.status_code == 302
    assert client.get("/account/").status_code == 302  # back to the log-in page


def test_logout_needs_post_with_csrf(standalone_app: Flask) -> None:
    client = standalone_app.test_client()
    register(client)
    assert client.get("/account/logout").status_code == 405
    assert client.post("/account/logout").status_code == 400
    assert client.get("/account/").status_code == 200  # still logged in


def test_login_form_without_csrf_token_does_not_log_in(standalone_app: Flask) -> None:
    register(standalone_app.test_client(), email="lea@example.com")
    client = standalone_app.test_client()
    response = client.post("/account/login",
                           data={"email": "lea@example.com", "password": "correct horse battery"})
    assert response.status_code == 200
    assert "The form had expired" in response.get_data(as_text=True)
    assert client.get("/account/").status_code == 302


def test_account_page_requires_login_and_shows_role(standalone_app: Flask) -> None:
    client = standalone_app.test_client()
    response = client.get("/account/")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/account/login?next=")
    register(client, name="Lea")
    html = client.get("/account/").get_data(as_text=True)
    assert "Learner" in html and "learner@example.com" in html


def test_sign_ups_with_a_taken_address_cannot_flood_its_owner(make_app, mailbox: Mailbox) -> None:
    """Each attempt would email the owner a reset link: the reset limit per account holds."""
    app = make_app(mailbox, COURSE_RATELIMIT_RESET="2/hour")
    register(app.test_client(), email="ada@example.com", name="Ada")
    for _ in range(4):
        submit(app.test_client(), "/account/register",
               {"display_name": "Ada", "email": "ada@example.com",
                "password": "another fine password", "confirm": "another fine password"})
    app.extensions["course"].tasks.join_all()  # every email that was queued has been sent
    assert len(mailbox.wait_for(2)) == 2
