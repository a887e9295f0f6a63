"""CSV exports that a spreadsheet cannot be tricked by: RFC 4180 quoting, and cells that
start with `= + - @`, a tab or a carriage return made inert (spreadsheet formula injection)."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from typing import Any

DANGEROUS = ("=", "+", "-", "@", "\t", "\r")


def cell(value: Any) -> str:
    """One cell as text, prefixed with `'` if a spreadsheet would read it as a formula."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(DANGEROUS) else text


def to_csv(rows: Iterable[Iterable[Any]]) -> str:
    """Rows as RFC 4180 CSV text (CRLF line ends), every cell made safe."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    for row in rows:
        writer.writerow([cell(v) for v in row])
    return out.getvalue()
