"""Lesson files: a YAML front-matter header between `---` lines, then the markdown body."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..errors import ContentError
from .yamlfile import describe_type, load_yaml, strip_bom

LESSON_KEYS = {
    "title": "required text",
    "summary": "required text",
    "minutes": "optional whole number of minutes (default: from the word count)",
    "objectives": "optional list of what the learner will be able to do",
    "draft": "optional true/false; drafts are shown to trainers only",
    "slug": "optional stable key (default: the file name without its number prefix)",
}


@dataclass(frozen=True)
class Header:
    """A lesson's validated header and where its body starts."""

    title: str
    summary: str
    minutes: int | None
    objectives: tuple[str, ...]
    draft: bool
    slug: str | None
    body: str
    body_line: int  # 1-based line of the body's first line in the file


def split_front_matter(text: str, file: str) -> tuple[str, str, int]:
    """(header YAML, body, body's first line); ContentError if the header is missing."""
    lines = strip_bom(text).splitlines(keepends=True)
    if not lines or lines[0].strip() != "---":
        raise ContentError(file, 1, "a lesson starts with a header between '---' lines "
                                    "(title, summary, ...)")
    for i in range(1, len(lines)):
        if lines[i].strip() == "---":
            return "".join(lines[1:i]), "".join(lines[i + 1:]), i + 2
    raise ContentError(file, 1, "the header's closing '---' line is missing")


def parse_lesson(text: str, file: str, errors: list[ContentError]) -> Header | None:
    """Validate a lesson file's header; append every problem to `errors`."""
    try:
        raw, body, body_line = split_front_matter(text, file)
    except ContentError as exc:
        errors.append(exc)
        return None
    try:
        doc = load_yaml(raw, file)
    except ContentError as exc:  # its line counts from the header; the file has '---' above
        errors.append(ContentError(file, exc.line + 1 if exc.line else None, exc.reason))
        return None
    data = doc.data
    if not isinstance(data, dict):
        errors.append(ContentError(file, 2, "the header must be YAML 'key: value' lines"))
        return None

    def line(key: str) -> int:
        return doc.line(key, 0) + 1  # +1: the header starts on the file's second line

    before = len(errors)
    for key in data:
        if key not in LESSON_KEYS:
            errors.append(ContentError(file, line(str(key)), f"unknown header key '{key}' "
                                       f"(known: {', '.join(sorted(LESSON_KEYS))})"))
    text_values: dict[str, str] = {}
    for key in ("title", "summary"):
        value = data.get(key)
        if not isinstance(value, str) or not value.strip():
            found = "missing" if key not in data else describe_type(value)
            errors.append(ContentError(file, line(key) if key in data else 2,
                                       f"'{key}' must be text, found {found}"))
        else:
            text_values[key] = " ".join(value.split())
    minutes = data.get("minutes")
    if minutes is not None and (isinstance(minutes, bool) or not isinstance(minutes, int)
                                or not 1 <= minutes <= 600):
        errors.append(ContentError(file, line("minutes"),
                                   "'minutes' must be a whole number from 1 to 600"))
    objectives = data.get("objectives") or []
    if not isinstance(objectives, list) or not all(isinstance(o, str) and o.strip()
                                                   for o in objectives):
        errors.append(ContentError(file, line("objectives"),
                                   "'objectives' must be a list of text lines"))
        objectives = []
    draft = data.get("draft", False)
    if not isinstance(draft, bool):
        errors.append(ContentError(file, line("draft"), "'draft' must be true or false"))
    slug: Any = data.get("slug")
    if slug is not None and not isinstance(slug, str):
        errors.append(ContentError(file, line("slug"), "'slug' must be text"))
    if len(errors) > before:
        return None
    return Header(text_values["title"], text_values["summary"], minutes,
                  tuple(" ".join(o.split()) for o in objectives), bool(draft), slug, body,
                  body_line)
