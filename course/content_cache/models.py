"""The content cache's table: rendered lesson HTML stored once per content version."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import String, Text
from sqlalchemy.orm import Mapped, mapped_column

from ..db import Base, UTCDateTime, utcnow


class RenderedLesson(Base):
    """A lesson's safe HTML, stored once per content version (the key hashes the inputs)."""

    __tablename__ = "course_rendered_lesson"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    html: Mapped[str] = mapped_column(Text)
    toc: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
