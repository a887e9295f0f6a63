"""Argon2id, timing, rate limits (in memory and shared through Redis), headers, secret key."""

from __future__ import annotations

import os
import re
import secrets

import pytest
from flask import Flask

from course import CourseConfigError
from course.accounts.models import User
from course.db import session
from tests.conftest import login, register, submit

PASSWORD = "correct horse battery"


def test_passwords_are_hashed_with_argon2id_at_owasp_strength(standalone_app: Flask) -> None:
    register(standalone_app.test_client(), email="lea@example.com")
    with standalone_app.app_context():
        stored = session().query(User).one().password_hash
    assert stored.startswith("$argon2id$")
    params = dict(p.split("=") for p in stored.split("$")[3].split(","))
    assert int(params["m"]) >= 19456 and int(params["t"]) >= 2
    assert PASSWORD not in stored


def test_unknown_account_costs_as_much_as_a_wrong_password(make_app, monkeypatch) -> None:
    """A log-in to an address with no account runs one Argon2id verification with the same
    parameters as a wrong password for a real account, so its answer takes as long (Argon2's
    cost is its parameters). Counted, not timed: a timing ratio flakes on a busy machine."""
    from argon2 import PasswordHasher

    app = make_app(COURSE_RATELIMIT_LOGIN="1000/minute")
    register(app.test_client(), email="lea@example.com")
    verified: list[str] = []
    real = PasswordHasher.verify

    def verify(self, stored, password):  # noqa: ANN001, ANN202
        verified.append(stored.rsplit("$", 2)[0])  # the algorithm, version and parameters
        return real(self, stored, password)

    monkeypatch.setattr(PasswordHasher, "verify", verify)
    costs = {}
    for email in ("lea@example.com", "nobody@example.com"):
        verified.clear()
        assert login(app.test_client(), email, "wrong password!!").status_code == 401
        costs[email] = list(verified)
    assert len(costs["lea@example.com"]) == 1 and costs["lea@example.com"][0].startswith(
        "$argon2id$")
    assert costs["nobody@example.com"] == costs["lea@example.com"]


def test_login_is_rate_limited_per_address(make_app) -> None:
    app = make_app(COURSE_RATELIMIT_LOGIN="3/minute")
    register(app.test_client(), email="lea@example.com")
    client = app.test_client()
    codes = [login(client, f"user{i}@example.com", "wrong password!!").status_code
             for i in range(4)]
    assert codes == [401, 401, 401, 429]
    # Even the right password is refused while the limit holds.
    assert login(client, "lea@example.com", PASSWORD).status_code == 429


def test_login_is_rate_limited_per_account_across_addresses(make_app) -> None:
    app = make_app(COURSE_RATELIMIT_LOGIN="3/minute")
    codes = []
    for i in range(4):
        client = app.test_client()
        client.environ_base["REMOTE_ADDR"] = f"10.0.0.{i + 1}"
        codes.append(login(client, "lea@example.com", "wrong password!!").status_code)
    assert codes == [401, 401, 401, 429]


def test_registration_and_reset_are_rate_limited(make_app) -> None:
    app = make_app(COURSE_RATELIMIT_REGISTER="2/hour",
                                       COURSE_RATELIMIT_RESET="2/hour")
    client = app.test_client()
    codes = [submit(client, "/account/register",
                    {"display_name": "X", "email": f"x{i}@example.com", "password": PASSWORD,
                     "confirm": PASSWORD}).status_code for i in range(3)]
    assert codes == [302, 302, 429]
    codes = [submit(client, "/account/forgot", {"email": "x@example.com"}).status_code
             for _ in range(3)]
    assert codes == [302, 302, 429]
    app.extensions["course"].tasks.join_all()


REDIS_URL = os.environ.get("COURSE_TEST_REDIS_URL")


@pytest.mark.skipif(not REDIS_URL, reason="COURSE_TEST_REDIS_URL is not set (scripts/test sets it "
                    "when Redis answers at 127.0.0.1:6379)")
def test_redis_storage_shares_limits_between_processes(make_app) -> None:
    """Two app instances (as two worker processes would be) count against one limit."""
    import uuid

    db = 1 + uuid.uuid4().int % 14  # a Redis database of its own, emptied first
    workers = [make_app(instance=str(i), COURSE_RATELIMIT_LOGIN="4/minute",
                        COURSE_RATELIMIT_STORAGE_URL=f"{REDIS_URL}/{db}")
               for i in range(2)]
    with workers[0].app_context():
        workers[0].extensions["course"].limiter().reset()
    codes = [login(workers[i % 2].test_client(), "lea@example.com", "wrong password!!")
             .status_code for i in range(5)]
    assert codes == [401, 401, 401, 401, 429]
    with workers[0].app_context():
        workers[0].extensions["course"].limiter().reset()


def test_security_headers_on_every_page(standalone_app: Flask) -> None:
    client = standalone_app.test_client()
    for path in ("/catalogue", "/account/login", "/no-such-page"):
        headers = client.get(path).headers
        csp = headers["Content-Security-Policy"]
        assert "frame-ancestors 'none'" in csp and "script-src 'self'" in csp
        assert "unsafe-inline" not in csp
        assert headers["X-Content-Type-Options"] == "nosniff"
        assert headers["Referrer-Policy"]


def test_pages_have_no_inline_scripts_or_styles(standalone_app: Flask) -> None:
    client = standalone_app.test_client()
    register(client)
    for path in ("/catalogue", "/account/", "/account/password"):
        html = client.get(path).get_data(as_text=True)
        assert not re.search(r"<script(?![^>]*\bsrc=)", html), path  # files only, never inline
        assert "style=" not in html and "<style" not in html


@pytest.mark.parametrize("secret", [None, "", "dev", "changeme", "a" * 64])
def test_refuses_to_start_without_a_strong_secret(make_app, secret) -> None:
    with pytest.raises(CourseConfigError, match="SECRET_KEY"):
        make_app(raw={"SECRET_KEY": secret})


def test_starts_with_a_strong_secret_or_in_debug(make_app) -> None:
    strong = secrets.token_urlsafe(24)  # 32 characters of its own (a key written here is public)
    assert make_app(raw={"SECRET_KEY": strong})
    assert make_app(raw={"DEBUG": True}, instance="debug")


def test_secret_is_read_from_the_instance_folder(make_app, tmp_path) -> None:
    (tmp_path / "instance").mkdir()
    key = secrets.token_urlsafe(32)
    (tmp_path / "instance" / "secret_key").write_text(key + "\n")
    app = make_app(raw={})
    assert app.config["SECRET_KEY"] == key


def test_the_plugins_headers_never_replace_one_already_set_in_any_case() -> None:
    """A header a view or host already set, in whatever letter case, is kept; the rest are
    added once."""
    from werkzeug.wrappers import Response

    from course.headers import add_missing

    response = Response("x", headers=[("x-frame-options", "SAMEORIGIN"), ("Vary", "Cookie")])
    add_missing(response, [("X-Frame-Options", "DENY"), ("Referrer-Policy", "no-referrer"),
                           ("VARY", "Accept")])
    assert response.headers.getlist("X-Frame-Options") == ["SAMEORIGIN"]
    assert response.headers.getlist("Vary") == ["Cookie"]
    assert response.headers.getlist("Referrer-Policy") == ["no-referrer"]
