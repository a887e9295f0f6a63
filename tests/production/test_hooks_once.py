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
