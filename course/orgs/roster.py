"""Reading a staff list (CSV) for bulk enrolment (pure): every bad row reported with its line
and reason, so a manager fixes the file once; nothing is applied from a file with errors."""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass

from ..names import clean_name

MAX_ROWS = 10_000
MAX_BYTES = 2_000_000
COLUMNS = ("email", "name", "team")
EMAIL = re.compile(r"[^@\s,;<>]+@[^@\s,;<>]+\.[^@\s,;<>]+")


@dataclass(frozen=True)
class RosterRow:
    line: int
    email: str
    name: str | None
    team: str | None


@dataclass(frozen=True)
class RosterProblem:
    line: int
    reason: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.reason}"


def parse_roster(data: bytes) -> tuple[list[RosterRow], list[RosterProblem]]:
    """Rows and problems of a CSV with a header naming `email` and optionally `name`, `team`."""
    if len(data) > MAX_BYTES:
        return [], [RosterProblem(0, f"the file is larger than {MAX_BYTES // 1_000_000} MB")]
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[:exc.start].count(b"\n") + 1
        return [], [RosterProblem(line, "not UTF-8 text: save the file as CSV UTF-8")]
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = [h.strip().lower() for h in next(reader)]
    except StopIteration:
        return [], [RosterProblem(1, "the file is empty: the first line names the columns")]
    except csv.Error as exc:
        return [], [RosterProblem(1, f"not CSV: {exc}")]
    problems: list[RosterProblem] = []
    unknown = [h for h in header if h not in COLUMNS]
    if unknown:
        problems.append(RosterProblem(1, f"unknown column(s) {', '.join(unknown)}: the "
                                         f"columns are {', '.join(COLUMNS)}"))
    if "email" not in header:
        problems.append(RosterProblem(1, "no 'email' column"))
        return [], problems
    rows: list[RosterRow] = []
    seen: dict[str, int] = {}
    try:
        for record in reader:
            line = reader.line_num
            if not any(cell.strip() for cell in record):
                continue  # blank lines are harmless
            if len(rows) + len(problems) >= MAX_ROWS:
                problems.append(RosterProblem(line, f"more than {MAX_ROWS} rows"))
                break
            row, problem = _row(line, header, record, seen)
            if problem:
                problems.append(RosterProblem(line, problem))
            elif row:
                rows.append(row)
    except csv.Error as exc:
        problems.append(RosterProblem(reader.line_num, f"not valid CSV: {exc}"))
    return rows, problems


def _row(line: int, header: list[str], record: list[str],
         seen: dict[str, int]) -> tuple[RosterRow | None, str | None]:
    if len(record) != len(header):
        return None, f"{len(record)} fields where the header has {len(header)}"
    values = {h: v.strip() for h, v in zip(header, record, strict=True)}
    email = values.get("email", "").lower()
    if not email:
        return None, "no email address"
    if len(email) > 254 or not EMAIL.fullmatch(email):
        return None, f"{email!r} is not an email address"
    if email in seen:
        return None, f"{email} is also on line {seen[email]}"
    name, team = values.get("name") or None, values.get("team") or None
    if name and len(name) > 120:
        return None, "the name is longer than 120 characters"
    if name and not clean_name(name):
        return None, "the name has no letters or digits, only spaces or invisible characters"
    name = clean_name(name) or None
    if team and len(team) > 80:
        return None, "the team is longer than 80 characters"
    seen[email] = line
    return RosterRow(line, email, name, team), None
