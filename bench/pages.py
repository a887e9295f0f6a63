"""Page benchmark: the course's pages under gunicorn, driven by wrk, against the bare-Flask ceiling.

Run with `./bench/run` (which installs gunicorn and wrk first). Every server listens on 127.0.0.1
only, every load is bounded by --duration, and the script stops exactly the processes it started.
Prints a table of req/s, p50, p99, errors and the ratio to the reference measured in this run.
"""

from __future__ import annotations

import argparse
import http.cookiejar
import os
import re
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PASSWORD = "bench password 1234"
LESSON = "/courses/social-divide/lessons/six-months-to-a-useful-network"


@dataclass
class Result:
    name: str
    rps: float
    p50_ms: float
    p99_ms: float
    errors: int


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(port: int, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.2)
    raise SystemExit(f"server on port {port} did not start")


def gunicorn(stack: ExitStack, app: str, workers: int, env: dict, chdir: Path) -> int:
    port = free_port()
    cmd = [sys.executable, "-m", "gunicorn", "-w", str(workers), "-b", f"127.0.0.1:{port}",
           "--chdir", str(chdir), "--log-level", "warning", app]
    proc = subprocess.Popen(cmd, env=env)

    def stop() -> None:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()

    stack.callback(stop)
    wait_for(port)
    return port


def login_cookie(base: str) -> str:
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    html = opener.open(base + "/account/login").read().decode()
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html).group(1)
    data = urllib.parse.urlencode({"csrf_token": token, "email": "bench@example.com",
                                   "password": PASSWORD}).encode()
    opener.open(base + "/account/login", data)
    cookie = next(c for c in jar if c.name == "session")
    check = opener.open(base + "/catalogue").read().decode()
    assert "Bench Learner" in check, "log-in for the benchmark failed"
    for _ in range(3):  # warm every worker: content loaded, lesson rendered and stored once
        opener.open(base + LESSON).read()
    return f"session={cookie.value}"


def to_ms(text: str) -> float:
    value, unit = re.match(r"([\d.]+)(us|ms|s)", text).groups()
    return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]


def wrk(name: str, url: str, connections: int, duration: int, cookie: str | None) -> Result:
    cmd = ["wrk", "-t2", f"-c{connections}", f"-d{duration}s", "--latency", url]
    if cookie:
        cmd += ["-H", f"Cookie: {cookie}"]
    out = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    p50 = to_ms(re.search(r"^\s+50%\s+(\S+)", out, re.M).group(1))
    p99 = to_ms(re.search(r"^\s+99%\s+(\S+)", out, re.M).group(1))
    errors = 0
    if match := re.search(r"Non-2xx or 3xx responses: (\d+)", out):
        errors += int(match.group(1))
    if match := re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)",
                          out):
        errors += sum(int(x) for x in match.groups())
    return Result(name, rps, p50, p99, errors)


def prepare_course(instance: Path, env: dict) -> None:
    flask = [sys.executable, "-m", "flask", "--app", "wsgi", "course"]
    subprocess.run(flask + ["db", "upgrade"], env=env, cwd=ROOT, check=True,
                   capture_output=True)
    subprocess.run(flask + ["create-user", "bench@example.com", "--name", "Bench Learner"],
                   env=env, cwd=ROOT, check=True, input=PASSWORD + "\n", text=True,
                   capture_output=True)


def postgres_schema(stack: ExitStack, url: str) -> str:
    """A fresh schema in the PostgreSQL database at `url`, dropped when `stack` closes."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    schema = "bench_" + secrets.token_hex(6)
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))

    def drop() -> None:
        with admin.connect() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()

    stack.callback(drop)
    parsed = make_url(url)
    return parsed.set(query={**parsed.query, "options": f"-csearch_path={schema}"}
                      ).render_as_string(hide_password=False)


def quiz_phase(args: argparse.Namespace, env: dict, instance: Path, stack: ExitStack) -> None:
    """64 learners at most, 8 then 64 at once, start and submit attempts; then the database
    must hold exactly one graded attempt per answered submission."""
    sys.path.insert(0, str(ROOT))
    from bench.quizload import (
        Learner,
        bench_content,
        prepare_learners,
        run_load,
        summary,
        verify,
    )
    from course import create_app

    content = bench_content(instance / "quiz-content", ROOT)
    env = {**env, "COURSE_CONTENT_ROOT": str(content)}
    os.environ.update({k: env[k] for k in ("SECRET_KEY", "COURSE_INSTANCE_PATH",
                                           "COURSE_CONTENT_ROOT")})
    app = create_app()
    emails = prepare_learners(app, 64)
    port = gunicorn(stack, "wsgi:app", args.workers, env, ROOT)
    base = f"http://127.0.0.1:{port}"
    learners = [Learner(base, email) for email in emails]
    results = [run_load("8 concurrent learners", learners[:8], args.duration),
               run_load("64 concurrent learners", learners, args.duration)]
    finished, ungraded = verify(app, sum(r.submits for r in results))
    print()
    print("\n".join(summary(results)))
    answered = sum(r.submits for r in results)
    whole = finished == answered and not ungraded
    print(f"\ndatabase: {finished} finished attempts for {answered} answered submissions, "
          f"{ungraded} ungraded: {'no lost or duplicated attempts' if whole else 'MISMATCH'}")
    p99 = results[1].pct(0.99)
    engine = "PostgreSQL" if args.postgres else "SQLite"
    print(f"target (performance.md): 64 concurrent learners on {engine}, zero errors, p99 <= "
          f"150 ms: {'met' if results[1].errors == 0 and p99 <= 150 else 'NOT met'} "
          f"({results[1].errors} errors, p99 {p99:.0f} ms)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--duration", type=int, default=10, help="seconds per measurement")
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 2)
    parser.add_argument("--only", choices=("pages", "quiz", "certificates", "bulk", "journey"),
                        default=None,
                        help="run one part only")
    parser.add_argument("--postgres", metavar="URL", nargs="?",
                        const="postgresql+psycopg://postgres@127.0.0.1:5432/test",
                        help="run on PostgreSQL (a fresh schema in this database, dropped "
                             "afterwards) instead of SQLite")
    args = parser.parse_args()
    if not shutil.which("wrk"):
        raise SystemExit("wrk is missing: apt-get install wrk")

    if args.only in (None, "certificates"):
        from bench.certificates import main as certificates_main

        certificates_main()
        if args.only == "certificates":
            return
    if args.only in (None, "journey"):
        subprocess.run([sys.executable, str(ROOT / "bench" / "journey.py")]
                       + (["--postgres", args.postgres] if args.postgres else []), check=True)
        if args.only == "journey":
            return
    if args.only in (None, "bulk"):
        subprocess.run([sys.executable, str(ROOT / "bench" / "bulk.py")]
                       + (["--postgres", args.postgres] if args.postgres else []), check=True)
        if args.only == "bulk":
            return
    if args.only != "pages":
        with ExitStack() as stack, tempfile.TemporaryDirectory() as tmp:
            env = {**os.environ, "SECRET_KEY": secrets.token_urlsafe(48),
                   "COURSE_INSTANCE_PATH": str(Path(tmp)),
                   "COURSE_RATELIMIT_LOGIN": "1000/minute"}
            if args.postgres:
                env["COURSE_DATABASE_URL"] = postgres_schema(stack, args.postgres)
                os.environ["COURSE_DATABASE_URL"] = env["COURSE_DATABASE_URL"]
            prepare_course(Path(tmp), env)
            quiz_phase(args, env, Path(tmp), stack)
        if args.only == "quiz":
            return
    with ExitStack() as stack, tempfile.TemporaryDirectory() as tmp:
        instance = Path(tmp)
        env = {**os.environ, "SECRET_KEY": secrets.token_urlsafe(48),
               "COURSE_INSTANCE_PATH": str(instance), "COURSE_RATELIMIT_LOGIN": "1000/minute"}
        prepare_course(instance, env)
        ref_port = gunicorn(stack, "reference:app", args.workers, env, ROOT / "bench")
        course_port = gunicorn(stack, "wsgi:app", args.workers, env, ROOT)
        base = f"http://127.0.0.1:{course_port}"
        cookie = login_cookie(base)

        c, d = args.connections, args.duration
        results = [
            wrk("reference: bare Flask, cached 20 KB page", f"http://127.0.0.1:{ref_port}/", c,
                d, None),
            wrk("catalogue, anonymous", base + "/catalogue", c, d, None),
            wrk("catalogue, logged-in learner", base + "/catalogue", c, d, cookie),
            wrk("lesson page, logged-in learner", base + LESSON, c, d, cookie),
            wrk("lesson page, logged-in learner, 64 connections", base + LESSON, 64, d,
                cookie),
        ]

    ref = results[0].rps
    print(f"\n{args.workers} gunicorn sync workers, wrk -t2, {d} s each, "
          f"{c} connections unless named\n")
    print(f"| {'page':<48} | {'req/s':>8} | {'p50 ms':>7} | {'p99 ms':>7} | {'errors':>6} | "
          f"{'x ref':>5} |")
    print(f"|{'-' * 50}|{'-' * 10}|{'-' * 9}|{'-' * 9}|{'-' * 8}|{'-' * 7}|")
    for r in results:
        print(f"| {r.name:<48} | {r.rps:>8.0f} | {r.p50_ms:>7.2f} | {r.p99_ms:>7.2f} | "
              f"{r.errors:>6} | {r.rps / ref:>5.2f} |")
    learner = results[3]
    ok = learner.rps >= 0.5 * ref and learner.p99_ms <= 25 and learner.errors == 0
    print(f"\ntarget (performance.md): logged-in lesson page >= 0.5x reference and p99 <= 25 ms "
          f"at {c} connections: {'met' if ok else 'NOT met'} "
          f"({learner.rps / ref:.2f}x, p99 {learner.p99_ms:.1f} ms)")


if __name__ == "__main__":
    main()
