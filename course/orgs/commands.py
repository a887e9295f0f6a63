"""`flask course ...` commands for organisations: create one, appoint a manager, send
reminders (for cron), issue certificates in bulk, and run an RQ worker."""

from __future__ import annotations

import time

import click
from flask import current_app, render_template
from flask.cli import with_appcontext

from ..db import session
from ..links import external_url, site_address
from ..mail import build_message, send
from ..state import get_state
from . import bulk, reminders, services
from .models import BulkJob


def org_or_fail(slug: str):  # noqa: ANN202
    org = services.org_by_slug(session(), slug)
    if org is None:
        raise click.ClickException(f"no organisation {slug!r} (see `flask course create-org`)")
    return org


@click.command("create-org", help="Create an organisation: SLUG (e.g. acme) and its NAME.")
@click.argument("slug")
@click.argument("name")
@click.option("--seats", type=click.IntRange(min=1), default=None, help="A seat limit.")
@with_appcontext
def create_org_cmd(slug: str, name: str, seats: int | None) -> None:
    try:
        org = services.create_org(session(), slug, name, seats)
    except services.OrgError as exc:
        raise click.ClickException(str(exc)) from None
    session().commit()
    click.echo(f"created organisation {org.slug} ({org.name})")


def _links(reminder: reminders.Reminder) -> dict[str, str]:
    from .views import unsubscribe_token

    return {"link": external_url("course.certificates.mine")
            if reminder.kind == reminders.EXPIRING
            else external_url("course.lessons.overview", course=reminder.course),
            "unsubscribe": external_url("course.orgs.unsubscribe",
                                        token=unsubscribe_token(reminder.member.user_id))}


@click.command("send-reminders", help="Email learners who are overdue or whose certificate "
               "expires soon. Each event is reminded once, however often this runs (cron).")
@click.option("--dry-run", is_flag=True, help="List who would get what; send nothing.")
@with_appcontext
def send_reminders_cmd(dry_run: bool) -> None:
    app = current_app._get_current_object()
    config = app.config
    owed = reminders.due(session(), int(config["COURSE_REMINDER_EXPIRY_DAYS"]))
    if dry_run:
        for r in owed:
            click.echo(f"{r.kind}: {r.member.email} ({r.org.slug}, {r.event})")
        click.echo(f"{len(owed)} reminder(s) would be sent")
        return
    sent = failed = 0
    loaded = get_state(app)
    with app.test_request_context(base_url=site_address(app)), click.progressbar(
            owed, label="Sending reminders", show_pos=True) as bar:
        titles = {c.slug: c.title for c in loaded.content().catalog.courses}
        for reminder in bar:
            if not reminders.claim(session(), reminder):
                continue  # another run sent it
            session().commit()
            body = render_template(f"course/orgs/reminder_{reminder.kind}.txt",
                                   member=reminder.member, org=reminder.org, when=reminder.when,
                                   course_title=titles.get(reminder.course, reminder.course),
                                   config=config, **_links(reminder))
            subject = ("Reminder: your training is overdue" if reminder.kind ==
                       reminders.OVERDUE else "Your certificate expires soon")
            try:
                send(config, build_message(config, reminder.member.email, subject, body))
                sent += 1
            except OSError as exc:
                reminders.release(session(), reminder)
                session().commit()
                failed += 1
                click.echo(f"\ncould not email {reminder.member.email}: {exc}", err=True)
    click.echo(f"{sent} reminder(s) sent" + (f", {failed} failed (retried next run)"
                                             if failed else ""))
    if failed:
        raise SystemExit(1)


@click.command("issue-certificates", help="Issue certificates in bulk to the members of an "
               "organisation who are eligible and have none, or (--reissue, with --reason) "
               "re-issue every member's current certificate.")
@click.option("--org", "slug", required=True, help="The organisation's short name.")
@click.option("--course", default=None, help="The course (default: the first one).")
@click.option("--reissue", is_flag=True, help="Re-issue current certificates (needs --reason).")
@click.option("--reason", default=None, help="Why; shown on the verify page of a re-issue.")
@click.option("--wait/--no-wait", default=True, show_default=True,
              help="With RQ: wait for the workers and show progress.")
@with_appcontext
def issue_certificates_cmd(slug: str, course: str | None, reissue: bool, reason: str | None,
                           wait: bool) -> None:
    app = current_app._get_current_object()
    org = org_or_fail(slug)
    course = course or get_state(app).content().catalog.courses[0].slug
    redis_url = app.config["COURSE_JOBS_REDIS_URL"]
    try:
        job = bulk.create_job(session(), org, bulk.REISSUE if reissue else bulk.ISSUE,
                              course=course, reason=reason, actor=None,
                              backend="rq" if redis_url else "pool")
    except services.OrgError as exc:
        raise click.ClickException(str(exc)) from None
    session().commit()
    job_id = job.id
    if redis_url:
        chunks = bulk.enqueue_rq(session(), job, org, redis_url)
        click.echo(f"job {job_id}: {job.total} member(s) in {chunks} chunk(s) on RQ")
        if wait:
            _follow(job_id)
    else:
        with click.progressbar(length=1, label=f"job {job_id}", show_pos=True) as bar:
            def progress(done: int, total: int) -> None:
                bar.length = max(total, 1)
                bar.update(done - bar.pos)

            bulk.run_local(app, job_id, progress)
    job = session().get(BulkJob, job_id)
    session().refresh(job)
    click.echo(f"job {job_id} {job.state}: {job.issued} certificate(s) "
               f"{'re-issued' if reissue else 'issued'} for {job.total} member(s) looked at"
               + (f"; error: {job.error}" if job.error else ""))
    if job.state == "failed":
        raise SystemExit(1)


def _follow(job_id: int, timeout: float = 3600) -> None:
    """Show an RQ job's progress from the database until it ends."""
    deadline = time.monotonic() + timeout
    with click.progressbar(length=1, label=f"job {job_id}", show_pos=True) as bar:
        while time.monotonic() < deadline:
            session().expire_all()
            job = session().get(BulkJob, job_id)
            bar.length = max(job.total, 1)
            bar.update(job.done - bar.pos)
            if job.state in ("done", "failed"):
                return
            time.sleep(0.5)
    raise click.ClickException("the workers did not finish in time; is `flask course worker` "
                               "running?")


@click.command("worker", help="Run an RQ worker for bulk certificate jobs "
               "(COURSE_JOBS_REDIS_URL); start one per machine or core.")
@click.option("--burst", is_flag=True, help="Stop when the queue is empty.")
@with_appcontext
def worker_cmd(burst: bool) -> None:
    from redis import Redis
    from rq import Queue, SimpleWorker

    url = current_app.config["COURSE_JOBS_REDIS_URL"]
    if not url:
        raise click.ClickException("set COURSE_JOBS_REDIS_URL to the Redis the app uses")
    connection = Redis.from_url(url)
    # SimpleWorker runs jobs in this process: the app context and the warm renderer stay.
    queue = Queue(current_app.config["COURSE_JOBS_QUEUE"], connection=connection)
    SimpleWorker([queue], connection=connection).work(burst=burst)


COMMANDS = (create_org_cmd, send_reminders_cmd, issue_certificates_cmd,
            worker_cmd)
