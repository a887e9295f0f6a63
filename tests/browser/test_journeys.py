"""Journeys in a real Chromium against a real server on 127.0.0.1."""

from __future__ import annotations

from flask import Flask
from playwright.sync_api import expect

from tests.browser.conftest import LiveServer
from tests.conftest import Site

PASSWORD = "correct horse battery"


def test_register_login_catalogue_logout(standalone_app: Flask, page) -> None:
    with LiveServer(standalone_app) as server:
        page.goto(server.url + "/")
        page.get_by_role("link", name="Create account").click()
        page.get_by_label("Your name").fill("Rhea Browser")
        page.get_by_label("Email address").fill("rhea@example.com")
        page.get_by_label("Password", exact=True).fill(PASSWORD)
        page.get_by_label("Repeat the password").fill(PASSWORD)
        page.get_by_role("button", name="Create account").click()
        expect(page.get_by_role("status").first).to_contain_text("Welcome, Rhea Browser")
        page.get_by_role("button", name="Log out").click()
        expect(page.get_by_role("status").first).to_have_text("You are logged out.")

        page.get_by_role("link", name="Log in").click()
        page.get_by_label("Email address").fill("rhea@example.com")
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Log in").click()
        assert page.url == server.url + "/catalogue"
        assert page.get_by_role("heading", name="The Social Divide").is_visible()
        assert page.get_by_role("link", name="Rhea Browser").is_visible()
        page.get_by_role("button", name="Log out").click()
        assert page.get_by_role("link", name="Log in").is_visible()
        assert page.problems == []  # no CSP violations, no script errors


def test_bad_login_shows_the_error_next_to_the_field(standalone_app: Flask, page) -> None:
    with LiveServer(standalone_app) as server:
        page.goto(server.url + "/account/login")
        page.get_by_label("Email address").fill("nobody@example.com")
        page.get_by_label("Password").fill("wrong password")
        page.get_by_role("button", name="Log in").click()
        summary = page.get_by_role("alert")
        assert "do not match an account" in summary.inner_text()
        password = page.get_by_label("Password")
        assert password.get_attribute("aria-invalid") == "true"
        assert page.get_by_label("Email address").input_value() == "nobody@example.com"


def test_keyboard_user_can_skip_to_content_and_log_in(standalone_app: Flask, page) -> None:
    standalone_app.test_cli_runner().invoke(
        args=["course", "create-user", "kim@example.com"], input=PASSWORD + "\n")
    with LiveServer(standalone_app) as server:
        page.goto(server.url + "/account/login")
        page.keyboard.press("Tab")
        assert page.evaluate("document.activeElement.className") == "skip-link"
        page.keyboard.press("Enter")
        assert page.url.endswith("#main")
        page.get_by_label("Email address").focus()
        page.keyboard.type("kim@example.com")
        page.keyboard.press("Tab")
        page.keyboard.type(PASSWORD)
        page.keyboard.press("Enter")
        page.wait_for_url(server.url + "/catalogue**")
        assert page.get_by_role("link", name="kim").is_visible()


def test_pages_fit_a_phone_screen(site: Site, browser) -> None:
    context = browser.new_context(viewport={"width": 360, "height": 740}, is_mobile=True)
    page = context.new_page()
    try:
        with LiveServer(site.app) as server:
            paths = ["/catalogue"] + (["/account/login", "/account/register"]
                                      if site.mode == "standalone" else [])
            for path in paths:
                page.goto(server.url + site.url(path))
                overflow = page.evaluate(
                    "document.documentElement.scrollWidth - window.innerWidth")
                assert overflow <= 0, f"{path} scrolls sideways by {overflow}px on a phone"
                font = page.evaluate("getComputedStyle(document.body).fontSize")
                assert float(font.rstrip("px")) >= 16
    finally:
        context.close()
