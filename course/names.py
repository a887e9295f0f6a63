"""People's names as typed, imported or handed over by a host (pure: no Flask, no database).

A name must show something: one made only of spaces, invisible characters (zero-width and bidi
marks, no-break spaces, control characters, Hangul fillers, the braille blank) is refused at
every input, and where a name is missing the pages and certificates say "Learner", never an
email address or an id.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

NEUTRAL_NAME = "Learner"
MAX_NAME = 120
NAME_RULE = ("Enter a name with at least one letter or digit (spaces and invisible characters "
             "do not count).")
#: Characters Unicode calls letters or symbols that nevertheless print as nothing.
BLANK_LOOKALIKES = {"\u115f", "\u1160", "\u3164", "\uffa0", "\u2800"}
_HIDDEN = {"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"}
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")


def clean_name(raw: str | None, limit: int = MAX_NAME) -> str:
    """`raw` in NFC without control, format (zero-width, bidi) or unassigned characters, with
    single spaces and at most `limit` characters; "" when nothing visible is left."""
    text = unicodedata.normalize("NFC", raw or "")
    kept = "".join(ch for ch in text
                   if unicodedata.category(ch) not in _HIDDEN and ch not in BLANK_LOOKALIKES)
    name = " ".join(kept.split())[:limit].strip()
    visible = any(unicodedata.category(ch)[0] in "LN" for ch in name)
    return name if visible else ""


def looks_like_email(text: str) -> bool:
    """True when `text` is an email address (never to be shown in place of a name)."""
    return bool(_EMAIL.fullmatch(text.strip()))


@lru_cache(maxsize=4096)  # pure; the signed-in user's name is asked on every page
def usable_name(raw: str | None) -> str:
    """The cleaned name, or "" when it is blank or an email address."""
    name = clean_name(raw)
    return "" if looks_like_email(name) else name


@lru_cache(maxsize=4096)  # a pure function of the text, asked on every signed-in page
def name_or_neutral(raw: str | None) -> str:
    """The cleaned name, or "Learner" when there is none to show."""
    return usable_name(raw) or NEUTRAL_NAME
