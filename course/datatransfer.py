"""The whole plugin database as one JSON document and back: for backups and for moving between
SQLite and PostgreSQL (`flask course export-data FILE` / `import-data FILE`).

Only the plugin's own tables are read or written, in foreign-key order. Values are typed by
their column: datetimes as ISO 8601 with their offset, dates as ISO dates, bytes as base64,
decimals as strings. Import needs a database migrated to the same revision with every plugin
table empty; on PostgreSQL the id sequences are moved past the imported ids.
"""

from __future__ import annotations

import base64
import gzip
import json
from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import Date, DateTime, Engine, LargeBinary, Numeric, func, insert, select, text
from sqlalchemy.sql.schema import Table

from . import migrations_check  # noqa: F401 (every model loaded)
from .db import TABLE_PREFIX, VERSION_TABLE, Base
from .errors import CourseError
from .migrate import current_revision

FORMAT = "course-data/1"
Progress = Callable[[str, int], None]


class DataTransferError(CourseError):
    """The file or the target database cannot take part in this transfer."""


#: Tables the database keeps itself, by triggers, from the others (migrations 0017-0019): not
#: exported, and filled again by those triggers as an import writes the tables they follow.
DERIVED = frozenset({"course_org_tally", "course_member_certificate",
                     "course_unaffiliated_learner", "course_quiz_attempted",
                     "course_quiz_pending"})


def tables() -> list[Table]:
    """The plugin's tables, parents before children (not those the database derives)."""
    return [t for t in Base.metadata.sorted_tables
            if t.name.startswith(TABLE_PREFIX) and t.name != VERSION_TABLE
            and t.name not in DERIVED]


def _dump(value: Any) -> Any:
    if isinstance(value, bytes):
        return base64.b64encode(value).decode()
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def _load(column: Any, value: Any) -> Any:
    if value is None:
        return None
    kind = getattr(column.type, "impl_instance", column.type)  # a TypeDecorator's own type
    if isinstance(kind, LargeBinary):
        return base64.b64decode(value)
    if isinstance(kind, DateTime):
        return datetime.fromisoformat(value)
    if isinstance(kind, Date):
        return date.fromisoformat(value)
    if isinstance(kind, Numeric):
        return Decimal(value)
    return value


def export_data(engine: Engine, progress: Progress | None = None) -> dict[str, Any]:
    """Every row of every plugin table, in a stable order."""
    out: dict[str, Any] = {"format": FORMAT, "revision": current_revision(engine),
                           "tables": {}}
    with engine.connect() as connection:
        for table in tables():
            order = list(table.primary_key.columns) or list(table.columns)
            rows = [{c.name: _dump(row._mapping[c]) for c in table.columns}
                    for row in connection.execute(select(table).order_by(*order))]
            out["tables"][table.name] = rows
            if progress:
                progress(table.name, len(rows))
    return out


def import_data(engine: Engine, data: dict[str, Any], progress: Progress | None = None) -> int:
    """Load an export into an empty, migrated database; returns the number of rows."""
    if data.get("format") != FORMAT:
        raise DataTransferError(f"not a course data export (format {data.get('format')!r})")
    revision = current_revision(engine)
    if revision != data.get("revision"):
        raise DataTransferError(f"the export is at revision {data.get('revision')} and the "
                                f"database at {revision}: run `flask course db upgrade` on "
                                "both first")
    known = {t.name: t for t in tables()}
    unknown = set(data["tables"]) - set(known)
    if unknown:
        raise DataTransferError(f"unknown tables in the export: {', '.join(sorted(unknown))}")
    total = 0
    with engine.begin() as connection:
        for table in known.values():
            if connection.scalar(select(func.count()).select_from(table)):
                raise DataTransferError(f"{table.name} is not empty: import into an empty "
                                        "database")
        for name, table in known.items():
            rows = [{c.name: _load(c, row.get(c.name)) for c in table.columns}
                    for row in data["tables"].get(name, [])]
            if rows:
                connection.execute(insert(table), rows)
            total += len(rows)
            if progress:
                progress(name, len(rows))
        if engine.dialect.name == "postgresql":
            for table in known.values():
                if "id" in table.columns and table.columns["id"].autoincrement:
                    connection.execute(text(
                        f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), "
                        f"COALESCE((SELECT MAX(id) FROM {table.name}), 0) + 1, false)"))
    return total


def write(path: Path, data: dict[str, Any]) -> None:
    """Write JSON, gzip-compressed when the name ends in .gz."""
    raw = json.dumps(data, ensure_ascii=False, sort_keys=True).encode()
    path.write_bytes(gzip.compress(raw) if path.suffix == ".gz" else raw)


def read(path: Path) -> dict[str, Any]:
    raw = path.read_bytes()
    if raw[:2] == b"\x1f\x8b":
        raw = gzip.decompress(raw)
    try:
        return json.loads(raw)
    except ValueError as exc:
        raise DataTransferError(f"{path} is not a JSON export: {exc}") from None
