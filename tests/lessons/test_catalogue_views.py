"""The catalogue and the shared layout, standalone and mounted under /training in a host app."""

from __future__ import annotations

import re
from pathlib import Path

from tests.conftest import Site


def test_catalogue_lists_the_sample_course(site: Site) -> None:
    response = site.client().get(site.url("/catalogue"))
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    overview = site.url("/courses/social-divide/")
    assert f'<h2 id="course-social-divide"><a href="{overview}">The Social Divide</a></h2>' in html
    for module in ("Social Graph &amp; Presence", "Organisation", "Role Model", "Education"):
        assert module in html
    assert "about 7 hours" in html and "Axel Schultze" in html


def test_home_redirects_to_the_catalogue(site: Site) -> None:
    response = site.client().get(site.url("/"))
    assert response.status_code == 302
    assert response.headers["Location"] == site.url("/catalogue")


def test_layout_is_accessible_and_phone_ready(site: Site) -> None:
    html = site.client().get(site.url("/catalogue")).get_data(as_text=True)
    assert '<html lang="en">' in html
    assert 'name="viewport"' in html
    assert 'class="skip-link" href="#main"' in html and '<main id="main"' in html
    assert '<nav class="main-nav" aria-label="Main">' in html
    assert 'aria-current="page"' in html
    assert len(re.findall(r"<h1[ >]", html)) == 1
    assert f'href="{site.url("/static/course/favicon.svg")}"' in html


def test_logged_in_user_sees_their_name(site: Site) -> None:
    client = site.logged_in_client()
    html = client.get(site.url("/catalogue")).get_data(as_text=True)
    assert ("Lea Learner" if site.mode == "standalone" else "Bob Host") in html


def test_plugin_404_page_is_styled(site: Site) -> None:
    # An error raised inside a plugin view renders the plugin's page in both modes.
    response = site.client().get(site.url("/account/reset/not-a-token")) if (
        site.mode == "standalone") else None
    if response is None:
        from flask import abort

        app = site.app
        app.view_functions["course.lessons.catalogue"] = lambda: abort(404)
        response = site.client().get(site.url("/catalogue"))
    assert response.status_code == 404
    assert "<h1>" in response.get_data(as_text=True)
    # Standalone sends the plugin's policy; in a host, by default, the host's (none here) applies.
    assert ("Content-Security-Policy" in response.headers) == (site.mode == "standalone")
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_static_files_are_served_under_the_prefix(site: Site) -> None:
    for name in ("style.css", "favicon.svg"):
        with site.client().get(site.url(f"/static/course/{name}")) as response:
            assert response.status_code == 200
            assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_broken_content_root_is_refused_with_the_report(site: Site, tmp_path: Path) -> None:
    (tmp_path / "lessons" / "bad").mkdir(parents=True)
    (tmp_path / "lessons" / "bad" / "course.yaml").write_text("title: 12\n")
    site.app.config["COURSE_CONTENT_ROOT"] = str(tmp_path)
    response = site.client().get(site.url("/catalogue"))
    assert response.status_code == 503
    assert "The course content is being fixed" in response.get_data(as_text=True)
    # Trainers see the same report as `flask course check`.
    trainer = site.trainer_client()
    html = trainer.get(site.url("/catalogue")).get_data(as_text=True)
    assert "lessons/bad/course.yaml:1</code>: &#39;title&#39; must be text" in html
