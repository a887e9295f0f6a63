"""What a question type is (pure): one object that reads its questions from YAML (and GIFT or
Aiken where those formats have the type), writes them back, orders their parts for an attempt,
reads the learner's answer from a form, marks it, counts its choices for the statistics, and
says in words what was answered and what was right. Its page part is the template
`course/quizzes/types/<name>.html`.

Responses are plain JSON values (they are stored with the attempt); None means unanswered.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Protocol

from ..quiz import Question
from ..yamlfile import Path_, Reader

ZERO, ONE = Decimal(0), Decimal(1)

#: Shuffles `n` parts (always, or only when the quiz shuffles options) and returns their order.
Orderer = Callable[[int, bool], tuple[int, ...]]


@dataclass(frozen=True)
class Shown:
    """A question as one attempt shows it: which one, and the order of its parts."""

    id: str
    order: tuple[int, ...] = ()  # options, or ordering items, in the order shown
    answers_order: tuple[int, ...] = ()  # matching: the answers' order in each drop-down


@dataclass(frozen=True)
class Marked:
    """One question's result: the fraction earned and the feedback that applies."""

    fraction: Decimal
    right: bool
    feedback: tuple[str, ...]


class Form(Protocol):
    """What a type reads a submitted form through (a werkzeug MultiDict has both)."""

    def get(self, key: str, default: Any = None) -> Any: ...

    def getlist(self, key: str) -> list[Any]: ...


def field_name(q: Question, part: int | None = None) -> str:
    """The form field of a question (or one part of a matching or ordering question)."""
    return f"q-{q.id}" if part is None else f"q-{q.id}-{part}"


def as_int(value: Any) -> int | None:
    """A form value as a whole number, or None."""
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def indices(response: Any, size: int) -> list[int]:
    """The valid positions in a list response."""
    if not isinstance(response, list | tuple | set):
        return []
    return [i for i in response if isinstance(i, int) and 0 <= i < size]


def percent(weight: Decimal) -> int | float:
    """A weight (a fraction) as the percentage a quiz file writes."""
    value = weight * 100
    return int(value) if value == value.to_integral_value() else float(value)


class QuestionType:
    """A question type. Subclass it, set `name`, and give the parts your type has; register an
    instance on the plugin (`CoursePlugin(question_types=...)` or `state.question_types`)."""

    #: The `type:` value in a quiz file.
    name = ""
    #: Words for people ("multiple choice").
    label = ""
    #: The question keys this type reads from YAML, besides the common ones.
    yaml_keys: frozenset[str] = frozenset()
    #: Where this type's GIFT answer syntax is tried (lower first); None: GIFT has no such type.
    gift_rank: int | None = None

    @property
    def template(self) -> str:
        """The template that shows one question of this type in an attempt."""
        return f"course/quizzes/types/{self.name}.html"

    # ---- files
    def read_yaml(self, r: Reader, q: dict, path: Path_) -> dict[str, Any]:
        """The type's fields of `Question` from one YAML question (problems go to `r`)."""
        raise NotImplementedError

    def write_yaml(self, q: Question) -> dict[str, Any]:
        """The type's keys of one question in our YAML schema."""
        raise NotImplementedError

    def claims_gift(self, answers: str) -> bool:
        """Whether a GIFT answer block (stripped, escapes protected) is this type's syntax."""
        return False

    def read_gift(self, answers: str) -> dict[str, Any]:
        """`type` and the type's fields of `Question` from a GIFT answer block (GiftProblem)."""
        raise NotImplementedError

    def write_gift(self, q: Question) -> str | None:
        """The GIFT answer block (inside the braces); None if GIFT cannot express it."""
        return None

    def read_aiken(self, options: list[str], right: int) -> dict[str, Any] | None:
        """The type's fields from Aiken's lettered options and the right one; None if Aiken
        has no such type."""
        return None

    # ---- an attempt
    def shown(self, q: Question, order: Orderer) -> Shown:
        """The order this attempt shows the question's parts in."""
        return Shown(q.id)

    def read_form(self, q: Question, shown: Shown, form: Form) -> Any:
        """The learner's response in a submitted form, in the question's own order; None if
        unanswered."""
        raise NotImplementedError

    def form_values(self, q: Question, shown: Shown, response: Any) -> dict[str, Any]:
        """A saved response as form values (field name -> value), to fill the page again."""
        raise NotImplementedError

    def mark(self, q: Question, response: Any) -> tuple[Decimal, list[str]]:
        """The fraction of the marks a (non-None) response earns, and its feedback."""
        raise NotImplementedError

    # ---- after
    def choices(self, q: Question, responses: list[Any]) -> list[tuple[str, int, bool]]:
        """For the statistics: (choice text, how many chose it, keyed) per choice; [] when
        the type has no fixed choices."""
        return []

    def answer_text(self, q: Question, response: Any) -> str:
        """The learner's response in words."""
        return str(response)

    def correct_text(self, q: Question) -> str:
        """The right answer in words."""
        raise NotImplementedError
