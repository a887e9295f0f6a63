"""Staff pages as the organisation grows, and SQL statements per request.

`./bench/run --only growth [--sizes 10,1000,100000] [--postgres [URL]] [--baseline REV]`: one
organisation of N learners (15-odd lesson progress rows, one finished attempt per factor quiz,
every second learner certified with an expiry spread over two years, an account each, and N/10
open invitations), seeded
with INSERT ... SELECT from a generated series (one statement per table and lesson, no ORM),
then the manager's dashboard and its filters, the trainer's learners page and the admin's users
page, each timed through the test client (median and spread of `--reps` rounds).

`./bench/run --only statements`: how many SQL statements each main page, and a quiz start and
submit, runs (counted with SQLAlchemy's `before_cursor_execute` event).

With `--baseline REV` the same is measured on that git revision (checked out into a temporary
folder, imported through PYTHONPATH), one after the other for each size; `--target REV` measures
a revision instead of the work tree.
"""

from __future__ import annotations

import argparse
import html
import json
import os
import re
import secrets
import statistics
import subprocess
import sys
import tempfile
import time
from contextlib import ExitStack
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PASSWORD = "a long bench password"
BOOK = "/trainer/courses/social-divide/gradebook/"
#: A path ending so is timed at the address of its page's Next link.
NEXT = "#next"
STAFF_PAGES = (("dashboard, page 1", "/org/"),
               ("dashboard, page 100", "/org/?page=100"),
               ("dashboard, team and status filters", "/org/?team=Sales&status=certified"),
               ("dashboard, expiring within 90 days", "/org/?expiring=90"),
               ("trainer: learners of the course", "/trainer/courses/social-divide/learners"),
               ("admin: users, page 1", "/account/users"),
               ("gradebook, page 1 (admin)", f"{BOOK}?quiz=education&as=admin"),
               ("gradebook, page 100 (admin)", f"{BOOK}?quiz=education&page=100&as=admin"),
               # as a trainer reaches it: the Next link of page 99 (sought from its last row)
               ("gradebook, page 100 by its Next link (admin)",
                f"{BOOK}?quiz=education&page=99&as=admin" + NEXT),
               ("gradebook, failed (admin)", f"{BOOK}?quiz=education&status=failed&as=admin"),
               ("gradebook, not started (admin)",
                f"{BOOK}?quiz=education&status=not_started&as=admin"),
               ("gradebook, a trainer outside the organisation", f"{BOOK}?quiz=education"),
               ("gradebook, one learner (admin)", "/trainer/courses/social-divide/gradebook/"
                "learners/g50?as=admin"),
               ("dashboard, one member", "/org/members/50"),
               ("members and invitations", "/org/members"),
               ("organisation audit log", "/org/audit"),
               ("organisation settings", "/org/settings"),
               ("trainer home", "/trainer/"),
               ("capstone reviews (trainer)", "/capstone/reviews"),
               ("capstone reviews (manager)", "/capstone/reviews?as=manager"),
               ("admin: organisations", "/orgs/admin"),
               ("admin: one organisation", "/orgs/admin/1"),
               ("admin: certificates", "/certificates/admin"),
               ("admin: certificates expiring within 90 days", "/certificates/admin?expiring=90"))
SLOW = 5.0  # seconds: a page slower than this is timed once per size


def numbers(size: int):  # noqa: ANN201
    """A CTE `nums(n)` of 1..size (recursive: the same SQL on SQLite and PostgreSQL)."""
    from sqlalchemy import literal_column, select

    nums = select(literal_column("1").label("n")).cte("nums", recursive=True)
    return nums.union_all(select(nums.c.n + literal_column("1")).where(
        nums.c.n < literal_column(str(size))))


def _bulk(db, model, nums, values: dict) -> None:  # noqa: ANN001
    """INSERT INTO model (...) SELECT values FROM nums: values are SQL expressions of nums.n or
    Python constants (bound with the column's type)."""
    from sqlalchemy import insert, literal, select
    from sqlalchemy.sql import ClauseElement

    table = model.__table__
    cols = list(values)
    exprs = [v if isinstance(v, ClauseElement) else literal(v, table.c[k].type)
             for k, v in values.items()]
    db.execute(insert(table).from_select(cols, select(*exprs).select_from(nums)))


def seed(app, size: int) -> float:  # noqa: ANN001
    """One organisation of `size` learners, in bulk SQL; seconds taken."""
    from sqlalchemy import String as Str
    from sqlalchemy import case, cast, literal_column

    from course.accounts.models import User
    from course.certificates.models import Certificate
    from course.db import session, utcnow
    from course.lessons.models import Learner, LessonProgress
    from course.orgs import services
    from course.orgs.models import Membership
    from course.quizzes.models import QuizAttempt

    started = time.perf_counter()
    with app.app_context():
        db = session()

        postgres = db.get_bind().dialect.name == "postgresql"
        if postgres:  # a bulk load with the triggers off (their plans would rest on the
            from sqlalchemy import text  # statistics of empty tables), recounted at the end

            db.execute(text("SET session_replication_role = replica"))

        loaded = app.extensions["course"].content()
        course = loaded.course("social-divide")
        org = services.create_org(db, "growth-corp", "Growth Corp")
        db.flush()
        nums = numbers(size)
        n = nums.c.n
        uid = literal_column("'g'") + cast(n, Str)
        now = utcnow()
        ident = {"user_id": uid}
        _bulk(db, Membership, nums, {
            "org_id": org.id, **ident, "role": "member",
            "name": literal_column("'Learner '") + cast(n, Str),
            "email": literal_column("'g'") + cast(n, Str) + literal_column("'@growth.example'"),
            "team": case((n % 3 == 0, "Sales"), (n % 3 == 1, "Support"), else_="Ops"),
            "optional_reminders": True, "joined_at": now})
        _bulk(db, User, nums, {
            "email": literal_column("'g'") + cast(n, Str) + literal_column("'@growth.example'"),
            "display_name": literal_column("'Learner '") + cast(n, Str),
            "password_hash": "!", "role": "learner",
            "session_token": literal_column("'t'") + cast(n, Str), "active": True,
            "created_at": now, "password_changed_at": now})
        _bulk(db, Learner, nums, {**ident, "display_name": literal_column("'Learner '")
                                  + cast(n, Str), "first_seen_at": now, "last_seen_at": now})
        for lesson in course.lessons:
            _bulk(db, LessonProgress, nums, {
                **ident, "course": course.slug, "module": lesson.module, "lesson": lesson.slug,
                "first_viewed_at": now, "last_viewed_at": now,
                "viewed_version": lesson.content_hash, "completed_at": now,
                "completed_version": lesson.content_hash})
        for (_, module), quiz in loaded.quizzes.items():
            _bulk(db, QuizAttempt, nums, {
                **ident, "course": course.slug, "module": module, "number": 1,
                "quiz_version": quiz.version, "state": "finished", "started_at": now,
                "finished_at": now, "shown": [], "responses": {}, "pass_mark": quiz.pass_mark,
                "percent": 60 + n % 41, "passed": n % 41 >= 20})
        invited = numbers(max(1, size // 10))  # a roster import's invitations, still open
        k = invited.c.n
        from course.orgs.models import Invitation
        _bulk(db, Invitation, invited, {
            "org_id": org.id, "email": literal_column("'i'") + cast(k, Str)
            + literal_column("'@growth.example'"), "role": "member",
            "token_hash": literal_column("'ih'") + cast(k, Str), "invited_by": "g1",
            "created_at": now, "expires_at": now + timedelta(days=14)})
        certified = numbers(size // 2)  # every learner g1..g{size/2} is certified
        m = certified.c.n
        _bulk(db, Certificate, certified, {
            "user_id": literal_column("'g'") + cast(m, Str), "course": course.slug,
            "version": 1, "code": literal_column("'c'") + cast(m, Str), "status": "active",
            "name": literal_column("'Learner '") + cast(m, Str),
            "course_title": course.title, "issued_at": now, "snapshot": {},
            "template": "default", "pdf": b"", "sha256": literal_column("'h'") + cast(m, Str),
            "holder_closed": False})
        # Expiry spread over the next two years (a date per learner, set in SQL).
        for days in range(0, 730, 73):
            db.execute(Certificate.__table__.update().where(
                Certificate.course == course.slug,
                Certificate.id % 10 == days // 73).values(valid_until=now + timedelta(days)))
        try:  # best scores per member and factor, kept as attempts are graded
            from course.quizzes import best
        except ImportError:  # a revision without them
            best = None
        if best is not None:
            best.rebuild(db)
        rebuild = getattr(services, "rebuild_aggregates", None)
        if rebuild is not None:  # the organisations' tallies, recounted after the bulk load
            rebuild(db)
        if postgres:
            db.execute(text("SET session_replication_role = DEFAULT"))
        db.commit()
        from sqlalchemy import text

        if db.get_bind().dialect.name == "postgresql":
            # as autovacuum would have by now (statistics, and the visibility map that lets
            # index-only scans skip the table), so that it does not run while pages are timed
            db.commit()
            with db.get_bind().connect().execution_options(
                    isolation_level="AUTOCOMMIT") as conn:
                tables = conn.scalars(text(
                    "SELECT tablename FROM pg_tables WHERE schemaname = current_schema()"))
                conn.execute(text("VACUUM ANALYZE " + ", ".join(f'"{t}"' for t in tables)))
        else:  # the bulk load left the whole database in the WAL, which every read would then
            # search; a site's WAL holds its last few writes (SQLite restarts it after a
            # checkpoint), so the pages are timed as on a database between writes
            busy = db.execute(text("PRAGMA wal_checkpoint(TRUNCATE)")).first()[0]
            if busy:
                print("warning: the WAL could not be checkpointed; pages are timed against it",
                      file=sys.stderr)
    return time.perf_counter() - started


def staff(app) -> dict:  # noqa: ANN001
    """A manager of the organisation, a trainer and an administrator: logged-in clients."""
    from course.accounts.services import PasswordPolicy, create_user
    from course.db import session
    from course.orgs import services
    from course.orgs.models import MANAGER

    clients = {}
    with app.app_context():
        db = session()
        policy = PasswordPolicy.from_config(app.config)
        org = services.org_by_slug(db, "growth-corp")
        for role in ("manager", "trainer", "admin"):
            user = create_user(db, policy, email=f"{role}@growth.example", password=PASSWORD,
                               display_name=f"Growth {role.title()}")
            user.role = "learner" if role == "manager" else role
            db.flush()
            if role == "manager":
                services.add_member(db, org, user_id=user.course_user_id, name="Growth Manager",
                                    email=f"{role}@growth.example", role=MANAGER)
        db.commit()
    for role in ("manager", "trainer", "admin"):
        clients[role] = login(app, f"{role}@growth.example")
    return clients


def login(app, email: str):  # noqa: ANN001, ANN201
    client = app.test_client()
    page = client.get("/account/login").get_data(as_text=True)
    token = page.split('name="csrf_token"')[1].split('value="')[1].split('"')[0]
    response = client.post("/account/login", data={"csrf_token": token, "email": email,
                                                    "password": PASSWORD})
    assert response.status_code == 302, f"log-in of {email} failed"
    return client


def resolve(path: str, client) -> str:  # noqa: ANN001
    """`path`, or the Next link of the page at `path` when it ends with NEXT (read untimed); a
    revision whose page has no such link is timed at `path` itself."""
    if not path.endswith(NEXT):
        return path
    path = path[:-len(NEXT)]
    page = client.get(path).get_data(as_text=True)
    found = re.search(r'<a rel="next" href="([^"]+)"', page)
    if found is None:
        print(f"warning: {path} has no Next link; timed as it is", file=sys.stderr)
    return html.unescape(found.group(1)) if found else path


def client_for(path: str, clients: dict):  # noqa: ANN001, ANN201
    path = path.removesuffix(NEXT)
    if path.startswith("/org/") or path.endswith("as=manager"):
        return clients["manager"]
    admin = path.startswith(("/account/", "/orgs/admin", "/certificates/admin")) or \
        path.endswith("as=admin")
    return clients["admin"] if admin else clients["trainer"]


def time_pages(clients: dict, rounds: int,
               out: dict[str, list[float]] | None = None) -> dict[str, list[float]]:
    """Each staff page `rounds` times, the pages interleaved; ms per view (added to `out`, the
    rounds before, if given)."""
    first = out is None
    out = {label: [] for label, _ in STAFF_PAGES} if out is None else out
    missing: set[str] = {label for label, times in out.items() if not first and not times}
    for label, path in STAFF_PAGES:  # warm (templates compiled, content loaded), not counted
        if first and label.startswith("dashboard, page 1"):
            client_for(path, clients).get(path)
    # each page's client is chosen by the path as written (a Next link drops the bench's `as=`)
    paths = {label: (client_for(path, clients), resolve(path, client_for(path, clients)))
             for label, path in STAFF_PAGES}
    for _ in range(rounds):
        for label, (client, path) in paths.items():
            if out[label] and max(out[label]) > SLOW * 1000:
                continue
            if label in missing:
                continue
            started = time.perf_counter()
            response = client.get(path)
            if response.status_code == 404:  # a revision without this page: shown as "–"
                missing.add(label)
                continue
            out[label].append(1000 * (time.perf_counter() - started))
            assert response.status_code == 200, (path, response.status_code)
    return out


class Counter:
    """SQL statements on the app's engine, per request."""

    def __init__(self, app) -> None:  # noqa: ANN001
        from sqlalchemy import event

        from course.db import mark_plain_listener

        with app.app_context():
            self.engine = app.extensions["course"].db.engine
        self.count = 0
        # Marked plain and returning what it is given, so the plugin's fast reads count too.
        event.listen(self.engine, "before_cursor_execute", mark_plain_listener(self._note),
                     retval=True)

    def _note(self, conn, cursor, statement, parameters, *args):  # noqa: ANN001, ANN002, ANN202
        self.count += 1
        return statement, parameters

    def during(self, fn) -> tuple[int, object]:  # noqa: ANN001
        self.count = 0
        result = fn()
        return self.count, result


def learner_statements(app, clients: dict) -> dict[str, int]:  # noqa: ANN001
    """Statements per request: a learner's main pages, a quiz start and submit, staff pages."""
    from course.accounts.services import PasswordPolicy, create_user
    from course.db import session
    from course.lessons import services as lessons

    with app.app_context():
        db = session()
        user = create_user(db, PasswordPolicy.from_config(app.config),
                           email="counted@growth.example", password=PASSWORD,
                           display_name="Counted Learner")
        db.flush()
        course = app.extensions["course"].content().course("social-divide")
        lesson = course.module("social-graph-presence").lessons[0]
        for each in course.module("social-graph-presence").lessons:
            lessons.complete_lesson(db, user.course_user_id, each)
        db.commit()
    client = login(app, "counted@growth.example")
    counter = Counter(app)
    quiz = "/courses/social-divide/quizzes/social-graph-presence/"
    out: dict[str, int] = {}
    for label, path in (("catalogue", "/catalogue"), ("my learning", "/my-learning"),
                        ("course overview", "/courses/social-divide/"),
                        ("lesson page", f"/courses/social-divide/lessons/{lesson.slug}"),
                        ("quiz page", quiz), ("my certificates", "/certificates/")):
        client.get(path)  # warm: content loaded, lesson stored
        out[label], _ = counter.during(lambda p=path: client.get(p))
    page = client.get(quiz).get_data(as_text=True)
    token = page.split('name="csrf_token"')[1].split('value="')[1].split('"')[0]
    for _ in range(2):  # the second round is the figure (the first may create rows)
        out["quiz start"], response = counter.during(
            lambda: client.post(quiz + "start", data={"csrf_token": token}))
        attempt = response.headers["Location"]
        out["quiz submit (a fail)"], _ = counter.during(lambda a=attempt: client.post(
            a + "/submit", data={"csrf_token": token, "confirm": "yes"}))
    attempt = client.post(quiz + "start", data={"csrf_token": token}).headers["Location"]
    out["quiz submit (a pass)"], _ = counter.during(lambda: client.post(
        attempt + "/submit", data={"csrf_token": token, "confirm": "yes", "q-months": "6",
                                   "q-profile-is-presence": "false", "q-first-step": "0"}))
    for label, path in STAFF_PAGES:
        staff_client = client_for(path, clients)
        path = resolve(path, staff_client)
        out[label], _ = counter.during(lambda c=staff_client, p=path: c.get(p))
    return out


def measure(args: argparse.Namespace) -> None:
    """One size on one revision (the `course` on PYTHONPATH): prints one JSON line."""
    from quizload import bench_content  # this script's folder, whichever `course` is measured

    from course import create_app
    from course.migrate import downgrade, upgrade

    with tempfile.TemporaryDirectory() as tmp:
        content = bench_content(Path(tmp) / "content", Path(args.content))
        url = args.postgres or f"sqlite:///{tmp}/growth.db"
        app = create_app({"SECRET_KEY": secrets.token_urlsafe(48), "SQLALCHEMY_DATABASE_URI": url,
                          "COURSE_CONTENT_ROOT": str(content), "COURSE_CERTIFICATE_EMAIL": False,
                          "COURSE_RATELIMIT_LOGIN": "100000/minute"},
                         instance_path=Path(tmp) / "instance")
        with app.app_context():
            upgrade(app.extensions["course"].db.engine)
        seconds = seed(app, args.size)
        clients = staff(app)
        result: dict = {"seed_s": seconds, "load": os.getloadavg()[0]}
        if args.statements:
            result["statements"] = learner_statements(app, clients)
        elif args.serve:  # one round each time the parent asks (see `interleaved`)
            print("READY " + json.dumps(result), flush=True)
            pages: dict[str, list[float]] | None = None
            for line in sys.stdin:
                if line.strip() != "round":
                    break
                had = {k: len(v) for k, v in (pages or {}).items()}
                pages = time_pages(clients, 1, pages)  # a slow page is timed once, not again
                print("ROUND " + json.dumps({k: v[had.get(k, 0):] for k, v in pages.items()}),
                      flush=True)
        else:
            result["pages"] = time_pages(clients, args.reps)
        if args.postgres:
            with app.app_context():
                downgrade(app.extensions["course"].db.engine, "base")
        with app.app_context():
            app.extensions["course"].db.engine.dispose()
    if not args.serve:
        print("RESULT " + json.dumps(result))


def _command(tree: Path, size: int, args: argparse.Namespace, stack: ExitStack,
             content: Path, *extra: str) -> list[str]:
    cmd = [sys.executable, str(Path(__file__)), "measure", "--size", str(size), "--reps",
           str(args.reps), "--content", str(content), *extra]
    if args.postgres:
        sys.path.insert(0, str(ROOT))
        from bench.pages import postgres_schema

        cmd += ["--postgres", postgres_schema(stack, args.postgres)]
    return cmd


def interleaved(trees: list[tuple[str, Path]], size: int, args: argparse.Namespace,
                stack: ExitStack, content: Path) -> dict[str, dict]:
    """Every revision seeded in its own process (one after the other), then timed a round at
    a time in turn, the order alternating (ABBA...), so that a machine that slows down or
    speeds up meanwhile weighs on each alike."""
    procs: dict[str, subprocess.Popen] = {}
    results: dict[str, dict] = {}
    try:
        for label, tree in trees:
            proc = procs[label] = subprocess.Popen(
                _command(tree, size, args, stack, content, "--serve"),
                env={**os.environ, "PYTHONPATH": str(tree)}, cwd=tree, text=True,
                stdin=subprocess.PIPE, stdout=subprocess.PIPE)
            results[label] = _answer(proc, "READY ")
            results[label]["pages"] = {page: [] for page, _ in STAFF_PAGES}
        order = [label for label, _ in trees]
        for n in range(args.reps):
            for label in (order if n % 2 == 0 else order[::-1]):
                procs[label].stdin.write("round\n")
                procs[label].stdin.flush()
                for page, times in _answer(procs[label], "ROUND ").items():
                    results[label]["pages"][page] += times
    finally:
        for proc in procs.values():  # each drops its schema and stops
            if proc.stdin and not proc.stdin.closed:
                proc.stdin.close()
            proc.wait(120)
    return results


def _answer(proc: subprocess.Popen, tag: str) -> dict:
    """The JSON of the next line of `proc`'s output that starts with `tag`."""
    for line in proc.stdout:
        if line.startswith(tag):
            return json.loads(line[len(tag):])
    raise SystemExit(f"the measuring process stopped (exit code {proc.wait()})")


def run_one(tree: Path, size: int, args: argparse.Namespace, statements: bool,
            stack: ExitStack, content: Path) -> dict:
    """Measure one size on `tree` (a subprocess importing its `course`), with the content of
    `content` (the target's, the same for every revision in the run)."""
    cmd = _command(tree, size, args, stack, content,
                   *(["--statements"] if statements else []))
    out = subprocess.run(cmd, env={**os.environ, "PYTHONPATH": str(tree)}, cwd=tree,
                         check=True, stdout=subprocess.PIPE, text=True).stdout
    return json.loads(out.rsplit("RESULT ", 1)[1])


def spread(values: list[float]) -> str:
    if not values:
        return "–"
    med = statistics.median(values)
    return f"{med:.1f}" if len(values) == 1 else \
        f"{med:.1f} ({min(values):.1f}–{max(values):.1f})"


def report(args: argparse.Namespace, statements: bool) -> None:
    sys.path.insert(0, str(ROOT))
    from bench.stats import checkout

    engine = "PostgreSQL" if args.postgres else "SQLite"
    sizes = [10] if statements else [int(x) for x in args.sizes.split(",")]
    with ExitStack() as stack, tempfile.TemporaryDirectory() as tmp:
        measured = [(f"target {args.target}", checkout(args.target, Path(tmp) / "target"))
                    if args.target else ("this tree", ROOT)]
        if args.baseline:
            measured.insert(0, (f"baseline {args.baseline}",
                                checkout(args.baseline, Path(tmp) / "baseline")))
        content = measured[-1][1]
        results = {}
        for size in sizes:
            if statements or len(measured) == 1:
                results.update({(label, size): run_one(tree, size, args, statements, stack,
                                                       content) for label, tree in measured})
            else:
                results.update({(label, size): result for label, result in interleaved(
                    measured, size, args, stack, content).items()})
    if statements:
        print(f"\nSQL statements per request ({engine}, counted with before_cursor_execute)\n")
        print("| request | " + " | ".join(label for label, _ in measured) + " |")
        print("|---|" + "---|" * len(measured))
        first = results[(measured[-1][0], 10)]["statements"]
        for page in first:
            print(f"| {page} | " + " | ".join(
                str(results[(label, 10)]["statements"].get(page, "–"))
                for label, _ in measured) + " |")
        return
    print(f"\nstaff pages as the organisation grows ({engine}), ms per view through the test "
          f"client, median (min–max) of {args.reps} rounds"
          f"{', the revisions timed in turn, a round each' if len(measured) > 1 else ''}\n")
    head = [f"{label}, {size:,}" for size in sizes for label, _ in measured]
    print("| page | " + " | ".join(head) + " |")
    print("|---|" + "---|" * len(head))
    for page, _ in STAFF_PAGES:
        print(f"| {page} | " + " | ".join(spread(results[(label, size)]["pages"][page])
                                         for size in sizes for label, _ in measured) + " |")
    print("| seeding, s | " + " | ".join(f"{results[(label, size)]['seed_s']:.0f}"
                                         for size in sizes for label, _ in measured) + " |")
    print("| load average | " + " | ".join(f"{results[(label, size)]['load']:.2f}"
                                           for size in sizes for label, _ in measured) + " |")
    biggest = max(sizes)
    mine = results[(measured[-1][0], biggest)]["pages"]
    worst = max(statistics.median(v) for v in mine.values() if v)
    print(f"\ntarget (performance.md): every staff page <= 50 ms median at {biggest:,} learners "
          f"on {engine}: {'met' if worst <= 50 else 'NOT met'} (slowest {worst:.0f} ms)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("part", choices=("growth", "statements", "measure"))
    parser.add_argument("--sizes", default="10,1000,100000")
    parser.add_argument("--size", type=int, default=10)
    parser.add_argument("--reps", type=int, default=3)
    parser.add_argument("--statements", action="store_true")
    parser.add_argument("--serve", action="store_true",
                        help="measure: seed, then time one round per 'round' line on stdin")
    parser.add_argument("--baseline", default=None)
    parser.add_argument("--target", default=None)
    parser.add_argument("--content", default=str(ROOT))
    parser.add_argument("--postgres", nargs="?", const="postgresql+psycopg://postgres@127.0.0.1"
                        ":5432/test", default=None)
    args = parser.parse_args()
    if args.part == "measure":
        measure(args)
    else:
        report(args, args.part == "statements")


if __name__ == "__main__":
    main()
