"""Links the plugin builds in a request (`course.links.url_for`): built once per what they depend
on, and never handed to a request they were not built for."""

from __future__ import annotations

from flask import Flask, g

from course.links import url_for


def test_a_link_is_built_for_the_prefix_and_host_it_is_served_under(make_app) -> None:
    app: Flask = make_app(
        COURSE_TRUSTED_HOSTS="localhost,learn.example.com,other.example.com")
    catalogue = "course.lessons.catalogue"
    for _ in range(2):  # the second round is answered from what the first one kept
        with app.test_request_context("/", base_url="http://localhost/a"):
            assert url_for(catalogue) == "/a/catalogue"
            assert url_for("course.lessons.overview", course="x y") == "/a/courses/x%20y/"
        with app.test_request_context("/", base_url="http://localhost/b"):
            assert url_for(catalogue) == "/b/catalogue"
        with app.test_request_context("/", base_url="https://learn.example.com"):
            assert url_for(catalogue) == "/catalogue"
            assert url_for(catalogue, _external=True) == "https://learn.example.com/catalogue"
        with app.test_request_context("/", base_url="http://other.example.com"):
            assert url_for(catalogue, _external=True) == "http://other.example.com/catalogue"
            assert url_for(catalogue, _anchor="top") == "/catalogue#top"


def test_a_host_url_default_is_asked_on_every_link(make_app) -> None:
    app: Flask = make_app()

    @app.url_defaults
    def campaign(endpoint: str, values: dict) -> None:  # reads the request, so never kept
        if endpoint.startswith("course.") and "ref" in g:
            values.setdefault("ref", g.ref)

    for ref in ("spring", "autumn", "spring"):
        with app.test_request_context("/"):
            g.ref = ref
            assert url_for("course.lessons.catalogue") == f"/catalogue?ref={ref}"


def test_links_outside_a_request_are_built_each_time(make_app) -> None:
    app: Flask = make_app(SERVER_NAME="learn.example.com")
    with app.app_context():
        assert url_for("course.lessons.catalogue") == "http://learn.example.com/catalogue"
    assert app.extensions["course"].links == {}
