"""Browser fixtures: the app served on 127.0.0.1 by a real HTTP server, and Debian's Chromium
driven by Playwright (headless, no sandbox, no background networking, a fresh profile)."""

from __future__ import annotations

import os
import shutil
import threading
from collections.abc import Iterator

import pytest
from flask import Flask
from werkzeug.serving import make_server

CHROMIUM = os.environ.get("COURSE_TEST_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run", "--disable-sync",
                 "--disable-quic"]


#: Browser tests whose page scripts call the server (auto-complete, autosave, practice checks):
#: they run mounted under /training too, where those calls must carry the prefix. The others
#: run standalone only in the browser: what a mount changes in their pages, the links and the
#: host's layout, the HTTP tests check on every view, standalone and mounted.
MOUNTED_IN_THE_BROWSER = {"test_lessons.py", "test_quiz_progress.py", "test_practice.py",
                          "test_learner_path.py", "test_quiz.py"}


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Drop the mounted copy of browser tests whose scripts make no calls of their own
    (unless COURSE_TEST_FULL_MATRIX is set): a real browser costs seconds a page."""
    from tests.conftest import FULL_MATRIX

    if FULL_MATRIX:
        return
    dropped = [item for item in items if item.path.parent.name == "browser"
               and item.path.name not in MOUNTED_IN_THE_BROWSER
               and getattr(getattr(item, "callspec", None), "params", {}).get("site") == "host"]
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = [item for item in items if item not in dropped]


class LiveServer:
    def __init__(self, app: Flask) -> None:
        self.server = make_server("127.0.0.1", 0, app, threaded=True)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        # The site's address is where it is served, as in a deployment: links the pages show
        # for sharing (the verify link) are built from it, never from the request's Host.
        app.config["COURSE_BASE_URL"] = self.url
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> LiveServer:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(5)


@pytest.fixture(params=["sqlite"])
def backend(request: pytest.FixtureRequest) -> str:
    """Pages look and behave the same on every database: the browser tests run on SQLite only
    (the HTTP tests cover PostgreSQL)."""
    return request.param


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    if not shutil.which(CHROMIUM) and not os.path.exists(CHROMIUM):
        if os.environ.get("CI"):
            pytest.fail(f"Chromium is missing at {CHROMIUM}; install Debian's chromium package")
        pytest.skip(f"Chromium is missing at {CHROMIUM}; install Debian's chromium package")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True,
                                             args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser) -> Iterator[object]:
    context = browser.new_context(viewport={"width": 1200, "height": 900})
    page = context.new_page()
    page.set_default_timeout(20_000)  # generous: CI machines are sometimes busy
    problems: list[str] = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: problems.append(str(e)))
    page.problems = problems
    yield page
    context.close()


def notices(page, *expected: str) -> str:
    """The page's status messages once every expected one is shown. A click that submits a form
    returns before the next page loads, so reading the messages at once can find none; this waits
    (up to the page's timeout) for each expected text, then returns them all."""
    from playwright.sync_api import expect

    status = page.get_by_role("status")
    for text in expected:
        expect(status.filter(has_text=text).first).to_be_attached()
    return " ".join(status.all_inner_texts())

