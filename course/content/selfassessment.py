"""The course's self-assessment: ungraded statements about the learner's own behaviour, rated at
the start of the course and again at the end, giving a figure per factor before and after (pure:
file in, dataclass out, problems with lines; ratings in, figures out)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

import yaml

from ..errors import ContentError
from .yamlfile import describe_type, line_map, parse_yaml, yaml_error

FILE = "self-assessment.yaml"
SCALE = ("Never", "Rarely", "Sometimes", "Often", "Always")
DONT_KNOW = "dk"  # the form value of "Don't know": answered, but not counted
START, END = "start", "end"
END_TITLE = "Where do you stand now?"
END_INTRO = ("You have passed every factor quiz. Rate the same statements again, thinking of "
             "the last month: your answers sit beside your starting point and your quiz "
             "results, so you can see what changed in what you do.")
TOP_KEYS = {"title", "intro", "end_title", "end_intro", "scale", "statements"}
Path_ = tuple[str | int, ...]


@dataclass(frozen=True)
class Statement:
    """One statement about what the learner does, rated on the scale, for one factor's module."""

    id: str
    module: str
    text: str


@dataclass(frozen=True)
class SelfAssessment:
    """The course's self-assessment: the same statements at the start and at the end."""

    title: str
    intro: str
    statements: tuple[Statement, ...]
    end_title: str = END_TITLE
    end_intro: str = END_INTRO
    scale: tuple[str, ...] = SCALE

    def modules(self) -> list[str]:
        """The modules it gives a figure for, in the order they first appear."""
        return list(dict.fromkeys(s.module for s in self.statements))

    def count(self, module: str) -> int:
        """How many statements belong to `module`."""
        return sum(1 for s in self.statements if s.module == module)


@dataclass(frozen=True)
class Figure:
    """One factor's figure: the mean rating mapped to 0-100 over the statements rated (None
    when every one was "don't know"), and how many statements it rests on."""

    percent: Decimal | None
    rated: int
    statements: int


def read_ratings(form: Mapping[str, str], assessment: SelfAssessment
                 ) -> tuple[dict[str, int | None], list[str]]:
    """The answers in a submitted form (1-5, or None for "don't know") and the ids of the
    statements left without any answer."""
    ratings: dict[str, int | None] = {}
    missing: list[str] = []
    allowed = {str(i) for i in range(1, len(assessment.scale) + 1)}
    for s in assessment.statements:
        value = (form.get(s.id) or "").strip()
        if value in allowed:
            ratings[s.id] = int(value)
        elif value == DONT_KNOW:
            ratings[s.id] = None
        else:
            missing.append(s.id)
    return ratings, missing


def figures(ratings: Mapping[str, int | None], assessment: SelfAssessment) -> dict[str, Figure]:
    """Per module, the mean of the ratings given, from 1-5 mapped to 0-100; "don't know" and
    unanswered statements do not count."""
    top = len(assessment.scale) - 1
    out: dict[str, Figure] = {}
    for module in assessment.modules():
        ids = [s.id for s in assessment.statements if s.module == module]
        values = [v for v in (ratings.get(i) for i in ids) if v is not None]
        percent = None
        if values:
            mean = Decimal(sum(values)) / len(values)
            percent = ((mean - 1) * 100 / top).quantize(Decimal("0.01"), ROUND_HALF_UP)
        out[module] = Figure(percent, len(values), len(ids))
    return out


class _Reader:
    """Reads the file's values, recording each problem at the line of the key concerned."""

    def __init__(self, file: str, lines: dict[Path_, int], errors: list[ContentError]) -> None:
        self.file, self.lines, self.errors = file, lines, errors
        self.failed = False

    def problem(self, path: Path_, reason: str) -> None:
        while path and path not in self.lines:
            path = path[:-1]
        self.errors.append(ContentError(self.file, self.lines.get(path, 1), reason))
        self.failed = True

    def text(self, data: dict, key: str, path: Path_, default: str | None = None) -> str:
        value = data.get(key, default)
        if not isinstance(value, str) or not value.strip():
            self.problem((*path, key), f"'{key}' must be text in quotes, found "
                                       f"{describe_type(value)}")
            return ""
        return " ".join(value.split())


def _scale(r: _Reader, data: dict) -> tuple[str, ...]:
    raw = data.get("scale", list(SCALE))
    if not isinstance(raw, list) or len(raw) != len(SCALE) or not all(
            isinstance(v, str) and v.strip() for v in raw):
        r.problem(("scale",), f"'scale' is a list of {len(SCALE)} labels in quotes, from the "
                              f"lowest to the highest (for example {', '.join(SCALE)})")
        return SCALE
    labels = tuple(" ".join(v.split()) for v in raw)
    if len(set(map(str.lower, labels))) != len(labels):
        r.problem(("scale",), "'scale' repeats a label: each of the five must differ")
    return labels


def _statements(r: _Reader, data: dict, modules: set[str]) -> list[Statement]:
    raw = data.get("statements")
    if not isinstance(raw, list) or not raw:
        r.problem(("statements",), "'statements' is a list of {module, text}")
        return []
    out: list[Statement] = []
    seen: set[str] = set()
    for i, item in enumerate(raw):
        path = ("statements", i)
        if not isinstance(item, dict) or set(item) != {"module", "text"}:
            r.problem(path, f"statement {i + 1} must have exactly 'module' and 'text'")
            continue
        module, text = r.text(item, "module", path), r.text(item, "text", path)
        if module and module not in modules:
            r.problem((*path, "module"), f"statement {i + 1}: no module '{module}' "
                                         f"(the course has: {', '.join(sorted(modules))})")
        elif text.lower() in seen:
            r.problem((*path, "text"), f"statement {i + 1} repeats an earlier statement")
        elif module and text:
            seen.add(text.lower())
            out.append(Statement(f"s{i + 1}", module, text))
    return out


def parse_self_assessment(text: str, file: str, modules: set[str],
                          errors: list[ContentError]) -> SelfAssessment | None:
    """A self-assessment from the text of its YAML file, or None (with `errors` added)."""
    try:
        node, data = parse_yaml(text)
    except yaml.YAMLError as exc:
        errors.append(yaml_error(exc, file))
        return None
    r = _Reader(file, line_map(node) if node is not None else {}, errors)
    if not isinstance(data, dict):
        r.problem((), "a self-assessment is a mapping with 'title', 'intro' and 'statements'")
        return None
    for key in sorted(set(data) - TOP_KEYS, key=str):
        r.problem((str(key),), f"unknown key '{key}' (allowed: {', '.join(sorted(TOP_KEYS))})")
    parts: dict[str, Any] = {key: r.text(data, key, ()) for key in ("title", "intro")}
    parts["end_title"] = r.text(data, "end_title", (), END_TITLE)
    parts["end_intro"] = r.text(data, "end_intro", (), END_INTRO)
    parts["scale"] = _scale(r, data)
    statements = _statements(r, data, modules)
    if r.failed:
        return None
    return SelfAssessment(statements=tuple(statements), **parts)


def load_self_assessment(path: Path, root: Path, modules: set[str],
                         errors: list[ContentError]) -> SelfAssessment | None:
    """Read `self-assessment.yaml` next to a course manifest, if there is one."""
    if not path.is_file():
        return None
    file = str(path.relative_to(root))
    return parse_self_assessment(path.read_text(encoding="utf-8"), file, modules, errors)
