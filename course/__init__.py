"""A Flask plugin that teaches business-relevant social media practice, grades it, and certifies it.

Public API: `CoursePlugin` (mount into any Flask app), `create_app` (the standalone site),
`signals` (blinker signals a host may subscribe to), `CourseError` and its family.
"""

from __future__ import annotations

from . import signals
from .app import create_app
from .errors import ContentError, ContentErrors, CourseConfigError, CourseError
from .extension import CoursePlugin, get_state

__version__ = "0.1.0"

__all__ = [
    "ContentError",
    "ContentErrors",
    "CourseConfigError",
    "CourseError",
    "CoursePlugin",
    "create_app",
    "get_state",
    "signals",
    "__version__",
]
