"""Learner-facing pages of the lessons feature."""

from __future__ import annotations

from flask import Blueprint, redirect, render_template, url_for
from werkzeug.wrappers import Response

from ..extension import get_state


def index() -> Response:
    """The plugin's home: the catalogue."""
    return redirect(url_for("course.lessons.catalogue"))


def catalogue() -> str:
    """Every course the content root holds, with its summary, audience and length."""
    return render_template("course/lessons/catalogue.html", catalog=get_state().catalog())


def create_blueprint() -> Blueprint:
    """The `course.lessons` blueprint."""
    bp = Blueprint("lessons", __name__)
    bp.add_url_rule("/", view_func=index, endpoint="index")
    bp.add_url_rule("/catalogue", view_func=catalogue)
    return bp
