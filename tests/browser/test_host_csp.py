"""The course inside a host's Bootstrap-style layout in a real Chromium (issue 18, item 2): the
host's base loads a script from another origin (a second local server stands in for a CDN) and
runs an inline script with csp_nonce(). With the host's own policy (the default) or the plugin's
policy widened by COURSE_CSP_EXTRA, no page reports a CSP violation and both scripts run."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest
from werkzeug.serving import make_server

from tests.browser.conftest import LiveServer
from tests.test_host_pages import make_host  # noqa: F401 (the fixture)

WIDGET = b'document.documentElement.dataset.hostWidget = "ran";\n'
#: Collects violations from the first moment of each document (before any script of the page).
LISTEN = """
window.__violations = [];
document.addEventListener("securitypolicyviolation",
  (e) => window.__violations.push(e.violatedDirective + " " + e.blockedURI));
"""
PAGES = ("/learning/catalogue", "/learning/courses/social-divide/",
         "/learning/courses/social-divide/lessons/six-months-to-a-useful-network",
         "/learning/courses/social-divide/quizzes/social-graph-presence/",
         "/learning/certificates/")


class Cdn(LiveServer):
    """Another origin (another port) serving the host's widget.js."""

    def __init__(self) -> None:  # a bare WSGI function, not a Flask app
        def app(environ, start_response):
            if environ["PATH_INFO"] != "/widget.js":
                start_response("404 Not Found", [("Content-Type", "text/plain")])
                return [b"not here"]
            start_response("200 OK", [("Content-Type", "text/javascript"),
                                      ("Access-Control-Allow-Origin", "*")])
            return [WIDGET]

        self.server = make_server("127.0.0.1", 0, app, threaded=True)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)


@pytest.fixture
def cdn() -> Iterator[Cdn]:
    with Cdn() as server:
        yield server


def visit(page, url: str) -> dict:
    page.goto(url)
    page.wait_for_load_state("load")
    return page.evaluate("""() => ({
        violations: window.__violations,
        widget: document.documentElement.dataset.hostWidget || null,
        inline: document.documentElement.dataset.hostInline || null,
        hostNav: !!document.querySelector("#host-nav"),
        heading: (document.querySelector("h1") || {}).textContent || "",
    })""")


def sign_in(page, server: LiveServer) -> None:
    """The host's log-in (its bare form is not ours to test); the content is loaded first, so a
    busy machine's first render does not count against the page's time."""
    assert page.request.get(server.url + "/learning/catalogue").ok
    page.request.post(server.url + "/login", form={"email": "bob@host.example"})


@pytest.mark.parametrize("policy", ["host", "strict"])
def test_a_host_layout_with_cdn_and_nonce_scripts_has_no_violations(
        make_host, cdn: Cdn, page, policy: str) -> None:  # noqa: F811
    config = ({"HOST_OWN_CSP": f"default-src 'self'; script-src 'self' {cdn.url} "
                               "'nonce-{nonce}'; img-src 'self' data:; object-src 'none'"}
              if policy == "host" else
              {"COURSE_CSP": "strict", "COURSE_CSP_EXTRA": {"script-src": [cdn.url]}})
    app = make_host(HOST_CDN=cdn.url, **config)
    page.add_init_script(LISTEN)
    with LiveServer(app) as server:
        sign_in(page, server)
        for path in PAGES:
            seen = visit(page, server.url + path)
            assert seen["violations"] == [], (path, seen["violations"])
            assert seen["widget"] == "ran" and seen["inline"] == "ran", (path, seen)
            assert seen["hostNav"] and seen["heading"].strip(), (path, seen)
        headers = page.request.get(server.url + PAGES[0]).headers
        assert "'nonce-" in headers["content-security-policy"]
    assert page.problems == []


def test_the_listener_sees_what_the_plugin_policy_blocks_without_extras(
        make_host, cdn: Cdn, page) -> None:  # noqa: F811
    """The same host opting in to the strict policy but listing no CDN: the widget is refused
    (so the test above would fail if the policy let nothing through or blocked too much)."""
    app = make_host(HOST_CDN=cdn.url, COURSE_CSP="strict")
    page.add_init_script(LISTEN)
    with LiveServer(app) as server:
        seen = visit(page, server.url + "/learning/catalogue")
    assert seen["widget"] is None and seen["inline"] == "ran"
    assert seen["violations"] and all(v.startswith("script-src") and cdn.url in v
                                      for v in seen["violations"]), seen["violations"]
    assert any("Content Security Policy" in problem for problem in page.problems)
