"""Sessions and remember-me cookies are revocable; log-in starts clean; next= stays on the site."""

from __future__ import annotations

import pytest
from flask import Flask

from tests.conftest import login, logout, register, submit

PASSWORD = "correct horse battery"


def _cookie(client, name: str) -> str | None:
    cookie = client.get_cookie(name)
    return cookie.value if cookie else None


def test_copied_session_cookie_is_refused_after_logout(standalone_app: Flask) -> None:
    register(standalone_app.test_client(), email="lea@example.com")
    victim = standalone_app.test_client()
    login(victim, "lea@example.com", PASSWORD)
    stolen = _cookie(victim, "session")
    logout(victim)
    thief = standalone_app.test_client()
    thief.set_cookie("session", stolen)
    assert thief.get("/account/").status_code == 302


def test_copied_remember_cookie_is_refused_after_logout(standalone_app: Flask) -> None:
    register(standalone_app.test_client(), email="lea@example.com")
    victim = standalone_app.test_client()
    login(victim, "lea@example.com", PASSWORD, remember=True)
    remember = _cookie(victim, "remember_token")
    assert remember
    # Before logout, the remember cookie alone logs in.
    copy = standalone_app.test_client()
    copy.set_cookie("remember_token", remember)
    assert copy.get("/account/").status_code == 200
    logout(victim)
    thief = standalone_app.test_client()
    thief.set_cookie("remember_token", remember)
    assert thief.get("/account/").status_code == 302


def test_remember_cookie_flags_and_bounded_lifetime(standalone_app: Flask) -> None:
    register(standalone_app.test_client(), email="lea@example.com")
    client = standalone_app.test_client()
    response = login(client, "lea@example.com", PASSWORD, remember=True)
    cookies = [h for h in response.headers.getlist("Set-Cookie")]
    remember = next(c for c in cookies if c.startswith("remember_token="))
    session = next(c for c in cookies if c.startswith("session="))
    assert "HttpOnly" in remember and "SameSite=Lax" in remember
    assert "HttpOnly" in session and "SameSite=Lax" in session
    assert "Secure" not in session  # plain http in tests
    cookie = client.get_cookie("remember_token")
    lifetime = cookie.expires.timestamp() - __import__("time").time()
    assert 13 * 86400 < lifetime <= 14 * 86400 + 60


def test_secure_cookies_setting_marks_cookies_secure(make_app) -> None:
    app = make_app(COURSE_SECURE_COOKIES=True)
    https = {"base_url": "https://localhost"}
    register(app.test_client(), email="lea@example.com", **https)
    response = login(app.test_client(), "lea@example.com", PASSWORD, remember=True, **https)
    assert response.status_code == 302
    for header in response.headers.getlist("Set-Cookie"):
        assert "Secure" in header


def test_session_is_cleared_at_login(standalone_app: Flask) -> None:
    register(standalone_app.test_client(), email="lea@example.com")
    client = standalone_app.test_client()
    with client.session_transaction() as sess:
        sess["planted"] = "by an attacker"
    login(client, "lea@example.com", PASSWORD)
    with client.session_transaction() as sess:
        assert "planted" not in sess
        assert "_user_id" in sess


def test_password_change_ends_other_sessions(standalone_app: Flask) -> None:
    register(standalone_app.test_client(), email="lea@example.com")
    laptop, phone = standalone_app.test_client(), standalone_app.test_client()
    login(laptop, "lea@example.com", PASSWORD)
    login(phone, "lea@example.com", PASSWORD)
    response = submit(laptop, "/account/password",
                      {"current": PASSWORD, "password": "a brand new passphrase",
                       "confirm": "a brand new passphrase"})
    assert response.status_code == 302
    assert laptop.get("/account/").status_code == 200
    assert phone.get("/account/").status_code == 302
    assert login(standalone_app.test_client(), "lea@example.com", PASSWORD).status_code == 401
    assert login(standalone_app.test_client(), "lea@example.com",
                 "a brand new passphrase").status_code == 302


def test_password_change_with_wrong_current_password_is_refused(standalone_app: Flask) -> None:
    client = standalone_app.test_client()
    register(client, email="lea@example.com")
    response = submit(client, "/account/password",
                      {"current": "not my password", "password": "a brand new passphrase",
                       "confirm": "a brand new passphrase"})
    assert response.status_code == 400
    assert "current password is not right" in response.get_data(as_text=True)


@pytest.mark.parametrize("target", [
    "//evil.example", "//evil.example/path", "/\t/evil.example", "/\\evil.example",
    "https://evil.example/", "http:evil.example", "javascript:alert(1)", "evil.example",
    "/%09/evil.example", " //evil.example", "\\\\evil.example",
])
def test_next_never_leaves_the_site(standalone_app: Flask, target: str) -> None:
    register(standalone_app.test_client(), email="lea@example.com")
    client = standalone_app.test_client()
    response = submit(client, "/account/login", {"email": "lea@example.com", "password": PASSWORD},
                      page="/account/login", query_string={"next": target})
    location = response.headers["Location"]
    assert location == "/catalogue" or (location.startswith("/") and not
                                        location.startswith("//")), location
    assert "evil" not in location.split("?")[0].lstrip("/").split("/")[0]


def test_next_to_a_page_of_the_site_is_followed(standalone_app: Flask) -> None:
    register(standalone_app.test_client(), email="lea@example.com")
    client = standalone_app.test_client()
    response = submit(client, "/account/login", {"email": "lea@example.com", "password": PASSWORD},
                      page="/account/login", query_string={"next": "/account/password"})
    assert response.headers["Location"] == "/account/password"


def test_the_signed_in_account_is_read_once_and_changed_through_its_row(
        standalone_app: Flask) -> None:
    """`current_user` is the account as the request began (one select of the columns a page
    needs); any other column comes from its row, and a change goes to the row, never to it."""
    from flask_login import current_user

    from course.accounts.login import SignedIn

    client = standalone_app.test_client()
    register(client, email="lea@example.com", name="Lea Learner")
    with client:
        assert client.get("/account/").status_code == 200
        user = current_user._get_current_object()
        assert isinstance(user, SignedIn)
        assert (user.display_name, user.email, user.course_roles) == (
            "Lea Learner", "lea@example.com", {"learner"})
        assert user.created_at is not None  # not read at first: from the row, on first use
        assert user.record() is user.record() and user.record().email == "lea@example.com"
        with pytest.raises(AttributeError, match=r"current_user\.record\(\)\.display_name"):
            user.display_name = "Someone Else"
    page = client.get("/account/").get_data(as_text=True)
    assert "Lea Learner" in page and "Member since" in page
    submit(client, "/account/name", {"display_name": "Lea Renamed"})
    assert "Lea Renamed" in client.get("/account/").get_data(as_text=True)


def test_a_new_secret_key_ends_the_sessions_signed_with_the_old_one(
        standalone_app: Flask) -> None:
    """The signing serializer is kept between requests, but never past a key change: a
    rotated key refuses the old cookies, and a key kept in SECRET_KEY_FALLBACKS (Flask 3.1)
    still accepts them."""
    from course.compat import FLASK_31

    client = standalone_app.test_client()
    register(client, email="lea@example.com")
    assert client.get("/account/").status_code == 200
    signed = _cookie(client, "session")

    def account_page() -> int:
        browser = standalone_app.test_client()
        browser.set_cookie("session", signed)
        return browser.get("/account/").status_code

    old = standalone_app.secret_key
    standalone_app.secret_key = "a rotated key of 48 random characters, Xq7pL2vN9"
    assert account_page() == 302  # to the log-in page
    if FLASK_31:
        standalone_app.config["SECRET_KEY_FALLBACKS"] = [old]
        assert account_page() == 200
        standalone_app.config["SECRET_KEY_FALLBACKS"] = []
        assert account_page() == 302
    standalone_app.secret_key = old
    assert account_page() == 200


def test_who_is_signed_in_follows_a_log_in_and_a_log_out_within_one_request(
        standalone_app: Flask) -> None:
    from flask_login import login_user, logout_user

    from course.accounts.models import User
    from course.db import session as db_session
    from course.identity import current_display_name, current_roles, current_user_id

    register(standalone_app.test_client(), email="lea@example.com", name="Lea Learner")
    with standalone_app.test_request_context("/catalogue"):
        assert (current_user_id(), current_display_name(), current_roles()) == (
            None, None, set())
        user = db_session().query(User).filter_by(email="lea@example.com").one()
        login_user(user)
        assert (current_user_id(), current_display_name(), current_roles()) == (
            str(user.id), "Lea Learner", {"learner"})
        logout_user()
        assert (current_user_id(), current_display_name(), current_roles()) == (
            None, None, set())
