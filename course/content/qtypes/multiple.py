"""Multiple choice: every option that applies (check boxes), with weights that may be
negative, so guessing everything does not pay."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from ..quiz import Option, Question
from .base import ZERO, Form, Shown, as_int, field_name
from .choice import ChoiceType


class Multiple(ChoiceType):
    """The positive weights add up to the whole question."""

    name, label = "multiple", "multiple choice"
    gift_rank = 21  # after single: any '~' block without an '=' answer

    def check(self, options: tuple[Option, ...]) -> str | None:
        if sum(o.weight for o in options if o.weight > 0) != 1:
            return "the positive weights of a multiple-choice question must add up to 100"
        return None

    def check_gift(self, options: tuple[Option, ...]) -> str | None:
        if sum(o.weight for o in options if o.weight > 0) != 1:
            return "the positive %weights% of a multiple-answer question must add up to 100"
        return None

    def claims_gift(self, answers: str) -> bool:
        return "~" in answers

    def read_form(self, q: Question, shown: Shown, form: Form) -> Any:
        name = field_name(q)
        chosen = [as_int(v) for v in form.getlist(name)]
        picked = sorted({shown.order[p] for p in chosen
                         if p is not None and 0 <= p < len(shown.order)})
        # The hidden "-seen" field tells "chose nothing" from "never reached the question".
        return picked if picked or form.get(name + "-seen") else None

    def form_values(self, q: Question, shown: Shown, response: Any) -> dict[str, Any]:
        return {field_name(q): [str(shown.order.index(i)) for i in response
                                if i in shown.order]}

    def mark(self, q: Question, response: Any) -> tuple[Decimal, list[str]]:
        chosen = set(self.picked(q, response)) if isinstance(response, list | tuple | set) \
            else set()
        return (sum((q.options[i].weight for i in chosen), ZERO),
                [q.options[i].feedback for i in sorted(chosen)])
