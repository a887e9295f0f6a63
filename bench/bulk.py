"""Bulk issuance benchmark: 1,000 certificates for one organisation through the plugin (plan,
render in a local process pool, store with hash, progress shown) against a tuned-WeasyPrint
pool rendering the same template with the same number of processes, in the same run.

Run with `./bench/run --only bulk [--count N] [--postgres [URL]]`. Target (performance.md):
at most 1.2x the tuned pool.
"""

from __future__ import annotations

import argparse
import multiprocessing
import secrets
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.certificates import TEMPLATE, sample  # noqa: E402
from bench.stats import capstone_optional  # noqa: E402
from course.certificates.render import renderer_for  # noqa: E402

WORKERS = 2


def reference_render(i: int) -> int:
    """The reference: one warm renderer per pool process, render only."""
    return len(renderer_for(TEMPLATE).render(sample(i)))


def reference(count: int) -> float:
    context = multiprocessing.get_context("spawn")
    start = time.perf_counter()
    with ProcessPoolExecutor(WORKERS, mp_context=context) as pool:
        sizes = list(pool.map(reference_render, range(count), chunksize=4))
    assert len(sizes) == count
    return time.perf_counter() - start


def seed(app, count: int) -> None:  # noqa: ANN001
    """An organisation of `count` members who finished everything (bulk inserts)."""
    from sqlalchemy import insert

    from course.db import session, utcnow
    from course.lessons.models import LessonProgress
    from course.orgs import services
    from course.orgs.models import Membership
    from course.quizzes.models import QuizAttempt

    with app.app_context():
        db = session()
        loaded = app.extensions["course"].content()  # before writing: it stores rendered HTML
        course = loaded.course("social-divide")
        org = services.create_org(db, "bench-corp", "Bench Corp")
        now = utcnow()
        db.execute(insert(Membership), [
            {"org_id": org.id, "user_id": f"u{i}", "name": f"Learner Number {i}",
             "email": f"u{i}@bench.example", "role": "member", "optional_reminders": True,
             "joined_at": now} for i in range(count)])
        db.execute(insert(LessonProgress), [
            {"user_id": f"u{i}", "course": course.slug, "module": lesson.module,
             "lesson": lesson.slug, "first_viewed_at": now, "last_viewed_at": now,
             "viewed_version": lesson.content_hash, "completed_at": now,
             "completed_version": lesson.content_hash}
            for i in range(count) for lesson in course.lessons])
        db.execute(insert(QuizAttempt), [
            {"user_id": f"u{i}", "course": course.slug, "module": module, "number": 1,
             "quiz_version": quiz.version, "state": "finished", "started_at": now,
             "finished_at": now, "shown": [], "responses": {}, "pass_mark": quiz.pass_mark,
             "percent": Decimal("90"), "passed": True}
            for i in range(count) for (_, module), quiz in loaded.quizzes.items()])
        db.commit()


def ours(app, count: int) -> float:  # noqa: ANN001
    from course.db import session
    from course.orgs import bulk, services

    with app.app_context():
        org = services.org_by_slug(session(), "bench-corp")
        job = bulk.create_job(session(), org, bulk.ISSUE, course="social-divide", reason=None,
                              actor=None, backend="pool")
        session().commit()
        job_id = job.id
    shown = [0]

    def progress(done: int, total: int) -> None:
        if done - shown[0] >= total // 10 or done == total:
            shown[0] = done
            print(f"  {done}/{total}", flush=True)

    start = time.perf_counter()
    bulk.run_local(app, job_id, progress)
    elapsed = time.perf_counter() - start
    with app.app_context():
        from course.orgs.models import BulkJob

        job = session().get(BulkJob, job_id)
        assert job.state == "done" and job.issued == count, (job.state, job.issued, job.error)
    return elapsed


def dashboard(app, members: int = 10_000, rounds: int = 20) -> list[tuple[str, float]]:  # noqa: ANN001
    """The manager's dashboard with `members` members: median ms per page, by test client."""
    import statistics

    from sqlalchemy import func, insert, select

    from course.accounts.services import PasswordPolicy, create_user
    from course.db import session, utcnow
    from course.orgs import services
    from course.orgs.models import MANAGER, Membership

    with app.app_context():
        db = session()
        org = services.org_by_slug(db, "bench-corp")
        have = db.scalar(select(func.count()).select_from(Membership)) or 0
        db.execute(insert(Membership), [
            {"org_id": org.id, "user_id": f"x{i}", "name": f"Extra Member {i:05d}",
             "email": f"x{i}@bench.example", "role": "member", "optional_reminders": True,
             "team": ("Sales", "Support", "Ops")[i % 3], "joined_at": utcnow()}
            for i in range(max(0, members - have - 1))])
        user = create_user(db, PasswordPolicy.from_config(app.config), email="boss@bench.example",
                           password="a long bench password", display_name="Bench Boss")
        db.flush()
        services.add_member(db, org, user_id=user.course_user_id, name="Bench Boss",
                            email="boss@bench.example", role=MANAGER)
        db.commit()
    client = app.test_client()
    page = client.get("/account/login").get_data(as_text=True)
    token = page.split('name="csrf_token" type="hidden" value="')[1].split('"')[0]
    client.post("/account/login", data={"csrf_token": token, "email": "boss@bench.example",
                                         "password": "a long bench password"})
    out = []
    for label, url in (("dashboard, page 1", "/org/"),
                       ("dashboard, page 100", "/org/?page=100"),
                       ("dashboard, team and status filters", "/org/?team=Sales&status=certified"),
                       ("dashboard, expiring within 90 days", "/org/?expiring=90")):
        times = []
        for _ in range(rounds):
            start = time.perf_counter()
            response = client.get(url)
            times.append(time.perf_counter() - start)
            assert response.status_code == 200, response.status_code
        out.append((label, 1000 * statistics.median(times)))
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--count", type=int, default=1000)
    parser.add_argument("--postgres", nargs="?", const="postgresql+psycopg://postgres@127.0.0.1"
                        ":5432/test", default=None)
    args = parser.parse_args()
    from course import create_app
    from course.migrate import downgrade, upgrade

    with tempfile.TemporaryDirectory() as tmp:
        url = args.postgres or f"sqlite:///{tmp}/bench.db"
        app = create_app({"SECRET_KEY": secrets.token_urlsafe(48), "SQLALCHEMY_DATABASE_URI": url,
                          "COURSE_BULK_WORKERS": WORKERS, "COURSE_CERTIFICATE_EMAIL": False,
                          "COURSE_CONTENT_ROOT": str(capstone_optional(Path(tmp) / "content"))},
                         instance_path=Path(tmp) / "instance")
        with app.app_context():
            engine = app.extensions["course"].db.engine
            if args.postgres:
                downgrade(engine, "base")
            upgrade(engine)
        seed(app, args.count)
        print(f"reference: tuned WeasyPrint, pool of {WORKERS}, {args.count} PDFs", flush=True)
        theirs = reference(args.count)
        print(f"ours: flask course issue-certificates, pool of {WORKERS}, {args.count} "
              f"members ({'PostgreSQL' if args.postgres else 'SQLite'})", flush=True)
        mine = ours(app, args.count)
        pages = dashboard(app)
        if args.postgres:
            with app.app_context():
                downgrade(app.extensions["course"].db.engine, "base")
    ratio = mine / theirs
    print(f"\n| {args.count} certificates | wall time s | per second |\n|---|---|---|")
    print(f"| tuned WeasyPrint pool of {WORKERS} (render only) | {theirs:.1f} | "
          f"{args.count / theirs:.0f} |")
    print(f"| our bulk issue (plan, render, store, hash) | {mine:.1f} | {args.count / mine:.0f} |")
    print(f"ratio: {ratio:.2f}x the tuned pool (target <= 1.2x): "
          f"{'met' if ratio <= 1.2 else 'NOT met'}")
    print("\n| manager's dashboard, 10,000 members | median ms |\n|---|---|")
    for label, ms in pages:
        print(f"| {label} | {ms:.1f} |")


if __name__ == "__main__":
    main()
