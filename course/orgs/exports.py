"""Exports for HR: the staff's progress and results as CSV (formula-safe, RFC 4180), and a ZIP
of the organisation's current certificates with a manifest."""

from __future__ import annotations

import io
import re
import unicodedata
import zipfile
from collections.abc import Iterator
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..certificates.models import ACTIVE, Certificate
from ..content.catalog import CourseInfo
from ..csvsafe import to_csv
from ..db import utcnow
from .models import ACTIVE_MEMBER, Membership, Organisation
from .reports import Filters, member_page

CSV_BATCH = 500  # members read at a time for the progress CSV


def progress_rows(db: Session, org: Organisation, course: CourseInfo,
                  quiz_modules: list[str]) -> Iterator[list[object]]:
    """Header, then one row per member, page by page (memory stays flat)."""
    titles = {m.slug: m.title for m in course.modules}
    yield (["name", "email", "team", "role", "lessons done", "lessons", "progress %"]
           + [f"best: {titles.get(m, m)}" for m in quiz_modules]
           + ["certificate", "certificate code", "valid until", "overdue"])
    page, pages, after, mark = 1, 1, None, None
    while page <= pages:  # each batch read from the last member of the one before
        batch = member_page(db, org, course, Filters(), page, per_page=CSV_BATCH, after=after,
                            mark=mark)
        for row in batch.rows:
            cert = row.certificate
            yield ([row.member.name, row.member.email, row.member.team, row.member.role,
                    row.done, row.total, row.percent]
                   + [row.best.get(m, "") for m in quiz_modules]
                   + ["yes" if cert else "no", cert.code if cert else "",
                      cert.valid_until.date().isoformat() if cert and cert.valid_until else "",
                      "yes" if row.overdue else "no"])
        page, pages = page + 1, batch.pages
        after, mark = (batch.rows[-1].member.id, batch.last_mark) if batch.rows else (None, None)


def progress_csv(db: Session, org: Organisation, course: CourseInfo,
                 quiz_modules: list[str]) -> str:
    return to_csv(progress_rows(db, org, course, quiz_modules))


def current_certificates(db: Session, org: Organisation,
                         now: datetime | None = None) -> list[tuple[Membership, Certificate]]:
    """Members' certificates that are in force now: active (not revoked or superseded) and
    not expired."""
    now = now or utcnow()
    rows = db.execute(select(Membership, Certificate).join(
        Certificate, Certificate.user_id == Membership.user_id).where(
        Membership.org_id == org.id, ACTIVE_MEMBER, Certificate.status == ACTIVE,
        (Certificate.valid_until.is_(None)) | (Certificate.valid_until > now))
        .order_by(Membership.name, Certificate.course))
    return [(m, c) for m, c in rows]


def _file_name(name: str, code: str) -> str:
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^A-Za-z0-9]+", "-", ascii_name).strip("-")[:60] or "certificate"
    return f"{slug}-{code[:8]}.pdf"


def certificates_zip(db: Session, org: Organisation, now: datetime | None = None) -> bytes:
    """The current certificates as PDFs plus manifest.csv (name, course, code, dates, file)."""
    out = io.BytesIO()
    manifest: list[list[object]] = [["name", "email", "course", "code", "issued",
                                     "valid until", "file"]]
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for member, cert in current_certificates(db, org, now):
            name = _file_name(cert.name, cert.code)
            archive.writestr(name, cert.pdf)
            manifest.append([cert.name, member.email, cert.course_title, cert.code,
                             cert.issued_at.date().isoformat(),
                             cert.valid_until.date().isoformat() if cert.valid_until else "",
                             name])
        archive.writestr("manifest.csv", to_csv(manifest))
    return out.getvalue()
