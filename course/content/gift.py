"""GIFT, Moodle's plain-text quiz format: our own reader and writer (pure).

Reads the syntax Moodle documents: `//` comment lines, `$CATEGORY:`, `::title::`, `[html]`,
`[moodle]`, `[plain]` and `[markdown]` text formats, answers in braces (single and multiple
choice with `%weight%`, true/false with wrong/right feedback, short answer, numeric with
`value:tolerance`, `min..max` and several weighted answers, matching with `->`), missing-word
questions (answers inside the sentence), per-answer `#feedback`, general `####feedback`, and the
escapes `\\~ \\= \\# \\{ \\} \\: \\n \\\\`. Essays and descriptions are refused: they cannot be
graded automatically. This module reads and writes a question's frame; the answers inside the
braces are each question type's (`qtypes/`), tried in the types' GIFT rank.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field, replace

import nh3

from ..errors import ContentError
from .giftsyntax import GiftProblem, escape, protect, restore
from .qtypes import QuestionTypes, builtin_types
from .quiz import Question, Quiz, answer_text_problems
from .yamlfile import strip_bom

FORMAT = re.compile(r"^\[(html|moodle|plain|markdown)\]", re.I)
MISSING = "_____"


@dataclass
class GiftResult:
    """What a GIFT file held: its questions and every problem, with lines."""

    questions: list[Question] = field(default_factory=list)
    errors: list[ContentError] = field(default_factory=list)


def _blocks(text: str) -> list[tuple[int, str]]:
    """Questions are separated by blank lines; comment lines are dropped. (line, text) each."""
    blocks: list[tuple[int, str]] = []
    current: list[str] = []
    start = 0
    for number, line in enumerate(text.splitlines(), start=1):
        if line.strip().startswith("//"):
            continue
        if not line.strip():
            if current:
                blocks.append((start, "\n".join(current)))
                current = []
            continue
        if not current:
            start = number
        current.append(line)
    if current:
        blocks.append((start, "\n".join(current)))
    return blocks


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:60]


def _answers(answers: str, types: QuestionTypes) -> dict:
    """The type and its fields from the answers inside the braces."""
    stripped = answers.strip()
    if not stripped:
        raise GiftProblem("essay questions ({}) cannot be graded automatically and are not "
                          "supported")
    qtype = types.for_gift(stripped)
    if qtype is None:
        raise GiftProblem("these answers are no question type this site knows")
    return qtype.read_gift(stripped)


def _question(block: str, line: int, number: int, category: str | None,
              types: QuestionTypes) -> Question:
    text = block.strip()
    title = ""
    if text.startswith("::"):
        title, sep, rest = text[2:].partition("::")
        if not sep:
            raise GiftProblem("the title's closing '::' is missing")
        title, text = restore(title), rest.strip()
    fmt = FORMAT.match(text)
    text = FORMAT.sub("", text).strip()
    if fmt and fmt.group(1).lower() == "html":
        # Question text is shown as plain text: keep the words, drop the markup.
        text = html.unescape(nh3.clean(text, tags=set())).strip()
    open_at, close_at = text.find("{"), text.find("}")
    if open_at < 0 and close_at < 0:
        raise GiftProblem("text without answers in braces is a description, not a "
                          "question; descriptions are not supported")
    if open_at < 0 or close_at < open_at:
        raise GiftProblem("a '{' or '}' is missing (write \\{ or \\} for a literal brace)")
    after = text[close_at + 1:]
    if "{" in after or "}" in after:
        raise GiftProblem("one answer block per question")
    answers = text[open_at + 1:close_at]
    general = ""
    if "####" in answers:
        answers, _, general = answers.rpartition("####")
    before, after = text[:open_at].rstrip(), after.strip()
    if after:  # answers inside the sentence: a missing-word question
        stem = f"{before} {MISSING}" + ("" if after[0] in ".,;:!?)" else " ") + after
    else:
        stem = before
    fields = _answers(answers, types)
    qid = _slug(title) or f"q{number}"
    tags = (_slug(category.split("/")[-1]),) if category and _slug(category) else ()
    return Question(id=qid, text=restore(stem), line=line,
                    title=title, tags=tags, general_feedback=restore(general), **fields)


def parse_gift(text: str, file: str, types: QuestionTypes | None = None) -> GiftResult:
    """Every question of a GIFT file, and every problem with its line."""
    types = types or builtin_types()
    result = GiftResult()
    category = None
    seen: dict[str, int] = {}
    for number, (line, block) in enumerate(_blocks(protect(strip_bom(text))), start=1):
        if block.strip().startswith("$CATEGORY:"):
            category = restore(block.strip()[len("$CATEGORY:"):])
            continue
        try:
            question = _question(block, line, number, category, types)
        except GiftProblem as exc:
            result.errors.append(ContentError(file, line, str(exc)))
            continue
        result.errors += [ContentError(file, line, reason)
                          for reason in answer_text_problems(question)]
        if question.id in seen:
            seen[question.id] += 1
            question = _with_id(question, f"{question.id}-{seen[question.id]}")
        else:
            seen[question.id] = 1
        result.questions.append(question)
    return result


def _with_id(question: Question, qid: str) -> Question:
    return replace(question, id=qid)


# ---------------------------------------------------------------- writing
def write_gift(quiz: Quiz, types: QuestionTypes | None = None) -> str:
    """The quiz's questions as GIFT; questions GIFT cannot express become comments."""
    types = types or builtin_types()
    lines = [f"// {quiz.title}", f"$CATEGORY: {quiz.course}/{quiz.module}", ""]
    for q in quiz.questions:
        answers = types.get(q.type).write_gift(q)
        if answers is None:
            article = "an" if q.type[:1] in "aeiou" else "a"
            lines += [f"// question '{q.id}' is {article} {q.type} question: GIFT has no such "
                      "type", ""]
            continue
        stem = q.text
        if q.scenario and q.scenario in quiz.scenarios:
            stem = f"{quiz.scenarios[q.scenario]}\n\n{stem}"
        general = f"\n####{escape(q.general_feedback)}" if q.general_feedback else ""
        lines += [f"::{escape(q.id)}:: [markdown]{escape(stem)} {{",
                  answers + general, "}", ""]
    return "\n".join(lines)
