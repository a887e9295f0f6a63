"""Downloadable templates (pure): the practical tools a course hands out, such as a guidelines
one-pager or a 90-day plan, written as markdown in the course's `templates/` folder.

Each file starts with a header (`title`, `summary`) like a lesson's. Lessons link to a template
with an ordinary markdown link (`[the pilot plan](../templates/pilot-plan.md)`); the site shows it
as a page and serves it as a PDF and as the editable markdown file. Called "handouts" in the code
so they are never confused with Jinja templates or certificate templates.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from pathlib import Path

from ..errors import ContentError
from .frontmatter import parse_lesson

FOLDER = "templates"
MAX_BYTES = 100_000
SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


@dataclass(frozen=True)
class Handout:
    """One downloadable template: its header, its markdown body and the hash of the file."""

    slug: str
    title: str
    summary: str
    path: str  # relative to the content root, for messages
    rel: str  # relative to the course folder, for links ("templates/<file>.md")
    body: str
    body_line: int
    content_hash: str

    def markdown(self) -> str:
        """The editable file a learner downloads: the title as a heading, then the body."""
        return f"# {self.title}\n\n{self.summary}\n\n{self.body.strip()}\n"


def _load(path: Path, root: Path, course_dir: Path,
          errors: list[ContentError]) -> Handout | None:
    file = str(path.relative_to(root))
    data = path.read_bytes()
    if len(data) > MAX_BYTES:
        errors.append(ContentError(file, None, f"the template is {len(data) // 1000} KB; the "
                                   f"limit is {MAX_BYTES // 1000} KB"))
        return None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        errors.append(ContentError(file, None, "not UTF-8 text"))
        return None
    before = len(errors)
    header = parse_lesson(text, file, errors)
    if header is None or len(errors) > before:
        return None
    if header.objectives or header.draft or header.minutes is not None:
        errors.append(ContentError(file, 1, "a template's header takes 'title', 'summary' and "
                                            "optionally 'slug', nothing else"))
        return None
    slug = header.slug or path.stem  # no number prefix to strip: "90-day-plan" stays itself
    if not SLUG.match(slug):
        errors.append(ContentError(file, 1, f"the template's slug '{slug}' must be lower-case "
                                            "a-z, 0-9 and -; rename the file or set 'slug:'"))
        return None
    if not header.body.strip():
        errors.append(ContentError(file, header.body_line, "the template has no text"))
        return None
    return Handout(slug, header.title, header.summary, file, str(path.relative_to(course_dir)),
                   header.body, header.body_line, hashlib.sha256(data).hexdigest())


def load_handouts(course_dir: Path, root: Path,
                  errors: list[ContentError]) -> tuple[Handout, ...]:
    """Every template in `course_dir/templates/`, in file-name order (none without the folder)."""
    folder = course_dir / FOLDER
    if not folder.is_dir():
        return ()
    found: list[Handout] = []
    for path in sorted(p for p in folder.iterdir() if not p.name.startswith(".")):
        if path.is_dir() or path.suffix != ".md":
            errors.append(ContentError(str(path.relative_to(root)), None,
                                       "the templates folder holds markdown files (.md) only"))
            continue
        handout = _load(path, root, course_dir, errors)
        if handout is None:
            continue
        if any(h.slug == handout.slug for h in found):
            errors.append(ContentError(handout.path, 1,
                                       f"a second template with the slug '{handout.slug}'"))
            continue
        found.append(handout)
    return tuple(found)
