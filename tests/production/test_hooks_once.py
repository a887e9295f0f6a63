"""The standalone site's request hooks run once per request, for its pages and for what the
blueprint does not serve (unknown URLs) alike: the blueprint's hooks are moved app-wide."""

from __future__ import annotations

import pytest

from course import context, headers
from tests.conftest import Site


@pytest.fixture
def calls(monkeypatch: pytest.MonkeyPatch) -> dict[str, int]:
    """How often the template context and the security headers are made."""
    seen = {"context": 0, "headers": 0}

    def counting(module: object, name: str, key: str) -> None:
        original = getattr(module, name)

        def wrapper(*args: object) -> object:
            seen[key] += 1
            return original(*args)

        monkeypatch.setattr(module, name, wrapper)

    counting(context, "current_roles", "context")  # template_context asks once per call
    counting(headers, "csp_mode", "headers")  # add_security_headers asks once per call
    return seen


@pytest.mark.parametrize("path", ["/catalogue", "/courses/social-divide/",
                                  "/no-such-page"])
def test_each_hook_runs_once(course_site: Site, calls: dict[str, int], path: str) -> None:
    if course_site.mode != "standalone":
        pytest.skip("the host app registers no app-wide copies")
    response = course_site.client().get(course_site.url(path))
    assert response.status_code in (200, 404)
    assert response.headers.getlist("X-Request-ID") and len(
        response.headers.getlist("Content-Security-Policy")) == 1
    assert calls == {"context": 1, "headers": 1}, calls


def test_headers_added_as_they_are_only_when_checked() -> None:
    from flask import Response

    response = Response("x", headers={"X-Frame-Options": "SAMEORIGIN"})
    ours = (headers.one_line("X-Frame-Options", "DENY"),
            headers.one_line("Referrer-Policy", "no-referrer"))
    headers.add_missing(response, ours, checked=True)
    assert response.headers.getlist("X-Frame-Options") == ["SAMEORIGIN"]  # the view's own
    assert response.headers["Referrer-Policy"] == "no-referrer"
    for bad in ("a\r\nSet-Cookie: x=1", "a\nb", "a\x00b"):
        with pytest.raises(ValueError, match="one line"):
            headers.one_line("X-Test", bad)
    with pytest.raises(ValueError):  # unchecked values still go through werkzeug's checks
        headers.add_missing(Response("x"), [("X-Test", "a\nb")])


def test_a_request_id_from_g_that_is_not_one_line_is_checked(course_site: Site) -> None:
    from flask import g

    from course import ops

    app = course_site.app
    with app.test_request_context("/"):
        g.course_request_id = "abc\r\nSet-Cookie: stolen=1"
        with pytest.raises(ValueError):
            ops.finish_response(app.response_class("x"))
