"""From a submitted quiz form to responses, and back (pure); each question type reads its own
fields (`content/qtypes/`).

Form values are positions in the order the attempt showed, never the file's order, so nothing
in the page hints at which option comes first in the answer key.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..content.qtypes import QuestionTypes, builtin_types, field_name
from ..content.quiz import Question
from .grading import Shown

__all__ = ["field_name", "form_values", "parse", "unanswered"]

Parts = list[tuple[Question, Shown, str | None]]


def parse(parts: Parts, form: Any, types: QuestionTypes | None = None) -> dict[str, Any]:
    """The responses a form holds, keyed by question id (unanswered questions left out)."""
    types = types or builtin_types()
    out: dict[str, Any] = {}
    for q, shown, _ in parts:
        response = types.get(q.type).read_form(q, shown, form)
        if response is not None:
            out[q.id] = response
    return out


def unanswered(parts: Parts, responses: Mapping[str, Any]) -> list[int]:
    """1-based numbers of the questions with no answer."""
    return [i for i, (q, _, _) in enumerate(parts, start=1)
            if responses.get(q.id) in (None, [], "")]


def form_values(parts: Parts, responses: Mapping[str, Any],
                types: QuestionTypes | None = None) -> dict[str, Any]:
    """Saved responses as form values, to fill the page in again after a reload."""
    types = types or builtin_types()
    values: dict[str, Any] = {}
    for q, shown, _ in parts:
        r = responses.get(q.id)
        if r is not None:
            values.update(types.get(q.type).form_values(q, shown, r))
    return values
