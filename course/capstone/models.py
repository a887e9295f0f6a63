"""Capstone submissions: one per learner and course, with every version the learner wrote (the
draft being edited, each version submitted) and the review of each submitted version, kept as
reviewed (the rubric as it stood, the levels chosen, the comments, who reviewed and when)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ..db import Base, UTCDateTime, utcnow

DRAFT = "draft"
SUBMITTED = "submitted"
RETURNED = "returned"
PASSED = "passed"


class CapstoneSubmission(Base):
    """A learner's capstone for one course and where it stands (draft, submitted, returned,
    passed). The learner's name and address are kept from their last save, so that the
    reviewer's decision can be mailed to them and put on their certificate."""

    __tablename__ = "course_capstone_submission"
    __table_args__ = (UniqueConstraint("user_id", "course"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[str] = mapped_column(String(64), index=True)
    course: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(20), default=DRAFT, index=True)
    learner_name: Mapped[str] = mapped_column(String(200))
    learner_email: Mapped[str | None] = mapped_column(String(254), default=None)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    due_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    passed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)


class CapstoneVersion(Base):
    """One version of the learner's work: the draft, or a version as submitted (text, its
    rendered HTML, the attachment's stored name and type, the rubric it was submitted under)."""

    __tablename__ = "course_capstone_version"
    __table_args__ = (UniqueConstraint("submission_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    submission_id: Mapped[int] = mapped_column(
        ForeignKey("course_capstone_submission.id", ondelete="CASCADE"), index=True)
    number: Mapped[int]
    state: Mapped[str] = mapped_column(String(20), default=DRAFT)
    body: Mapped[str] = mapped_column(Text, default="")
    html: Mapped[str] = mapped_column(Text, default="")
    attachment: Mapped[str | None] = mapped_column(String(64), default=None)  # stored name
    attachment_type: Mapped[str | None] = mapped_column(String(10), default=None)  # pdf, ...
    attachment_size: Mapped[int | None] = mapped_column(default=None)
    rubric: Mapped[dict | None] = mapped_column(JSON, default=None)  # snapshot on submit
    saved_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)


class CapstoneReview(Base):
    """A reviewer's marking of one submitted version (one review per version): the level and
    points chosen per criterion with comments, the overall comment and the decision."""

    __tablename__ = "course_capstone_review"

    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(
        ForeignKey("course_capstone_version.id", ondelete="CASCADE"), unique=True)
    reviewer_id: Mapped[str] = mapped_column(String(64), index=True)
    reviewer_name: Mapped[str] = mapped_column(String(200))
    reviewed_for: Mapped[str] = mapped_column(String(200))  # the organisation or the site
    decision: Mapped[str] = mapped_column(String(20))  # returned, passed
    scores: Mapped[list] = mapped_column(JSON)  # [{criterion, level, points, comment}]
    total: Mapped[int]
    max_total: Mapped[int]
    comment: Mapped[str] = mapped_column(Text, default="")
    reviewed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
