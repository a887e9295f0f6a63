"""The whole learner journey under load: 64 concurrent learners log in, read and complete every
lesson, pass the four factor quizzes and download their certificate, against gunicorn with
several workers (our production configuration), on SQLite or on PostgreSQL with Redis.

Afterwards the database must hold exactly four graded attempts and one certificate per
learner: nothing lost, nothing doubled. Run with `./bench/run --only journey [--postgres]`.

The client plays learners who studied: it answers from the attempt's stored snapshot (read
from the database), through the same form fields a browser sends.
"""

from __future__ import annotations

import argparse
import http.cookiejar
import os
import re
import secrets
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import defaultdict
from contextlib import ExitStack
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.pages import free_port, postgres_schema, wait_for  # noqa: E402
from bench.stats import capstone_optional  # noqa: E402

PASSWORD = "a long bench password"
TOKEN = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
STEPS = ("log in", "lesson page", "mark complete", "quiz start", "quiz page", "quiz submit",
         "my certificates", "certificate PDF", "verify page")


class Client:
    """One learner's browser: cookies, and timings per step."""

    def __init__(self, base: str, timings: dict, errors: list) -> None:
        self.base, self.timings, self.errors = base, timings, errors
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))

    def go(self, step: str, path: str, data: dict | None = None) -> tuple[str, str]:
        body = urllib.parse.urlencode(data, doseq=True).encode() if data is not None else None
        start = time.perf_counter()
        try:
            with self.opener.open(self.base + path, body, timeout=60) as response:
                text = response.read().decode("utf-8", "replace")
                url = response.geturl()
        except (urllib.error.URLError, OSError) as exc:
            self.errors.append(f"{step} {path}: {exc}")
            return "", ""
        finally:
            self.timings[step].append(time.perf_counter() - start)
        return url, text


def right_form(db_url: str, attempt_id: int) -> dict:
    """The right answers for an attempt, as the form fields of its page."""
    from sqlalchemy import create_engine, select

    from course.quizzes.models import QuizAttempt
    from course.quizzes.responses import form_values
    from course.quizzes.snapshot import question_from_json

    engine = ENGINES.setdefault(db_url, create_engine(db_url))
    with engine.connect() as connection:
        shown = connection.scalar(select(QuizAttempt.shown).where(QuizAttempt.id == attempt_id))
    parts = [question_from_json(item) for item in shown]
    responses = {}
    for q, _, _ in parts:
        if q.type == "single":
            responses[q.id] = max(range(len(q.options)), key=lambda i: q.options[i].weight)
        elif q.type == "multiple":
            responses[q.id] = [i for i, o in enumerate(q.options) if o.weight > 0]
        elif q.type == "truefalse":
            responses[q.id] = q.correct
        elif q.type == "short":
            best = max(q.answers, key=lambda a: a.weight)
            responses[q.id] = best.pattern.replace("*", "x")
        elif q.type == "numeric":
            responses[q.id] = str(max(q.numbers, key=lambda n: n.weight).low)
        elif q.type == "matching":
            responses[q.id] = list(range(len(q.pairs)))
        elif q.type == "ordering":
            responses[q.id] = list(range(len(q.order)))
    return form_values(parts, responses)


ENGINES: dict = {}


def journey(client: Client, email: str, lessons: list[str], quizzes: list[str],
            db_url: str) -> None:
    _, page = client.go("log in", "/account/login")
    token = TOKEN.search(page).group(1)
    client.go("log in", "/account/login", {"csrf_token": token, "email": email,
                                           "password": PASSWORD})
    for lesson in lessons:
        _, page = client.go("lesson page", f"/courses/social-divide/lessons/{lesson}")
        match = TOKEN.search(page)
        if match:
            client.go("mark complete", f"/courses/social-divide/lessons/{lesson}/complete",
                      {"csrf_token": match.group(1)})
    for module in quizzes:
        base = f"/courses/social-divide/quizzes/{module}/"
        _, page = client.go("quiz page", base)
        token = TOKEN.search(page).group(1)
        url, page = client.go("quiz start", base + "start", {"csrf_token": token})
        attempt_path = urllib.parse.urlsplit(url).path
        if "/attempts/" not in attempt_path:
            client.errors.append(f"quiz start {module}: landed on {url}")
            continue
        form = right_form(db_url, int(attempt_path.rsplit("/", 1)[1]))
        token = TOKEN.search(page).group(1)
        client.go("quiz submit", attempt_path + "/submit",
                  {"csrf_token": token, "confirm": "yes", **form})
    _, page = client.go("my certificates", "/certificates/")
    pdf = re.search(r'href="(/certificates/\d+/certificate\.pdf)"', page)
    code = re.search(r'/verify/([A-Za-z0-9]{20,})', page)
    if not pdf or not code:
        client.errors.append(f"{email}: no certificate on My certificates")
        return
    client.go("certificate PDF", pdf.group(1))
    client.go("verify page", f"/verify/{code.group(1)}")


def prepare(env: dict, count: int) -> tuple[list[str], list[str], list[str]]:
    """Migrate, create the learners (in-process, before the server starts)."""
    subprocess.run([sys.executable, "-m", "flask", "--app", "wsgi", "course", "db", "upgrade"],
                   env=env, cwd=ROOT, check=True, capture_output=True)
    os.environ.update({k: v for k, v in env.items() if k.startswith(("COURSE_", "SECRET"))})
    from course import create_app
    from course.accounts import services as accounts
    from course.db import session

    app = create_app(instance_path=Path(env["COURSE_INSTANCE_PATH"]))
    emails = [f"learner{i}@journey.example" for i in range(count)]
    with app.app_context():
        policy = accounts.PasswordPolicy.from_config(app.config)
        for email in emails:
            accounts.create_user(session(), policy, email=email, password=PASSWORD,
                                 display_name=f"Journey Learner {email[7:-16]}")
        session().commit()
        loaded = app.extensions["course"].content()
        course = loaded.course("social-divide")
        lessons = [lesson.slug for lesson in course.lessons if not lesson.draft]
        quizzes = [m.slug for m in course.modules if ("social-divide", m.slug) in loaded.quizzes]
        app.extensions["course"].db.engine.dispose()
    return emails, lessons, quizzes


def check(db_url: str, learners: int) -> tuple[int, int, int]:
    """(graded attempts, certificates, learners without exactly 4 + 1)."""
    from sqlalchemy import create_engine, func, select

    from course.certificates.models import Certificate
    from course.quizzes.models import QuizAttempt

    engine = create_engine(db_url)
    with engine.connect() as connection:
        per_user = connection.execute(select(QuizAttempt.user_id, func.count()).where(
            QuizAttempt.state == "finished").group_by(QuizAttempt.user_id)).all()
        certs = connection.execute(select(Certificate.user_id, func.count()).group_by(
            Certificate.user_id)).all()
    engine.dispose()
    wrong = sum(1 for _, n in per_user if n != 4) + sum(1 for _, n in certs if n != 1)
    wrong += learners - min(len(per_user), len(certs))
    return sum(n for _, n in per_user), sum(n for _, n in certs), wrong


def run(args: argparse.Namespace) -> None:
    with ExitStack() as stack, tempfile.TemporaryDirectory() as tmp:
        port = free_port()
        env = {**os.environ, "SECRET_KEY": secrets.token_urlsafe(48),
               "COURSE_INSTANCE_PATH": tmp, "BIND": f"127.0.0.1:{port}",
               "WEB_CONCURRENCY": str(args.workers), "COURSE_CERTIFICATE_EMAIL": "0",
               # One client address plays every learner: lift the per-address limits.
               "COURSE_RATELIMIT_LOGIN": "100000/minute", "COURSE_RATELIMIT_VERIFY":
               "100000/minute", "COURSE_AUTO_COMPLETE_SECONDS": "0",
               "COURSE_CONTENT_ROOT": str(capstone_optional(Path(tmp) / "content"))}
        if args.postgres:
            env["COURSE_DATABASE_URL"] = postgres_schema(stack, args.postgres)
            env["COURSE_RATELIMIT_STORAGE_URL"] = args.redis + f"/{1 + secrets.randbelow(14)}"
        db_url = env.get("COURSE_DATABASE_URL") or f"sqlite:///{tmp}/course.db"
        emails, lessons, quizzes = prepare(env, args.learners)
        proc = subprocess.Popen([sys.executable, "-m", "gunicorn", "-c",
                                 "python:course.gunicorn_conf", "wsgi:app"], cwd=ROOT, env=env,
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        stack.callback(lambda: (proc.terminate(), proc.wait(20)))
        wait_for(port, 60)
        timings: dict = defaultdict(list)
        errors: list = []
        clients = [Client(f"http://127.0.0.1:{port}", timings, errors) for _ in emails]
        threads = [threading.Thread(target=journey, args=(c, e, lessons, quizzes, db_url))
                   for c, e in zip(clients, emails, strict=True)]
        start = time.perf_counter()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(600)
        wall = time.perf_counter() - start
        attempts, certificates, wrong = check(db_url, len(emails))
        for engine in ENGINES.values():
            engine.dispose()
    engine_name = "PostgreSQL + Redis" if args.postgres else "SQLite"
    print(f"\n{args.learners} concurrent learners, whole journey, {engine_name}, gunicorn "
          f"{args.workers} workers: {wall:.1f} s wall\n")
    print("| step | requests | req/s | p50 ms | p99 ms |\n|---|---|---|---|---|")
    for step in STEPS:
        times = sorted(timings.get(step, []))
        if not times:
            continue
        p99 = times[min(len(times) - 1, int(0.99 * len(times)))]
        print(f"| {step} | {len(times)} | {len(times) / wall:.0f} | "
              f"{1000 * statistics.median(times):.0f} | {1000 * p99:.0f} |")
    print(f"\nerrors: {len(errors)}; graded attempts: {attempts} (expected "
          f"{4 * args.learners}); certificates: {certificates} (expected {args.learners}); "
          f"learners with lost or duplicated records: {wrong}")
    for error in errors[:10]:
        print("  " + error)
    if errors or wrong or attempts != 4 * args.learners or certificates != args.learners:
        raise SystemExit(1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--learners", type=int, default=64)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 2)
    parser.add_argument("--postgres", nargs="?", const="postgresql+psycopg://postgres@"
                        "127.0.0.1:5432/test", default=None)
    parser.add_argument("--redis", default="redis://127.0.0.1:6379")
    run(parser.parse_args())


if __name__ == "__main__":
    main()
