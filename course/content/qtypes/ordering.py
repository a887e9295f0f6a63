"""Ordering: steps put in the right order by numbering them, a share of the marks for each step
in its place. GIFT and Aiken have no such type."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from ..quiz import Question, repeated_texts
from ..yamlfile import Path_, Reader
from .base import ZERO, Form, Orderer, QuestionType, Shown, as_int, field_name


class Ordering(QuestionType):
    """`items` in the right order; an attempt never shows them already solved."""

    name, label = "ordering", "ordering"
    yaml_keys = frozenset({"items"})

    def read_yaml(self, r: Reader, q: dict, path: Path_) -> dict[str, Any]:
        items = q.get("items")
        if not isinstance(items, list) or len(items) < 2 or not all(
                isinstance(x, str) for x in items):
            r.error((*path, "items"), "an ordering question lists at least 2 'items' (quoted "
                                      "text), in the right order")
            items = []
        for i, reason in repeated_texts(items, "item"):
            r.error((*path, "items", i), reason)
        return {"order": tuple(x.strip() for x in items)}

    def write_yaml(self, q: Question) -> dict[str, Any]:
        return {"items": list(q.order)}

    def shown(self, q: Question, order: Orderer) -> Shown:
        return Shown(q.id, order(len(q.order), True))

    def read_form(self, q: Question, shown: Shown, form: Form) -> Any:
        ranks = [as_int(form.get(field_name(q, pos))) for pos in range(len(shown.order))]
        if not all(r is not None for r in ranks):
            return None
        ordered = sorted(range(len(ranks)), key=lambda pos: ranks[pos])
        return [shown.order[pos] for pos in ordered]

    def form_values(self, q: Question, shown: Shown, response: Any) -> dict[str, Any]:
        return {field_name(q, shown.order.index(item)): str(rank)
                for rank, item in enumerate(response, start=1) if item in shown.order}

    def mark(self, q: Question, response: Any) -> tuple[Decimal, list[str]]:
        if not isinstance(response, list | tuple) or not q.order:
            return ZERO, []
        right = sum(1 for position, item in enumerate(response[: len(q.order)])
                    if item == position)
        return Decimal(right) / len(q.order), []

    def answer_text(self, q: Question, response: Any) -> str:
        if not isinstance(response, list | tuple):
            return ""
        return " → ".join(q.order[i] for i in response
                          if isinstance(i, int) and 0 <= i < len(q.order))

    def correct_text(self, q: Question) -> str:
        return " → ".join(q.order)
