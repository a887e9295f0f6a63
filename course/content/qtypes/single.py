"""Single choice: one right option among several (radio buttons); also Aiken's only type."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from .. import giftsyntax as gs
from ..quiz import Option, Question
from .base import ZERO, Form, Shown, as_int, field_name
from .choice import ChoiceType


class Single(ChoiceType):
    """One option is right; others may carry part marks or feedback."""

    name, label = "single", "single choice"
    gift_rank = 20

    def check(self, options: tuple[Option, ...]) -> str | None:
        if sum(1 for o in options if o.weight == 1) != 1:
            return "a single-choice question has exactly one option with 'correct: true'"
        return None

    def check_gift(self, options: tuple[Option, ...]) -> str | None:
        if sum(1 for o in options if o.weight == 1) != 1:
            return "a single-choice question has exactly one '=' answer"
        return None

    def claims_gift(self, answers: str) -> bool:
        return "~" in answers and any(m == "=" for m, _ in gs.segments(answers, "~="))

    def read_aiken(self, options: list[str], right: int) -> dict[str, Any] | None:
        return {"options": tuple(Option(text, Decimal(1) if i == right else Decimal(0))
                                 for i, text in enumerate(options))}

    def read_form(self, q: Question, shown: Shown, form: Form) -> Any:
        pos = as_int(form.get(field_name(q)))
        return shown.order[pos] if pos is not None and 0 <= pos < len(shown.order) else None

    def form_values(self, q: Question, shown: Shown, response: Any) -> dict[str, Any]:
        if response in shown.order:
            return {field_name(q): str(shown.order.index(response))}
        return {}

    def mark(self, q: Question, response: Any) -> tuple[Decimal, list[str]]:
        if not isinstance(response, int) or not 0 <= response < len(q.options):
            return ZERO, []
        option = q.options[response]
        return option.weight, [option.feedback]
