"""Capstone tests: a fixture course whose certificate requires a capstone (one lesson, no quiz,
a two-criterion rubric), and helpers that act as the learner and the reviewer through HTTP."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from flask.testing import FlaskClient

from course.content import find_content_root
from tests.conftest import Site, csrf_token

COURSE = "capstone-course"
MANIFEST = """\
title: "Capstone course"
summary: "A course whose certificate needs a reviewed plan."
modules:
  - {slug: only, title: "The only module"}
capstone:
  title: "A reviewed plan"
  brief: brief.md
  required: true
  review_days: 5
  template: |
    ## My plan
  rubric:
    criteria:
      - name: "Clarity"
        levels:
          - {name: "Unclear", descriptor: "Hard to follow.", points: 0}
          - {name: "Clear", descriptor: "Easy to follow.", points: 1}
          - {name: "Vivid", descriptor: "Easy to follow and to act on.", points: 2}
      - name: "Measures"
        levels:
          - {name: "None", descriptor: "No measures.", points: 0}
          - {name: "Some", descriptor: "Measures named.", points: 1}
    pass: {min_total: 2, min_each: 1}
"""
BRIEF = "Write **your plan**; see [the lesson](01-only/01-the-lesson.md).\n"
LESSON = '---\ntitle: "The lesson"\nsummary: "What to plan"\n---\n\nPlan your weeks.\n'
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def build_root(root: Path) -> Path:
    """A content root holding only the capstone course (and the sample's certificates)."""
    (root / "lessons" / COURSE / "01-only").mkdir(parents=True)
    (root / "quizzes").mkdir()
    shutil.copytree(find_content_root(None) / "certificates", root / "certificates")
    (root / "lessons" / COURSE / "course.yaml").write_text(MANIFEST)
    (root / "lessons" / COURSE / "brief.md").write_text(BRIEF)
    (root / "lessons" / COURSE / "01-only" / "01-the-lesson.md").write_text(LESSON)
    return root


@pytest.fixture
def cap_root(tmp_path: Path) -> Path:
    return build_root(tmp_path / "capstone-content")


@pytest.fixture
def cap_site(site: Site, cap_root: Path) -> Site:
    """The site (standalone or mounted) serving the capstone course; attachments go to the
    test's own folder (the host app's instance folder is shared)."""
    site.app.config.update(COURSE_CONTENT_ROOT=str(cap_root),
                           COURSE_RATELIMIT_LOGIN="1000/minute",
                           COURSE_CAPSTONE_UPLOAD_FOLDER=str(cap_root.parent / "uploads"))
    return site


def page_url(site: Site, course: str = COURSE) -> str:
    return site.url(f"/courses/{course}/capstone")


def send(client: FlaskClient, site: Site, action: str, body: str, course: str = COURSE,
         token: str | None = None, **files):
    """Press a button on the learner's capstone page (optionally with an attachment)."""
    url = page_url(site, course)
    token = token or csrf_token(client, url)
    data = {"csrf_token": token, "body": body, "action": action, **files}
    return client.post(url, data=data, content_type="multipart/form-data")


def review_url(site: Site, submission_id: int) -> str:
    return site.url(f"/capstone/reviews/{submission_id}")


def mark(client: FlaskClient, site: Site, submission_id: int, action: str,
         levels: list[str], comments: list[str] | None = None, overall: str = "",
         token: str | None = None):
    """The reviewer marks each criterion and returns or passes the work."""
    url = review_url(site, submission_id)
    data = {"csrf_token": token or csrf_token(client, url), "action": action,
            "comment": overall}
    for i, level in enumerate(levels):
        data[f"level_{i}"] = level
        data[f"comment_{i}"] = (comments or [""] * len(levels))[i]
    return client.post(url, data=data)


def submission_ids(client: FlaskClient, site: Site) -> list[int]:
    """Submission ids linked from the reviewer's queue, in the order shown."""
    html = client.get(site.url("/capstone/reviews")).get_data(as_text=True)
    return list(dict.fromkeys(int(x) for x in re.findall(r"/capstone/reviews/(\d+)\"", html)))


@pytest.fixture
def cap_orgs(orgs, cap_root: Path):
    """Acme and Globex with a manager each (tests/orgs/fixtures.py), on the capstone course."""
    orgs.site.app.config.update(COURSE_CONTENT_ROOT=str(cap_root),
                                COURSE_CAPSTONE_UPLOAD_FOLDER=str(cap_root.parent / "uploads"))
    return orgs


def complete_lesson(client: FlaskClient, site: Site) -> None:
    """The learner finishes the fixture course's only lesson."""
    lesson = site.url(f"/courses/{COURSE}/lessons/the-lesson")
    response = client.post(lesson + "/complete", data={"csrf_token": csrf_token(client, lesson)})
    assert response.status_code == 302
