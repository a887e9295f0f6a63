"""Tables of the lessons feature: learners seen and lesson progress (the rendered lesson HTML
is the content cache's, re-exported here)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ..content_cache.models import RenderedLesson
from ..db import Base, UTCDateTime, utcnow

__all__ = ["Learner", "LessonProgress", "RenderedLesson"]


class Learner(Base):
    """Who a user id belonged to when last seen, so reports can name learners in any host."""

    __tablename__ = "course_learner"
    # The trainer's learners page: most recently active first, a page at a time; the
    # gradebook: by name, a page at a time.
    __table_args__ = (Index("ix_course_learner_last_seen_at_user_id", "last_seen_at", "user_id"),
                      Index("ix_course_learner_display_name_user_id", "display_name", "user_id"))

    user_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    display_name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str | None] = mapped_column(String(254), default=None)
    first_seen_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class LessonProgress(Base):
    """One learner's progress on one lesson, kept by slug so editing a lesson keeps it."""

    __tablename__ = "course_lesson_progress"
    __table_args__ = (UniqueConstraint("user_id", "course", "lesson"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[str] = mapped_column(String(64), index=True)
    course: Mapped[str] = mapped_column(String(64))
    module: Mapped[str] = mapped_column(String(64))
    lesson: Mapped[str] = mapped_column(String(100))
    first_viewed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_viewed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    viewed_version: Mapped[str] = mapped_column(String(64))
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    completed_version: Mapped[str | None] = mapped_column(String(64), default=None)
