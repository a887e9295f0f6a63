"""The quiz model (pure): settings, questions and their answers, as frozen dataclasses (what
each question type reads, marks and shows lives in `qtypes/`, one module per type).

Weights are exact: `Decimal` fractions of a question's marks, from -1 to 1, never floats, so a
pass is never decided by rounding.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

GRADING_METHODS = ("highest", "last", "first", "average")
REVIEW_ITEMS = ("score", "right_wrong", "feedback", "correct_answers")
REVIEW_WHEN = ("never", "after_submit", "after_pass", "after_last_attempt")


@dataclass(frozen=True)
class Option:
    """A choice of a single- or multiple-choice question."""

    text: str
    weight: Decimal  # share of the question's marks: 1 right, 0 wrong, -0.5 a penalty
    feedback: str = ""


@dataclass(frozen=True)
class ShortAnswer:
    """An accepted text answer: exact or case-insensitive, `*` matching any run of characters."""

    pattern: str
    weight: Decimal = Decimal(1)
    feedback: str = ""


@dataclass(frozen=True)
class NumericAnswer:
    """An accepted number: within [low, high] (a value with a tolerance, or a range)."""

    low: Decimal
    high: Decimal
    weight: Decimal = Decimal(1)
    feedback: str = ""


@dataclass(frozen=True)
class Question:
    """One question of any type; only the fields of its type are filled."""

    id: str
    type: str
    text: str
    line: int | None = None
    title: str = ""
    points: int = 1
    tags: tuple[str, ...] = ()
    lesson: str | None = None
    scenario: str | None = None
    general_feedback: str = ""
    options: tuple[Option, ...] = ()
    correct: bool | None = None  # true/false
    feedback_right: str = ""  # true/false: shown when the learner is right
    feedback_wrong: str = ""
    answers: tuple[ShortAnswer, ...] = ()
    case_sensitive: bool = False
    numbers: tuple[NumericAnswer, ...] = ()
    pairs: tuple[tuple[str, str], ...] = ()  # matching: (prompt, answer)
    order: tuple[str, ...] = ()  # ordering: the items in the right order
    wrong_feedback: str = ""  # numeric / short: shown when no answer matched


@dataclass(frozen=True)
class Pool:
    """Draw `count` questions carrying `tag` (or from all questions when tag is None)."""

    count: int
    tag: str | None = None


@dataclass(frozen=True)
class ReviewPolicy:
    """When the learner sees each part of the review."""

    score: str = "after_submit"
    right_wrong: str = "after_submit"
    feedback: str = "after_submit"
    correct_answers: str = "after_pass"


@dataclass(frozen=True)
class Quiz:
    """A module's quiz: its settings and its question bank."""

    course: str
    module: str
    path: str
    title: str
    pass_mark: int = 80  # percent
    pools: tuple[Pool, ...] = ()
    shuffle_questions: bool = True
    shuffle_options: bool = True
    attempts: int | None = None  # None: unlimited
    cooldown_minutes: int = 0
    grading: str = "highest"
    time_limit_minutes: int | None = None
    no_retake_after_pass: bool = False
    review: ReviewPolicy = field(default_factory=ReviewPolicy)
    scenarios: dict[str, str] = field(default_factory=dict)
    questions: tuple[Question, ...] = ()
    version: str = ""  # a hash of the file(s) the quiz was read from
    guessing_limit: int = 50  # percent: the item check fails a quiz a test-wise guesser reaches

    @property
    def per_attempt(self) -> int:
        """How many questions one attempt shows."""
        return sum(p.count for p in self.pools) if self.pools else len(self.questions)


def text_key(text: str) -> str:
    """How two answer texts compare: whitespace collapsed, case folded ("A  b" == "a B")."""
    return " ".join(text.split()).casefold()


def repeated_texts(texts: tuple[str, ...] | list[str], what: str) -> list[tuple[int, str]]:
    """(index, reason) for every empty text and every one that repeats an earlier one: a
    learner cannot tell two identical options apart, nor choose an empty one."""
    found: list[tuple[int, str]] = []
    first: dict[str, int] = {}
    for i, text in enumerate(texts):
        key = text_key(text)
        if not key:
            found.append((i, f"{what} {i + 1} is empty"))
        elif key in first:
            found.append((i, f"{what} {i + 1} repeats {what} {first[key] + 1} "
                             f"({' '.join(text.split())!r})"))
        else:
            first[key] = i
    return found


def answer_text_problems(question: Question) -> list[str]:
    """Empty or repeated option texts, matching prompts or answers, and ordering items."""
    lists = {"option": tuple(o.text for o in question.options),
             "prompt": tuple(p for p, _ in question.pairs),
             "answer": tuple(a for _, a in question.pairs),
             "item": question.order}
    return [f"question '{question.id}': {reason}" for what, texts in lists.items()
            for _, reason in repeated_texts(texts, what)]
