"""The course inside a host's own layout (issue 18, items 2, 3 and 7), through HTTP: a host whose
base template has Flask-Bootstrap's `title`/`head`/`content` blocks replaces course/layout.html
with the README's short override; its headers, its log-in and log-out views."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask

from course.errors import CourseConfigError
from course.headers import DEFAULT_CSP
from tests.conftest import Site, _finish, csrf_token
from tests.hostapp import Staff, create_host_app, create_host_tables
from tests.hostapp import db as host_db
from tests.hostapp.bootstrap import create_bootstrap_host
from tests.quizzes.test_quiz_views import LESSON, QUIZ, finish_lessons, start

CDN = "http://127.0.0.1:9"


@pytest.fixture
def make_host(db_url: str, content_root: Path) -> Iterator[object]:
    apps: list[Flask] = []

    def make(**config: object) -> Flask:
        app = create_bootstrap_host(db_url, {"COURSE_CONTENT_ROOT": str(content_root),
                                             "HOST_CDN": CDN, **config})
        if not apps:
            create_host_tables(app)
            with app.app_context():
                host_db.session.add_all([Staff(email="ada@host.example", name="Ada Host",
                                               is_trainer=True),
                                         Staff(email="bob@host.example", name="Bob Host")])
                host_db.session.commit()
        apps.append(app)
        return app

    yield make
    for app in apps:
        _finish(app)


def signed_in(app: Flask, email: str = "bob@host.example"):
    client = app.test_client()
    assert client.post("/login", data={"email": email}).status_code == 302
    return client


def title_of(html: str) -> str:
    return re.search(r"<title>(.*?)</title>", html, re.S).group(1).strip()


# ------------------------------------------------------------------ layout contract (item 3)
def test_course_pages_render_inside_the_hosts_bootstrap_base(make_host) -> None:
    app = make_host()
    site = Site(app, "host", "/learning")
    client = signed_in(app)
    finish_lessons(site, client)
    attempt = "/learning" + start(site, client)
    pages = {
        "/learning/catalogue": "Catalogue",
        "/learning" + LESSON: None,
        "/learning" + QUIZ: None,
        attempt: None,
        "/learning/certificates/": "certificates",
    }
    for url, title_word in pages.items():
        response = client.get(url)
        html = response.get_data(as_text=True)
        assert response.status_code == 200, url
        assert '<nav id="host-nav"' in html, url  # the host's own navigation
        assert 'class="site-header"' not in html, url  # not the plugin's layout
        assert 'class="container"><' in html.replace("\n", ""), url
        # The course page's own title fills the host's title block, its content the content
        # block, and its stylesheets and script come through the head block.
        title = title_of(html)
        assert title.endswith(" · Host Corp intranet") and len(title) > 25, (url, title)
        if title_word:
            assert title_word.lower() in title.lower(), (url, title)
        assert re.search(r"<h1[^>]*>\s*\S", html), url
        assert "course/style.css" in html and "course/page.js" in html, url
        assert html.count("<title>") == 1 and html.count("<body>") == 1, url
    lesson = client.get("/learning" + LESSON).get_data(as_text=True)
    assert 'class="lesson' in lesson or "lesson-body" in lesson
    taking = client.get(attempt).get_data(as_text=True)
    assert "<fieldset" in taking and 'type="submit"' in taking


def test_flashes_show_in_the_replacement_layout(make_host) -> None:
    app = make_host()
    client = signed_in(app)
    token = csrf_token(client, "/learning" + LESSON)
    done = client.post("/learning" + LESSON + "/complete", data={"csrf_token": token})
    assert done.status_code == 302
    html = client.get(done.headers["Location"]).get_data(as_text=True)
    assert re.search(r'class="flash flash-success" role="status">“[^”]+” is complete\.', html)
    assert '<nav id="host-nav"' in html


def test_host_pages_can_use_the_nonce_too(make_host) -> None:
    """csp_nonce() is a global: the host's base renders on the host's own pages as well."""
    app = make_host(COURSE_CSP="strict")
    html = app.test_client().get("/").get_data(as_text=True)
    assert re.search(r'<script nonce="[A-Za-z0-9_-]{20,}">', html)


# ------------------------------------------------------------------ headers (item 2)
def test_by_default_the_plugin_pages_take_the_hosts_policy(make_host) -> None:
    app = make_host()
    response = app.test_client().get("/learning/catalogue")
    assert "Content-Security-Policy" not in response.headers  # the host sends none: none
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "SAMEORIGIN"
    assert "Cross-Origin-Opener-Policy" not in response.headers
    host_policy = f"default-src 'self'; script-src 'self' {CDN} 'nonce-{{nonce}}'"
    app.config["HOST_OWN_CSP"] = host_policy
    response = app.test_client().get("/learning/catalogue")
    nonce = re.search(r'<script nonce="([^"]+)"', response.get_data(as_text=True)).group(1)
    assert response.headers["Content-Security-Policy"] == host_policy.replace("{nonce}", nonce)


@pytest.mark.parametrize("policy", ["host", "strict"])
def test_the_hosts_own_header_values_win(make_host, policy: str) -> None:
    app = make_host(COURSE_CSP=policy)

    @app.after_request
    def house_rules(response):
        response.headers["Referrer-Policy"] = "no-referrer"
        response.headers["X-Frame-Options"] = "DENY"
        response.headers.setdefault("Permissions-Policy", "camera=()")
        return response

    headers = app.test_client().get("/learning/catalogue").headers
    assert headers["Referrer-Policy"] == "no-referrer" and headers["X-Frame-Options"] == "DENY"
    assert headers["Permissions-Policy"] == "camera=()"
    assert headers["X-Content-Type-Options"] == "nosniff"  # ours, where the host says nothing


def test_a_host_can_opt_in_to_the_plugin_policy_widened(make_host) -> None:
    app = make_host(COURSE_CSP="strict",
                    COURSE_CSP_EXTRA={"script-src": [CDN], "img-src": "https://img.example"})
    response = app.test_client().get("/learning/catalogue")
    policy = dict(part.strip().split(" ", 1)
                  for part in response.headers["Content-Security-Policy"].split(";"))
    nonce = re.search(r'<script nonce="([^"]+)"', response.get_data(as_text=True)).group(1)
    assert policy["script-src"] == f"'self' {CDN} 'nonce-{nonce}'"
    assert policy["img-src"] == "'self' data: https://img.example"
    assert policy["frame-ancestors"] == "'none'" and policy["object-src"] == "'none'"
    assert "unsafe-inline" not in policy["script-src"]
    assert response.headers["X-Frame-Options"] == "DENY"
    # Each request has its own nonce.
    again = app.test_client().get("/learning/catalogue").headers["Content-Security-Policy"]
    assert f"'nonce-{nonce}'" not in again and "'nonce-" in again


def test_extra_sources_as_one_string_and_unsafe_inline_kept(make_host) -> None:
    app = make_host(COURSE_CSP="strict", COURSE_CSP_EXTRA=(
        f"script-src {CDN}; style-src 'unsafe-inline' https://cdn.example; "
        "frame-ancestors 'self'; upgrade-insecure-requests; worker-src 'self' blob:"))
    response = app.test_client().get("/learning/catalogue")
    policy = response.headers["Content-Security-Policy"]
    # A nonce would switch 'unsafe-inline' off in browsers, so the style directive has none.
    assert "style-src 'self' 'unsafe-inline' https://cdn.example;" in policy
    assert "frame-ancestors 'self'" in policy and "'none'" not in policy.split(
        "frame-ancestors")[1]
    assert "X-Frame-Options" not in response.headers  # frame-ancestors decides
    assert policy.endswith("; upgrade-insecure-requests; worker-src 'self' blob:")


@pytest.mark.parametrize("extra", [
    {"script-src": ["https://cdn.example; script-src *"]},
    {"script-src": ["https://a.example,https://b.example"]},
    {"script src": ["https://cdn.example"]},
    {"script-src": ["https://cdn.example\r\nX-Evil: 1"]},
    ["script-src"],
])
def test_an_extra_source_a_header_cannot_carry_is_refused_at_start(make_host, extra) -> None:
    with pytest.raises(CourseConfigError, match="COURSE_CSP_EXTRA"):
        make_host(COURSE_CSP="strict", COURSE_CSP_EXTRA=extra)


def test_standalone_keeps_the_strict_policy(standalone_app: Flask) -> None:
    response = standalone_app.test_client().get("/catalogue")
    assert response.headers["Content-Security-Policy"] == DEFAULT_CSP
    assert "script-src 'self';" in DEFAULT_CSP and "frame-ancestors 'none'" in DEFAULT_CSP
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["Cross-Origin-Opener-Policy"] == "same-origin"
    missing = standalone_app.test_client().get("/no-such-page")
    assert missing.headers["Content-Security-Policy"] == DEFAULT_CSP


# ------------------------------------------------------------------ host's log-in (item 7)
def test_the_course_header_links_to_the_hosts_login_and_logout(host_app: Flask) -> None:
    html = host_app.test_client().get("/training/catalogue?page=2").get_data(as_text=True)
    assert '<a href="/login?next=%2Ftraining%2Fcatalogue%3Fpage%3D2">Log in</a>' in html
    client = host_app.test_client()
    client.post("/login", data={"email": "bob@host.example"})
    # The test host's log-out endpoint has an unusual name: without the setting, no link.
    assert "Log out" not in client.get("/training/catalogue").get_data(as_text=True)
    host_app.config["COURSE_HOST_LOGOUT_ENDPOINT"] = "host_logout"
    html = client.get("/training/catalogue").get_data(as_text=True)
    assert "<span>Bob Host</span>" in html and '<a href="/logout">Log out</a>' in html
    assert client.get("/logout").status_code == 302
    assert "Log in</a>" in client.get("/training/catalogue").get_data(as_text=True)


def test_a_common_logout_name_is_found_and_a_post_only_one_is_a_form(db_url: str) -> None:
    apps = []
    for methods in (["GET"], ["POST"]):
        app = create_host_app(db_url)
        apps.append(app)
        create_host_tables(app)
        with app.app_context():
            if not host_db.session.scalar(host_db.select(Staff).filter_by(
                    email="bob@host.example")):
                host_db.session.add(Staff(email="bob@host.example", name="Bob Host"))
                host_db.session.commit()
        app.add_url_rule("/sign-out", "logout", lambda: "bye", methods=methods)
        client = app.test_client()
        client.post("/login", data={"email": "bob@host.example"})
        html = client.get("/training/catalogue").get_data(as_text=True)
        if methods == ["GET"]:
            assert '<a href="/sign-out">Log out</a>' in html  # found under its common name
        else:
            assert re.search(r'<form method="post" action="/sign-out" class="inline-form">\s*'
                             r'<input type="hidden" name="csrf_token" value="[^"]+">', html)
    for app in apps:
        _finish(app)
