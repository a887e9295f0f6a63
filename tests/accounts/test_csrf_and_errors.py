"""CSRF on every state-changing route, the token's lifetime, look-up limits, the 500 page."""

from __future__ import annotations

import time

import pytest
from flask import Flask, session
from itsdangerous import TimestampSigner, URLSafeTimedSerializer

from course.web import csrf_valid
from tests.conftest import TEST_SECRET, csrf_token, login, register

PASSWORD = "correct horse battery"


def test_every_post_route_refuses_a_missing_csrf_token(standalone_app: Flask) -> None:
    client = standalone_app.test_client()
    register(client, email="lea@example.com")
    standalone_app.test_cli_runner().invoke(
        args=["course", "create-user", "root@example.com", "--role", "admin"],
        input=PASSWORD + "\n")
    admin = standalone_app.test_client()
    login(admin, "root@example.com", PASSWORD)
    post_rules = [r for r in standalone_app.url_map.iter_rules() if "POST" in r.methods]
    assert len(post_rules) >= 7  # login, logout, register, password, forgot, reset, user, ...
    for rule in post_rules:
        url = rule.rule.replace("<token>", "x").replace("<int:user_id>", "2")
        for who in (client, admin):
            response = who.post(url, data={"email": "lea@example.com", "password": PASSWORD,
                                           "role": "admin", "active": "y"})
            assert response.status_code != 302 or response.headers["Location"].startswith(
                "/account/login"), f"{url} accepted a POST without a CSRF token"
    # Nothing changed: lea is still a learner and logged in, the admin still an admin.
    assert client.get("/account/").status_code == 200
    assert "Learner" in client.get("/account/").get_data(as_text=True)


def test_csrf_token_outlives_an_hour_but_not_the_configured_limit(
        standalone_app: Flask, monkeypatch: pytest.MonkeyPatch) -> None:
    register(standalone_app.test_client(), email="lea@example.com")
    real = TimestampSigner.get_timestamp

    def log_in_with_a_form_loaded(seconds_ago: int):
        client = standalone_app.test_client()
        monkeypatch.setattr(TimestampSigner, "get_timestamp",
                            lambda self: int(time.time()) - seconds_ago)
        token = csrf_token(client, "/account/login")
        monkeypatch.setattr(TimestampSigner, "get_timestamp", real)
        return client.post("/account/login", data={"csrf_token": token, "password": PASSWORD,
                                                   "email": "lea@example.com"})

    # A long quiz: the form was loaded two hours ago, past Flask-WTF's one-hour default.
    assert log_in_with_a_form_loaded(2 * 3600).status_code == 302
    stale = log_in_with_a_form_loaded(5 * 3600)  # past COURSE_CSRF_TIME_LIMIT (4 h)
    assert stale.status_code == 200
    assert "The form had expired" in stale.get_data(as_text=True)


def test_a_token_found_valid_is_still_bound_to_its_session_and_its_time_limit(
        standalone_app: Flask, monkeypatch: pytest.MonkeyPatch) -> None:
    """A quiz post reuses the answer for a token it checked before (the signature is not
    checked twice): the answer stays that of a full check, for another session, a changed
    token and a token past its limit."""
    standalone_app.config["COURSE_CSRF_TIME_LIMIT"] = 60
    raw = "r" * 40
    token = URLSafeTimedSerializer(TEST_SECRET, salt="wtf-csrf-token").dumps(raw)

    def valid(token: str, raw: str) -> bool:
        with standalone_app.test_request_context("/", method="POST",
                                                 data={"csrf_token": token}):
            session["csrf_token"] = raw
            return csrf_valid()

    assert valid(token, raw) and valid(token, raw)
    assert not valid(token, "s" * 40)  # another session's
    assert not valid(token[:-2] + ("AA" if token[-2:] != "AA" else "BB"), raw)
    later = time.time() + 61
    monkeypatch.setattr(time, "time", lambda: later)
    assert not valid(token, raw)
    with standalone_app.test_request_context("/", method="POST", json={"csrf_token": [token]}):
        session["csrf_token"] = raw  # a JSON body's token that is no text: refused, no error
        assert not csrf_valid()


def test_reset_link_look_ups_are_rate_limited(make_app) -> None:
    app = make_app(COURSE_RATELIMIT_LOGIN="3/minute")
    client = app.test_client()
    codes = [client.get(f"/account/reset/guess{i}").status_code for i in range(4)]
    assert codes == [404, 404, 404, 429]


def test_an_unexpected_error_shows_the_500_page(make_app) -> None:
    app = make_app(PROPAGATE_EXCEPTIONS=False)

    def broken() -> str:
        raise RuntimeError("boom")

    app.view_functions["course.lessons.catalogue"] = broken
    response = app.test_client().get("/catalogue")
    html = response.get_data(as_text=True)
    assert response.status_code == 500
    assert "Something went wrong on our side" in html and "boom" not in html
    assert response.headers["Content-Security-Policy"]
