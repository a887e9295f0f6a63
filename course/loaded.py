"""The loaded content for a page, or the content-problems page (503) when the root is broken.

Shared by every feature's views so that each refuses a broken root the same way."""

from __future__ import annotations

from flask import abort, make_response, render_template

from .content_cache import Content
from .ctx import this_g
from .identity import TRAINER, has_role
from .state import get_state


def content() -> Content:
    """The loaded content; a broken content root stops here with the problems page (503)."""
    loaded = this_g().get("_course_content")  # this request's, once looked up (CourseState.content)
    if loaded is None:
        loaded = get_state().content()
    if loaded.errors:
        response = make_response(render_template(
            "course/lessons/content_problems.html", errors=loaded.errors,
            show_details=has_role(TRAINER)), 503)
        response.headers["Retry-After"] = "60"
        abort(response)
    return loaded
