"""The content cache: the catalogue and every lesson's rendered HTML, loaded once per app and
kept beside the plugin's state (the floor), so no feature owns what every feature reads."""

from __future__ import annotations

from .library import Content, ContentLibrary

__all__ = ["Content", "ContentLibrary"]
