"""Imports every model module so `Base.metadata` is complete, and says which tables are ours.

Used by the migrations' env.py and by the test that compares models with migrations.
"""

from __future__ import annotations

from .accounts import models as _accounts  # noqa: F401
from .capstone import models as _capstone  # noqa: F401
from .certificates import models as _certificates  # noqa: F401
from .db import TABLE_PREFIX, VERSION_TABLE
from .lessons import models as _lessons  # noqa: F401
from .orgs import models as _orgs  # noqa: F401
from .quizzes import models as _quizzes  # noqa: F401


def include_name(name: str | None, type_: str, parent_names: object) -> bool:
    """Alembic filter: only the plugin's own tables take part; a host's are never touched."""
    if type_ == "table":
        return bool(name) and name.startswith(TABLE_PREFIX) and name != VERSION_TABLE
    return True
