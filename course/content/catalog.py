"""The catalogue: the courses of a content root, read from `lessons/<slug>/course.yaml`."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

from ..errors import ContentError, ContentErrors
from .capstone import Capstone, load_capstone
from .frontmatter import Header, parse_lesson
from .handouts import FOLDER as HANDOUTS_FOLDER
from .handouts import Handout, load_handouts
from .practice import replace_fences
from .selfassessment import FILE as SELF_ASSESSMENT
from .selfassessment import SelfAssessment, load_self_assessment
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
    "modules": "list of {slug, title, summary}, in the order learners take them",
    "sequential": "optional true/false: a module opens when the one before it is done",
    "certificate": "optional {min_average_percent, valid_months}",
    "capstone": "optional {title, brief, template, required, review_days, rubric}",
}
MODULE_KEYS = {"slug", "title", "summary"}
ASSET_SUFFIXES = {".svg", ".png", ".jpg", ".jpeg", ".gif", ".webp"}
MAX_LESSON_BYTES = 200_000
WORDS_PER_MINUTE = 200
NUMBER_PREFIX = re.compile(r"^\d+[-_]")
WORD = re.compile(r"[A-Za-z0-9\u00C0-\uFFFF]+(?:['’-][A-Za-z0-9\u00C0-\uFFFF]+)*")


@dataclass(frozen=True)
class Lesson:
    """One lesson file: its header, its markdown body and the hash of the whole file."""

    course: str
    module: str
    slug: str
    title: str
    summary: str
    minutes: int
    objectives: tuple[str, ...]
    draft: bool
    path: str  # relative to the content root, for messages
    rel: str  # relative to the course folder, for links
    body: str
    body_line: int
    content_hash: str
    words: int


@dataclass(frozen=True)
class ModuleInfo:
    """One module (for our course, one factor): the manifest's entry and its folder's lessons."""

    slug: str
    title: str
    summary: str | None = None
    folder: str | None = None
    lessons: tuple[Lesson, ...] = ()


@dataclass(frozen=True)
class CourseInfo:
    """A course: its manifest, its modules and lessons in order, and the files beside them."""

    slug: str
    title: str
    summary: str
    audience: str | None
    estimated_hours: float | None
    source: str | None
    modules: tuple[ModuleInfo, ...]
    sequential: bool = False
    certificate_min_percent: int | None = None
    certificate_valid_months: int | None = None
    assets: frozenset[str] = frozenset()
    version: str = ""
    self_assessment: SelfAssessment | None = None
    capstone: Capstone | None = None
    handouts: tuple[Handout, ...] = ()  # downloadable templates, from `templates/`

    @cached_property
    def lessons(self) -> tuple[Lesson, ...]:
        """Every lesson, drafts included, in course order."""
        return tuple(lesson for module in self.modules for lesson in module.lessons)

    @cached_property
    def _lessons_by_slug(self) -> dict[str, Lesson]:
        found: dict[str, Lesson] = {}
        for lesson in self.lessons:
            found.setdefault(lesson.slug, lesson)  # the first, as a search in order finds
        return found

    def lesson(self, slug: str) -> Lesson | None:
        """The lesson with this slug, or None."""
        return self._lessons_by_slug.get(slug)

    def module(self, slug: str) -> ModuleInfo | None:
        """The module with this slug, or None."""
        return next((m for m in self.modules if m.slug == slug), None)

    def handout(self, slug: str) -> Handout | None:
        """The downloadable template with this slug, or None."""
        return next((h for h in self.handouts if h.slug == slug), None)


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
        summary = item.get("summary") if isinstance(item, dict) else None
        if not isinstance(slug, str) or not SLUG_RE.match(slug) or not isinstance(title, str):
            errors.append(ContentError(
                file, line, f"module {i} needs a lower-case 'slug' (a-z, 0-9, -) and a 'title'"))
            continue
        unknown = set(item) - MODULE_KEYS
        if unknown:
            errors.append(ContentError(file, line, f"module '{slug}' has unknown keys: "
                                       f"{', '.join(sorted(map(str, unknown)))}"))
        if summary is not None and not isinstance(summary, str):
            errors.append(ContentError(file, line, f"module '{slug}': 'summary' must be text"))
            summary = None
        if any(m.slug == slug for m in modules):
            errors.append(ContentError(file, line, f"module slug '{slug}' is used twice"))
            continue
        modules.append(ModuleInfo(slug, title.strip(), summary and " ".join(summary.split())))
    return tuple(modules)


def _certificate(doc: Located, file: str, errors: list[ContentError]) -> tuple[Any, Any]:
    raw = doc.data.get("certificate")
    if raw is None:
        return None, None
    line = doc.line("certificate")
    if not isinstance(raw, dict) or set(raw) - {"min_average_percent", "valid_months"}:
        errors.append(ContentError(file, line, "'certificate' takes min_average_percent "
                                               "(0-100) and valid_months (1 or more)"))
        return None, None
    percent, months = raw.get("min_average_percent"), raw.get("valid_months")
    if percent is not None and (isinstance(percent, bool) or not isinstance(percent, int)
                                or not 0 <= percent <= 100):
        errors.append(ContentError(file, line, "min_average_percent must be 0 to 100"))
    if months is not None and (isinstance(months, bool) or not isinstance(months, int)
                               or months < 1):
        errors.append(ContentError(file, line, "valid_months must be a whole number >= 1"))
    return percent, months


def lesson_slug_from_file(name: str) -> str:
    """`03-six-months.md` -> `six-months`: numbers order files but are not part of the key."""
    return NUMBER_PREFIX.sub("", name.rsplit(".", 1)[0])


def count_words(markdown_text: str) -> int:
    """Words a reader reads (code fences included: they are read too)."""
    return len(WORD.findall(markdown_text))


def _body_problems(header: Header, file: str, errors: list[ContentError]) -> None:
    if count_words(header.body) == 0:
        errors.append(ContentError(file, header.body_line, "the lesson has no text"))
    fenced = False
    for offset, line in enumerate(header.body.splitlines()):
        if line.lstrip().startswith(("```", "~~~")):
            fenced = not fenced
        elif not fenced and re.match(r"^#\s", line):
            errors.append(ContentError(file, header.body_line + offset,
                                       "use '##' for sections: the lesson's title is its "
                                       "only top-level heading"))


def _load_lesson(path: Path, root: Path, course_dir: Path, module: str,
                 errors: list[ContentError]) -> Lesson | None:
    file = str(path.relative_to(root))
    data = path.read_bytes()
    if len(data) > MAX_LESSON_BYTES:
        errors.append(ContentError(file, None, f"the lesson is {len(data) // 1000} KB; the "
                                   f"limit is {MAX_LESSON_BYTES // 1000} KB: split it"))
        return None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        errors.append(ContentError(file, None, "not UTF-8 text"))
        return None
    before = len(errors)
    header = parse_lesson(text, file, errors)
    if header is None:
        return None
    _body_problems(header, file, errors)
    slug = header.slug or lesson_slug_from_file(path.name)
    if not SLUG_RE.match(slug):
        errors.append(ContentError(file, 1, f"the lesson's slug '{slug}' must be lower-case "
                                   "a-z, 0-9 and -; rename the file or set 'slug:'"))
    if len(errors) > before:
        return None
    words = count_words(replace_fences(header.body, lambda n: ""))  # practice is not reading
    minutes = header.minutes or max(1, -(-words // WORDS_PER_MINUTE))
    return Lesson(course_dir.name, module, slug, header.title, header.summary, minutes,
                  header.objectives, header.draft, file, str(path.relative_to(course_dir)),
                  header.body, header.body_line, hashlib.sha256(data).hexdigest(), words)


def _module_folders(course_dir: Path, root: Path, modules: tuple[ModuleInfo, ...],
                    errors: list[ContentError]) -> dict[str, Path]:
    folders: dict[str, Path] = {}
    for folder in sorted(p for p in course_dir.iterdir() if p.is_dir()
                         and not p.name.startswith(".") and p.name != HANDOUTS_FOLDER):
        slug = NUMBER_PREFIX.sub("", folder.name)
        if slug not in {m.slug for m in modules}:
            errors.append(ContentError(str(folder.relative_to(root)), None,
                                       f"folder is not a module listed in {MANIFEST}"))
        elif slug in folders:
            errors.append(ContentError(str(folder.relative_to(root)), None,
                                       f"a second folder for module '{slug}'"))
        else:
            folders[slug] = folder
    return folders


def _load_modules(course_dir: Path, root: Path, modules: tuple[ModuleInfo, ...],
                  errors: list[ContentError]) -> tuple[tuple[ModuleInfo, ...], frozenset[str]]:
    folders = _module_folders(course_dir, root, modules, errors)
    loaded: list[ModuleInfo] = []
    assets: set[str] = set()
    seen: dict[str, str] = {}
    for module in modules:
        folder = folders.get(module.slug)
        if folder is None:
            errors.append(ContentError(str((course_dir / module.slug).relative_to(root)), None,
                                       f"module '{module.slug}' has no folder (name it "
                                       f"'{module.slug}' or '01-{module.slug}')"))
            continue
        lessons: list[Lesson] = []
        for path in sorted(p for p in folder.iterdir() if not p.name.startswith(".")):
            if path.is_dir() or path.suffix.lower() in ASSET_SUFFIXES:
                if path.is_file():
                    assets.add(str(path.relative_to(course_dir)))
                continue
            if path.suffix != ".md":
                errors.append(ContentError(str(path.relative_to(root)), None,
                              "unsupported file: lessons are .md, images are "
                              + ", ".join(sorted(ASSET_SUFFIXES))))
                continue
            lesson = _load_lesson(path, root, course_dir, module.slug, errors)
            if lesson is None:
                continue
            if lesson.slug in seen:
                errors.append(ContentError(lesson.path, 1, f"lesson slug '{lesson.slug}' is "
                                           f"already used by {seen[lesson.slug]}"))
                continue
            seen[lesson.slug] = lesson.path
            lessons.append(lesson)
        if not lessons and not any(e.file.startswith(str(folder.relative_to(root)))
                                   for e in errors):
            errors.append(ContentError(str(folder.relative_to(root)), None,
                                       f"module '{module.slug}' has no lessons"))
        loaded.append(ModuleInfo(module.slug, module.title, module.summary,
                                 str(folder.relative_to(course_dir)), tuple(lessons)))
    return tuple(loaded), frozenset(assets)


def _load_manifest(path: Path, root: Path, errors: list[ContentError]) -> CourseInfo | None:
    file = str(path.relative_to(root))
    try:
        text = path.read_text(encoding="utf-8")
        doc = load_yaml(text, file)
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
    if not modules and "modules" not in doc.data:
        errors.append(ContentError(file, 1, "'modules' is missing: list the course's modules"))
    sequential = doc.data.get("sequential", False)
    if not isinstance(sequential, bool):
        errors.append(ContentError(file, doc.line("sequential"),
                                   "'sequential' must be true or false"))
        sequential = False
    percent, months = _certificate(doc, file, errors)
    # Lessons are read even when the manifest has problems, so every problem shows at once.
    modules, assets = _load_modules(path.parent, root, modules, errors)
    assessment = load_self_assessment(path.parent / SELF_ASSESSMENT, root,
                                      {m.slug for m in modules}, errors)
    capstone = load_capstone(doc.data["capstone"], text, file, path.parent, root, errors) if (
        "capstone" in doc.data) else None
    handouts = load_handouts(path.parent, root, errors)
    digest = hashlib.sha256(path.read_bytes())
    for lesson in (x for m in modules for x in m.lessons):
        digest.update(lesson.content_hash.encode())
    for handout in handouts:
        digest.update(handout.content_hash.encode())
    if capstone is not None:
        digest.update(capstone.brief.encode())
    return CourseInfo(path.parent.name, title or path.parent.name, summary or "", audience,
                      float(hours) if hours is not None else None, source, modules,
                      sequential, percent, months, assets, digest.hexdigest()[:16], assessment,
                      capstone, handouts)


def scan_root(root: Path) -> tuple[Catalog, list[ContentError]]:
    """Everything readable under `root`, and every problem found on the way."""
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
    return Catalog(root, tuple(courses)), errors


def load_catalog(root: Path) -> Catalog:
    """Read every manifest under `root/lessons`; raise ContentErrors listing every problem."""
    catalog, errors = scan_root(root)
    if errors:
        raise ContentErrors(errors)
    return catalog
