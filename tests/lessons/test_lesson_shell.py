"""The lesson page is a shell rendered once per content version and filled for each learner
(course/pageshell.py): through HTTP, standalone and mounted, on each database, nothing of one
learner, role or request may show on another's page, and a host's own layout is never kept."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from flask.testing import FlaskClient

from course.pageshell import Shell, marker
from tests.conftest import Site, csrf_token, register
from tests.hostapp import Staff
from tests.hostapp import db as host_db
from tests.lessons.test_lesson_views import FIRST, SECOND, complete
from tests.quizzes import test_practice_views as practice
from tests.test_host_pages import make_host, signed_in  # noqa: F401 - the fixture

CSRF_IN_FORM = re.compile(r'<form method="post" action="([^"]+)"[^>]*>\s*'
                          r'<input[^>]*name="csrf_token"[^>]*value="([^"]+)"')


def second_learner(site: Site) -> FlaskClient:
    """Otto, or Ada in the host app: the practice tests' second learner."""
    return practice.other_learner(site)


def names(site: Site) -> tuple[str, str]:
    return ("Bob Host", "Ada Host") if site.mode == "host" else ("Lea Learner", "Otto Other")


def test_each_learner_sees_their_own_name_marks_and_button(course_site: Site) -> None:
    first, second = course_site.logged_in_client(), second_learner(course_site)
    first_name, second_name = names(course_site)
    complete(course_site, first, FIRST)
    complete(course_site, first, SECOND)
    mine = first.get(course_site.url(SECOND)).get_data(as_text=True)  # the shell is kept now
    theirs = second.get(course_site.url(SECOND)).get_data(as_text=True)
    assert "You completed this lesson." in mine and "Mark complete" not in mine
    assert "Mark complete" in theirs and "You completed this lesson." not in theirs
    assert mine.count('aria-label="done">✓') == 1 and "1 of " in mine  # its module's
    assert 'aria-label="done">✓' not in theirs and "0 of " in theirs
    if course_site.mode == "standalone":  # the plugin's header names the user
        assert first_name in mine and second_name not in mine
        assert second_name in theirs and first_name not in theirs
    assert not re.search(r"\x00", mine + theirs)  # every marker filled


def test_the_form_tokens_are_this_requests_and_work(course_site: Site) -> None:
    first, second = course_site.logged_in_client(), second_learner(course_site)
    first.get(course_site.url(SECOND))
    html = second.get(course_site.url(SECOND)).get_data(as_text=True)
    forms = dict(CSRF_IN_FORM.findall(html))
    action = course_site.url(SECOND + "/complete")
    assert action in forms
    done = second.post(action, data={"csrf_token": forms[action]})
    assert done.status_code == 302
    assert "You completed this lesson." in second.get(course_site.url(SECOND)).get_data(
        as_text=True)


def test_messages_show_once_on_the_kept_page(course_site: Site) -> None:
    client = course_site.logged_in_client()
    client.get(course_site.url(FIRST))
    done = complete(course_site, client, FIRST)
    assert done.status_code == 302
    page = client.get(done.headers["Location"]).get_data(as_text=True)
    assert re.search(r'class="flash flash-success" role="status">“[^”]+” is complete\.', page)
    again = client.get(done.headers["Location"]).get_data(as_text=True)
    assert "flash-success" not in again


def test_a_trainers_view_with_drafts_is_not_a_learners(course_site: Site,
                                                       content_root: Path) -> None:
    path = content_root / "lessons/social-divide/02-social-graph-presence/09-draft-lesson.md"
    path.write_text('---\ntitle: "Coming soon"\nsummary: "S"\ndraft: true\n---\nText.\n')
    trainer = course_site.trainer_client()
    assert "Coming soon" in trainer.get(course_site.url(SECOND)).get_data(as_text=True)
    learner = course_site.logged_in_client()
    html = learner.get(course_site.url(SECOND)).get_data(as_text=True)
    assert "Coming soon" not in html and "Trainer tools" not in html
    assert "Coming soon" in trainer.get(course_site.url(SECOND)).get_data(as_text=True)


def test_a_new_content_version_is_shown_at_once(course_site: Site, content_root: Path) -> None:
    course_site.app.config["COURSE_CONTENT_RELOAD"] = True
    client = course_site.logged_in_client()
    assert "Plan your first month" in client.get(course_site.url(SECOND)).get_data(as_text=True)
    lesson = next((content_root / "lessons/social-divide").rglob("*six-months*.md"))
    lesson.write_text(lesson.read_text().replace("Plan your first month",
                                                 "Plan your opening month"))
    html = client.get(course_site.url(SECOND)).get_data(as_text=True)
    assert "Plan your opening month" in html and "Plan your first month" not in html


def test_practice_blocks_kept_for_a_fresh_learner_never_carry_answers(site: Site) -> None:
    site.app.config["COURSE_CONTENT_ROOT"] = str(practice.ROOT)
    first, other = site.logged_in_client(), second_learner(site)
    before = other.get(site.url(practice.LESSON)).get_data(as_text=True)
    assert "Checked 1 time" not in before
    practice.choose(site, first, "alpha", "Alpha wrong")
    mine = first.get(site.url(practice.LESSON)).get_data(as_text=True)
    assert "Checked 1 time" in mine and "Not quite" in mine
    theirs = other.get(site.url(practice.LESSON)).get_data(as_text=True)
    assert "Checked 1 time" not in theirs and "Not quite" not in theirs
    # The kept block's token is this request's: answering with it works.
    forms = dict(CSRF_IN_FORM.findall(theirs))
    action = site.url(practice.COURSE + "/practice/first/alpha")
    shown = practice.positions(theirs, "alpha")
    answered = other.post(action, data={"csrf_token": forms[action],
                                        "q-alpha": shown["Alpha right"]})
    assert answered.status_code == 302
    assert "Checked 1 time" in other.get(site.url(practice.LESSON)).get_data(as_text=True)


def test_a_hosts_own_layout_is_rendered_for_each_user(make_host) -> None:  # noqa: F811
    app = make_host()
    with app.app_context():  # a second learner: the same role view, so the same shell key
        host_db.session.add(Staff(email="cy@host.example", name="Cy Host"))
        host_db.session.commit()
    bob, cy = signed_in(app), signed_in(app, "cy@host.example")
    url = "/learning" + SECOND
    first = bob.get(url).get_data(as_text=True)
    second = cy.get(url).get_data(as_text=True)
    assert '<span id="host-user">Bob Host</span>' in first
    assert '<span id="host-user">Cy Host</span>' in second and "Bob Host" not in second
    assert csrf_token(cy, url) != csrf_token(bob, url)


def test_a_shell_fills_every_marker_in_order() -> None:
    shell = Shell.split(f"<p>{marker('a')} and {marker('b')}</p>{marker('a')}")
    assert shell.names == ("a", "b", "a")
    assert shell.fill({"a": "1", "b": "<2>"}) == "<p>1 and <2></p>1"
    assert Shell.split("no markers").fill({}) == "no markers"


def test_a_shell_fills_as_utf8_bytes_the_same_page() -> None:
    shell = Shell.split(f"<p>Caf\u00e9 {marker('who')}</p>\u2713{marker('mark')}\u2014end")
    parts = {"who": "Zo\u00eb \U0001f44b", "mark": "<b>\u2713</b>"}
    assert shell.fill_bytes(parts) == shell.fill(parts).encode("utf-8")
    assert shell.fill_bytes(parts).decode() == (
        "<p>Caf\u00e9 Zo\u00eb \U0001f44b</p>\u2713<b>\u2713</b>\u2014end")
    with pytest.raises(KeyError):
        shell.fill_bytes({"who": "x"})


def test_parts_kept_per_learner_never_push_out_the_lesson_shell(course_site: Site,
                                                                monkeypatch) -> None:
    from flask import template_rendered

    import course.pageshell as pageshell

    monkeypatch.setattr(pageshell, "MAX_SHELLS", 3)
    rendered: list[str] = []

    def note(sender, template, context, **extra) -> None:  # noqa: ANN001
        rendered.append(template.name)

    clients = [course_site.logged_in_client()]
    if course_site.mode == "standalone":  # more learners, each with their own account links
        for n in range(4):
            client = course_site.client()
            register(client, email=f"many{n}@example.com", name=f"Many {n}")
            clients.append(client)
    template_rendered.connect(note, course_site.app)
    try:
        for client in clients:
            assert client.get(course_site.url(SECOND)).status_code == 200
    finally:
        template_rendered.disconnect(note, course_site.app)
    assert rendered.count("course/lessons/lesson.html") == 1


def test_the_first_token_of_a_session_is_kept_too(course_site: Site, monkeypatch) -> None:  # noqa: ANN001
    """A log-in starts a session without a CSRF token: the first page makes it, and the next
    page a few seconds later carries the same signed token (not one signed again)."""
    import itsdangerous.timed

    client = second_learner(course_site)  # just logged in: no token in the session yet
    action = course_site.url(SECOND + "/complete")

    def token() -> str:
        page = client.get(course_site.url(SECOND)).get_data(as_text=True)
        return dict(CSRF_IN_FORM.findall(page))[action]

    first = token()
    later = itsdangerous.timed.time.time() + 5
    monkeypatch.setattr(itsdangerous.timed.time, "time", lambda: later)
    assert token() == first


def test_a_signed_token_is_reused_for_its_session_only(course_site: Site) -> None:
    """The signed CSRF token is made once a minute per session (course.web.csrf_token): the
    same learner's next view carries the same one; another learner's never works for them."""
    first, second = course_site.logged_in_client(), second_learner(course_site)
    action = course_site.url(SECOND + "/complete")
    mine = [dict(CSRF_IN_FORM.findall(first.get(course_site.url(SECOND)).get_data(
        as_text=True)))[action] for _ in range(2)]
    theirs = dict(CSRF_IN_FORM.findall(second.get(course_site.url(SECOND)).get_data(
        as_text=True)))[action]
    assert mine[0] == mine[1] and theirs != mine[0]
    second.post(action, data={"csrf_token": mine[0]})
    assert "Mark complete" in second.get(course_site.url(SECOND)).get_data(as_text=True)
    assert second.post(action, data={"csrf_token": theirs}).status_code == 302
    assert "You completed this lesson." in second.get(course_site.url(SECOND)).get_data(
        as_text=True)
