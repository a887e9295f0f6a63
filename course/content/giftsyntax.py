"""The lexical pieces of GIFT (Moodle's plain-text quiz format) that the reader, the writer and
each question type's GIFT part share: escapes, `%weight%`, `#feedback`, answer markers (pure)."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

ESCAPES = {"\\\\": "\ue000", "\\~": "\ue001", "\\=": "\ue002", "\\#": "\ue003",
           "\\{": "\ue004", "\\}": "\ue005", "\\:": "\ue006", "\\n": "\ue007"}
RESTORE = {"\ue000": "\\", "\ue001": "~", "\ue002": "=", "\ue003": "#", "\ue004": "{",
           "\ue005": "}", "\ue006": ":", "\ue007": "\n"}
WEIGHT = re.compile(r"^%(-?\d{1,3}(?:\.\d+)?)%")


class GiftProblem(Exception):
    """A question block GIFT cannot read; the message says why (the reader adds the line)."""


def protect(text: str) -> str:
    """Escaped characters replaced by placeholders, so markers can be searched for."""
    for escape, placeholder in ESCAPES.items():
        text = text.replace(escape, placeholder)
    return text


def restore(text: str) -> str:
    """Placeholders back to the characters they stand for, stripped."""
    for placeholder, char in RESTORE.items():
        text = text.replace(placeholder, char)
    return text.strip()


def weight(segment: str) -> tuple[Decimal | None, str]:
    """A leading `%weight%` as a fraction (None without one), and the rest."""
    match = WEIGHT.match(segment)
    if not match:
        return None, segment
    return Decimal(match.group(1)) / 100, segment[match.end():]


def feedback(segment: str) -> tuple[str, str]:
    """`text#feedback` split in two."""
    text, _, note = segment.partition("#")
    return restore(text), restore(note)


def segments(answers: str, markers: str) -> list[tuple[str, str]]:
    """Split `=a#f ~b` into [('=', 'a#f'), ('~', 'b')] at each marker character."""
    parts = re.split(f"([{re.escape(markers)}])", answers)
    found = []
    if parts[0].strip():
        found.append(("", parts[0]))
    for i in range(1, len(parts), 2):
        found.append((parts[i], parts[i + 1].strip()))
    return found


def number(text: str) -> Decimal:
    """A number in an answer; GiftProblem if it is not one."""
    try:
        return Decimal(text.strip())
    except InvalidOperation:
        raise GiftProblem(f"'{text.strip()}' is not a number") from None


def escape(text: str) -> str:
    """Text with GIFT's special characters escaped."""
    text = text.replace("\\", "\\\\")
    for char in "~=#{}:":
        text = text.replace(char, "\\" + char)
    return text.replace("\n", "\\n")


def percent(fraction: Decimal) -> str:
    """A weight as `%50%`."""
    value = (fraction * 100).normalize()
    return f"%{value:f}%"


def feedback_out(note: str) -> str:
    """` #feedback`, or nothing."""
    return f" #{escape(note)}" if note else ""
