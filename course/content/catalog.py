"""The catalogue: the courses of a content root, read from `lessons/<slug>/course.yaml`."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import ContentError, ContentErrors
from .yamlfile import Located, describe_type, load_yaml

SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
MANIFEST = "course.yaml"
CONTENT_DIRS = ("lessons", "quizzes", "certificates")
MANIFEST_KEYS = {
    "title": "required text",
    "summary": "required text",
    "audience": "optional text",
    "estimated_hours": "optional number",
    "source": "optional text crediting the material the course is based on",
    "modules": "optional list of {slug, title}",
}


@dataclass(frozen=True)
class ModuleInfo:
    """One module (for our course, one factor) as the manifest lists it."""

    slug: str
    title: str


@dataclass(frozen=True)
class CourseInfo:
    """A course as its manifest describes it."""

    slug: str
    title: str
    summary: str
    audience: str | None
    estimated_hours: float | None
    source: str | None
    modules: tuple[ModuleInfo, ...]


@dataclass(frozen=True)
class Catalog:
    """Every course of a content root, in slug order."""

    root: Path
    courses: tuple[CourseInfo, ...]

    def get(self, slug: str) -> CourseInfo | None:
        """The course with this slug, or None."""
        return next((c for c in self.courses if c.slug == slug), None)


def find_content_root(configured: str | Path | None) -> Path:
    """The configured root, else the repository checkout's, else the sample shipped in the wheel."""
    if configured:
        return Path(configured).resolve()
    package = Path(__file__).resolve().parent.parent
    checkout = package.parent
    if all((checkout / d).is_dir() for d in CONTENT_DIRS):
        return checkout
    return package / "sample_content"


def _text(doc: Located, key: str, file: str, errors: list[ContentError], required: bool) -> Any:
    value = doc.data.get(key)
    if value is None and not required:
        return None
    if not isinstance(value, str) or not value.strip():
        what = "missing" if key not in doc.data else describe_type(value)
        errors.append(ContentError(file, doc.line(key), f"'{key}' must be text, found {what}"))
        return None
    return value.strip()


def _modules(doc: Located, file: str, errors: list[ContentError]) -> tuple[ModuleInfo, ...]:
    raw = doc.data.get("modules") or []
    line = doc.line("modules")
    if not isinstance(raw, list):
        errors.append(ContentError(file, line, "'modules' must be a list of {slug, title}"))
        return ()
    modules: list[ModuleInfo] = []
    for i, item in enumerate(raw, start=1):
        slug = item.get("slug") if isinstance(item, dict) else None
        title = item.get("title") if isinstance(item, dict) else None
        if not isinstance(slug, str) or not SLUG_RE.match(slug) or not isinstance(title, str):
            errors.append(ContentError(
                file, line, f"module {i} needs a lower-case 'slug' (a-z, 0-9, -) and a 'title'"))
            continue
        if any(m.slug == slug for m in modules):
            errors.append(ContentError(file, line, f"module slug '{slug}' is used twice"))
            continue
        modules.append(ModuleInfo(slug, title.strip()))
    return tuple(modules)


def _load_manifest(path: Path, root: Path, errors: list[ContentError]) -> CourseInfo | None:
    file = str(path.relative_to(root))
    try:
        doc = load_yaml(path.read_text(encoding="utf-8"), file)
    except UnicodeDecodeError:
        errors.append(ContentError(file, None, "not UTF-8 text"))
        return None
    except ContentError as exc:
        errors.append(exc)
        return None
    if not isinstance(doc.data, dict):
        errors.append(ContentError(file, 1, "a course manifest must be a YAML mapping"))
        return None
    for key in doc.data:
        if key not in MANIFEST_KEYS:
            known = ", ".join(sorted(MANIFEST_KEYS))
            errors.append(ContentError(file, doc.line(str(key)),
                                       f"unknown key '{key}' (known keys: {known})"))
    before = len(errors)
    title = _text(doc, "title", file, errors, required=True)
    summary = _text(doc, "summary", file, errors, required=True)
    audience = _text(doc, "audience", file, errors, required=False)
    source = _text(doc, "source", file, errors, required=False)
    hours = doc.data.get("estimated_hours")
    if hours is not None and (isinstance(hours, bool) or not isinstance(hours, int | float)
                              or hours <= 0):
        errors.append(ContentError(file, doc.line("estimated_hours"),
                                   "'estimated_hours' must be a positive number"))
        hours = None
    modules = _modules(doc, file, errors)
    if len(errors) > before or title is None or summary is None:
        return None
    return CourseInfo(path.parent.name, title, summary, audience,
                      float(hours) if hours is not None else None, source, modules)


def load_catalog(root: Path) -> Catalog:
    """Read every manifest under `root/lessons`; raise ContentErrors listing every problem."""
    errors: list[ContentError] = []
    for name in CONTENT_DIRS:
        if not (root / name).is_dir():
            errors.append(ContentError(str(root), None, f"content root has no '{name}/' folder"))
    courses: list[CourseInfo] = []
    lessons = root / "lessons"
    if lessons.is_dir():
        for folder in sorted(p for p in lessons.iterdir() if p.is_dir()):
            rel = str(folder.relative_to(root))
            if not SLUG_RE.match(folder.name):
                errors.append(ContentError(rel, None,
                              "course folder names are slugs: lower-case a-z, 0-9 and -"))
                continue
            manifest = folder / MANIFEST
            if not manifest.is_file():
                errors.append(ContentError(rel, None, f"course folder has no {MANIFEST}"))
                continue
            info = _load_manifest(manifest, root, errors)
            if info is not None:
                courses.append(info)
    if errors:
        raise ContentErrors(errors)
    return Catalog(root, tuple(courses))
