"""The course's self-assessment: ungraded statements a learner rates at the start, giving a
baseline per factor (pure: file in, dataclass out, problems with lines)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ..errors import ContentError
from .yamlfile import describe_type, load_yaml

FILE = "self-assessment.yaml"
SCALE = ("Not at all", "A little", "Partly", "Mostly", "Fully")


@dataclass(frozen=True)
class Statement:
    """One statement, rated from 1 (not at all) to 5 (fully), for one factor's module."""

    id: str
    module: str
    text: str


@dataclass(frozen=True)
class SelfAssessment:
    """The course's self-assessment."""

    title: str
    intro: str
    statements: tuple[Statement, ...]

    def modules(self) -> list[str]:
        """The modules it gives a baseline for, in the order they first appear."""
        return list(dict.fromkeys(s.module for s in self.statements))


def load_self_assessment(path: Path, root: Path, modules: set[str],
                         errors: list[ContentError]) -> SelfAssessment | None:
    """Read `self-assessment.yaml` next to a course manifest, if there is one."""
    if not path.is_file():
        return None
    file = str(path.relative_to(root))
    try:
        doc = load_yaml(path.read_text(encoding="utf-8"), file)
    except ContentError as exc:
        errors.append(exc)
        return None
    data = doc.data
    if not isinstance(data, dict) or set(data) - {"title", "intro", "statements"}:
        errors.append(ContentError(file, 1, "a self-assessment has 'title', 'intro' and "
                                            "'statements'"))
        return None
    before = len(errors)
    for key in ("title", "intro"):
        if not isinstance(data.get(key), str):
            errors.append(ContentError(file, doc.line(key), f"'{key}' must be text, found "
                                                            f"{describe_type(data.get(key))}"))
    raw = data.get("statements")
    statements: list[Statement] = []
    if not isinstance(raw, list) or not raw:
        errors.append(ContentError(file, doc.line("statements"),
                                   "'statements' is a list of {module, text}"))
        raw = []
    for i, item in enumerate(raw, start=1):
        if not isinstance(item, dict) or set(item) != {"module", "text"} or not all(
                isinstance(v, str) for v in item.values()):
            errors.append(ContentError(file, doc.line("statements"),
                                       f"statement {i} must be {{module, text}} in quotes"))
            continue
        if item["module"] not in modules:
            errors.append(ContentError(file, doc.line("statements"),
                                       f"statement {i}: no module '{item['module']}'"))
            continue
        statements.append(Statement(f"s{i}", item["module"], " ".join(item["text"].split())))
    if len(errors) > before:
        return None
    return SelfAssessment(data["title"].strip(), " ".join(data["intro"].split()),
                          tuple(statements))
