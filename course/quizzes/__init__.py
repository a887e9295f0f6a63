"""Quizzes: drawing questions, grading answers, attempts, results and statistics; practice
inside lessons; the self-assessment and the factor profile."""

from __future__ import annotations

from flask import Flask

from ..state import CourseState


def init_feature(app: Flask, state: CourseState) -> None:
    """The quizzes' part in the app: their pages, the profile in every template, and the
    practice blocks lesson pages show."""
    from . import practice_views, selfcheck, views
    from .profile import profile_context

    state.practice_blocks = practice_views.blocks_for
    state.context_processors.append(profile_context)
    state.blueprints += [views.create_blueprint(), practice_views.create_blueprint(),
                         selfcheck.create_blueprint()]
