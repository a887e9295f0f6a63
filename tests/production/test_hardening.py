"""Hardening, against a live gunicorn with the production configuration: a broken certificate
template never takes the site down, security events reach the log in the default (text) and the
JSON format, and reset or invitation tokens never reach the access log."""

from __future__ import annotations

import json
import logging
import os
import shutil
import signal
import time
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest

from course import create_app
from course.db import session
from course.quizzes.models import QuizAttempt
from tests.conftest import TEST_SECRET, csrf_token
from tests.orgs.fixtures import Orgs
from tests.orgs.test_tenancy import globex_things
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


# ------------------------------------------------------------------ the security log
TOKEN = "Zq3k9xY2-secretTOKENvalue_4f8a1b2c3d4e5f6a7b8c9d0e"


@pytest.mark.parametrize("log_format", ["text", "json"])
def test_security_events_reach_the_log_and_tokens_never_do(
        tmp_path: Path, db_url: str, servers: list[Gunicorn], log_format: str) -> None:
    """The default settings (text) and JSON: a failed log-in and a verify rate-limit hit are
    logged; a reset or invitation link's token never reaches the access log. Each format on one
    database when there are two (the log does not depend on it): see PAIRED in conftest.py."""
    (tmp_path / "instance").mkdir()
    server = start_gunicorn(tmp_path / "instance", db_url, 1, COURSE_LOG_FORMAT=log_format,
                            COURSE_RATELIMIT_VERIFY="2/minute")
    servers.append(server)
    browser = Browser(server.url)
    status, _, _ = browser.open("/account/login", {
        "csrf_token": browser.token("/account/login"), "email": "nobody@example.com",
        "password": "not the password at all"})
    assert status == 401
    assert [browser.open("/verify/NO-SUCH-CODE")[0] for _ in range(3)][-1] == 429
    for path in (f"/account/reset/{TOKEN}", f"/invitations/{TOKEN}",
                 f"/reminders/unsubscribe/{TOKEN}", f"/account/reset/{TOKEN}?token={TOKEN}"):
        browser.open(path)
    time.sleep(0.5)
    log = server.log.read_text()
    assert TOKEN not in log and "not the password" not in log
    assert '"GET /account/reset/[redacted] HTTP/1.1"' in log
    assert '"GET /invitations/[redacted] HTTP/1.1"' in log
    events = security_lines(log, log_format)
    failed = next(e for e in events if e["event"] == "login-failed")
    assert failed["remote_addr"] == "127.0.0.1"
    assert failed["endpoint"] == "course.accounts.login" and failed["request_id"]
    assert any(e["event"] == "rate-limit:verify" for e in events)


def security_lines(log: str, log_format: str) -> list[dict[str, str]]:
    """The security events in a gunicorn log, as dictionaries, whatever the format."""
    events = []
    for line in log.splitlines():
        if log_format == "json" and line.startswith("{"):
            entry = json.loads(line)
            if entry["logger"] == "course.security":
                events.append({k: str(v) for k, v in entry["security"].items()})
        elif log_format == "text" and " course.security: security event " in line:
            head, _, rest = line.partition(" course.security: security event ")
            event, *pairs = rest.split(" ")
            events.append({"event": event, **dict(p.split("=", 1) for p in pairs if "=" in p)})
    return events


def security_events(caplog: pytest.LogCaptureFixture, event: str) -> list[dict]:
    return [r.security for r in caplog.records
            if hasattr(r, "security") and r.security["event"] == event]


def test_refused_ids_and_revocations_are_logged_with_address_and_organisation(
        orgs: Orgs, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="course.security")
    site = orgs.site
    ids = globex_things(orgs)
    acme = orgs.manager("acme")
    assert acme.get(site.url(f"/org/certificates/{ids['certificate']}")).status_code == 404
    [refused] = security_events(caplog, "object-refused")
    assert refused["object"] == "certificate" and refused["object_id"] == ids["certificate"]
    assert refused["org_id"] == orgs.acme_id and refused["remote_addr"] == "127.0.0.1"
    assert refused["user_id"] == orgs.people.user_id("boss@acme.example")
    globex = orgs.manager("globex")
    url = site.url(f"/org/certificates/{ids['certificate']}")
    token = csrf_token(globex, url)
    globex.post(url, data={"csrf_token": token, "action": "revoke", "reason": "left us"})
    [revoked] = security_events(caplog, "certificate-revoked")
    assert revoked["remote_addr"] == "127.0.0.1" and revoked["org_id"] == orgs.globex_id
    assert revoked["user_id"] == orgs.people.user_id("boss@globex.example")


def test_another_learners_attempt_is_refused_and_logged(
        orgs: Orgs, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="course.security")
    site = orgs.site
    owner = orgs.people.user_id("owner@example.com")
    with site.app.app_context():
        (course, module), quiz = next(iter(site.app.extensions["course"].content()
                                           .quizzes.items()))
        attempt = QuizAttempt(user_id=owner, course=course, module=module, number=1,
                              quiz_version=quiz.version, state="finished", shown=[],
                              responses={}, pass_mark=quiz.pass_mark, percent=Decimal("95"),
                              passed=True)
        session().add(attempt)
        session().commit()
        attempt_id = attempt.id
    other = orgs.people.client("other@example.com")
    for path in ("", "/result"):
        url = site.url(f"/courses/{course}/quizzes/{module}/attempts/{attempt_id}{path}")
        assert other.get(url).status_code == 404
    events = security_events(caplog, "object-refused")
    assert [e["object_id"] for e in events] == [attempt_id, attempt_id]
    assert events[0]["object"] == "quiz-attempt"
    assert events[0]["user_id"] == orgs.people.user_id("other@example.com")


def test_tokens_are_redacted_from_every_log_line() -> None:
    from course.ops import JsonFormatter, TextFormatter, redact_tokens

    assert redact_tokens(f'"GET /training/account/reset/{TOKEN} HTTP/1.1"') == (
        '"GET /training/account/reset/[redacted] HTTP/1.1"')
    assert redact_tokens(f"/invitations/{TOKEN}?next=/x") == "/invitations/[redacted]?next=/x"
    assert redact_tokens("/org/invitations/12/revoke") == "/org/invitations/12/revoke"
    assert redact_tokens(f"/verify/check?code={TOKEN}") == "/verify/check?code=[redacted]"
    record = logging.makeLogRecord({"name": "course", "levelno": logging.ERROR,
                                    "levelname": "ERROR", "msg": "Exception on %s [GET]",
                                    "args": (f"/account/reset/{TOKEN}",)})
    for formatter in (TextFormatter(), JsonFormatter()):
        line = formatter.format(record)
        assert TOKEN not in line and "/account/reset/[redacted]" in line
