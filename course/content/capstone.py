"""A course's capstone (pure): the `capstone:` block of a course manifest, its brief file and
its rubric, validated with the line of every problem; and the rubric's arithmetic (totals, the
pass rule), which the review pages and the certificate both rely on.

```yaml
capstone:
  title: "Your 90-day plan"
  brief: capstone.md            # markdown beside course.yaml, rendered like a lesson
  template: |                   # what the learner's editor starts from
    ## Social Graph & Presence
  required: false               # true: no certificate until the capstone passes
  review_days: 7                # a reviewer's due date: submitted + this many days
  rubric:
    criteria:
      - name: "Social Graph & Presence"
        levels:
          - {name: "Missing", descriptor: "...", points: 0}
          - {name: "Solid", descriptor: "...", points: 2}
    pass: {min_total: 6, min_each: 1}   # either or both, in points
```
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import yaml

from ..errors import ContentError

KEYS = {"title", "brief", "template", "required", "review_days", "rubric"}
RUBRIC_KEYS = {"criteria", "pass"}
CRITERION_KEYS = {"name", "description", "levels"}
LEVEL_KEYS = {"name", "descriptor", "points"}
PASS_KEYS = {"min_total", "min_each"}
MAX_BRIEF_BYTES = 100_000
MAX_TEMPLATE_CHARS = 20_000
DEFAULT_REVIEW_DAYS = 7
RENDER_KEY = "_capstone"  # where the brief's HTML is kept beside lessons (never a lesson slug)
Path_ = tuple[str | int, ...]


@dataclass(frozen=True)
class Level:
    """One level of a criterion: what work at this level looks like, and its points."""

    name: str
    descriptor: str
    points: int


@dataclass(frozen=True)
class Criterion:
    """One thing the reviewer judges, with its levels from lowest to highest points."""

    name: str
    levels: tuple[Level, ...]
    description: str = ""

    @property
    def max_points(self) -> int:
        return max(level.points for level in self.levels)

    @property
    def min_points(self) -> int:
        return min(level.points for level in self.levels)

    def level(self, name: str | None) -> Level | None:
        """The level called `name`, or None."""
        return next((x for x in self.levels if x.name == name), None)


@dataclass(frozen=True)
class Rubric:
    """Criteria and the pass rule (a minimum total and/or a minimum on every criterion)."""

    criteria: tuple[Criterion, ...]
    min_total: int | None = None
    min_each: int | None = None

    @property
    def max_total(self) -> int:
        return sum(c.max_points for c in self.criteria)

    def criterion(self, name: str) -> Criterion | None:
        """The criterion called `name`, or None."""
        return next((c for c in self.criteria if c.name == name), None)

    def describe_rule(self) -> str:
        """The pass rule in words."""
        parts = []
        if self.min_total is not None:
            parts.append(f"at least {self.min_total} of {self.max_total} points in total")
        if self.min_each is not None:
            unit = "point" if self.min_each == 1 else "points"
            parts.append(f"at least {self.min_each} {unit} on every criterion")
        return " and ".join(parts)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready snapshot (stored with each submitted version)."""
        return asdict(self)

    @classmethod
    def from_dict(cls, raw: dict[str, Any]) -> Rubric:
        """The rubric a snapshot holds."""
        return cls(tuple(Criterion(c["name"], tuple(Level(**lv) for lv in c["levels"]),
                                   c.get("description", "")) for c in raw["criteria"]),
                   raw.get("min_total"), raw.get("min_each"))


@dataclass(frozen=True)
class Outcome:
    """A marked rubric's total, and whether it meets the pass rule (and why not)."""

    total: int
    max_total: int
    passes: bool
    shortfalls: tuple[str, ...] = ()


def evaluate(rubric: Rubric, chosen: dict[str, str]) -> Outcome:
    """Total and pass decision for `chosen` (criterion name -> level name); a criterion with no
    level chosen counts as a shortfall, never as a pass."""
    total, shortfalls = 0, []
    for criterion in rubric.criteria:
        level = criterion.level(chosen.get(criterion.name))
        if level is None:
            shortfalls.append(f"{criterion.name}: no level chosen")
            continue
        total += level.points
        if rubric.min_each is not None and level.points < rubric.min_each:
            shortfalls.append(f"{criterion.name}: {level.points} points, below the "
                              f"{rubric.min_each} every criterion needs")
    if rubric.min_total is not None and total < rubric.min_total:
        shortfalls.append(f"total {total} points, below the {rubric.min_total} needed")
    return Outcome(total, rubric.max_total, not shortfalls, tuple(shortfalls))


@dataclass(frozen=True)
class Capstone:
    """A course's capstone as the manifest declares it, with its brief's markdown."""

    title: str
    brief_path: str  # relative to the content root, for messages
    brief_rel: str  # relative to the course folder
    brief: str
    template: str
    required: bool
    review_days: int
    rubric: Rubric


# ------------------------------------------------------------------ locating lines
def key_lines(text: str) -> dict[Path_, int]:
    """The 1-based line of every mapping key and list item in a YAML text, by its path.

    Each node is visited once, so aliases cannot make the walk explode."""
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError:
        return {}
    lines: dict[Path_, int] = {}
    seen: set[int] = set()
    stack: list[tuple[Path_, yaml.Node]] = [((), root)] if root is not None else []
    while stack:
        path, node = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        if isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                child = (*path, str(key.value))
                lines[child] = key.start_mark.line + 1
                stack.append((child, value))
        elif isinstance(node, yaml.SequenceNode):
            for i, item in enumerate(node.value):
                lines[(*path, i)] = item.start_mark.line + 1
                stack.append(((*path, i), item))
    return lines


class _Reader:
    """Reads the capstone block, reporting problems at the line of the key concerned."""

    def __init__(self, file: str, lines: dict[Path_, int], errors: list[ContentError]) -> None:
        self.file, self.lines, self.errors = file, lines, errors
        self.failed = False

    def problem(self, path: Path_, reason: str) -> None:
        line = None
        for end in range(len(path), 0, -1):  # the nearest enclosing key that has a line
            line = self.lines.get(path[:end])
            if line is not None:
                break
        self.errors.append(ContentError(self.file, line, reason))
        self.failed = True

    def mapping(self, value: Any, path: Path_, keys: set[str], what: str) -> dict | None:
        if not isinstance(value, dict):
            self.problem(path, f"{what} must be a mapping with {', '.join(sorted(keys))}")
            return None
        for key in value:
            if key not in keys:
                self.problem((*path, str(key)), f"{what}: unknown key '{key}' (known keys: "
                                                f"{', '.join(sorted(keys))})")
        return value

    def text(self, value: Any, path: Path_, what: str, required: bool = True) -> str:
        if value is None and not required:
            return ""
        if not isinstance(value, str) or not value.strip():
            self.problem(path, f"{what} must be text in quotes")
            return ""
        return " ".join(value.split())

    def whole(self, value: Any, path: Path_, what: str, low: int = 0) -> int | None:
        if isinstance(value, bool) or not isinstance(value, int) or value < low:
            self.problem(path, f"{what} must be a whole number of at least {low}")
            return None
        return value


def _levels(r: _Reader, raw: Any, path: Path_, criterion: str) -> tuple[Level, ...]:
    if not isinstance(raw, list) or len(raw) < 2:
        r.problem(path, f"criterion '{criterion}' needs 'levels': a list of at least two "
                        "{name, descriptor, points}")
        return ()
    levels: list[Level] = []
    for i, item in enumerate(raw):
        here = (*path, i)
        item = r.mapping(item, here, LEVEL_KEYS, f"criterion '{criterion}', level {i + 1}")
        if item is None:
            continue
        name = r.text(item.get("name"), (*here, "name"), f"level {i + 1}'s 'name'")
        descriptor = r.text(item.get("descriptor"), (*here, "descriptor"),
                            f"level '{name}' 'descriptor'")
        points = r.whole(item.get("points"), (*here, "points"), f"level '{name}' 'points'")
        if name and any(x.name == name for x in levels):
            r.problem((*here, "name"), f"criterion '{criterion}' has two levels called '{name}'")
        elif name and descriptor and points is not None:
            levels.append(Level(name, descriptor, points))
    return tuple(sorted(levels, key=lambda x: x.points))


def _criteria(r: _Reader, raw: Any, path: Path_) -> tuple[Criterion, ...]:
    if not isinstance(raw, list) or not raw:
        r.problem(path, "'criteria' must be a list of {name, levels}")
        return ()
    criteria: list[Criterion] = []
    for i, item in enumerate(raw):
        here = (*path, i)
        item = r.mapping(item, here, CRITERION_KEYS, f"criterion {i + 1}")
        if item is None:
            continue
        name = r.text(item.get("name"), (*here, "name"), f"criterion {i + 1}'s 'name'")
        description = r.text(item.get("description"), (*here, "description"),
                             f"criterion '{name}' 'description'", required=False)
        levels = _levels(r, item.get("levels"), (*here, "levels"), name or str(i + 1))
        if name and any(c.name == name for c in criteria):
            r.problem((*here, "name"), f"two criteria are called '{name}'")
        elif name and levels:
            criteria.append(Criterion(name, levels, description))
    return tuple(criteria)


def _pass_rule(r: _Reader, raw: Any, path: Path_,
               criteria: tuple[Criterion, ...]) -> tuple[int | None, int | None]:
    rule = r.mapping(raw, path, PASS_KEYS, "'pass'")
    if rule is None:
        return None, None
    if not rule:
        r.problem(path, "'pass' needs min_total, min_each or both")
        return None, None
    total = r.whole(rule["min_total"], (*path, "min_total"), "min_total") if (
        "min_total" in rule) else None
    each = r.whole(rule["min_each"], (*path, "min_each"), "min_each") if (
        "min_each" in rule) else None
    if not criteria or r.failed:
        return total, each
    best = sum(c.max_points for c in criteria)
    if total is not None and total > best:
        r.problem((*path, "min_total"), f"min_total {total} can never be reached: the most a "
                                        f"submission can score is {best}")
    for c in criteria:
        if each is not None and each > c.max_points:
            r.problem((*path, "min_each"), f"min_each {each} can never be reached: criterion "
                                           f"'{c.name}' gives at most {c.max_points}")
    worst = Rubric(criteria, total, each)
    if not r.failed and evaluate(worst, {c.name: c.levels[0].name for c in criteria}).passes:
        r.problem(path, "the pass rule is met by the lowest level of every criterion: "
                        "raise min_total or min_each")
    return total, each


def _rubric(r: _Reader, raw: Any, path: Path_) -> Rubric | None:
    rubric = r.mapping(raw, path, RUBRIC_KEYS, "'rubric'")
    if rubric is None:
        return None
    criteria = _criteria(r, rubric.get("criteria"), (*path, "criteria"))
    if "pass" not in rubric:
        r.problem(path, "'rubric' needs a 'pass' rule (min_total and/or min_each)")
        return None
    total, each = _pass_rule(r, rubric["pass"], (*path, "pass"), criteria)
    return Rubric(criteria, total, each)


def _brief(r: _Reader, value: Any, course_dir: Path, root: Path) -> tuple[str, str, str]:
    """(path for messages, path in the course folder, markdown) of the brief file."""
    path = ("capstone", "brief")
    if not isinstance(value, str) or not value.strip().endswith(".md"):
        r.problem(path, "'brief' must name a markdown file beside course.yaml, e.g. capstone.md")
        return "", "", ""
    target = (course_dir / value.strip()).resolve()
    if not target.is_relative_to(course_dir.resolve()) or not target.is_file():
        r.problem(path, f"brief file '{value.strip()}' not found beside course.yaml")
        return "", "", ""
    data = target.read_bytes()
    shown = str(target.relative_to(root.resolve()))
    if len(data) > MAX_BRIEF_BYTES:
        r.problem(path, f"brief file '{value.strip()}' is larger than "
                        f"{MAX_BRIEF_BYTES // 1000} KB")
        return "", "", ""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        r.problem(path, f"brief file '{value.strip()}' is not UTF-8 text")
        return "", "", ""
    if not text.strip():
        r.problem(path, f"brief file '{value.strip()}' is empty")
    return shown, str(target.relative_to(course_dir.resolve())), text


def load_capstone(raw: Any, manifest_text: str, file: str, course_dir: Path, root: Path,
                  errors: list[ContentError]) -> Capstone | None:
    """The capstone a manifest declares (`raw` is the value of its `capstone:` key), or None
    with every problem appended to `errors`."""
    r = _Reader(file, key_lines(manifest_text), errors)
    block = r.mapping(raw, ("capstone",), KEYS, "'capstone'")
    if block is None:
        return None
    title = r.text(block.get("title"), ("capstone", "title"), "the capstone's 'title'")
    shown, rel, brief = _brief(r, block.get("brief"), course_dir, root)
    template = block.get("template", "")
    if not isinstance(template, str) or len(template) > MAX_TEMPLATE_CHARS:
        r.problem(("capstone", "template"), "'template' must be markdown text (use '|') of at "
                                            f"most {MAX_TEMPLATE_CHARS} characters")
        template = ""
    required = block.get("required", False)
    if not isinstance(required, bool):
        r.problem(("capstone", "required"), "'required' must be true or false")
    days = r.whole(block.get("review_days", DEFAULT_REVIEW_DAYS), ("capstone", "review_days"),
                   "'review_days'", low=1)
    if "rubric" not in block:
        r.problem(("capstone",), "'capstone' needs a 'rubric' (criteria and a pass rule)")
        return None
    rubric = _rubric(r, block["rubric"], ("capstone", "rubric"))
    if r.failed or rubric is None:
        return None
    return Capstone(title, shown, rel, brief, re.sub(r"\r\n?", "\n", template), required,
                    int(days or DEFAULT_REVIEW_DAYS), rubric)


# ------------------------------------------------------------------ the brief's links
_URL_ATTR = re.compile(r'(href|src)="([^"]*)"')
_LESSON = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*(?:#[^\s\"'<>]*)?$")


def rebase(html: str) -> str:
    """Links the lesson pipeline wrote relative to a lesson page, rewritten relative to the
    capstone page (one level up): `slug` -> `lessons/slug`, `../files/x` -> `files/x`."""

    def fix(match: re.Match[str]) -> str:
        attr, url = match.group(1), match.group(2)
        if url.startswith("../files/"):
            url = url[3:]
        elif attr == "href" and _LESSON.match(url):
            url = "lessons/" + url
        return f'{attr}="{url}"'

    return _URL_ATTR.sub(fix, html)
