"""Downloadable templates: the course's list of them, each one's page, its PDF and its editable
markdown file. Course material like the lessons, so for logged-in learners only."""

from __future__ import annotations

from flask import abort, current_app, make_response, render_template
from werkzeug.wrappers import Response

from ..content.catalog import CourseInfo
from ..content.handouts import Handout
from ..content_cache.library import HANDOUT_KEY
from ..identity import login_required
from ..loaded import content
from .handout_pdf import HandoutRenderError, handout_renderer


def _handout(course: str, slug: str) -> tuple[CourseInfo, Handout]:
    info = content().course(course) or abort(404)
    return info, info.handout(slug) or abort(404)


def _download(body: bytes, mimetype: str, filename: str) -> Response:
    response = make_response(body)
    response.mimetype = mimetype
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@login_required
def handout_list(course: str) -> str:
    """Every downloadable template of the course."""
    info = content().course(course) or abort(404)
    return render_template("course/lessons/handouts.html", course=info)


@login_required
def handout_page(course: str, slug: str) -> str:
    """One template, readable in the page, with its two downloads."""
    info, handout = _handout(course, slug)
    rendered = content().html.get((info.slug, HANDOUT_KEY + handout.slug))
    return render_template("course/lessons/handout.html", course=info, handout=handout,
                           body=rendered.html if rendered else "")


@login_required
def handout_markdown(course: str, slug: str) -> Response:
    """The editable file: markdown, opened by any text editor or imported into a docs tool."""
    _, handout = _handout(course, slug)
    return _download(handout.markdown().encode(), "text/markdown", f"{handout.slug}.md")


@login_required
def handout_pdf(course: str, slug: str) -> Response | tuple[str, int]:
    """The template as a printable PDF (rendered once per content version and process)."""
    info, handout = _handout(course, slug)
    rendered = content().html.get((info.slug, HANDOUT_KEY + handout.slug))
    footer = f"{current_app.config['COURSE_SITE_NAME']} · {info.title}"
    try:
        pdf = handout_renderer().pdf((info.version, handout.slug), handout.title,
                                     handout.summary, rendered.html if rendered else "", footer)
    except HandoutRenderError:
        current_app.logger.exception("template %s could not be rendered", handout.path)
        abort(503)
    return _download(pdf, "application/pdf", f"{handout.slug}.pdf")


def add_rules(bp) -> None:  # noqa: ANN001
    """The template routes, on the lessons blueprint."""
    base = "/courses/<course>/templates/"
    bp.add_url_rule(base, view_func=handout_list)
    bp.add_url_rule(base + "<slug>", view_func=handout_page)
    bp.add_url_rule(base + "<slug>/pdf", view_func=handout_pdf)
    bp.add_url_rule(base + "<slug>/md", view_func=handout_markdown)
