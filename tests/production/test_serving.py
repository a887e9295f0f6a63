"""Serving in production: the gunicorn configuration, health and readiness, request ids, JSON
logs and the security event log (with no secrets in it)."""

from __future__ import annotations

import json
import logging
import re
from pathlib import Path

import pytest
from flask import Flask

from course.ops import JsonFormatter
from tests.conftest import Site, csrf_token, login
from tests.production.conftest import Gunicorn


def test_gunicorn_serves_warm_workers_with_health_and_request_ids(
        gunicorn_server: Gunicorn) -> None:
    status, _, body = gunicorn_server.get("/healthz")
    assert status == 200 and json.loads(body) == {"status": "ok"}
    status, _, body = gunicorn_server.get("/readyz")
    assert status == 200 and json.loads(body)["checks"] == {"database": "ok", "content": "ok"}
    status, headers, _ = gunicorn_server.get("/catalogue", {"X-Request-ID": "trace-12345678"})
    assert status == 200 and headers["X-Request-ID"] == "trace-12345678"
    _, headers, _ = gunicorn_server.get("/catalogue", {"X-Request-ID": "<script>x</script>"})
    assert re.fullmatch(r"[0-9a-f]{32}", headers["X-Request-ID"])
    assert len(gunicorn_server.worker_pids()) == 2
    log = gunicorn_server.log.read_text()
    assert "id=trace-12345678" in log  # the access log carries the request id


def test_readiness_fails_when_the_content_is_broken(site: Site, tmp_path: Path) -> None:
    (tmp_path / "lessons" / "broken").mkdir(parents=True)
    (tmp_path / "quizzes").mkdir()
    (tmp_path / "certificates").mkdir()
    (tmp_path / "lessons" / "broken" / "course.yaml").write_text("title: [unclosed\n")
    site.app.config["COURSE_CONTENT_ROOT"] = str(tmp_path)
    response = site.client().get(site.url("/readyz"))
    assert response.status_code == 503
    assert response.get_json()["checks"]["database"] == "ok"
    assert "problem" in response.get_json()["checks"]["content"]


def test_readiness_fails_when_the_database_is_unreachable(make_app) -> None:
    app: Flask = make_app(raw={"TESTING": True, "SECRET_KEY": "s3cr3t-" * 8,
                               "SQLALCHEMY_DATABASE_URI":
                               "postgresql+psycopg://nobody@127.0.0.1:1/none"})
    response = app.test_client().get("/readyz")
    assert response.status_code == 503
    assert response.get_json()["checks"] == {"database": "unreachable"}
    page = app.test_client().get("/catalogue")
    assert page.status_code == 503 and "briefly unavailable" in page.get_data(as_text=True)
    assert page.headers["Retry-After"] == "30"


def test_security_log_has_events_and_no_secrets(standalone_app: Flask,
                                                caplog: pytest.LogCaptureFixture) -> None:
    standalone_app.config["COURSE_RATELIMIT_LOGIN"] = "2/minute"
    caplog.set_level(logging.INFO, logger="course")
    client = standalone_app.test_client()
    for _ in range(3):
        login(client, "lea@example.com", "my very secret password")
    token = csrf_token(client, "/account/forgot")
    client.post("/account/forgot", data={"csrf_token": token, "email": "lea@example.com"})
    client.get("/certificates/admin")  # not logged in: a redirect, not a denial
    events = [r.security for r in caplog.records if hasattr(r, "security")]
    assert {"login-failed", "rate-limit:login-addr"} <= {e["event"] for e in events}
    formatter = JsonFormatter()
    for record in caplog.records:
        line = formatter.format(record)
        entry = json.loads(line)
        assert "my very secret password" not in line and "csrf" not in line.lower()
        if hasattr(record, "security"):
            assert entry["security"]["endpoint"] and entry["security"]["request_id"]


def test_permission_denials_are_logged(site: Site, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="course.security")
    learner = site.logged_in_client()
    assert learner.get(site.url("/certificates/admin")).status_code == 403
    [event] = [r.security for r in caplog.records if hasattr(r, "security")
               and r.security["event"] == "permission-denied"]
    assert event["user_id"] and event["endpoint"] == "course.certificates.admin"


def test_trusted_hosts_and_proxies(make_app, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="course.security")
    strict = make_app(instance="strict", COURSE_TRUSTED_HOSTS="learn.example, www.learn.example")
    assert strict.test_client().get("/catalogue", base_url="http://evil.example").status_code \
        == 400
    assert strict.test_client().get("/catalogue",
                                     base_url="http://learn.example").status_code == 200
    for proxies, expected in ((0, "127.0.0.1"), (1, "203.0.113.9")):
        app = make_app(instance=f"proxies{proxies}", COURSE_TRUSTED_PROXIES=proxies)
        client = app.test_client()
        login(client, "nobody@example.com", "wrong password!!",
              headers={"X-Forwarded-For": "203.0.113.9"})
        events = [r.security for r in caplog.records if hasattr(r, "security")
                  and r.security["event"] == "login-failed"]
        assert events[-1]["remote_addr"] == expected
