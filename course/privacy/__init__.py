"""Data protection: a learner's own data as JSON, and closing an account."""

from __future__ import annotations

from flask import Flask

from ..state import CourseState


def init_feature(app: Flask, state: CourseState) -> None:
    """The privacy pages."""
    from .views import create_blueprint

    state.blueprints.append(create_blueprint())
