"""Quiz tests use a fixed five-question quiz, so they do not depend on the course's bank."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.conftest import Site

FIXTURE_QUIZ = Path(__file__).parent / "fixture_quiz.yaml"


def use_fixture_quiz(content_root: Path) -> None:
    """Replace the sample course's Social Graph & Presence quiz with the fixed one."""
    shutil.copyfile(FIXTURE_QUIZ, content_root / "quizzes/social-divide/social-graph-presence.yaml")


@pytest.fixture
def course_site(course_site: Site, content_root: Path) -> Site:
    use_fixture_quiz(content_root)
    return course_site
