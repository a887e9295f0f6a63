"""Attacks on the kept lesson shell (course/pageshell.py) through HTTP, standalone and mounted:
a host that overrides one of the templates a shell or a kept part is made from (not only the
layout), names that look like markup or markers, a name changed mid-session, many learners
filling the store, and a strict CSP whose nonce a host's template uses."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from flask import Flask, get_flashed_messages
from jinja2 import ChoiceLoader, FileSystemLoader
from sqlalchemy import select

from course import pageshell
from course.accounts.models import User
from course.db import session as db_session
from course.pageshell import OWN_TEMPLATES
from tests.conftest import Site, register
from tests.hostapp import Staff
from tests.hostapp import db as host_db
from tests.lessons.test_last_good import _break
from tests.lessons.test_lesson_shell import CSRF_IN_FORM, names, second_learner
from tests.lessons.test_lesson_views import FIRST, SECOND, complete
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


# ---------------------------------------------------------------- what the kept parts are keyed by
def change_user(site: Site, email: str, *, name: str | None = None,
                trainer: bool | None = None) -> None:
    """Rename a user, or make them a trainer (or a learner again), while they are logged in."""
    with site.app.app_context():
        if site.mode == "host":
            staff = host_db.session.scalar(select(Staff).where(Staff.email == email))
            if name is not None:
                staff.name = name
            if trainer is not None:
                staff.is_trainer = trainer
            host_db.session.commit()
            return
        user = db_session().scalar(select(User).where(User.email == email))
        if name is not None:
            user.display_name = name
        if trainer is not None:
            user.role = "trainer" if trainer else "learner"
        db_session().commit()


def learner_email(site: Site) -> str:
    return "bob@host.example" if site.mode == "host" else "learner@example.com"


def test_a_renamed_learner_sees_the_new_name_escaped_at_once(course_site: Site) -> None:
    client = course_site.logged_in_client()
    old = names(course_site)[0]
    assert old in client.get(course_site.url(SECOND)).get_data(as_text=True)
    change_user(course_site, learner_email(course_site), name='Nia <b class="x">New</b>')
    html = client.get(course_site.url(SECOND)).get_data(as_text=True)
    assert "Nia &lt;b class=&#34;x&#34;&gt;New&lt;/b&gt;" in html
    assert old not in html and "<b class" not in html


def test_a_learner_made_trainer_sees_the_trainer_view_and_back(course_site: Site,
                                                              content_root: Path) -> None:
    path = content_root / "lessons/social-divide/02-social-graph-presence/09-draft-lesson.md"
    path.write_text('---\ntitle: "Coming soon"\nsummary: "S"\ndraft: true\n---\nText.\n')
    client, email = course_site.logged_in_client(), learner_email(course_site)
    views = []
    for trainer in (False, True, False):
        change_user(course_site, email, trainer=trainer)
        html = client.get(course_site.url(SECOND)).get_data(as_text=True)
        views.append(("Trainer tools" in html, "Coming soon" in html))
    assert views == [(False, False), (True, True), (False, False)]


def test_past_the_store_bound_every_learner_still_sees_only_their_own(
        course_site: Site, monkeypatch: pytest.MonkeyPatch) -> None:
    # The lesson, the navigation, the empty messages, a practice block per option order and
    # an account part per learner: the store starts again after a few learners, never before
    # the second one's account part is looked up.
    monkeypatch.setattr(pageshell, "MAX_SHELLS", 8)
    people = [(f"Learner Number{i}", f"n{i}@example.com") for i in range(5)]
    if course_site.mode == "host":
        with course_site.app.app_context():
            host_db.session.add_all([Staff(email=e, name=n) for n, e in people])
            host_db.session.commit()
    clients = []
    for name, email in people:
        client = course_site.client()
        if course_site.mode == "host":
            client.post("/login", data={"email": email})
        else:
            register(client, email=email, name=name)
        clients.append(client)
    for _ in range(2):
        for (name, _email), client in zip(people, clients, strict=True):
            html = client.get(course_site.url(SECOND)).get_data(as_text=True)
            shown = set(re.findall(r"Learner Number\d", html))
            assert shown == {name}
            assert "Mark complete" in html and "\x00" not in html


def test_two_script_roots_of_one_app_keep_their_own_links(course_site: Site) -> None:
    client = course_site.logged_in_client()
    url = course_site.url(SECOND)
    overview = course_site.url("/courses/social-divide/")
    pages = {}
    for root in ("/under", "", "/under", "/other", ""):
        html = client.get(url, base_url="http://localhost" + root).get_data(as_text=True)
        # The shell's breadcrumbs and sidebar, the header, and the filled parts.
        assert f'<li><a href="{root}{overview}">' in html
        assert f'href="{root}{url}" aria-current="page"' in html
        assert f'action="{root}{url}/complete"' in html
        assert f'class="brand" href="{root}{course_site.url("/")}"' in html
        assert f'href="{root}{course_site.url("/catalogue")}"' in html  # the kept navigation
        assert f'action="{root}{course_site.url("/courses/social-divide/practice/")}' in html
        pages.setdefault(root, set()).add(html.count(f'"{root}/'))
    assert all(len(counts) == 1 for counts in pages.values())


def test_messages_show_when_a_hosts_context_processor_read_them_first(site: Site,
                                                                     content_root: Path) -> None:
    site.app.config["COURSE_CONTENT_ROOT"] = str(content_root)

    @site.app.context_processor
    def unread() -> dict[str, int]:  # a host's badge: how many messages wait
        return {"host_unread": len(get_flashed_messages())}

    client = site.logged_in_client()
    client.get(site.url(FIRST))
    client.get(site.url(FIRST))  # the empty messages area is kept now
    done = complete(site, client, FIRST)
    assert done.status_code == 302
    page = client.get(done.headers["Location"]).get_data(as_text=True)
    assert re.search(r'class="flash flash-success" role="status">“[^”]+” is complete\.', page)
    assert "flash-success" not in client.get(done.headers["Location"]).get_data(as_text=True)


def test_the_content_problems_banner_goes_to_trainers_only_whoever_comes_first(
        course_site: Site, content_root: Path) -> None:
    course_site.app.config["COURSE_CONTENT_RELOAD"] = True
    trainer, learner = course_site.trainer_client(), course_site.logged_in_client()
    for client in (trainer, learner):
        client.get(course_site.url(FIRST))  # the good version's parts kept
    _break(content_root)
    seen = [("content-banner" in client.get(course_site.url(FIRST)).get_data(as_text=True))
            for client in (trainer, learner, learner, trainer, learner)]
    assert seen == [True, False, False, True, False]


def test_a_deactivated_learner_gets_no_kept_page(standalone_app: Flask,
                                                 content_root: Path) -> None:
    site = Site(standalone_app, "standalone", "")
    site.app.config["COURSE_CONTENT_ROOT"] = str(content_root)
    client = site.logged_in_client()
    assert "Lea Learner" in client.get(site.url(SECOND)).get_data(as_text=True)
    with site.app.app_context():
        user = db_session().scalar(select(User).where(User.email == "learner@example.com"))
        user.active = False
        db_session().commit()
    response = client.get(site.url(SECOND))
    assert response.status_code == 302 and "/account/login" in response.headers["Location"]
    assert "Lea Learner" not in response.get_data(as_text=True)


def test_the_unanswered_note_shows_on_that_request_only(site: Site) -> None:
    site.app.config["COURSE_CONTENT_ROOT"] = str(practice.ROOT)
    first, other = site.logged_in_client(), second_learner(site)
    note = "Choose an answer, then check it."
    url = site.url(practice.LESSON)
    for client in (first, other):
        assert note not in client.get(url).get_data(as_text=True)  # fresh blocks kept
    asked = first.get(url + "?unanswered=alpha").get_data(as_text=True)
    assert asked.count(note) == 1
    assert re.search(r'id="practice-alpha-feedback"[^>]*>\s*<p class="practice-verdict">'
                     + re.escape(note), asked)
    for client in (other, first):
        assert note not in client.get(url).get_data(as_text=True)


def test_the_kept_strict_policy_follows_the_extra_sources(site: Site) -> None:
    site.app.config["COURSE_CSP"] = "strict"
    client = site.logged_in_client()
    extra = {"img-src": ["https://one.example"]}
    site.app.config["COURSE_CSP_EXTRA"] = extra
    policies = [client.get(site.url(SECOND)).headers["Content-Security-Policy"]]
    extra["img-src"] = ["https://two.example"]  # the same dict, changed in place
    policies.append(client.get(site.url(SECOND)).headers["Content-Security-Policy"])
    site.app.config["COURSE_CSP_EXTRA"] = "img-src https://three.example"
    policies.append(client.get(site.url(SECOND)).headers["Content-Security-Policy"])
    assert ["one.example" in p for p in policies] == [True, False, False]
    assert ["two.example" in p for p in policies] == [False, True, False]
    assert ["three.example" in p for p in policies] == [False, False, True]
    assert all("'nonce-" not in p for p in policies)


def test_a_hosts_post_logout_form_carries_this_requests_token(host_app: Flask,
                                                              content_root: Path) -> None:
    host_app.config.update(COURSE_CONTENT_ROOT=str(content_root),
                           COURSE_HOST_LOGOUT_ENDPOINT="sign_out")
    host_app.add_url_rule("/sign-out", "sign_out", lambda: "bye", methods=["POST"])
    site = Site(host_app, "host", "/training")
    tokens: list[set[str]] = []
    for client in (site.logged_in_client(), second_learner(site)):
        tokens.append(set())
        for _ in range(2):
            html = client.get(site.url(SECOND)).get_data(as_text=True)
            forms = dict(CSRF_IN_FORM.findall(html))
            assert set(forms) >= {"/sign-out", site.url(SECOND + "/complete")}
            assert len(set(forms.values())) == 1 and "\x00" not in html
            tokens[-1].add(forms["/sign-out"])
    assert not tokens[0] & tokens[1]  # each learner's session's own token
