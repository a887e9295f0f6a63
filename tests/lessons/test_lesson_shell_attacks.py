"""Attacks on the kept lesson shell (course/pageshell.py) through HTTP, standalone and mounted:
a host that overrides one of the templates a shell or a kept part is made from (not only the
layout), names that look like markup or markers, a name changed mid-session, many learners
filling the store, and a strict CSP whose nonce a host's template uses."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from flask import Flask
from jinja2 import ChoiceLoader, FileSystemLoader

from course.pageshell import OWN_TEMPLATES
from tests.conftest import Site
from tests.lessons.test_lesson_shell import second_learner
from tests.lessons.test_lesson_views import SECOND
from tests.quizzes import test_practice_views as practice

#: Shown by each overriding template: the request's session user and CSP nonce.
WHO = '<p id="who">{{ session.get("_user_id") }}|{{ csp_nonce() }}</p>'
WHO_RE = re.compile(r'<p id="who">([^|<]*)\|([^<]*)</p>')


def override(app: Flask, folder: Path, name: str, before: str, added: str) -> None:
    """Put the host's copy of the plugin's template `name` first in `app`'s search path: the
    plugin's text with `added` written just before `before`."""
    text = (OWN_TEMPLATES / name).read_text()
    assert before in text, (name, before)
    target = folder / name
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(text.replace(before, added + before, 1))
    loaders = [FileSystemLoader(str(folder))]
    if app.jinja_loader is not None:
        loaders.append(app.jinja_loader)
    app.jinja_loader = ChoiceLoader(loaders)


OVERRIDES = {
    "lesson": ("course/lessons/lesson.html", '<div class="lesson-layout">'),
    "flashes": ("course/_flashes.html", "{% if course_content_problems %}"),
    "assets": ("course/_assets.html", '<link rel="icon"'),
}


@pytest.mark.parametrize("which", sorted(OVERRIDES))
def test_a_hosts_override_of_a_shell_template_is_rendered_for_each_request(
        site: Site, tmp_path: Path, which: str) -> None:
    name, before = OVERRIDES[which]
    site.app.config["COURSE_CSP"] = "strict"
    override(site.app, tmp_path / "host-templates", name, before, WHO)
    first, second = site.logged_in_client(), second_learner(site)
    seen = []
    for client in (first, second, first):
        response = client.get(site.url(SECOND))
        assert response.status_code == 200
        found = WHO_RE.findall(response.get_data(as_text=True))
        assert len(found) == 1, which
        user, nonce = found[0]
        # The nonce on the page is this response's, and the header names it.
        assert nonce and f"'nonce-{nonce}'" in response.headers["Content-Security-Policy"]
        seen.append((user, nonce))
    assert seen[0][0] != seen[1][0] and seen[0][0] == seen[2][0]  # each sees themselves
    assert len({nonce for _, nonce in seen}) == 3  # a new nonce every response


def test_a_hosts_override_of_the_practice_block_is_rendered_for_each_request(
        site: Site, tmp_path: Path) -> None:
    root = tmp_path / "content"
    shutil.copytree(practice.ROOT, root)
    # A true/false question is shown the same way to everyone: one kept block for all.
    (root / "lessons/practice-course/01-one/02-second.md").write_text(
        '---\ntitle: "Second lesson"\nsummary: "S"\n---\n\nWords.\n\n```practice\n'
        'questions:\n  - {id: same, type: truefalse, text: "Same?", answer: true}\n```\n')
    site.app.config["COURSE_CONTENT_ROOT"] = str(root)
    override(site.app, tmp_path / "host-templates", "course/quizzes/_practice.html",
             '<p class="practice-review">', WHO)
    first, second = site.logged_in_client(), second_learner(site)
    users = []
    for client in (first, second):
        html = client.get(site.url(practice.COURSE + "/lessons/second")).get_data(as_text=True)
        assert 'id="practice-same"' in html
        users.append([user for user, _ in WHO_RE.findall(html)])
    assert len(users[0]) == len(users[1]) == 1 and users[0] != users[1]
