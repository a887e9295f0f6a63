"""Downloadable templates: checked with the content, linked from lessons, shown as a page and
served as a PDF and as an editable markdown file (standalone and mounted, each database)."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from flask import Flask
from pypdf import PdfReader

from tests.conftest import Site
from tests.test_cli import run

COURSE = "lessons/social-divide"
LESSON = "02-social-graph-presence/01-six-months-to-a-useful-network.md"
TEMPLATE = """---
title: "Weekly routine card"
summary: "Three actions a week, written where you will see them."
---

## This week

| Day | Action | Done |
|---|---|---|
| Monday | Comment usefully on one post in your field | ________ |
| Thursday | Share one thing you learned, in your own words | ________ |

- [ ] Pick the three people you will help first
- [ ] Read [the lesson on six months](../LESSON) again
""".replace("LESSON", LESSON)


def add_template(root: Path, name: str = "routine-card.md", text: str = TEMPLATE) -> None:
    folder = root / COURSE / "templates"
    folder.mkdir(exist_ok=True)
    (folder / name).write_text(text)


def link_from_lesson(root: Path, target: str = "../templates/routine-card.md") -> None:
    lesson = root / COURSE / LESSON
    lesson.write_text(lesson.read_text() + f"\nKeep it visible: [the routine card]({target}).\n")


def test_check_accepts_templates_and_reports_their_problems(standalone_app: Flask,
                                                            content_root: Path) -> None:
    add_template(content_root)
    link_from_lesson(content_root)
    result = run(standalone_app, "check", str(content_root))
    assert "routine-card" not in result.output, result.output  # no problem names it
    add_template(content_root, "90-day-plan.md", TEMPLATE.replace("Weekly", "Quarterly"))
    add_template(content_root, "02-bad.md", '---\ntitle: "Bad"\nsummary: "x"\nminutes: 3\n---\n'
                 "Text with [a broken link](missing.md).\n")
    add_template(content_root, "notes.txt", "not markdown")
    link_from_lesson(content_root, "../templates/nothing-here.md")
    result = run(standalone_app, "check", str(content_root))
    assert result.exit_code == 1
    out = result.output
    assert f"{COURSE}/templates/02-bad.md:1: a template's header takes 'title'" in out
    assert "90-day-plan" not in out  # a file name is its slug as it is: no number to strip
    assert f"{COURSE}/templates/notes.txt: the templates folder holds markdown files" in out
    assert re.search(rf"{COURSE}/{LESSON}:\d+: broken link '../templates/nothing-here.md'", out)


@pytest.fixture
def handout_site(course_site: Site, content_root: Path) -> Site:
    add_template(content_root)
    link_from_lesson(content_root)
    return course_site


def test_a_lesson_links_to_its_template_page(handout_site: Site) -> None:
    site = handout_site
    client = site.logged_in_client()
    lesson = client.get(site.url("/courses/social-divide/lessons/six-months-to-a-useful-network"))
    href = re.search(r'<a href="([^"]+)"[^>]*>the routine card</a>', lesson.get_data(as_text=True))
    assert href and href.group(1) == "../templates/routine-card"
    page = client.get(site.url("/courses/social-divide/templates/routine-card"))
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "Weekly routine card" in html
    assert "<table>" in html and "Download the PDF" in html
    # its own link back to the lesson resolves from the template's page
    assert 'href="../lessons/six-months-to-a-useful-network"' in html
    listing = client.get(site.url("/courses/social-divide/templates/")).get_data(as_text=True)
    assert "Three actions a week" in listing
    overview = client.get(site.url("/courses/social-divide/")).get_data(as_text=True)
    assert "Templates to download" in overview and "Weekly routine card" in overview


def test_templates_download_as_pdf_and_markdown(handout_site: Site) -> None:
    site = handout_site
    client = site.logged_in_client()
    base = site.url("/courses/social-divide/templates/routine-card")
    pdf = client.get(base + "/pdf")
    assert pdf.mimetype == "application/pdf"
    assert pdf.headers["Content-Disposition"] == 'attachment; filename="routine-card.pdf"'
    reader = PdfReader(io.BytesIO(pdf.data))
    text = " ".join(page.extract_text() for page in reader.pages)
    assert len(reader.pages) == 1 and "Weekly routine card" in text
    assert "Comment usefully on one post" in text and "The Social Divide" in text
    assert client.get(base + "/pdf").data == pdf.data  # rendered once, served again
    md = client.get(base + "/md")
    assert md.mimetype == "text/markdown"
    assert md.headers["Content-Disposition"] == 'attachment; filename="routine-card.md"'
    body = md.get_data(as_text=True)
    assert body.startswith("# Weekly routine card\n") and "| Monday |" in body
    assert "title:" not in body  # the header became the heading, not YAML


def test_templates_are_for_learners_and_unknown_ones_are_not_found(handout_site: Site) -> None:
    site = handout_site
    visitor = site.client()
    for path in ("", "routine-card", "routine-card/pdf", "routine-card/md"):
        response = visitor.get(site.url("/courses/social-divide/templates/" + path))
        assert response.status_code == 302, path
    client = site.logged_in_client()
    for path in ("nothing", "nothing/pdf", "nothing/md", "../files/x"):
        assert client.get(site.url("/courses/social-divide/templates/" + path)
                          ).status_code == 404, path
