"""The hostile catalogue: one test per defence in security.md, each run from outside against a
live gunicorn (two workers, our production configuration, rate limits in Redis when it is
there), with payloads of our own."""

from __future__ import annotations

import http.server
import io
import json
import os
import re
import secrets
import shutil
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from html.parser import HTMLParser
from pathlib import Path

import pytest
from pypdf import PdfReader
from sqlalchemy import func, select

from course import create_app
from course.certificates.models import Certificate
from course.db import session
from course.lessons.services import complete_lesson
from course.quizzes.models import QuizAttempt
from tests.conftest import SUITE_CONTENT, TEST_SECRET
from tests.production.conftest import ROOT, Browser, Gunicorn, start_gunicorn, stop

REDIS_URL = os.environ.get("COURSE_TEST_REDIS_URL")
PASSWORD = "a long hostile-test password"
HOSTILE_LESSON = """---
title: "Hostile markup"
summary: "Every way we know to smuggle script into a lesson."
---

## Intro {: #main onmouseover="steal()" }

<script>fetch('/steal')</script><img src=x onerror=steal()>
<iframe srcdoc="<script>steal()</script>"></iframe><form action="//evil.example"><input></form>

[click](JaVaScRiPt:steal()) [vb](vbscript:msgbox(1))
[data](data:text/html;base64,PHNjcmlwdD5zdGVhbCgpPC9zY3JpcHQ+)

Paragraph {: style="background:url(javascript:steal())" onclick="steal()" }

<svg><a xlink:href="javascript:steal()"><text>svg</text></a></svg>
<math><mtext><table><mglyph><style><img src=x onerror=steal()></style></mglyph></table>
</mtext></math>
"""
#: Lines the content check refuses outright (the site would not serve them at all).
REFUSED_LINES = ("[tab](java&#9;script:steal())", "[proto](//evil.example/x)",
                 "![pixel](http://evil.example/track.png)", "![up](../../../../etc/passwd)")
NAMES = ['Ann <base href="http://127.0.0.1:{port}/">',
         'Bo <link rel="attachment" href="/etc/hostname">',
         'Cy <img src="http://127.0.0.1:{port}/cy.png">',
         'Di <style>@font-face{{src:url(http://127.0.0.1:{port}/f.ttf)}}</style>',
         'Ed \u202eevil\u202c {{{{ 6*7 }}}} <script>x</script>']


class Tags(HTMLParser):
    """Every tag and its attributes, as a browser would parse them."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[tuple[str, list[tuple[str, str | None]]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.found.append((tag, attrs))


class Hits(http.server.BaseHTTPRequestHandler):
    count: list[str] = []

    def do_GET(self) -> None:  # noqa: N802
        Hits.count.append(self.path)
        self.send_response(404)
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


@dataclass
class Live:
    server: Gunicorn
    app: object
    listener_port: int

    def browser(self, follow: bool = True) -> Browser:
        return Browser(self.server.url, follow)

    def account(self, email: str, name: str = "Hostile Tester", role: str = "learner") -> str:
        from course.accounts.services import PasswordPolicy, create_user

        with self.app.app_context():
            user = create_user(session(), PasswordPolicy.from_config(self.app.config),
                               email=email, password=PASSWORD, display_name=name, role=role)
            session().commit()
            return user.course_user_id

    def log_in(self, email: str) -> Browser:
        """A browser logged in to an existing account."""
        browser = self.browser()
        browser.open("/account/login", {"csrf_token": browser.token("/account/login"),
                                        "email": email, "password": PASSWORD})
        return browser

    def logged_in(self, email: str, **kwargs: str) -> Browser:
        self.account(email, **kwargs)
        return self.log_in(email)

    def finished_everything(self, user_id: str) -> None:
        with self.app.app_context():
            loaded = self.app.extensions["course"].content()
            for lesson in loaded.course("social-divide").lessons:
                complete_lesson(session(), user_id, lesson)
            for (_, module), quiz in loaded.quizzes.items():
                session().add(QuizAttempt(
                    user_id=user_id, course="social-divide", module=module, number=1,
                    quiz_version=quiz.version, state="finished", shown=[], responses={},
                    pass_mark=quiz.pass_mark, percent=Decimal("95"), passed=True))
            session().commit()

    @staticmethod
    def claim_certificate(browser: Browser) -> tuple[int, str, str]:
        """Ask for the certificate that is due (a POST from My certificates), then open it."""
        browser.open("/certificates/issue", {"csrf_token": browser.token("/certificates/")})
        return browser.open("/certificates/")


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Live]:
    tmp = tmp_path_factory.mktemp("hostile")
    root = tmp / "content"
    for name in ("lessons", "quizzes", "certificates"):
        shutil.copytree(SUITE_CONTENT / name, root / name)
    (root / "lessons/social-divide/01-welcome/02-hostile-markup.md").write_text(HOSTILE_LESSON)
    listener = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Hits)
    threading.Thread(target=listener.serve_forever, daemon=True).start()
    db = f"sqlite:///{tmp / 'course.db'}"
    extra = {"COURSE_CONTENT_ROOT": str(root), "COURSE_RATELIMIT_LOGIN": "1000/minute",
             "COURSE_RATELIMIT_REGISTER": "1000/hour", "COURSE_RATELIMIT_VERIFY": "20/minute"}
    if REDIS_URL:
        extra["COURSE_RATELIMIT_STORAGE_URL"] = f"{REDIS_URL}/15"
    (tmp / "instance").mkdir()
    server = start_gunicorn(tmp / "instance", db, workers=2, **extra)
    app = create_app({"TESTING": True, "SECRET_KEY": TEST_SECRET, "SQLALCHEMY_DATABASE_URI": db,
                      "COURSE_CONTENT_ROOT": str(root)}, instance_path=tmp / "app")
    if REDIS_URL:
        from redis import Redis

        with Redis.from_url(f"{REDIS_URL}/15") as redis:
            redis.flushdb()
    try:
        yield Live(server, app, listener.server_address[1])
    finally:
        stop(server)
        listener.shutdown()
        listener.server_close()
        with app.app_context():
            app.extensions["course"].db.engine.dispose()


# ------------------------------------------------------------------ lessons
def test_hostile_lesson_markup_is_inert(live: Live) -> None:
    browser = live.logged_in("reader@example.com")
    status, _, html = browser.open("/courses/social-divide/lessons/hostile-markup")
    assert status == 200
    body = html.split('<div class="lesson-body">', 1)[1].split('<div id="lesson-end"', 1)[0]
    tags = Tags()
    tags.feed(body)  # the trainer's part of the page
    names = {tag for tag, _ in tags.found}
    assert not names & {"script", "iframe", "form", "input", "svg", "math", "style", "base"}
    for tag, attrs in tags.found:
        for name, value in attrs:
            assert not name.startswith("on") and name != "style", (tag, name)
            if name in ("href", "src", "action"):
                squeezed = re.sub(r"[\s\x00-\x1f]", "", value or "").lower()
                assert not squeezed.startswith(("javascript:", "vbscript:", "data:", "//")), value
            if name == "id":
                assert value.startswith("s-"), (tag, value)  # cannot clobber the page's ids


def test_lessons_that_reach_outside_fail_the_content_check(tmp_path: Path) -> None:
    import subprocess
    import sys

    for name in ("lessons", "quizzes", "certificates"):
        shutil.copytree(ROOT / name, tmp_path / name)
    lesson = tmp_path / "lessons/social-divide/01-welcome/02-outside.md"
    lesson.write_text('---\ntitle: "Outside"\nsummary: "Links out."\n---\n\n'
                      + "\n\n".join(REFUSED_LINES) + "\n")
    result = subprocess.run([sys.executable, "-m", "flask", "--app", "wsgi", "course", "check",
                             str(tmp_path)], cwd=ROOT, capture_output=True, text=True,
                            env={**os.environ, "SECRET_KEY": secrets.token_urlsafe(32)})
    assert result.returncode == 1
    problems = [line for line in result.stderr.splitlines() if "02-outside.md:" in line]
    assert len(problems) == len(REFUSED_LINES), result.stderr


def test_every_page_sends_the_security_headers(live: Live) -> None:
    browser = live.browser()
    for path in ("/catalogue", "/account/login", "/verify/check", "/verify/nothing",
                 "/healthz", "/courses/social-divide/"):
        browser.open(path)
        headers = browser.headers
        csp = headers["Content-Security-Policy"]
        assert "unsafe-inline" not in csp.split("script-src")[-1].split(";")[0], path
        assert "frame-ancestors 'none'" in csp, path
        assert headers["X-Content-Type-Options"] == "nosniff", path
        assert headers["Referrer-Policy"] and headers["X-Request-ID"], path


# ------------------------------------------------------------------ certificates
def test_hostile_names_print_as_text_and_fetch_nothing(live: Live) -> None:
    Hits.count.clear()
    for i, template in enumerate(NAMES):
        name = template.format(port=live.listener_port)
        email = f"hostile{i}@example.com"
        user_id = live.account(email, name=name[:120])
        live.finished_everything(user_id)
        browser = live.log_in(email)
        status, _, page = live.claim_certificate(browser)
        assert status == 200, page[:300]
        link = re.search(r'href="(/certificates/\d+/certificate\.pdf)"', page).group(1)
        with browser.opener.open(live.server.url + link) as response:
            disposition = response.headers["Content-Disposition"]
            pdf = response.read()
        assert disposition == 'attachment; filename="certificate.pdf"'  # never the name
        reader = PdfReader(io.BytesIO(pdf))
        assert len(reader.pages) == 1 and list(reader.attachments) == ["certificate.json"]
        text = reader.pages[0].extract_text()
        visible = name.replace("\u202e", "").replace("\u202c", "")
        assert "".join(visible.split())[:30] in "".join(text.split())  # literally, as text
        if "{{" in name:  # template syntax in a name is printed, never evaluated
            assert "{{6*7}}" in "".join(text.split())
        assert b"root:" not in pdf and b"localhost" not in pdf.lower()
    assert Hits.count == []  # no request reached the listener


# ------------------------------------------------------------------ accounts and sessions
def test_copied_cookies_die_at_logout(live: Live) -> None:
    live.account("cookie@example.com")
    browser = live.browser()
    browser.open("/account/login", {"csrf_token": browser.token("/account/login"),
                                    "email": "cookie@example.com", "password": PASSWORD,
                                    "remember": "y"})
    stolen = [(c.name, c.value) for c in browser.jar]
    assert {"session", "remember_token"} <= {n for n, _ in stolen}
    browser.open("/account/logout", {"csrf_token": browser.token("/catalogue")})
    for name, value in stolen:
        thief = live.browser(follow=False)
        thief.opener.addheaders = [("Cookie", f"{name}={value}")]
        status, _, _ = thief.open("/certificates/")
        assert status == 302 and "/account/login" in thief.headers["Location"], name


@pytest.mark.parametrize("target", [
    "//evil.example/", "/\\evil.example", "/\t/evil.example", "https:evil.example",
    "\\\\evil.example", "/%2F%2Fevil.example", "java\nscript:alert(1)", "http://127.0.0.1.evil.example/",
])
def test_next_never_leaves_the_site(live: Live, target: str) -> None:
    live.account(f"next{abs(hash(target))}@example.com")
    browser = live.browser(follow=False)
    token = browser.token("/account/login")
    from urllib.parse import quote

    browser.open("/account/login?next=" + quote(target, safe=""),
                 {"csrf_token": token, "email": f"next{abs(hash(target))}@example.com",
                  "password": PASSWORD})
    location = browser.headers["Location"]
    assert location.startswith("/") and not location.startswith(("//", "/\\")), location


def test_cookie_flags(live: Live) -> None:
    live.account("flags@example.com")
    browser = live.browser(follow=False)
    browser.open("/account/login", {"csrf_token": browser.token("/account/login"),
                                    "email": "flags@example.com", "password": PASSWORD,
                                    "remember": "y"})
    cookies = browser.headers.get_all("Set-Cookie")
    for cookie in cookies:
        assert "HttpOnly" in cookie and "SameSite=Lax" in cookie, cookie
    remember = next(c for c in cookies if c.startswith("remember_token="))
    from datetime import UTC, datetime, timedelta
    from email.utils import parsedate_to_datetime

    expires = parsedate_to_datetime(re.search(r"Expires=([^;]+)", remember).group(1))
    assert expires <= datetime.now(UTC) + timedelta(days=14, minutes=5)


def test_known_and_unknown_accounts_get_the_same_answer(live: Live) -> None:
    live.account("known@example.com")
    answers = []
    for email in ("known@example.com", "nobody-here@example.com"):
        browser = live.browser()
        status, _, html = browser.open("/account/login", {
            "csrf_token": browser.token("/account/login"), "email": email,
            "password": "not the password at all"})
        answers.append((status, re.sub(r'value="[^"]*"', "", html)))
    assert answers[0] == answers[1]


def test_forms_without_the_csrf_token_change_nothing(live: Live) -> None:
    """A cross-site form (no token) can neither log in, register, ask for a reset link,
    complete a lesson nor close an account."""
    from course.accounts.models import PasswordReset, User
    from course.lessons.models import LessonProgress

    user_id = live.account("victim@example.com")
    forger = live.browser()
    forger.open("/account/login", {"email": "victim@example.com", "password": PASSWORD})
    forger.open("/account/register", {"display_name": "Forged", "email": "forged@example.com",
                                      "password": PASSWORD, "confirm": PASSWORD})
    forger.open("/account/forgot", {"email": "victim@example.com"})
    status, url, _ = forger.open("/certificates/")
    assert "/account/login" in url  # still anonymous
    victim = live.logged_in("victim2@example.com")
    victim.open("/courses/social-divide/lessons/what-the-social-divide-is/complete", {})
    victim.open("/privacy/close", {"confirm": "CLOSE"})
    with live.app.app_context():
        db = session()
        assert db.scalar(select(func.count()).select_from(User).where(
            User.email.in_(["forged@example.com"]))) == 0
        assert db.scalar(select(func.count()).select_from(PasswordReset)) == 0
        assert db.scalar(select(func.count()).select_from(User).where(
            User.email == "victim2@example.com")) == 1
        assert db.scalar(select(func.count()).select_from(LessonProgress).where(
            LessonProgress.completed_at.is_not(None), LessonProgress.user_id == user_id)) == 0
    assert victim.open("/privacy/")[0] == 200  # still logged in, account intact


@pytest.mark.skipif(not REDIS_URL, reason="COURSE_TEST_REDIS_URL is not set")
def test_rate_limits_hold_across_workers(live: Live) -> None:
    from redis import Redis

    with Redis.from_url(f"{REDIS_URL}/15") as redis:
        redis.flushdb()
    codes = [live.browser().open(f"/verify/guess-{i}")[0] for i in range(26)]
    assert codes.count(404) == 20 and codes[-1] == 429  # 20/minute in all, not per worker


# ------------------------------------------------------------------ authorisation
def test_other_peoples_things_give_404(live: Live) -> None:
    owner_id = live.account("owner@example.com")
    live.finished_everything(owner_id)
    owner = live.log_in("owner@example.com")
    page = live.claim_certificate(owner)[2]
    pdf = re.search(r'(/certificates/(\d+)/certificate\.pdf)', page)
    with live.app.app_context():
        attempt = session().scalar(select(QuizAttempt.id).where(
            QuizAttempt.user_id == owner_id))
    intruder = live.logged_in("intruder@example.com")
    for path in (pdf.group(1), f"/certificates/{pdf.group(2)}/recertify",
                 f"/courses/social-divide/quizzes/organisation/attempts/{attempt}",
                 f"/courses/social-divide/quizzes/organisation/attempts/{attempt}/result"):
        status, _, body = intruder.open(path)
        assert status in (404, 405), (path, status)
        assert "owner@example.com" not in body


def test_a_manager_cannot_reach_another_organisation(live: Live) -> None:
    from course.orgs import services
    from course.orgs.models import MANAGER

    boss = live.account("boss@north.example")
    other = live.account("staff@south.example")
    with live.app.app_context():
        north = services.create_org(session(), "north", "North")
        south = services.create_org(session(), "south", "South")
        services.add_member(session(), north, user_id=boss, name="Boss", role=MANAGER,
                            email="boss@north.example")
        member = services.add_member(session(), south, user_id=other, name="=cmd|' /C calc'!A0",
                                     email="staff@south.example")
        invitation, _ = services.invite(session(), south, "new@south.example", invited_by="x",
                                        days=2)
        session().commit()
        ids = (member.id, invitation.id)
    browser = live.log_in("boss@north.example")
    token = browser.token("/org/members")
    assert browser.open(f"/org/members/{ids[0]}/remove", {"csrf_token": token})[0] == 404
    assert browser.open(f"/org/invitations/{ids[1]}/revoke", {"csrf_token": token})[0] == 404
    csv_text = browser.open("/org/staff-progress.csv?org=south&org_id=2")[2]
    assert "south.example" not in csv_text


def test_csv_exports_neutralise_formulas(live: Live) -> None:
    from course.orgs import services
    from course.orgs.models import MANAGER

    boss = live.account("boss@formula.example")
    cells = ["=HYPERLINK(\"http://evil.example\",\"x\")", "+SUM(1,2)", "-2+3", "@cmd",
             "\tTAB", "\rCR"]
    users = [live.account(f"f{i}@formula.example") for i in range(len(cells))]
    with live.app.app_context():
        org = services.create_org(session(), "formula", "Formula")
        services.add_member(session(), org, user_id=boss, name="Boss", role=MANAGER,
                            email="boss@formula.example")
        for user_id, cell in zip(users, cells, strict=True):
            services.add_member(session(), org, user_id=user_id, name=cell, team=cell)
        session().commit()
    browser = live.log_in("boss@formula.example")
    import csv

    rows = list(csv.reader(io.StringIO(browser.open("/org/staff-progress.csv")[2])))
    for row in rows[1:]:
        for cell in row:
            assert not cell.startswith(("=", "+", "-", "@", "\t", "\r")), cell


def test_no_answer_key_reaches_the_browser_before_submission(live: Live) -> None:
    user_id = live.account("keys@example.com")
    with live.app.app_context():
        loaded = live.app.extensions["course"].content()
        for lesson in loaded.course("social-divide").module("role-model").lessons:
            complete_lesson(session(), user_id, lesson)
        session().commit()
        quiz = loaded.quizzes[("social-divide", "role-model")]
        secrets_ = {f for q in quiz.questions for o in q.options for f in [o.feedback] if f}
    browser = live.log_in("keys@example.com")
    base = "/courses/social-divide/quizzes/role-model/"
    _, url, html = browser.open(base + "start", {"csrf_token": browser.token(base)})
    assert "/attempts/" in url
    lowered = html.lower()
    assert "weight" not in lowered and '"correct"' not in lowered
    assert not [s for s in secrets_ if s.lower() in lowered]


# ------------------------------------------------------------------ data integrity
def test_parallel_starts_and_submits_count_once(live: Live) -> None:
    user_id = live.account("racer@example.com")
    with live.app.app_context():
        loaded = live.app.extensions["course"].content()
        for lesson in loaded.course("social-divide").module("education").lessons:
            complete_lesson(session(), user_id, lesson)
        session().commit()
    browsers = [live.log_in("racer@example.com") for _ in range(6)]
    base = "/courses/social-divide/quizzes/education/"
    tokens = [b.token(base) for b in browsers]
    urls: list[str] = []

    def start(b: Browser, token: str) -> None:
        urls.append(b.open(base + "start", {"csrf_token": token})[1])

    threads = [threading.Thread(target=start, args=pair) for pair in zip(browsers, tokens,
                                                                         strict=True)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert len(set(urls)) == 1 and "/attempts/" in urls[0]
    path = urls[0].split(live.server.url, 1)[1]
    submit_tokens = [b.token(path) for b in browsers]
    threads = [threading.Thread(target=b.open, args=(path + "/submit",
                                                     {"csrf_token": t, "confirm": "yes"}))
               for b, t in zip(browsers, submit_tokens, strict=True)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    with live.app.app_context():
        rows = session().execute(select(QuizAttempt.state).where(
            QuizAttempt.user_id == user_id, QuizAttempt.module == "education")).all()
        assert [r.state for r in rows] == ["finished"]


def test_certificate_is_issued_at_most_once_under_parallel_requests(live: Live) -> None:
    user_id = live.account("twice@example.com")
    live.finished_everything(user_id)
    browsers = [live.log_in("twice@example.com") for _ in range(6)]
    assert "Issue my certificate" in browsers[0].open("/certificates/")[2]  # a view issues none
    with live.app.app_context():
        assert session().scalar(select(func.count()).select_from(Certificate).where(
            Certificate.user_id == user_id)) == 0
    tokens = [b.token("/certificates/") for b in browsers]
    threads = [threading.Thread(target=b.open, args=("/certificates/issue", {"csrf_token": t}))
               for b, t in zip(browsers, tokens, strict=True)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    with live.app.app_context():
        assert session().scalar(select(func.count()).select_from(Certificate).where(
            Certificate.user_id == user_id)) == 1


def test_readiness_reports_as_json(live: Live) -> None:
    status, _, body = live.browser().open("/readyz")
    assert status == 200 and json.loads(body)["status"] == "ready"
