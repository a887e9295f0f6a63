"""Gradebook tests use the quiz tests' fixed five-question quiz (Social Graph & Presence)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import Site
from tests.orgs.fixtures import orgs  # noqa: F401 (a fixture)
from tests.quizzes.conftest import use_fixture_quiz


@pytest.fixture
def course_site(course_site: Site, content_root: Path) -> Site:
    use_fixture_quiz(content_root)
    return course_site
