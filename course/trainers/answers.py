"""A learner's answer and a question's key in words, for the gradebook's review of an attempt
and the quiz preview's check (pure): each question type says them (`answer_text`,
`correct_text`); an unanswered question reads as ""."""

from __future__ import annotations

from typing import Any

from ..content.qtypes import QuestionTypes
from ..content.quiz import Question


def texts(types: QuestionTypes, q: Question, response: Any) -> tuple[str, str]:
    """(what was answered, what is right) for one question."""
    kind = types.get(q.type)
    given = "" if response is None or response == [] or response == "" else (
        kind.answer_text(q, response))
    return given, kind.correct_text(q)
