"""Hardening, against a live gunicorn with the production configuration: a broken certificate
template never takes the site down, security events reach the log in the default (text) and the
JSON format, and reset or invitation tokens never reach the access log."""

from __future__ import annotations

import json
import os
import shutil
import signal
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from course import create_app
from tests.conftest import TEST_SECRET
from tests.production.conftest import Browser, Gunicorn, start_gunicorn, stop
from tests.production.test_hostile import Live


@pytest.fixture
def servers(tmp_path: Path) -> Iterator[list[Gunicorn]]:
    """Started servers, each stopped by its own pid afterwards."""
    started: list[Gunicorn] = []
    yield started
    for server in started:
        stop(server)


def in_process_app(db_url: str, tmp_path: Path, content: Path | None = None):  # noqa: ANN201
    config = {"TESTING": True, "SECRET_KEY": TEST_SECRET, "SQLALCHEMY_DATABASE_URI": db_url}
    if content is not None:
        config["COURSE_CONTENT_ROOT"] = str(content)
    return create_app(config, instance_path=tmp_path / "app")


def claim_certificate(browser: Browser) -> tuple[int, str]:
    """What a learner does on My certificates: press the button when there is one."""
    status, _, page = browser.open("/certificates/")
    if "csrf_token" in page and "/certificates/issue" in page:
        status, _, page = browser.open("/certificates/issue",
                                       {"csrf_token": browser.token("/certificates/")})
    return status, page


def wait_for_workers(server: Gunicorn, count: int, replacing: set[int]) -> list[int]:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        pids = server.worker_pids()
        if len(pids) == count and not set(pids) & replacing:
            return pids
        assert server.process.poll() is None, server.log.read_text()
        time.sleep(0.3)
    raise AssertionError("workers were not replaced:\n" + server.log.read_text())


# ------------------------------------------------------------------ a broken template
def test_a_broken_certificate_template_never_takes_the_site_down(
        tmp_path: Path, db_url: str, content_root: Path, servers: list[Gunicorn]) -> None:
    template = content_root / "certificates" / "default" / "certificate.html"
    template.write_text(template.read_text() + "\n{% if %}\n")  # does not even compile
    (tmp_path / "instance").mkdir()
    server = start_gunicorn(tmp_path / "instance", db_url, ready="/healthz",
                            COURSE_CONTENT_ROOT=str(content_root),
                            COURSE_RATELIMIT_LOGIN="1000/minute")
    servers.append(server)
    status, _, body = server.get("/readyz")
    assert status == 503
    checks = json.loads(body)["checks"]
    assert checks["database"] == "ok" and checks["content"] == "ok"
    assert "default" in checks["certificates"] and "classic" not in checks["certificates"]
    assert server.get("/catalogue")[0] == 200
    first = server.worker_pids()
    assert len(first) == 2
    os.kill(first[0], signal.SIGKILL)  # a worker restart: the new one warms up and fails too
    wait_for_workers(server, 2, {first[0]})
    time.sleep(1)
    assert server.process.poll() is None and server.get("/catalogue")[0] == 200
    app = in_process_app(db_url, tmp_path, content_root)
    try:
        live = Live(server, app, 0)
        live.finished_everything(live.account("kit@example.com"))
        status, page = claim_certificate(live.log_in("kit@example.com"))
    finally:
        with app.app_context():
            app.extensions["course"].db.engine.dispose()
    assert status == 503 and "could not be produced just now" in page
    log = server.log.read_text()
    assert "warm-up: certificate template default does not render" in log



@pytest.mark.parametrize("broken", ["{% if %}", "{{ no_such_value }}", "{{ name | nofilter }}"])
def test_a_template_that_cannot_fill_itself_in_is_a_render_error(
        tmp_path: Path, content_root: Path, broken: str) -> None:
    from course.certificates.render import CertificateRenderError, renderer_for
    from tests.certificates.test_render import data

    folder = tmp_path / "broken"
    shutil.copytree(content_root / "certificates" / "default", folder)
    (folder / "certificate.html").write_text(f"<p>{broken}</p>")
    with pytest.raises(CertificateRenderError, match=r"certificate\.html:"):
        renderer_for(folder).render(data())
