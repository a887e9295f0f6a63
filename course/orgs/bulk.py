"""Bulk certificate issuance for an organisation, as a background job with progress.

Two kinds: `issue` gives every member who is eligible and has no certificate theirs (after a
workshop, or when a course is assigned late); `reissue` makes a new version of every member's
current certificate, with a reason (after a rebrand, say). Re-issuing is never implied: it
needs the kind and a reason, spelled out.

Two ways to run: a local process pool (the default: renderers are warm in each process, the
parent stores the PDFs), or RQ workers on Redis when COURSE_JOBS_REDIS_URL is set, so several
machines share the work (`flask course worker` on each).
"""

from __future__ import annotations

import logging
import multiprocessing
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from flask import Flask, current_app
from sqlalchemy import exists, select, update
from sqlalchemy.orm import Session

from ..certificates import issuing
from ..certificates import services as certs
from ..certificates.models import ACTIVE, Certificate
from ..certificates.render import Branding, CertificateData, renderer_for
from ..db import session as db_session
from ..db import utcnow
from ..state import get_state
from .models import ACTIVE_MEMBER, BulkJob, Membership, Organisation
from .services import OrgError, audit, look_of

log = logging.getLogger(__name__)
ISSUE, REISSUE = "issue", "reissue"
CHUNK = 50
Progress = Callable[[int, int], None]


def create_job(db: Session, org: Organisation, kind: str, *, course: str,
               reason: str | None, actor: str | None, backend: str) -> BulkJob:
    """A queued job; a re-issue needs a reason."""
    if kind not in (ISSUE, REISSUE):
        raise OrgError(f"unknown kind of bulk job: {kind}")
    if kind == REISSUE and not (reason or "").strip():
        raise OrgError("A re-issue needs a reason (it is shown on the verify page).")
    job = BulkJob(org_id=org.id, kind=kind, course=course, backend=backend,
                  reason=(reason or "").strip()[:500] or None, created_by=actor, state="queued")
    db.add(job)
    db.flush()
    audit(db, org.id, actor, f"bulk-{kind}-started", course, {"job": job.id, "reason": reason})
    return job


def candidates(db: Session, org: Organisation, kind: str, course: str) -> list[str]:
    """User ids the job will look at: members without a certificate (issue), or with one
    (re-issue)."""
    has = exists().where(Certificate.user_id == Membership.user_id,
                         Certificate.course == course, Certificate.status == ACTIVE)
    return list(db.scalars(select(Membership.user_id).where(
        Membership.org_id == org.id, ACTIVE_MEMBER, has if kind == REISSUE else ~has)
        .order_by(Membership.id)))


def prepare(db: Session, job: BulkJob, org: Organisation, user_id: str, course_slug: str,
            ctx: certs.IssueContext) -> certs.Pending | None:
    """The certificate this job makes for one member, or None (not eligible, nothing to do)."""
    course = get_state().content().course(course_slug)
    member = db.scalar(select(Membership).where(Membership.user_id == user_id,
                                                Membership.org_id == org.id, ACTIVE_MEMBER))
    if course is None or member is None:
        return None
    current = certs.current(db, user_id, course_slug)
    if job.kind == REISSUE:
        if current is None:
            return None
        return certs.prepare_reissue(ctx, current, job.reason or "", name=current.name,
                                     look=look_of(org))
    if current is not None:
        return None
    status = certs.eligibility(db, user_id, course, ctx.quizzes)
    if not status.eligible:
        return None
    return certs.prepare_issue(db, ctx, user_id=user_id, name=member.name, course=course,
                               status=status, look=look_of(org),
                               reason=job.reason if job.reason else None)


def member_emails(db: Session, org: Organisation) -> dict[str, str | None]:
    """Each member's address, for the email that carries their certificate."""
    rows = db.execute(select(Membership.user_id, Membership.email)
                      .where(Membership.org_id == org.id))
    return {user_id: email for user_id, email in rows}


def render_task(args: tuple[str, CertificateData, Branding | None]) -> bytes:
    """In a pool process: render with that process's warm renderer."""
    folder, data, branding = args
    return renderer_for(Path(folder)).render(data, branding)


def _finish(db: Session, job: BulkJob, error: str | None = None) -> None:
    job.state = "failed" if error else "done"
    job.error = error
    job.finished_at = utcnow()
    audit(db, job.org_id, job.created_by, f"bulk-{job.kind}-finished", None,
          {"job": job.id, "issued": job.issued, "error": error})
    db.commit()


def run_local(app: Flask, job_id: int, progress: Progress | None = None) -> None:
    """Run a job here with a process pool; progress(done, total) after each batch."""
    with app.app_context():
        db = db_session()
        job = db.get(BulkJob, job_id)
        org = db.get(Organisation, job.org_id)
        try:
            _run_local(db, job, org, progress)
        except Exception as exc:  # the job records why; the log has the trace
            log.exception("bulk job %s failed", job_id)
            db.rollback()
            job = db.get(BulkJob, job_id)
            _finish(db, job, str(exc)[:500] or type(exc).__name__)
        finally:
            db_session().remove()


def _run_local(db: Session, job: BulkJob, org: Organisation,
               progress: Progress | None) -> None:
    app = current_app._get_current_object()
    course = job.course
    ctx, emails = issuing.context(app), member_emails(db, org)
    users = candidates(db, org, job.kind, course)
    job.state, job.total = "running", len(users)
    db.commit()
    workers = max(1, int(app.config["COURSE_BULK_WORKERS"]))
    pending = [p for p in (prepare(db, job, org, u, course, ctx) for u in users) if p]
    job.done = len(users) - len(pending)  # looked at and nothing to do
    db.commit()
    if progress:
        progress(job.done, job.total)
    if pending:
        context = multiprocessing.get_context("spawn")  # no inherited connections or threads
        issued: list[tuple[Certificate, str | None]] = []
        with ProcessPoolExecutor(min(workers, len(pending)), mp_context=context) as pool:
            tasks = [(str(p.folder), p.data, p.branding) for p in pending]
            for i, (item, pdf) in enumerate(zip(pending, pool.map(render_task, tasks,
                                                                  chunksize=4),
                                                strict=True), start=1):
                certificate = issuing.complete(db, item, pdf)
                if certificate is not None:
                    job.issued += 1
                    issued.append((certificate, emails.get(certificate.user_id)))
                if i % 25 == 0 or i == len(pending):
                    job.done = len(users) - len(pending) + i
                    db.commit()
                    issuing.announce_all(app, issued)
                    issued.clear()
                    if progress:
                        progress(job.done, job.total)
    _finish(db, job)


# ------------------------------------------------------------------ RQ
def enqueue_rq(db: Session, job: BulkJob, org: Organisation, redis_url: str) -> int:
    """Split the job into chunks on the RQ queue; returns how many chunks."""
    from redis import Redis
    from rq import Queue

    users = candidates(db, org, job.kind, job.course)
    job.total, job.state = len(users), "running" if users else "done"
    db.commit()
    queue = Queue(current_app.config["COURSE_JOBS_QUEUE"], connection=Redis.from_url(redis_url))
    chunks = [users[i:i + CHUNK] for i in range(0, len(users), CHUNK)]
    for chunk in chunks:
        queue.enqueue(rq_chunk, job.id, chunk, job_timeout=600)
    if not users:
        _finish(db, job)
    return len(chunks)


def start(app: Flask, job: BulkJob, org: Organisation) -> None:
    """Start a job the way this app is configured: RQ when a jobs Redis URL is set, otherwise
    a local pool in a background thread (a web request returns at once)."""
    redis_url = app.config["COURSE_JOBS_REDIS_URL"]
    if redis_url:
        enqueue_rq(db_session(), job, org, redis_url)
    else:
        get_state(app).tasks.submit(app, run_local, app, job.id)


def rq_chunk(job_id: int, user_ids: list[str]) -> int:
    """An RQ task, run by `flask course worker` inside the app: one chunk of a job."""
    db = db_session()
    try:
        job = db.get(BulkJob, job_id)
        org = db.get(Organisation, job.org_id)
        app = current_app._get_current_object()
        ctx, emails = issuing.context(app), member_emails(db, org)
        issued: list[tuple[Certificate, str | None]] = []
        for user_id in user_ids:
            item = prepare(db, job, org, user_id, job.course, ctx)
            certificate = issuing.complete(db, item, item.render()) if item is not None else None
            if certificate is not None:
                issued.append((certificate, emails.get(user_id)))
        db.execute(update(BulkJob).where(BulkJob.id == job_id).values(
            done=BulkJob.done + len(user_ids), issued=BulkJob.issued + len(issued)))
        db.commit()
        issuing.announce_all(app, issued)
        db.refresh(job)
        if job.done >= job.total and job.state == "running":
            closed = db.execute(update(BulkJob).where(
                BulkJob.id == job_id, BulkJob.state == "running").values(state="done"))
            if closed.rowcount == 1:
                job = db.get(BulkJob, job_id)
                _finish(db, job)
        return len(issued)
    finally:
        db_session().remove()
