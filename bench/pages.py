"""The benchmark: the course's pages under gunicorn, driven by wrk, against the bare-Flask ceiling
and the logged-in floor; quiz load; staff pages as the organisation grows; statements per request.

Run with `./bench/run` (which installs gunicorn and wrk first). Every server listens on 127.0.0.1
only, every load is bounded by --duration, and the script stops exactly the processes it started.
Each figure is measured `--reps` times, interleaved with its reference (and with the code of
`--baseline REV`, if given, served side by side), and printed as median (min-max) with the
machine's load average at each measurement.
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
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.stats import checkout, cpu_seconds, load, median, settle, spread, tree_env  # noqa: E402

PASSWORD = "bench password 1234"
LESSON = "/courses/social-divide/lessons/six-months-to-a-useful-network"
#: One User-Agent for the log-ins and for wrk: Flask-Login's session protection marks a session
#: whose client changed as not fresh, and that would add a Set-Cookie to every response.
AGENT = "course-bench/1"


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
    proc = subprocess.Popen(cmd, env=env, cwd=chdir)

    def stop() -> None:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()

    stack.callback(stop)
    wait_for(port)
    MASTERS[port] = proc.pid
    return port


#: The gunicorn master's pid by port, to read its workers' CPU time.
MASTERS: dict[int, int] = {}


class Browser:
    """A logged-in learner's cookie jar. wrk replays one Cookie header and never stores the
    cookies it is sent, but the session keeps two per-minute stamps (the idle clock and the
    remembered menu), so a cookie captured once goes stale after a minute and every later
    request would save the session anew, as no browser does. `cookie()` asks for the lesson
    first, like a browser between two page views, and returns the session it now holds."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))
        self.opener.addheaders = [("User-Agent", AGENT)]
        html = self.opener.open(base + "/account/login").read().decode()
        token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html).group(1)
        data = urllib.parse.urlencode({"csrf_token": token, "email": "bench@example.com",
                                       "password": PASSWORD}).encode()
        self.opener.open(base + "/account/login", data)
        check = self.opener.open(base + "/catalogue").read().decode()
        assert "Bench Learner" in check, "log-in for the benchmark failed"
        for _ in range(3):  # warm every worker: content loaded, lesson rendered and stored once
            self.opener.open(base + LESSON).read()

    def cookie(self) -> str:
        self.opener.open(self.base + LESSON).read()
        return "session=" + next(c.value for c in self.jar if c.name == "session")


def to_ms(text: str) -> float:
    value, unit = re.match(r"([\d.]+)(us|ms|s)", text).groups()
    return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]


def wrk(name: str, url: str, connections: int, duration: int, cookie: str | None) -> Result:
    cmd = ["wrk", "-t2", f"-c{connections}", f"-d{duration}s", "--latency", "-H",
           f"User-Agent: {AGENT}", url]
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


def prepare_course(instance: Path, env: dict, tree: Path = ROOT) -> None:
    flask = [sys.executable, "-m", "flask", "--app", "wsgi", "course"]
    env = tree_env(env, tree)
    subprocess.run(flask + ["db", "upgrade"], env=env, cwd=tree, check=True,
                   capture_output=True)
    subprocess.run(flask + ["create-user", "bench@example.com", "--name", "Bench Learner"],
                   env=env, cwd=tree, check=True, input=PASSWORD + "\n", text=True,
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


@dataclass
class Tree:
    """One revision of the code under measurement: its files, its server, its learners."""

    label: str
    path: Path
    db_url: str = ""
    learners: list = field(default_factory=list)
    base: str = ""  # where its quiz server answers
    master: int = 0  # the pid of its gunicorn master


def trees(args: argparse.Namespace, tmp: Path) -> list[Tree]:
    """The work tree, and the `--baseline` revision (checked out into `tmp`) before it."""
    found = [Tree(f"target {args.target}", checkout(args.target, tmp / "target"))
             if args.target else Tree("this tree", ROOT)]
    if args.baseline:
        found.insert(0, Tree(f"baseline {args.baseline}",
                             checkout(args.baseline, tmp / "baseline")))
    return found


def quiz_server(args: argparse.Namespace, tree: Tree, instance: Path, stack: ExitStack) -> str:
    """Migrate a fresh database for `tree`, create 64 learners, serve it with that revision's
    own sample content (an older revision may not read newer content files) and this bench's
    quiz for the module under load (the same quiz for every revision); the base URL."""
    from bench.quizload import bench_content

    instance.mkdir(parents=True)
    content = bench_content(instance / "quiz-content", tree.path)
    env = {**os.environ, "SECRET_KEY": secrets.token_urlsafe(48),
           "COURSE_INSTANCE_PATH": str(instance), "COURSE_CONTENT_ROOT": str(content),
           "COURSE_RATELIMIT_LOGIN": "1000/minute", "COURSE_CERTIFICATE_EMAIL": "0"}
    env["COURSE_DATABASE_URL"] = (postgres_schema(stack, args.postgres) if args.postgres
                                  else f"sqlite:///{instance}/course.db")
    tree.db_url = env["COURSE_DATABASE_URL"]
    prepare_course(instance, env, tree.path)
    subprocess.run([sys.executable, str(ROOT / "bench" / "quizload.py"), "prepare", "64"],
                   env=tree_env(env, tree.path), cwd=tree.path, check=True)
    port = gunicorn(stack, "wsgi:app", args.workers, tree_env(env, tree.path), tree.path)
    tree.master = MASTERS[port]
    return f"http://127.0.0.1:{port}"


def quiz_phase(args: argparse.Namespace, stack: ExitStack, tmp: Path) -> None:
    """8, then 64, learners start and submit attempts, each revision in turn, `--reps` times;
    then each database must hold exactly one graded attempt per answered submission."""
    from bench.quizload import Learner, run_load, run_wrk, verify

    measured = trees(args, tmp)
    for n, tree in enumerate(measured):
        base = quiz_server(args, tree, tmp / f"quiz-{n}", stack)
        emails = [f"learner{i}@bench.example" for i in range(64)]
        tree.learners = [Learner(base, email) for email in emails]
        tree.base = base
    runs: dict[tuple[str, int], list] = {}
    loads: list[str] = []
    for _ in range(args.reps):
        for size in (8, 64):
            for tree in measured:  # interleaved: baseline, this tree, baseline, ...
                loads.append(load())
                cpu = cpu_seconds(tree.master)
                name, learners = f"{tree.label}, {size}", tree.learners[:size]
                result = (run_wrk(name, tree.base, learners, args.duration, tmp)
                          if args.quiz_client == "wrk"
                          else run_load(name, learners, args.duration))
                result.server_cpu = cpu_seconds(tree.master) - cpu
                settle(tree.master)  # what wrk left in flight is served before the next load
                runs.setdefault((tree.label, size), []).append(result)
    engine = "PostgreSQL" if args.postgres else "SQLite"
    client = "wrk client" if args.quiz_client == "wrk" else "Python client"
    print(f"\nquiz submission (start and submit, {client}), {engine}, gunicorn "
          f"{args.workers} sync workers, {args.duration} s x {args.reps} reps, interleaved; "
          "medians (min-max)\n")
    print("| code | learners | submits/s | p50 ms | p99 ms | errors | x baseline | server CPU ms "
          "per submit | client CPU ms per submit |")
    print("|---|---|---|---|---|---|---|---|---|")
    first = measured[0].label
    for size in (8, 64):
        for tree in measured:
            results = runs[(tree.label, size)]
            rps = [r.rps for r in results]
            ratio = ""
            if len(measured) > 1:
                ratios = [r.rps / b.rps for r, b in zip(results, runs[(first, size)],
                                                       strict=True) if b.rps]
                ratio = spread(ratios, 2)
            print(f"| {tree.label} | {size} | {spread(rps, 0)} | "
                  f"{spread([r.pct(0.5) for r in results])} | "
                  f"{spread([r.pct(0.99) for r in results])} | "
                  f"{sum(r.errors for r in results)} | {ratio} | "
                  f"{spread([1000 * r.server_cpu / max(r.submits, 1) for r in results])} | "
                  f"{spread([1000 * r.client_cpu / max(r.submits, 1) for r in results])} |")
    print(f"\nload average (1 min) at each measurement: {', '.join(loads)}")
    for tree in measured:
        mine = [(size, r) for (label, size), rs in runs.items() if label == tree.label
                for r in rs]
        answered = sum(r.submits for _, r in mine)
        # wrk stops mid-flight: a submit it sent may have been graded with its answer unread
        # (one per learner per load at most); the Python client waits for its answers.
        unread = sum(size for size, _ in mine) if args.quiz_client == "wrk" else 0
        finished, ungraded = verify(tree.db_url)
        whole = answered <= finished <= answered + unread and not ungraded
        extra = (f" (and {finished - answered} graded as the load stopped, answers unread; "
                 f"at most {unread})" if unread else "")
        print(f"database ({tree.label}): {finished} finished attempts for {answered} answered "
              f"submissions{extra}, {ungraded} ungraded: "
              f"{'no lost or duplicated attempts' if whole else 'MISMATCH'}")
    mine = runs[(measured[-1].label, 64)]
    p99 = median([r.pct(0.99) for r in mine])
    errors = sum(r.errors for r in mine)
    print(f"target (performance.md): 64 concurrent learners on {engine}, zero errors, p99 <= "
          f"150 ms: {'met' if errors == 0 and p99 <= 150 else 'NOT met'} "
          f"({errors} errors, median p99 {p99:.0f} ms)")


PAGES = (("catalogue, anonymous", "/catalogue", 0, False),
         ("catalogue, logged-in learner", "/catalogue", 0, True),
         ("lesson page, logged-in learner", LESSON, 0, True),
         ("lesson page, logged-in learner, 64 connections", LESSON, 64, True))


def pages_phase(args: argparse.Namespace, stack: ExitStack, tmp: Path) -> None:
    """wrk against the two references and the course's pages, interleaved, `--reps` times."""
    from bench.reference import make_floor_db

    floor_db = tmp / "floor.db"
    make_floor_db(str(floor_db))
    env = {**os.environ, "SECRET_KEY": secrets.token_urlsafe(48),
           "COURSE_RATELIMIT_LOGIN": "1000/minute", "BENCH_FLOOR_DB": str(floor_db)}
    ref_port = gunicorn(stack, "reference:app", args.workers, env, ROOT / "bench")
    floor_port = gunicorn(stack, "reference:floor", args.workers, env, ROOT / "bench")
    floor_cookie = floor_login(f"http://127.0.0.1:{floor_port}")
    servers = []
    for n, tree in enumerate(trees(args, tmp)):
        instance = tmp / f"pages-{n}"
        instance.mkdir()
        tree_env_ = {**env, "COURSE_INSTANCE_PATH": str(instance)}
        prepare_course(instance, tree_env_, tree.path)
        port = gunicorn(stack, "wsgi:app", args.workers, tree_env(tree_env_, tree.path),
                        tree.path)
        base = f"http://127.0.0.1:{port}"
        servers.append((tree.label, base, Browser(base)))
    c, d = args.connections, args.duration
    rows: dict[str, list[Result]] = {}
    refs: dict[str, list[float]] = {"reference": [], "floor": []}
    ratios: dict[str, list[float]] = {}
    loads: list[str] = []
    for _ in range(args.reps):
        for page, path, conns, logged_in in PAGES:
            for label, base, browser in servers:
                loads.append(load())
                ref = wrk("reference", f"http://127.0.0.1:{ref_port}/", c, d, None)
                flo = wrk("floor", f"http://127.0.0.1:{floor_port}/", c, d, floor_cookie)
                name = page if len(servers) == 1 else f"{page} [{label}]"
                cookie = browser.cookie() if logged_in else None
                got = wrk(name, base + path, conns or c, d, cookie)
                refs["reference"].append(ref.rps)
                refs["floor"].append(flo.rps)
                rows.setdefault(name, []).append(got)
                rows.setdefault("reference: bare Flask, cached 20 KB page", []).append(ref)
                rows.setdefault("floor: bare Flask + Flask-Login + 1 SQLite read", []).append(flo)
                ratios.setdefault(name, []).append(got.rps / ref.rps)
                ratios.setdefault(name + " floor", []).append(got.rps / flo.rps)
    print(f"\n{args.workers} gunicorn sync workers, wrk -t2, {d} s each, {c} connections unless "
          f"named, {args.reps} reps; each page measured right after both references; "
          "medians (min-max)\n")
    print("| page | req/s | p50 ms | p99 ms | errors | x reference | x floor |")
    print("|---|---|---|---|---|---|---|")
    for name, results in rows.items():
        is_ref = name.startswith(("reference", "floor"))
        print(f"| {name} | {spread([r.rps for r in results], 0)} | "
              f"{spread([r.p50_ms for r in results], 2)} | "
              f"{spread([r.p99_ms for r in results], 2)} | {sum(r.errors for r in results)} | "
              f"{'' if is_ref else spread(ratios[name], 2)} | "
              f"{'' if is_ref else spread(ratios[name + ' floor'], 2)} |")
    print(f"\nload average (1 min) at each measurement: {', '.join(loads)}")
    lesson = next(n for n in rows if n.startswith("lesson page, logged-in learner")
                  and "64" not in n and (len(servers) == 1 or "baseline" not in n))
    p99 = median([r.p99_ms for r in rows[lesson]])
    ratio = median(ratios[lesson + " floor"])
    ok = ratio >= 0.7 and p99 <= 25 and not sum(r.errors for r in rows[lesson])
    print(f"target (performance.md): logged-in lesson page >= 0.7x the floor and p99 <= 25 ms "
          f"at {c} connections: {'met' if ok else 'NOT met'} ({ratio:.2f}x, p99 {p99:.1f} ms)")


def floor_login(base: str) -> str:
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    opener.addheaders = [("User-Agent", AGENT)]
    opener.open(base + "/login").read()
    cookie = next(c for c in jar if c.name == "session")
    return f"session={cookie.value}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--duration", type=int, default=10, help="seconds per measurement")
    parser.add_argument("--reps", type=int, default=3, help="repetitions of each measurement")
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 2)
    parser.add_argument("--only", choices=("pages", "quiz", "growth", "statements",
                                           "certificates", "bulk", "journey"), default=None,
                        help="run one part only")
    parser.add_argument("--baseline", metavar="REV", default=None,
                        help="also serve this git revision and measure it interleaved (quiz, "
                             "pages, growth, statements)")
    parser.add_argument("--target", metavar="REV", default=None,
                        help="measure this git revision instead of the work tree (quiz, pages, "
                             "growth, statements)")
    parser.add_argument("--quiz-client", choices=("wrk", "python"), default="wrk",
                        help="what drives the quiz load: wrk (bench/quizload.lua, a small part "
                             "of the CPU) or Python threads (about a sixth of it)")
    parser.add_argument("--sizes", default="10,1000,100000",
                        help="learners per organisation for --only growth")
    parser.add_argument("--postgres", metavar="URL", nargs="?",
                        const="postgresql+psycopg://postgres@127.0.0.1:5432/test",
                        help="run on PostgreSQL (a fresh schema in this database, dropped "
                             "afterwards) instead of SQLite")
    args = parser.parse_args()
    if not shutil.which("wrk"):
        raise SystemExit("wrk is missing: apt-get install wrk")
    only = args.only
    if only in (None, "certificates"):
        from bench.certificates import main as certificates_main

        certificates_main()
    pg = ["--postgres", args.postgres] if args.postgres else []
    for part in ("journey", "bulk"):
        if only in (None, part):
            subprocess.run([sys.executable, str(ROOT / "bench" / f"{part}.py")] + pg, check=True)
    for part in ("growth", "statements"):
        if only in (None, part):
            extra = ["--sizes", args.sizes] if part == "growth" else []
            extra += ["--baseline", args.baseline] if args.baseline else []
            extra += ["--target", args.target] if args.target else []
            subprocess.run([sys.executable, str(ROOT / "bench" / "growth.py"), part,
                            "--reps", str(args.reps)] + extra + pg, check=True)
    for part, phase in (("quiz", quiz_phase), ("pages", pages_phase)):
        if only in (None, part):
            with ExitStack() as stack, tempfile.TemporaryDirectory() as tmp:
                phase(args, stack, Path(tmp))


if __name__ == "__main__":
    main()
