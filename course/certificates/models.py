"""Issued certificates: each a record of what was issued, kept as issued."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Index, LargeBinary, String, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column

from ..db import Base, UTCDateTime, utcnow

ACTIVE = "active"
REVOKED = "revoked"
SUPERSEDED = "superseded"


class Certificate(Base):
    """One issued version. (user, course, version) is unique, so two requests that both find a
    learner eligible cannot both issue version 1."""

    __tablename__ = "course_certificate"
    __table_args__ = (UniqueConstraint("user_id", "course", "version"),
                      # "expiring within N days": a range on the active ones of a course
                      Index("ix_course_certificate_course_status_valid_until", "course",
                            "status", "valid_until"),
                      # one member's certificate in force (the dashboard's EXISTS filters): with
                      # more equal columns than the one above, SQLite picks it without ANALYZE
                      Index("ix_course_certificate_user_id_course_status_valid_until", "user_id",
                            "course", "status", "valid_until"),
                      # the administrators' list: newest first, and expiring soonest first
                      Index("ix_course_certificate_issued_at_id", "issued_at", "id"),
                      Index("ix_course_certificate_status_valid_until_id", "status",
                            "valid_until", "id"))

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[str] = mapped_column(String(64), index=True)
    course: Mapped[str] = mapped_column(String(64))
    version: Mapped[int]
    code: Mapped[str] = mapped_column(String(64), unique=True)
    status: Mapped[str] = mapped_column(String(20), default=ACTIVE)
    name: Mapped[str] = mapped_column(String(200))
    course_title: Mapped[str] = mapped_column(String(200))
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    valid_until: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    snapshot: Mapped[dict] = mapped_column(JSON)
    template: Mapped[str] = mapped_column(String(64))
    pdf: Mapped[bytes] = mapped_column(LargeBinary)
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    reason: Mapped[str | None] = mapped_column(String(500), default=None)  # revoke / re-issue
    superseded_by: Mapped[int | None] = mapped_column(default=None)
    # The learner closed their account: personal data is gone (the PDF, and the name unless
    # they chose to keep it); the record still verifies, by code and by the PDF's hash.
    holder_closed: Mapped[bool] = mapped_column(default=False, server_default=false())
