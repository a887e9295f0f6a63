"""Reading a content root: pure code, files in and dataclasses out, with no Flask and no database.

A content root is a folder holding `lessons/`, `quizzes/` and `certificates/`. Every problem found
is reported at once as a `ContentErrors` holding `file:line: reason` entries.
"""

from __future__ import annotations

from .catalog import Catalog, CourseInfo, ModuleInfo, find_content_root, load_catalog

__all__ = ["Catalog", "CourseInfo", "ModuleInfo", "find_content_root", "load_catalog"]
