"""Aiken, the simplest plain-text quiz format: a one-line question, lettered options, and an
`ANSWER:` line. Our own reader (pure); every problem comes with its line."""

from __future__ import annotations

import re

from ..errors import ContentError
from .gift import GiftResult
from .qtypes import QuestionTypes, builtin_types
from .quiz import Question, answer_text_problems
from .yamlfile import strip_bom

OPTION = re.compile(r"^([A-Z])[.)]\s+(.+)$")
ANSWER = re.compile(r"^ANSWER:\s*([A-Z])\s*$")


#: The question type Aiken's lettered options are.
AIKEN_TYPE = "single"


def parse_aiken(text: str, file: str, types: QuestionTypes | None = None) -> GiftResult:
    """Every question of an Aiken file, and every problem with its line."""
    qtype = (types or builtin_types()).get(AIKEN_TYPE)
    result = GiftResult()
    stem: tuple[int, str] | None = None
    options: list[tuple[str, str]] = []

    def problem(line: int, reason: str) -> None:
        result.errors.append(ContentError(file, line, reason))

    for number, raw in enumerate(strip_bom(text).splitlines(), start=1):
        line = raw.strip()
        if not line:
            continue
        if stem is None:
            if OPTION.match(line) or ANSWER.match(line):
                problem(number, "expected a question line before the options")
                continue
            stem, options = (number, line), []
            continue
        if match := OPTION.match(line):
            letter = match.group(1)
            if letter != chr(ord("A") + len(options)):
                problem(number, f"option {letter} is out of order (expected "
                                f"{chr(ord('A') + len(options))})")
            options.append((letter, match.group(2).strip()))
            continue
        if match := ANSWER.match(line):
            letters = [letter for letter, _ in options]
            if len(options) < 2:
                problem(stem[0], "a question needs at least 2 options")
            elif match.group(1) not in letters:
                problem(number, f"ANSWER: {match.group(1)} is not one of the options "
                                f"({', '.join(letters)})")
            else:
                fields = qtype.read_aiken([text for _, text in options],
                                          letters.index(match.group(1))) or {}
                question = Question(id=f"q{len(result.questions) + 1}", type=qtype.name,
                                    text=stem[1], line=stem[0], **fields)
                for reason in answer_text_problems(question):
                    problem(stem[0], reason)
                result.questions.append(question)
            stem = None
            continue
        problem(number, "expected an option ('A. text' or 'A) text') or 'ANSWER: X'"
                        if options else "the question must fit on one line")
    if stem is not None:
        problem(stem[0], "the question has no 'ANSWER:' line")
    return result
