"""Sessions end when idle too long and at an absolute lifetime, remember-me included; with secure
cookies the cookies are `__Host-` prefixed. Time is moved by hand, never slept."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from flask import Flask

from course.db import utcnow
from tests.conftest import login, register

PASSWORD = "correct horse battery"


class Clock:
    """The accounts' clock, moved forward by the test."""

    def __init__(self) -> None:
        self.now: datetime = utcnow()

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    clock = Clock()
    monkeypatch.setattr("course.accounts.login.utcnow", clock)
    return clock


def signed_in(app: Flask, remember: bool = False):
    register(app.test_client(), email="lea@example.com")
    client = app.test_client()
    assert login(client, "lea@example.com", PASSWORD, remember=remember).status_code == 302
    return client


def test_an_idle_session_ends(make_app, clock: Clock) -> None:
    app = make_app(COURSE_SESSION_IDLE_MINUTES=30)
    client = signed_in(app)
    for _ in range(4):  # in use: every request restarts the idle clock
        clock.advance(minutes=29)
        assert client.get("/account/").status_code == 200
    clock.advance(minutes=31)
    response = client.get("/account/")
    assert response.status_code == 302 and "/account/login" in response.headers["Location"]
    assert client.get("/account/").status_code == 302  # and it stays ended


def test_a_session_ends_at_its_absolute_lifetime_however_busy(make_app, clock: Clock) -> None:
    app = make_app(COURSE_SESSION_MAX_HOURS=2, COURSE_SESSION_IDLE_MINUTES=30)
    client = signed_in(app)
    for _ in range(4):
        clock.advance(minutes=29)
        assert client.get("/account/").status_code == 200
    clock.advance(minutes=10)  # 2 h 6 min after signing in, 10 min after the last request
    assert client.get("/account/").status_code == 302


def test_remember_me_outlives_idleness_but_not_the_absolute_lifetime(make_app,
                                                                      clock: Clock) -> None:
    app = make_app(COURSE_SESSION_MAX_HOURS=48, COURSE_SESSION_IDLE_MINUTES=30)
    client = signed_in(app, remember=True)
    remember = client.get_cookie("remember_token").value
    lifetime = client.get_cookie("remember_token").expires - datetime.now(
        client.get_cookie("remember_token").expires.tzinfo)
    assert timedelta(hours=47) < lifetime <= timedelta(hours=48)  # not the 14 days
    clock.advance(hours=3)
    assert client.get("/account/").status_code == 200  # signed back in by the cookie
    clock.advance(hours=46)
    assert client.get("/account/").status_code == 302
    thief = app.test_client()  # the cookie copied elsewhere is just as dead
    thief.set_cookie("remember_token", remember)
    assert thief.get("/account/").status_code == 302


def test_a_fresh_sign_in_starts_a_fresh_lifetime(make_app, clock: Clock) -> None:
    app = make_app(COURSE_SESSION_MAX_HOURS=1)
    client = signed_in(app)
    clock.advance(minutes=61)
    assert client.get("/account/").status_code == 302
    assert login(client, "lea@example.com", PASSWORD).status_code == 302
    assert client.get("/account/").status_code == 200


@pytest.mark.parametrize("setting", [{"COURSE_SECURE_COOKIES": True},
                                     {"SESSION_COOKIE_SECURE": True}])
def test_secure_cookies_are_host_prefixed(make_app, setting: dict) -> None:
    app = make_app(**setting)
    https = {"base_url": "https://localhost"}
    register(app.test_client(), email="lea@example.com", **https)
    client = app.test_client()
    response = login(client, "lea@example.com", PASSWORD, remember=True, **https)
    assert response.status_code == 302
    cookies = {h.split("=", 1)[0]: h for h in response.headers.getlist("Set-Cookie")}
    assert set(cookies) == {"__Host-session", "__Host-remember_token"}
    for header in cookies.values():
        parts = [p.strip().lower() for p in header.split(";")]
        assert "secure" in parts and "path=/" in parts
        assert not any(p.startswith("domain=") for p in parts)
    assert client.get("/account/", **https).status_code == 200


def test_the_session_cookie_is_written_uncompressed_and_old_ones_still_read(make_app) -> None:
    from flask.sessions import SecureCookieSessionInterface

    app = make_app()
    client = signed_in(app)
    cookie = client.get_cookie("session").value
    assert not cookie.startswith(".")  # no zlib payload to inflate on every request
    ours = app.session_interface.get_signing_serializer(app)
    payload = ours.loads(cookie)
    assert payload["_user_id"]
    # A cookie written by Flask's own serializer (compressed, as before this change) still
    # signs the learner in.
    flask_own = SecureCookieSessionInterface().get_signing_serializer(app)
    compressed = flask_own.dumps(payload)
    assert compressed.startswith(".")
    assert ours.loads(compressed) == payload
    client.set_cookie("session", compressed)
    assert client.get("/account/").status_code == 200
    # A large session (messages queued up, say) is compressed as Flask compresses it.
    big = {**payload, "_flashes": [["info", f"Message {n} " + "x" * 60] for n in range(50)]}
    assert ours.dumps(big).startswith(".") and len(ours.dumps(big)) < 1500
    assert ours.loads(ours.dumps(big)) == big
    # Forged or re-keyed cookies are refused as before.
    client.set_cookie("session", cookie[:-2] + ("AA" if not cookie.endswith("AA") else "BB"))
    assert client.get("/account/").status_code == 302
