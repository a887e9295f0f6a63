"""One bad content file never takes the course offline: the site keeps serving the last good
version (in the process, and after a restart from the database), trainers see the problems with
file:line on every page, learners see the course as it was; `check` reports every problem of a
file in one pass."""

from __future__ import annotations

from pathlib import Path

from course.content.check import check_root
from course.errors import ContentErrors
from tests.conftest import Site, _finish, login
from tests.hostapp import create_host_app

FIRST = "/courses/social-divide/lessons/what-the-social-divide-is"
LESSON = "lessons/social-divide/01-welcome/01-what-the-social-divide-is.md"
OLD_TEXT = "We call it the <strong>social divide</strong>"


def _break(content_root: Path) -> None:
    """An unknown header key and a link to a lesson that does not exist, in one file."""
    path = content_root / LESSON
    text = path.read_text().replace('title: "What the social divide is"',
                                    'title: "What the social divide is"\ncolour: blue')
    path.write_text(text.replace("We call it the **social divide**.",
                                 "We call it the [social divide](../nowhere.md)."))


def _restarted(site: Site, db_url: str, content_root: Path, tmp_path: Path):  # noqa: ANN202
    """A new app object on the same database and content root: a restarted process."""
    if site.mode == "host":
        app = create_host_app(db_url)
    else:
        from course import create_app
        from tests.conftest import standalone_config

        app = create_app(standalone_config(db_url), instance_path=tmp_path / "restarted")
    app.config["COURSE_CONTENT_ROOT"] = str(content_root)
    return app


def test_a_broken_file_keeps_the_last_good_version_online(
        course_site: Site, content_root: Path, db_url: str, tmp_path: Path) -> None:
    site = course_site
    site.app.config["COURSE_CONTENT_RELOAD"] = True
    learner = site.logged_in_client()
    assert OLD_TEXT in learner.get(site.url(FIRST)).get_data(as_text=True)
    _break(content_root)
    page = learner.get(site.url(FIRST))
    assert page.status_code == 200 and OLD_TEXT in page.get_data(as_text=True)
    assert "problem" not in page.get_data(as_text=True).split("<main")[1].split("</h1>")[0]
    assert "content-banner" not in page.get_data(as_text=True)  # learners see no banner
    trainer = site.trainer_client()
    for url in ("/catalogue", FIRST):
        html = trainer.get(site.url(url)).get_data(as_text=True)
        assert "content-banner" in html and "learners see the course as it was" in html
        assert f"<code>{LESSON}:3</code>: unknown header key &#39;colour&#39;" in html
    # A restarted process with the broken file serves the stored last good version.
    restarted = _restarted(site, db_url, content_root, tmp_path)
    try:
        client = restarted.test_client()
        if site.mode == "host":
            client.post("/login", data={"email": "bob@host.example"})
        else:
            login(client, "learner@example.com", "correct horse battery")
        again = client.get(site.url(FIRST))
        assert again.status_code == 200 and OLD_TEXT in again.get_data(as_text=True)
        # Only the broken file is rendered (to find its problems); the good version's HTML
        # comes from the database.
        assert restarted.extensions["course"].library.renders == 1
    finally:
        _finish(restarted)  # its connections closed, as the fixtures do for theirs
    # Fixed: the new version is served and the banner goes.
    path = content_root / LESSON
    path.write_text(path.read_text().replace("colour: blue\n", "").replace(
        "[social divide](../nowhere.md)", "**social divide** (fixed)"))
    html = trainer.get(site.url(FIRST)).get_data(as_text=True)
    assert "(fixed)" in html and "content-banner" not in html


def test_check_reports_every_problem_of_a_file_in_one_pass(content_root: Path) -> None:
    _break(content_root)
    try:
        check_root(content_root)
    except ContentErrors as exc:
        found = [str(e) for e in exc.errors if e.file == LESSON]
    else:
        raise AssertionError("the broken file passed the check")
    assert any("unknown header key 'colour'" in p for p in found), found
    assert any("../nowhere.md" in p for p in found), found
