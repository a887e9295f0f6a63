"""Lesson view fixtures: a private copy of the sample content root for each test."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from course.content import find_content_root
from tests.conftest import Site


@pytest.fixture
def content_root(tmp_path: Path) -> Path:
    """A copy of the sample content root the test may edit."""
    root = tmp_path / "content"
    source = find_content_root(None)
    for name in ("lessons", "quizzes", "certificates"):
        shutil.copytree(source / name, root / name)
    return root


@pytest.fixture
def course_site(site: Site, content_root: Path) -> Site:
    """The site (standalone or mounted) serving the private content copy."""
    site.app.config["COURSE_CONTENT_ROOT"] = str(content_root)
    return site
