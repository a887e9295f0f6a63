"""The plugin's exception family: every error the plugin raises on purpose is a CourseError."""

from __future__ import annotations


class CourseError(Exception):
    """Base class of every error the course plugin raises deliberately."""


class CourseConfigError(CourseError):
    """The app's configuration cannot work (weak secret, missing Flask-Login, ...)."""


class ContentError(CourseError):
    """One problem in a content file, located by file and line, with the reason."""

    def __init__(self, file: str, line: int | None, reason: str) -> None:
        self.file = file
        self.line = line
        self.reason = reason
        super().__init__(self.location + ": " + reason)

    @property
    def location(self) -> str:
        """`file:line`, or just the file when the line is unknown."""
        return f"{self.file}:{self.line}" if self.line else self.file


class ContentErrors(CourseError):
    """Every problem found in a content root, reported all at once."""

    def __init__(self, errors: list[ContentError]) -> None:
        self.errors = errors
        super().__init__("\n".join(str(e) for e in errors))
