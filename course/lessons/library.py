"""Where the content cache used to live; it is `course.content_cache` now (kept importable)."""

from __future__ import annotations

from ..content_cache.library import Content, ContentLibrary

__all__ = ["Content", "ContentLibrary"]
