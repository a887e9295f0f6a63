"""Trainers' tools over learners' quiz results: the gradebook (every attempt, filtered by
organisation, status and quiz, as a page or CSV), extra attempts and resets with a reason, and
previews of lessons and quizzes (drafts included) as a learner would see them."""

from __future__ import annotations

from flask import Flask

from ..state import CourseState


def init_feature(app: Flask, state: CourseState) -> None:
    """The trainers' part in the app: the gradebook's and the previews' pages."""
    from . import preview_views, views

    state.blueprints += [views.create_blueprint(), preview_views.create_blueprint()]
