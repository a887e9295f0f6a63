"""Practice blocks in lessons (pure): finding them, reading them, and their stored placeholder.

A lesson embeds a short, ungraded knowledge check as a fenced block whose info string is
`practice`. Its body is YAML: `question: <id>` names one question of the module's quiz bank, or
`questions:` lists one to three, each a bank id or a question written inline in the quiz file
schema (read by the quiz parser, so nothing is parsed twice). An optional `title` heads it.

The lesson renderer replaces each block with an inert placeholder in the stored HTML; the lesson
page fills it per learner. Placeholders carry a `data-` attribute that the lesson sanitiser never
lets through, so a lesson's own HTML cannot forge one.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import yaml

from ..errors import ContentError
from .quiz import Question, Quiz
from .quizyaml import read_question
from .yamlfile import line_map, parse_yaml, yaml_error

if TYPE_CHECKING:  # the catalogue uses this module to leave blocks out of reading times
    from .catalog import CourseInfo

SUPPORTED_TYPES = ("single", "multiple", "truefalse")
MAX_QUESTIONS = 3
BLOCK_KEYS = {"title", "question", "questions"}
DEFAULT_TITLE = "Check your understanding"
OPEN = re.compile(r"^(`{3,}|~{3,})[ \t]*practice[ \t]*$")
FENCE = re.compile(r"^(`{3,}|~{3,})")


@dataclass(frozen=True)
class Fence:
    """Where one practice block sits in a lesson body (0-based line indexes)."""

    first: int  # the opening fence
    last: int  # the closing fence
    text: str  # the YAML between them


@dataclass(frozen=True)
class PracticeQuestion:
    """A question as a practice block uses it."""

    question: Question
    bank: bool  # taken from the module's quiz bank (the learner's graded draw avoids it)
    shuffle: bool  # show its options in a per-learner order
    scenario: str | None = None  # a bank question's scenario text


@dataclass(frozen=True)
class PracticeBlock:
    """One practice block of a lesson, numbered from 1 in the order of the lesson."""

    number: int
    line: int
    title: str
    questions: tuple[PracticeQuestion, ...]


def find_fences(body: str) -> tuple[list[Fence], list[tuple[int, str]]]:
    """Every practice fence in `body` (never one inside another code block), and problems."""
    lines = body.split("\n")
    fences: list[Fence] = []
    problems: list[tuple[int, str]] = []
    i = 0
    while i < len(lines):
        opening = OPEN.match(lines[i]) or FENCE.match(lines[i])
        if opening is None:
            i += 1
            continue
        marker = opening.group(1)
        close = re.compile(rf"^{re.escape(marker[0])}{{{len(marker)},}}[ \t]*$")
        end = next((j for j in range(i + 1, len(lines)) if close.match(lines[j])), None)
        if OPEN.match(lines[i]):
            if end is None:
                problems.append((i, f"practice block: no closing {marker} for this block"))
                return fences, problems
            fences.append(Fence(i, end, "\n".join(lines[i + 1:end])))
        i = len(lines) if end is None else end + 1
    return fences, problems


def replace_fences(body: str, token: Callable[[int], str]) -> str:
    """`body` with practice block `n` replaced by a paragraph holding only `token(n)`."""
    fences, _ = find_fences(body)
    lines = body.split("\n")
    for n, fence in reversed(list(enumerate(fences, start=1))):
        lines[fence.first:fence.last + 1] = ["", token(n), ""]
    return "\n".join(lines)


def placeholder(number: int) -> str:
    """The inert element that stands for practice block `number` in stored lesson HTML."""
    return f'<div class="practice-slot" data-practice="{number}"></div>'


def fill(html: str, blocks: Mapping[int, str]) -> str:
    """Stored lesson HTML with each placeholder replaced by its block's HTML (or left empty)."""
    for number, block in blocks.items():
        html = html.replace(placeholder(number), block, 1)
    return html


class _Block:
    """Reads one block's YAML, recording located errors."""

    def __init__(self, file: str, fence: Fence, body_line: int, quiz: Quiz | None) -> None:
        self.file, self.fence, self.quiz = file, fence, quiz
        self.line = body_line + fence.first  # the opening fence's line in the file
        self.errors: list[ContentError] = []
        self.lines: dict[tuple[Any, ...], int] = {}

    def error(self, path: tuple[Any, ...], reason: str) -> None:
        while path and path not in self.lines:
            path = path[:-1]
        self.errors.append(ContentError(self.file, self.lines.get(path, self.line),
                                        f"practice block: {reason}"))

    def parse(self) -> dict | None:
        try:
            node, data = parse_yaml(self.fence.text)
        except yaml.YAMLError as exc:  # aliases and oversized blocks too (yamlfile's budget)
            error = yaml_error(exc, self.file)
            line = self.line + error.line if error.line else self.line
            self.errors.append(ContentError(self.file, line, f"practice block: {error.reason}"))
            return None
        if not isinstance(data, dict) or node is None:
            self.error((), "write 'question: <id>' or a 'questions:' list")
            return None
        self.lines = {path: self.line + n for path, n in line_map(node).items()}
        return data

    def items(self, data: dict) -> list[tuple[tuple[Any, ...], Any]]:
        for key in data:
            if key not in BLOCK_KEYS:
                self.error((str(key),), f"unknown key '{key}' (known: "
                                        f"{', '.join(sorted(BLOCK_KEYS))})")
        if ("question" in data) == ("questions" in data):
            self.error((), "write either 'question: <id>' or a 'questions:' list")
            return []
        if "question" in data:
            return [(("question",), data["question"])]
        raw = data["questions"]
        if not isinstance(raw, list) or not 1 <= len(raw) <= MAX_QUESTIONS:
            self.error(("questions",), f"'questions' lists one to {MAX_QUESTIONS} questions "
                                       "(bank ids or inline questions)")
            return []
        return [(("questions", i), item) for i, item in enumerate(raw)]

    def question(self, path: tuple[Any, ...], item: Any) -> PracticeQuestion | None:
        if isinstance(item, str):
            found = next((q for q in self.quiz.questions if q.id == item), None) if (
                self.quiz) else None
            if found is None:
                where = f"the module's quiz ({self.quiz.path})" if self.quiz else (
                    "this module, which has no quiz")
                self.error(path, f"no question '{item}' in {where}")
                return None
            practice = PracticeQuestion(found, True, self.quiz.shuffle_options,
                                        self.quiz.scenarios.get(found.scenario or ""))
        else:
            question, errors = read_question(item, self.file, self.lines, path)
            self.errors += [ContentError(e.file, e.line, f"practice block: {e.reason}")
                            for e in errors]
            if question is None:
                return None
            practice = PracticeQuestion(question, False, True)
        if practice.question.type not in SUPPORTED_TYPES:
            self.error(path, f"question '{practice.question.id}' is a "
                             f"{practice.question.type} question; practice takes "
                             f"{', '.join(SUPPORTED_TYPES)}")
            return None
        return practice


def read_blocks(file: str, body: str, body_line: int, quiz: Quiz | None
                ) -> tuple[tuple[PracticeBlock, ...], list[ContentError]]:
    """The practice blocks of one lesson body, checked against the module's quiz."""
    fences, problems = find_fences(body)
    errors = [ContentError(file, body_line + i, reason) for i, reason in problems]
    blocks: list[PracticeBlock] = []
    seen: set[str] = set()
    for number, fence in enumerate(fences, start=1):
        reader = _Block(file, fence, body_line, quiz)
        data = reader.parse()
        found = []
        for path, item in reader.items(data) if data is not None else []:
            practice = reader.question(path, item)
            if practice is None:
                continue
            if practice.question.id in seen:
                reader.error(path, f"question '{practice.question.id}' is already used in "
                                   "this lesson")
                continue
            seen.add(practice.question.id)
            found.append(practice)
        title = data.get("title") if data is not None else None
        if title is not None and (not isinstance(title, str) or not title.strip()):
            reader.error(("title",), "'title' must be text")
            title = None
        errors += reader.errors
        if found and not reader.errors:
            blocks.append(PracticeBlock(number, reader.line, (title or DEFAULT_TITLE).strip(),
                                        tuple(found)))
    return tuple(blocks), errors


def practice_of_course(course: CourseInfo, quizzes: Mapping[tuple[str, str], Quiz]
                       ) -> tuple[dict[str, tuple[PracticeBlock, ...]], list[ContentError]]:
    """Every lesson's practice blocks (by lesson slug) and every problem in them."""
    found: dict[str, tuple[PracticeBlock, ...]] = {}
    errors: list[ContentError] = []
    for lesson in course.lessons:
        if "practice" not in lesson.body:
            continue
        blocks, problems = read_blocks(lesson.path, lesson.body, lesson.body_line,
                                       quizzes.get((course.slug, lesson.module)))
        errors += problems
        if blocks:
            found[lesson.slug] = blocks
    return found, errors
