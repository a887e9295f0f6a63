"""Quiz-submission load: concurrent learners start and submit attempts against gunicorn.

Used by bench/pages.py. Each learner is a thread with its own session; it starts an attempt
and submits answers, over and over, for a bounded time. Afterwards the database is checked:
every submission that got an answer must be exactly one finished, graded attempt.

The quiz is the bench's own (bench/content/quiz.yaml: no attempt limit, no cooldown, no time
limit), put in place of the sample module's quiz in a copy of the content, so the load measures
starting and submitting, not refusals. `python bench/quizload.py prepare COUNT` creates the
learners with the `course` package on PYTHONPATH (the revision being measured).
"""

from __future__ import annotations

import http.cookiejar
import os
import re
import resource
import shutil
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

QUIZ = "/courses/social-divide/quizzes/social-graph-presence/"
PASSWORD = "bench password 1234"


@dataclass
class LoadResult:
    name: str
    submits: int = 0
    errors: int = 0
    latencies: list[float] = field(default_factory=list)
    seconds: float = 0.0
    client_cpu: float = 0.0  # CPU seconds the load client itself used (it shares the machine)
    server_cpu: float = 0.0  # CPU seconds the server's workers used meanwhile

    @property
    def rps(self) -> float:
        return self.submits / self.seconds if self.seconds else 0.0

    def pct(self, q: float) -> float:
        if not self.latencies:
            return 0.0
        ordered = sorted(self.latencies)
        return 1000 * ordered[min(len(ordered) - 1, int(q * len(ordered)))]


BENCH_QUIZ = Path(__file__).resolve().parent / "content" / "quiz.yaml"
ANSWERS = {"q-months": "6", "q-profile-is-presence": "false", "q-first-step": "0"}


def bench_content(target: Path, source: Path) -> Path:
    """A copy of the sample content with the bench's own quiz for the module under load."""
    for name in ("lessons", "quizzes", "certificates"):
        shutil.copytree(source / name, target / name)
    shutil.copyfile(BENCH_QUIZ, target / "quizzes" / "social-divide" / "social-graph-presence.yaml")
    return target


def prepare_learners(app, count: int) -> list[str]:  # noqa: ANN001
    """Create `count` learners who have finished the module's lessons (so the quiz is open)."""
    from course.accounts import services as accounts
    from course.db import session
    from course.lessons import services as lessons

    emails = [f"learner{i}@bench.example" for i in range(count)]
    with app.app_context():
        policy = accounts.PasswordPolicy.from_config(app.config)
        course = app.extensions["course"].content().course("social-divide")
        module = course.module("social-graph-presence")
        for email in emails:
            user = accounts.create_user(session(), policy, email=email, password=PASSWORD,
                                        display_name=email.split("@")[0])
            for lesson in module.lessons:
                lessons.complete_lesson(session(), user.course_user_id, lesson)
        session().commit()
    return emails


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):  # noqa: ANN002, ANN003, ANN201
        return None


class Learner:
    """One virtual learner with a cookie jar, talking to the server over HTTP."""

    def __init__(self, base: str, email: str) -> None:
        self.base = base
        jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
        # Quiz posts are timed on their own, without the page the redirect leads to.
        self.poster = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar),
                                                  _NoRedirect())
        html = self.get("/account/login")
        token = self.token(html)
        self.post("/account/login", {"csrf_token": token, "email": email, "password": PASSWORD})
        self.jar = jar
        self.csrf = self.token(self.get(QUIZ))

    def cookie(self) -> str:
        """The session cookie this learner holds now, as a Cookie header's value."""
        return "; ".join(f"{c.name}={c.value}" for c in self.jar if c.name == "session")

    @staticmethod
    def token(html: str) -> str:
        return re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html).group(1)

    def get(self, path: str) -> str:
        return self.opener.open(self.base + path, timeout=30).read().decode()

    def post(self, path: str, data: dict) -> tuple[int, str]:
        """POST without following the redirect: (status, Location)."""
        body = urllib.parse.urlencode(data, doseq=True).encode()
        try:
            response = self.poster.open(self.base + path, body, timeout=30)
        except urllib.error.HTTPError as exc:
            if exc.code in (301, 302, 303):
                return exc.code, exc.headers.get("Location", "")
            raise
        return response.status, response.headers.get("Location", "")

    def one_attempt(self) -> float:
        """Start an attempt, then submit it; the submit's latency in seconds."""
        _, url = self.post(QUIZ + "start", {"csrf_token": self.csrf})
        attempt = url.split("/attempts/")[1].split("/")[0]
        answers = {"csrf_token": self.csrf, "confirm": "yes", **ANSWERS}
        started = time.perf_counter()
        status, final = self.post(f"{QUIZ}attempts/{attempt}/submit", answers)
        elapsed = time.perf_counter() - started
        if status != 302 or "/result" not in final:
            raise RuntimeError(f"submit answered {status} at {final}")
        return elapsed


def run_load(name: str, learners: list[Learner], seconds: float) -> LoadResult:
    """Every learner loops start+submit until `seconds` have passed."""
    result = LoadResult(name)
    lock = threading.Lock()
    stop = time.monotonic() + seconds

    def work(learner: Learner) -> None:
        while time.monotonic() < stop:
            try:
                latency = learner.one_attempt()
            except Exception:
                with lock:
                    result.errors += 1
                continue
            with lock:
                result.submits += 1
                result.latencies.append(latency)

    threads = [threading.Thread(target=work, args=(x,)) for x in learners]
    began, cpu = time.monotonic(), time.process_time()
    for t in threads:
        t.start()
    for t in threads:
        t.join(seconds + 60)
    result.seconds = time.monotonic() - began
    result.client_cpu = time.process_time() - cpu
    return result


LUA = Path(__file__).resolve().parent / "quizload.lua"


def run_wrk(name: str, base: str, learners: list[Learner], seconds: float,
            workdir: Path) -> LoadResult:
    """The same closed loop driven by wrk (bench/quizload.lua), one thread per learner: the
    load generator then takes a small part of the CPU it shares with the server, where the
    Python client above takes about a sixth of it. Latencies are the submits' only."""
    listing = workdir / f"learners-{len(learners)}.tsv"
    listing.write_text("".join(f"{x.cookie()}\t{x.csrf}\n" for x in learners))
    n = len(learners)
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    out = subprocess.run(["wrk", f"-t{n}", f"-c{n}", f"-d{int(seconds)}s", "--timeout", "30s",
                          "-s", str(LUA), base + "/"], capture_output=True, text=True,
                         env={**os.environ, "QUIZLOAD_LEARNERS": str(listing)}, check=True)
    result = LoadResult(name, seconds=float(seconds))
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    result.client_cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    for line in out.stdout.splitlines():
        key, _, value = line.partition(" ")
        if key == "submit":
            result.latencies.append(float(value) / 1000)
        elif key == "errors":
            result.errors += int(value)
    result.submits = len(result.latencies)
    return result


def verify(db_url: str) -> tuple[int, int]:
    """(finished attempts, finished attempts without a grade) in the database, read in SQL."""
    from sqlalchemy import create_engine, text

    engine = create_engine(db_url)
    with engine.connect() as conn:
        finished = conn.scalar(text(
            "SELECT count(*) FROM course_quiz_attempt WHERE state = 'finished'"))
        ungraded = conn.scalar(text("SELECT count(*) FROM course_quiz_attempt "
                                    "WHERE state = 'finished' AND percent IS NULL"))
    engine.dispose()
    return finished, ungraded


if __name__ == "__main__" and sys.argv[1:2] == ["prepare"]:
    from course import create_app

    prepare_learners(create_app(), int(sys.argv[2]))
