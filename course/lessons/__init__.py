"""Lessons: the catalogue, lesson pages, progress, handouts and the trainer's tools."""

from __future__ import annotations

from flask import Flask

from ..state import CourseState


def init_feature(app: Flask, state: CourseState) -> None:
    """The lessons' part in the app: their pages, and what other features ask of them."""
    from .services import learner_email, module_lessons_done
    from .views import create_blueprint

    state.lessons_done = module_lessons_done
    state.learner_email = learner_email
    state.blueprints.append(create_blueprint())
