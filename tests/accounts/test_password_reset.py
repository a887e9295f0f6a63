"""Password reset through a real SMTP server: emailed, expiring, single-use, same answer for all."""

from __future__ import annotations

import re
from datetime import timedelta

from flask import Flask
from sqlalchemy import update

from course.accounts.models import PasswordReset
from course.db import session
from tests.conftest import Mailbox, login, register, submit

PASSWORD = "correct horse battery"
NEW = "my new passphrase 42"
LINK_RE = re.compile(r"http://localhost(/account/reset/[A-Za-z0-9_\-]+)")


def _request_reset(app: Flask, email: str):
    return submit(app.test_client(), "/account/forgot", {"email": email})


def _link(mailbox: Mailbox) -> str:
    [message] = mailbox.wait_for(1)
    body = message.get_payload(decode=True).decode()
    match = LINK_RE.search(body)
    assert match, body
    return match.group(1)


def test_reset_link_is_emailed_and_works_once(standalone_app: Flask, mailbox: Mailbox) -> None:
    register(standalone_app.test_client(), email="lea@example.com", name="Lea")
    response = _request_reset(standalone_app, "LEA@example.com")
    assert response.status_code == 302
    [message] = mailbox.wait_for(1)
    assert message["To"] == "lea@example.com"
    assert "choose a new password" in message["Subject"]
    path = _link(mailbox)

    client = standalone_app.test_client()
    response = submit(client, path, {"password": NEW, "confirm": NEW})
    assert response.status_code == 302
    assert login(standalone_app.test_client(), "lea@example.com", NEW).status_code == 302
    assert login(standalone_app.test_client(), "lea@example.com", PASSWORD).status_code == 401
    # Single use: the same link is dead now.
    again = standalone_app.test_client().get(path)
    assert again.status_code == 404
    assert "not valid any more" in again.get_data(as_text=True)


def test_unknown_address_gets_the_same_answer_and_no_email(standalone_app: Flask,
                                                           mailbox: Mailbox) -> None:
    register(standalone_app.test_client(), email="lea@example.com")
    known = _request_reset(standalone_app, "lea@example.com")
    unknown = _request_reset(standalone_app, "nobody@example.com")
    assert known.status_code == unknown.status_code == 302
    assert known.headers["Location"] == unknown.headers["Location"]
    standalone_app.extensions["course"].tasks.join_all()
    assert [m["To"] for m in mailbox.messages] == ["lea@example.com"]


def test_expired_link_is_refused(standalone_app: Flask, mailbox: Mailbox) -> None:
    register(standalone_app.test_client(), email="lea@example.com")
    _request_reset(standalone_app, "lea@example.com")
    path = _link(mailbox)
    with standalone_app.app_context():
        reset = session().query(PasswordReset).one()
        session().execute(update(PasswordReset).values(
            expires_at=reset.created_at - timedelta(seconds=1)))
        session().commit()
    client = standalone_app.test_client()
    assert client.get(path).status_code == 404
    response = client.post(path, data={"password": NEW, "confirm": NEW})
    assert response.status_code == 404
    assert login(standalone_app.test_client(), "lea@example.com", PASSWORD).status_code == 302


def test_made_up_token_is_refused(standalone_app: Flask) -> None:
    assert standalone_app.test_client().get("/account/reset/abc").status_code == 404


def test_reset_ends_existing_sessions(standalone_app: Flask, mailbox: Mailbox) -> None:
    register(standalone_app.test_client(), email="lea@example.com")
    old = standalone_app.test_client()
    login(old, "lea@example.com", PASSWORD, remember=True)
    _request_reset(standalone_app, "lea@example.com")
    submit(standalone_app.test_client(), _link(mailbox), {"password": NEW, "confirm": NEW})
    assert old.get("/account/").status_code == 302


def test_bad_new_password_re_renders_and_keeps_the_link_usable(standalone_app: Flask,
                                                              mailbox: Mailbox) -> None:
    register(standalone_app.test_client(), email="lea@example.com")
    _request_reset(standalone_app, "lea@example.com")
    path = _link(mailbox)
    client = standalone_app.test_client()
    response = submit(client, path, {"password": "short", "confirm": "short"})
    assert response.status_code == 400
    assert "at least 10 characters" in response.get_data(as_text=True)
    assert submit(client, path, {"password": NEW, "confirm": NEW}).status_code == 302


def test_without_mail_server_the_message_goes_to_the_log(make_app, caplog) -> None:
    app = make_app()
    register(app.test_client(), email="lea@example.com")
    with caplog.at_level("INFO", logger="course.mail"):
        submit(app.test_client(), "/account/forgot", {"email": "lea@example.com"})
        app.extensions["course"].tasks.join_all()
    assert "/account/reset/" in caplog.text
