"""Matching: each prompt paired with its answer from one drop-down list, a share of the marks
for each right pair."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from .. import giftsyntax as gs
from ..quiz import Question, repeated_texts
from ..yamlfile import Path_, Reader
from .base import ZERO, Form, Orderer, QuestionType, Shown, as_int, field_name


class Matching(QuestionType):
    """`pairs` of (prompt, answer); the answers are shuffled in every drop-down."""

    name, label = "matching", "matching"
    yaml_keys = frozenset({"pairs"})
    gift_rank = 30

    def read_yaml(self, r: Reader, q: dict, path: Path_) -> dict[str, Any]:
        raw = q.get("pairs")
        if not isinstance(raw, list) or len(raw) < 2:
            r.error((*path, "pairs"), "a matching question lists at least 2 {prompt, answer} "
                                      "pairs")
            return {"pairs": ()}
        pairs = []
        for i, item in enumerate(raw):
            ppath = (*path, "pairs", i)
            if not isinstance(item, dict) or set(item) != {"prompt", "answer"} or not all(
                    isinstance(v, str) for v in item.values()):
                r.error(ppath, "each pair is {prompt: \"...\", answer: \"...\"} in quotes")
                continue
            pairs.append((item["prompt"].strip(), item["answer"].strip()))
        for what, column in (("prompt", 0), ("answer", 1)):
            for i, reason in repeated_texts([p[column] for p in pairs], what):
                r.error((*path, "pairs", i), reason)
        return {"pairs": tuple(pairs)}

    def write_yaml(self, q: Question) -> dict[str, Any]:
        return {"pairs": [{"prompt": p, "answer": a} for p, a in q.pairs]}

    def claims_gift(self, answers: str) -> bool:
        return "=" in answers and "->" in answers

    def read_gift(self, answers: str) -> dict[str, Any]:
        pairs = []
        for marker, segment in gs.segments(answers, "="):
            prompt, arrow, answer = segment.partition("->")
            if marker != "=" or not arrow or not gs.restore(answer):
                raise gs.GiftProblem("matching pairs look like =prompt -> answer")
            pairs.append((gs.restore(prompt), gs.restore(answer)))
        if len(pairs) < 2:
            raise gs.GiftProblem("a matching question needs at least 2 pairs")
        return {"type": self.name, "pairs": tuple(pairs)}

    def write_gift(self, q: Question) -> str | None:
        return "\n".join(f"={gs.escape(p)} -> {gs.escape(a)}" for p, a in q.pairs)

    def shown(self, q: Question, order: Orderer) -> Shown:
        return Shown(q.id, answers_order=order(len(q.pairs), True))

    def read_form(self, q: Question, shown: Shown, form: Form) -> Any:
        picks = [as_int(form.get(field_name(q, i))) for i in range(len(q.pairs))]
        if not any(p is not None for p in picks):
            return None
        return [shown.answers_order[p] if p is not None and 0 <= p < len(shown.answers_order)
                else -1 for p in picks]

    def form_values(self, q: Question, shown: Shown, response: Any) -> dict[str, Any]:
        return {field_name(q, i): str(shown.answers_order.index(answer))
                for i, answer in enumerate(response) if answer in shown.answers_order}

    def mark(self, q: Question, response: Any) -> tuple[Decimal, list[str]]:
        if not isinstance(response, list | tuple) or not q.pairs:
            return ZERO, []
        right = sum(1 for i, choice in enumerate(response[: len(q.pairs)]) if choice == i)
        return Decimal(right) / len(q.pairs), []

    def answer_text(self, q: Question, response: Any) -> str:
        if not isinstance(response, list | tuple):
            return ""
        return "; ".join(
            f"{prompt} → {q.pairs[a][1] if isinstance(a, int) and 0 <= a < len(q.pairs) else '—'}"
            for (prompt, _), a in zip(q.pairs, response, strict=False))

    def correct_text(self, q: Question) -> str:
        return "; ".join(f"{p} → {a}" for p, a in q.pairs)
