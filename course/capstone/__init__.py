"""The capstone: a piece of work the learner writes in the browser, reviewed by a person against
the course's rubric (their organisation's manager, or a trainer); it can gate the certificate."""

from __future__ import annotations

from flask import Flask

from ..state import CourseState


def init_feature(app: Flask, state: CourseState) -> None:
    """The capstone's part in the app: its pages; its data goes when an account closes."""
    from .operations import forget
    from .views import create_blueprint

    state.close_hooks.append(forget)
    state.blueprints.append(create_blueprint())
