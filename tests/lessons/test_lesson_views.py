"""Course overview, lesson pages, completion, resume, gating, drafts, files, my learning, trainer
tools: each on the standalone site and mounted under /training, on each database."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.conftest import Site, csrf_token, sample_lesson_count

COURSE = "/courses/social-divide/"
TOTAL = sample_lesson_count()
FIRST = "/courses/social-divide/lessons/what-the-social-divide-is"
SECOND = "/courses/social-divide/lessons/six-months-to-a-useful-network"


def complete(site: Site, client, lesson_path: str, token: str | None = None, **kwargs):
    token = token or csrf_token(client, site.url(lesson_path))
    return client.post(site.url(lesson_path + "/complete"), data={"csrf_token": token},
                       **kwargs)


def test_overview_lists_modules_and_lessons(course_site: Site) -> None:
    html = course_site.client().get(course_site.url(COURSE)).get_data(as_text=True)
    assert "<h1>The Social Divide</h1>" in html
    for title in ("Social Graph &amp; Presence", "Six months to a useful network",
                  "Beyond the marketing channel", "Your 90-day plan"):
        assert title in html
    assert "Log in to start" in html


def test_lesson_needs_login(course_site: Site) -> None:
    response = course_site.client().get(course_site.url(FIRST))
    assert response.status_code == 302
    assert "login" in response.headers["Location"]


def test_lesson_page_shows_the_stored_html(course_site: Site) -> None:
    client = course_site.logged_in_client()
    html = client.get(course_site.url(SECOND)).get_data(as_text=True)
    assert '<h1 id="lesson-title">Six months to a useful network</h1>' in html
    assert "In this lesson you will" in html and "Plan your first month" in html
    image = re.search(r'<img alt="([^"]+)" src="../files/02-social-graph-presence/'
                      r'network-growth.svg">', html)
    assert image, "the diagram and its alt text"  # the alt text tells what the diagram shows
    for detail in ("month 6", "the article", "give up here", "up to a year"):
        assert detail in image.group(1), detail
    assert '<div class="admonition exercise" role="note">' in html
    assert 'href="building-a-relevant-network"' in html  # a .md link, now a lesson page
    assert 'aria-labelledby="toc-title"' in html and 'href="#s-why-it-takes-about-six-months"' \
        in html
    assert 'rel="prev"' in html and 'rel="next"' in html
    assert "Mark complete" in html


def test_relative_links_and_images_resolve_under_the_prefix(course_site: Site) -> None:
    client = course_site.logged_in_client()
    lesson_url = course_site.url(SECOND)
    from urllib.parse import urljoin

    image = urljoin(lesson_url, "../files/02-social-graph-presence/network-growth.svg")
    with client.get(image) as response:
        assert response.status_code == 200
        assert response.mimetype == "image/svg+xml"
        assert "sandbox" in response.headers["Content-Security-Policy"]
    target = urljoin(lesson_url, "beyond-the-marketing-channel")
    assert client.get(target).status_code == 200


def test_files_outside_the_catalogue_are_not_served(course_site: Site, content_root: Path) -> None:
    client = course_site.client()
    (content_root / "lessons" / "social-divide" / "secret.png").write_bytes(b"x")
    for path in ("../course.yaml", "02-social-graph-presence/../../course.yaml", "secret.png",
                 "01-welcome/01-what-the-social-divide-is.md", "%2e%2e/course.yaml"):
        response = client.get(course_site.url(f"/courses/social-divide/files/{path}"))
        assert response.status_code == 404, path


def test_mark_complete_moves_on_and_shows_progress(course_site: Site) -> None:
    client = course_site.logged_in_client()
    response = complete(course_site, client, FIRST)
    assert response.status_code == 302
    assert response.headers["Location"] == course_site.url(SECOND)
    html = client.get(course_site.url(COURSE)).get_data(as_text=True)
    assert f"Your progress: 1 of {TOTAL} lessons done" in html
    assert 'Module progress: 1 of 1 lesson done' in html
    page = client.get(course_site.url(FIRST)).get_data(as_text=True)
    assert "You completed this lesson." in page and "Mark complete" not in page


def test_completion_from_the_page_script_is_idempotent(course_site: Site) -> None:
    client = course_site.logged_in_client()
    headers = {"X-Requested-With": "fetch"}
    token = csrf_token(client, course_site.url(FIRST))
    first = complete(course_site, client, FIRST, token, headers=headers)
    again = complete(course_site, client, FIRST, token, headers=headers)
    assert first.get_json() == {"done": True, "newly": True}
    assert again.get_json() == {"done": True, "newly": False}


def test_completion_needs_a_csrf_token(course_site: Site) -> None:
    client = course_site.logged_in_client()
    client.get(course_site.url(FIRST))
    response = client.post(course_site.url(FIRST + "/complete"),
                           headers={"X-Requested-With": "fetch"})
    assert response.status_code == 400
    assert f"1 of {TOTAL}" not in client.get(course_site.url(COURSE)).get_data(as_text=True)


def test_continue_where_you_left_off(course_site: Site) -> None:
    client = course_site.logged_in_client()
    assert client.get(course_site.url(COURSE + "continue")).headers["Location"] == (
        course_site.url(FIRST))
    complete(course_site, client, FIRST)
    client.get(course_site.url("/courses/social-divide/lessons/why-leaders-stay-quiet"))
    html = client.get(course_site.url(COURSE)).get_data(as_text=True)
    assert "Continue where you left off: Why leaders stay quiet" in html
    assert client.get(course_site.url(COURSE + "continue")).headers["Location"] == (
        course_site.url("/courses/social-divide/lessons/why-leaders-stay-quiet"))


def test_my_learning_shows_courses_with_progress(course_site: Site) -> None:
    client = course_site.logged_in_client()
    complete(course_site, client, FIRST)
    html = client.get(course_site.url("/my-learning")).get_data(as_text=True)
    assert f"Progress: 1 of {TOTAL} lessons done" in html
    assert f'<progress max="{TOTAL}" value="1"' in html
    assert "Continue: Six months to a useful network" in html


def test_sequential_modules_are_gated(course_site: Site, content_root: Path) -> None:
    manifest = content_root / "lessons" / "social-divide" / "course.yaml"
    manifest.write_text(manifest.read_text() + "sequential: true\n")
    client = course_site.logged_in_client()
    locked = client.get(course_site.url(SECOND))
    assert locked.status_code == 403
    assert "This module is not open yet" in locked.get_data(as_text=True)
    token = csrf_token(client, course_site.url(FIRST))
    assert complete(course_site, client, SECOND, token).status_code == 403
    complete(course_site, client, FIRST)
    assert client.get(course_site.url(SECOND)).status_code == 200


def test_drafts_are_for_trainers_only(course_site: Site, content_root: Path) -> None:
    path = content_root / "lessons/social-divide/04-role-model/02-draft-lesson.md"
    path.write_text('---\ntitle: "Coming soon"\nsummary: "S"\ndraft: true\n---\nText here.\n')
    draft = "/courses/social-divide/lessons/draft-lesson"
    learner = course_site.logged_in_client()
    assert learner.get(course_site.url(draft)).status_code == 404
    assert "Coming soon" not in learner.get(course_site.url(COURSE)).get_data(as_text=True)
    trainer = course_site.trainer_client()
    html = trainer.get(course_site.url(draft)).get_data(as_text=True)
    assert "Draft: only trainers see this lesson." in html
    assert "Coming soon" in trainer.get(course_site.url(COURSE)).get_data(as_text=True)


def sample_renders() -> int:
    """What the first load renders: every lesson, every template and the capstone brief."""
    from course.content.catalog import find_content_root, load_catalog

    info = load_catalog(find_content_root(None)).get("social-divide")
    return len(info.lessons) + len(info.handouts) + (1 if info.capstone else 0)


def test_page_views_render_no_markdown(course_site: Site) -> None:
    client = course_site.logged_in_client()
    library = course_site.app.extensions["course"].library
    client.get(course_site.url(FIRST))  # first use loads and renders the content once
    after_load = library.renders
    assert after_load == sample_renders()
    for _ in range(3):
        for path in (FIRST, SECOND, COURSE, "/catalogue", "/my-learning"):
            assert client.get(course_site.url(path)).status_code == 200
    assert library.renders == after_load


def test_rendered_html_is_stored_for_other_processes(course_site: Site) -> None:
    client = course_site.logged_in_client()
    client.get(course_site.url(FIRST))
    from course.lessons.library import ContentLibrary

    state = course_site.app.extensions["course"]
    state.library = ContentLibrary()  # a second worker process, as far as rendering goes
    assert client.get(course_site.url(FIRST)).status_code == 200
    assert state.library.renders == 0


def test_edits_show_on_the_next_load_and_progress_survives(course_site: Site,
                                                           content_root: Path) -> None:
    course_site.app.config["COURSE_CONTENT_RELOAD"] = True
    client = course_site.logged_in_client()
    complete(course_site, client, FIRST)
    path = content_root / "lessons/social-divide/01-welcome/01-what-the-social-divide-is.md"
    path.write_text(path.read_text().replace('title: "What the social divide is"',
                                             'title: "What the social divide is (revised)"'))
    html = client.get(course_site.url(COURSE)).get_data(as_text=True)
    assert "What the social divide is (revised)" in html
    assert f"Your progress: 1 of {TOTAL} lessons done" in html and "updated since" in html


def test_without_reload_the_loaded_content_stays(course_site: Site, content_root: Path) -> None:
    course_site.app.config["COURSE_CONTENT_RELOAD"] = False
    client = course_site.logged_in_client()
    client.get(course_site.url(COURSE))
    path = content_root / "lessons/social-divide/01-welcome/01-what-the-social-divide-is.md"
    path.write_text(path.read_text().replace("What the social divide is", "Changed"))
    assert "Changed" not in client.get(course_site.url(COURSE)).get_data(as_text=True)


def test_trainer_tools_show_problems_and_learners(course_site: Site, content_root: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    learner = course_site.logged_in_client()
    complete(course_site, learner, FIRST)
    learner.get(course_site.url(SECOND))
    assert learner.get(course_site.url("/trainer/")).status_code == 403
    trainer = course_site.trainer_client()
    html = trainer.get(course_site.url("/trainer/")).get_data(as_text=True)
    assert "No problems" in html
    page = trainer.get(course_site.url("/trainer/courses/social-divide/learners"))
    text = page.get_data(as_text=True)
    name = "Lea Learner" if course_site.mode == "standalone" else "Bob Host"
    row = re.search(rf"<tr>\s*<th scope=\"row\">{name}.*?</tr>", text, re.S).group(0)
    assert "Six months to a useful network" in row and f"1 of {TOTAL}" in row
    assert "@" not in text.split("<table")[1].split("</table>")[0]  # progress, not addresses
    (content_root / "lessons/social-divide/01-welcome/02-bad.md").write_text("no header\n")
    html = trainer.get(course_site.url("/trainer/")).get_data(as_text=True)
    assert "02-bad.md:1</code>: a lesson starts with a header" in html
    # A clean check is kept until something under the content root changes.
    (content_root / "lessons/social-divide/01-welcome/02-bad.md").unlink()
    assert "No problems" in trainer.get(course_site.url("/trainer/")).get_data(as_text=True)
    import course.lessons.trainer as tools

    checks = []
    monkeypatch.setattr(tools, "check_root", lambda *a: checks.append(a) or pytest.fail(
        "a clean check was run again though no file changed"))
    assert "No problems" in trainer.get(course_site.url("/trainer/")).get_data(as_text=True)
    monkeypatch.undo()
    (content_root / "lessons/Bad Name").mkdir()  # an empty folder, a bad course name
    assert "No problems" not in trainer.get(course_site.url("/trainer/")).get_data(
        as_text=True)


def test_lesson_completed_signal(course_site: Site) -> None:
    from course import signals

    seen = []
    with signals.lesson_completed.connected_to(lambda s, **k: seen.append(k), course_site.app):
        client = course_site.logged_in_client()
        token = csrf_token(client, course_site.url(FIRST))
        complete(course_site, client, FIRST, token)
        complete(course_site, client, FIRST, token, headers={"X-Requested-With": "fetch"})
    assert len(seen) == 1
    assert seen[0]["lesson"] == "what-the-social-divide-is" and seen[0]["module"] == "welcome"


def test_only_administrators_see_learners_email_addresses(standalone_course_site: Site) -> None:
    from tests.certificates.test_issue_verify import admin_client

    site = standalone_course_site
    site.logged_in_client().get(site.url(SECOND))
    learners = site.url("/trainer/courses/social-divide/learners")
    assert "learner@example.com" not in site.trainer_client().get(learners).get_data(
        as_text=True)
    assert "learner@example.com" in admin_client(site).get(learners).get_data(as_text=True)


def test_after_a_modules_last_lesson_the_next_step_is_its_quiz(course_site: Site) -> None:
    """The pager and "Mark complete" lead to the module's quiz, not past it."""
    from tests.conftest import sample_module_lessons

    client = course_site.logged_in_client()
    slugs = sample_module_lessons("social-graph-presence")
    lesson = lambda slug: f"/courses/social-divide/lessons/{slug}"  # noqa: E731
    quiz = "/courses/social-divide/quizzes/social-graph-presence/"
    last = client.get(course_site.url(lesson(slugs[-1]))).get_data(as_text=True)
    pager = last.split('class="lesson-pager"')[1].split("</nav>")[0]
    assert f'href="{course_site.url(quiz)}"' in pager and "Quiz: Social Graph" in pager
    middle = client.get(course_site.url(lesson(slugs[0]))).get_data(as_text=True)
    assert quiz not in middle.split('class="lesson-pager"')[1].split("</nav>")[0]
    token = csrf_token(client, course_site.url(lesson(slugs[0])))
    for slug in slugs[:-1]:  # not done yet: "Mark complete" goes to the next lesson
        response = complete(course_site, client, lesson(slug), token)
        assert response.headers["Location"].endswith(lesson(slugs[slugs.index(slug) + 1]))
    response = complete(course_site, client, lesson(slugs[-1]), token)
    assert response.headers["Location"].endswith(quiz)  # the module is done: take its quiz
